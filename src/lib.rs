//! leadlens: a lead-quality workbench that runs entirely in the browser.
//!
//! Sales and marketing edit lead criteria and points together, replay them on
//! an uploaded sample of their own historical leads and see what the
//! definition would have done to conversion, to sales workload and to
//! follow-up. The data never leaves the browser.
//!
//! The crate has three layers, each depending only on the ones before it:
//!
//! - [`core`]: pure Rust. The column-wise data set, the criteria model,
//!   scoring, the replay metrics and the synthetic sample. No browser APIs,
//!   so every figure is tested natively.
//! - [`charts`]: plotters drawings of the core's aggregates, generic over the
//!   drawing backend: a canvas on screen, SVG in tests and exports.
//! - `ui` (wasm32 only): yew components around one reducer holding the
//!   workbench state; derived figures are memoised functions of that state.

pub mod charts;
pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
