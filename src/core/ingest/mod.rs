//! Turning a CSV export into a [`Dataset`](super::dataset::Dataset).
//!
//! The modules form a line, each using only those before it:
//! [`buffer`] is the flat form columns travel in; [`values`] reads one cell (numbers, yes/no, dates, missing markers);
//! [`table`] holds the file as text; [`infer`] decides a column's type
//! from its text and [`builder`] types the rows of a column as they
//! arrive; [`reader`] decodes the bytes and splits them into records,
//! knowing nothing of types; [`loader`] puts these together as the one
//! push-style [`Loader`] every caller drives, and [`transfer`] packs what
//! it loaded into flat buffers for another thread. [`roles`] then suggests
//! which columns are the outcome, the owner, the created date, and so on.

pub mod buffer;
pub mod builder;
pub mod error;
pub mod infer;
pub mod loader;
pub mod reader;
pub mod roles;
pub mod table;
pub mod transfer;
pub mod values;

pub use error::LoadError;
pub use loader::{
    assemble, load_bytes, nominal_starts, part_start, Finish, LaterBuffer, LoadOptions, LoadReport,
    Loaded, Loader, Part, PartLoader, Plan, MAX_FILE_BYTES,
};
