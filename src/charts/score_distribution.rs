//! How scores are spread, converted leads against the rest, with the
//! sales-ready threshold marked: the first picture of whether the points
//! separate good leads from the others.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::palette::{draw_legend, title_size, FONT, INK, LABEL_SIZE, MARK, MUTED};
use crate::core::format::{count, points};
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

/// The scores the x axis spans: every band, the threshold and `possible`
/// (the lowest and highest score the criteria allow), so the axis stays put
/// while the threshold moves. A score `s` covers `[s, s + 1)` on the axis.
pub fn score_axis(
    distribution: &ScoreDistribution,
    threshold: i32,
    possible: (i32, i32),
) -> (i32, i32) {
    let bands = &distribution.bands;
    let low = bands.first().map_or(possible.0, |b| b.low.min(possible.0));
    let high = bands.last().map_or(possible.1, |b| b.high.max(possible.1));
    let (low, high) = (low.min(threshold), high.max(threshold));
    match low.checked_add(1) {
        _ if high > low => (low, high),
        Some(next) => (low, next),
        None => (low - 1, low),
    }
}

/// Left and right insets of the plotting area, in pixels: a control laid
/// over the chart (the threshold slider) lines up with the x axis.
pub const PLOT_INSETS: (u32, u32) = (12 + 64, 12);

/// Draws stacked bars per score band (converted on top, in `accent`) and a
/// line at `threshold`, under `title`, over the scores `axis` (from
/// [`score_axis`]).
pub fn draw_score_distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    distribution: &ScoreDistribution,
    threshold: i32,
    axis: (i32, i32),
    title: &str,
    accent: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let bands = &distribution.bands;
    let (x_low, x_high) = (f64::from(axis.0), f64::from(axis.1) + 1.0);
    let tallest = bands
        .iter()
        .map(|b| b.converted + b.not_converted)
        .max()
        .unwrap_or(0)
        .max(1) as f64;

    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            (FONT, title_size(title, area.dim_in_pixel().0))
                .into_font()
                .color(&INK),
        )
        .margin(PLOT_INSETS.1)
        .x_label_area_size(52)
        .y_label_area_size(PLOT_INSETS.0 - PLOT_INSETS.1)
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
        .y_label_formatter(&|y| count(y.max(0.0).round() as usize))
        .x_label_formatter(&|x| points(x.round() as i32))
        .draw()?;

    // A band covers [low, high + 1) on the axis; a small gap separates bars.
    let gap = |b: &ScoreBand| (f64::from(b.high) - f64::from(b.low) + 1.0) * 0.08;
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

    draw_legend(
        chart.configure_series_labels(),
        SeriesLabelPosition::UpperRight,
    )?;
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
            let axis = score_axis(distribution, threshold, (0, 50));
            draw_score_distribution(
                &area,
                distribution,
                threshold,
                axis,
                title,
                SCENARIO_ACCENTS[0],
            )
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
    fn the_axis_covers_bands_threshold_and_possible_scores() {
        let distribution = score_distribution(&[5, 15, 25], &[true, false, true], 10);
        assert_eq!(score_axis(&distribution, 10, (0, 60)), (0, 60));
        assert_eq!(score_axis(&distribution, 80, (0, 60)), (0, 80));
        assert_eq!(score_axis(&distribution, -5, (0, 20)), (-5, 29));
        assert_eq!(
            score_axis(&ScoreDistribution { bands: vec![] }, 0, (0, 0)),
            (0, 1)
        );
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
