//! Charts drawn with plotters from the core's aggregates.
//!
//! Every drawing function takes a plotters drawing area and is generic over
//! its backend: the browser draws on a canvas, while native tests and
//! exports draw SVG. Charts never see individual leads, only aggregates,
//! which keeps each drawing to a few hundred shapes.

pub mod curves;
pub mod palette;
pub mod rates;
pub mod score_distribution;
pub mod spec;
#[cfg(test)]
mod svg_reading;
pub mod sweep;

pub use score_distribution::draw_score_distribution;
