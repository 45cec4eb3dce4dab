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

/// The title's font size: [`TITLE_SIZE`] where the title fits across a
/// chart `width` pixels wide, smaller (down to the label size) where it
/// would not, since plotters does not wrap text.
pub fn title_size(title: &str, width: u32) -> u32 {
    // A sans-serif character averages about 0.55 em; keep 32 px of margin.
    let chars = title.chars().count().max(1) as f64;
    let fits = (f64::from(width.saturating_sub(32)) / (0.55 * chars)).floor() as u32;
    fits.clamp(LABEL_SIZE, TITLE_SIZE)
}
pub const LABEL_SIZE: u32 = 16;

/// Draws a chart's legend at `position` in the house style: large labels
/// on a pale, bordered card.
pub fn draw_legend<'a, 'b, DB, CT>(
    mut labels: plotters::chart::SeriesLabelStyle<'a, 'b, DB, CT>,
    position: plotters::chart::SeriesLabelPosition,
) -> Result<(), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: plotters::prelude::DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::prelude::*;
    labels
        .position(position)
        .label_font((FONT, LABEL_SIZE).into_font().color(&INK))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xc8, 0xd0, 0xd8))
        .draw()
}

/// The colour of the scenario at `index`, the same in every chart.
pub fn scenario_colour(index: usize) -> RGBColor {
    SCENARIO_ACCENTS[index % SCENARIO_ACCENTS.len()]
}

/// The colour of the check-set twin of the scenario at `index`: its own
/// colour, halfway to white.
pub fn check_colour(index: usize) -> RGBColor {
    let RGBColor(r, g, b) = scenario_colour(index);
    let half = |c: u8| ((u16::from(c) + 255) / 2) as u8;
    RGBColor(half(r), half(g), half(b))
}

/// A colour as CSS `#rrggbb`, for swatches next to charts.
pub fn css(colour: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_get_smaller_down_to_the_label_size() {
        assert_eq!(title_size("Short", 800), TITLE_SIZE);
        let long =
            "The score ranks a converted lead above an unconverted one 84% of the time (AUC 0.84)";
        let size = title_size(long, 800);
        assert!((LABEL_SIZE..TITLE_SIZE).contains(&size), "{size}");
        assert_eq!(
            title_size(long, 1280),
            TITLE_SIZE,
            "an export is wide enough"
        );
        assert_eq!(title_size(&long.repeat(5), 400), LABEL_SIZE);
    }

    #[test]
    fn scenario_colours_repeat_after_the_palette() {
        assert_eq!(scenario_colour(0), SCENARIO_ACCENTS[0]);
        assert_eq!(
            scenario_colour(SCENARIO_ACCENTS.len() + 1),
            SCENARIO_ACCENTS[1]
        );
        assert_eq!(css(SCENARIO_ACCENTS[0]), "#0b6e99");
    }
}
