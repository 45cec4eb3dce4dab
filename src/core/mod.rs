//! The pure core: everything that computes a number, with no browser in
//! sight. It builds and tests natively with plain `cargo test`.

pub mod agreement;
pub mod criteria;
pub mod criteria_file;
pub mod dataset;
pub mod decisions;
pub mod derive;
pub mod diff;
pub mod engine;
pub mod fit;
pub mod followup;
pub mod format;
pub mod grid;
pub mod hindsight;
pub mod ingest;
pub mod join;
pub mod later;
pub mod mapping;
pub mod metrics;
pub mod patterns;
pub mod ranking;
pub mod sample;
pub mod scored_csv;
pub mod scoring;
pub mod share;
pub mod split;
pub mod sql;
pub mod starting;
pub mod summary;
pub mod workspace;
