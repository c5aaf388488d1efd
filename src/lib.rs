//! yishi (议事): a static-site generator for consultation transparency
//! portals. See ARCHITECTURE.md for the map of the pipeline.

pub mod build;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod privacy;
pub mod progress;
pub mod render;
pub mod theme;
pub mod url;
pub mod validate;
pub mod vocab;
