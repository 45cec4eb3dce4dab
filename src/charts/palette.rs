//! The colours and type sizes every chart shares, chosen to stay legible
//! on a projector: dark text, large labels, one accent per scenario.

use plotters::style::RGBColor;

/// Accent colours, one per scenario, in order; the first is the default.
pub const SCENARIO_ACCENTS: [RGBColor; 4] = [
    RGBColor(0x0b, 0x6e, 0x99),
    RGBColor(0xc2, 0x4e, 0x00),
    RGBColor(0x2e, 0x7d, 0x32),
    RGBColor(0x7b, 0x3f, 0xa0),
];

/// Leads that did not convert: a quiet grey that leaves the accent to the
/// conversions.
pub const MUTED: RGBColor = RGBColor(0xb8, 0xc2, 0xcc);

/// Text and axis lines.
pub const INK: RGBColor = RGBColor(0x1f, 0x29, 0x33);

/// Marks such as the threshold line.
pub const MARK: RGBColor = RGBColor(0xb0, 0x00, 0x20);

pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: u32 = 22;
pub const LABEL_SIZE: u32 = 16;
