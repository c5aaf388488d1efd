//! The whole-tool tests, as one test binary: one link of the crate and its
//! dependencies instead of one per file, and one process whose tests all
//! run in parallel. Each module is the tests of one area; `common` holds
//! the helpers they share (fixture sites in temporary folders, the `yishi`
//! binary run on them). Fixture sites are in `tests/fixtures/`, the browser
//! and validator tools in `tests/tools/`.
//!
//! One area alone: `cargo test --test it errors::` (a filter on the module
//! path).

mod common;

mod accessibility;
mod as_of;
mod bombs;
mod build_site;
mod clerk;
mod demo_content;
mod errors;
mod faults;
mod hostile;
mod html_valid;
mod incremental;
mod languages;
mod open_data;
mod privacy;
mod reading;
mod rebuilds;
mod schemas;
mod search;
mod search_queries;
mod serve;
mod serve_load;
mod xss;
