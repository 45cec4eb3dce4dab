//! How scores are spread, converted leads against the rest, with the
//! sales-ready threshold marked: the first picture of whether the points
//! separate good leads from the others.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::palette::{FONT, INK, LABEL_SIZE, MARK, MUTED, TITLE_SIZE};
use crate::core::metrics::{KeyFigures, ScoreBand, ScoreDistribution};

/// A sentence stating what the distribution shows at the figures'
/// threshold: the share of converted leads that reach it against the share
/// of the rest.
pub fn score_distribution_finding(figures: &KeyFigures) -> String {
    let converted = figures.overall().converted;
    let rest = figures.leads - converted;
    if converted == 0 || rest == 0 {
        return "Score distribution (needs both converted and unconverted leads)".to_owned();
    }
    let ready = figures.sales_ready;
    let pct = |part: usize, whole: usize| (100.0 * part as f64 / whole as f64).round();
    format!(
        "{}% of converted leads score {}+, against {}% of the rest",
        pct(ready.converted, converted),
        figures.threshold,
        pct(ready.leads - ready.converted, rest)
    )
}

/// Draws stacked bars per score band (converted on top, in `accent`) and a
/// line at `threshold`, under `title`.
pub fn draw_score_distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    distribution: &ScoreDistribution,
    threshold: i32,
    title: &str,
    accent: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let bands = &distribution.bands;
    let (x_low, x_high) = match (bands.first(), bands.last()) {
        (Some(first), Some(last)) => (
            f64::from(first.low.min(threshold)),
            f64::from(last.high.max(threshold)) + 1.0,
        ),
        _ => (f64::from(threshold) - 10.0, f64::from(threshold) + 10.0),
    };
    let tallest = bands
        .iter()
        .map(|b| b.converted + b.not_converted)
        .max()
        .unwrap_or(0)
        .max(1) as f64;

    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, TITLE_SIZE).into_font().color(&INK))
        .margin(12)
        .x_label_area_size(52)
        .y_label_area_size(64)
        .build_cartesian_2d(x_low..x_high, 0.0..tallest * 1.12)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(0xe4, 0xe8, 0xec))
        .axis_style(INK)
        .x_desc("Score (points)")
        .y_desc("Leads")
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;

    // A band covers [low, high + 1) on the axis; a small gap separates bars.
    let gap = |b: &ScoreBand| f64::from(b.high - b.low + 1) * 0.08;
    chart
        .draw_series(bands.iter().map(|b| {
            let top = b.not_converted as f64;
            Rectangle::new(
                [
                    (f64::from(b.low) + gap(b), 0.0),
                    (f64::from(b.high) + 1.0 - gap(b), top),
                ],
                MUTED.filled(),
            )
        }))?
        .label("Not converted")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], MUTED.filled()));
    chart
        .draw_series(bands.iter().map(|b| {
            let bottom = b.not_converted as f64;
            Rectangle::new(
                [
                    (f64::from(b.low) + gap(b), bottom),
                    (
                        f64::from(b.high) + 1.0 - gap(b),
                        bottom + b.converted as f64,
                    ),
                ],
                accent.filled(),
            )
        }))?
        .label("Converted")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], accent.filled()));

    let t = f64::from(threshold);
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(t, 0.0), (t, tallest * 1.12)],
            8,
            5,
            MARK.stroke_width(3),
        )))?
        .label(format!("Sales-ready: {threshold}+ points"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MARK.stroke_width(3)));

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, LABEL_SIZE).into_font().color(&INK))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xc8, 0xd0, 0xd8))
        .draw()?;
    area.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::SCENARIO_ACCENTS;
    use crate::core::metrics::{key_figures, score_distribution};

    fn svg(distribution: &ScoreDistribution, threshold: i32, title: &str) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, (800, 450)).into_drawing_area();
            draw_score_distribution(&area, distribution, threshold, title, SCENARIO_ACCENTS[0])
                .expect("drawing into a string cannot fail");
        }
        out
    }

    #[test]
    fn draws_both_outcomes_the_threshold_and_labels() {
        let scores = [0, 10, 10, 20, 40, 45];
        let outcomes = [false, false, true, false, true, true];
        let distribution = score_distribution(&scores, &outcomes, 10);
        let out = svg(&distribution, 40, "Scores");
        for text in [
            "Converted",
            "Not converted",
            "Sales-ready: 40+ points",
            "Score (points)",
            "Leads",
        ] {
            assert!(out.contains(text), "missing {text}");
        }
        // One muted and one accent bar per band (empty ones are zero-height).
        let muted = format!("fill=\"#{:02X}{:02X}{:02X}\"", MUTED.0, MUTED.1, MUTED.2);
        let accent = SCENARIO_ACCENTS[0];
        let accent = format!("fill=\"#{:02X}{:02X}{:02X}\"", accent.0, accent.1, accent.2);
        assert!(out.matches(&muted).count() >= distribution.bands.len());
        assert!(out.matches(&accent).count() >= distribution.bands.len());
    }

    #[test]
    fn titles_from_user_text_are_escaped() {
        let distribution = score_distribution(&[1, 2], &[true, false], 10);
        let out = svg(&distribution, 1, "<script>alert(1)</script> & co");
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;"));
    }

    #[test]
    fn empty_data_still_draws_axes() {
        let out = svg(&ScoreDistribution { bands: vec![] }, 40, "Nothing loaded");
        assert!(out.contains("Nothing loaded"));
    }

    #[test]
    fn finding_compares_shares_reaching_the_threshold() {
        let scores = [0, 10, 10, 20, 40, 45];
        let outcomes = [false, false, true, false, true, true];
        assert_eq!(
            score_distribution_finding(&key_figures(&scores, &outcomes, 40)),
            "67% of converted leads score 40+, against 0% of the rest"
        );
    }
}
