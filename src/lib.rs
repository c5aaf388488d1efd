//! yishi (议事): a static-site generator for consultation transparency
//! portals. See ARCHITECTURE.md for the map of the pipeline.

// Diagnostics are rich values (file, position, message, hint) that travel
// in `Err` on the rare failing path; boxing them buys nothing measurable.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod fields;
pub mod fold;
pub mod fsio;
pub mod hash;
pub mod hook;
pub mod init;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod plan;
pub mod privacy;
pub mod progress;
pub mod publish;
pub mod render;
pub mod route;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod text;
pub mod theme;
pub mod url;
pub mod validate;
pub mod vocab;
pub mod workspace;
