//! The threshold sweep: for every threshold, how many leads sales would get
//! and what share of conversions they would hold. It sits under the
//! threshold slider, so moving the slider walks along both lines.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::curves::{thin_curve, MAX_CURVE_POINTS};
use super::palette::{title_size, FONT, INK, LABEL_SIZE, MARK};
use crate::core::engine::SweepPoint;
use crate::core::format::{count, decimal, points, whole_percent};

/// Left and right insets of the plotting area, in pixels, so a slider laid
/// over the chart lines up with the x axis.
pub const SWEEP_PLOT_INSETS: (u32, u32) = (12 + 96, 12 + 88);

/// One scenario's sweep, in its colour. Points may come in any order.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCurve {
    pub name: String,
    pub colour: RGBColor,
    pub points: Vec<SweepPoint>,
}

/// The thresholds the x axis spans: every swept threshold and `threshold`,
/// at least one point wide.
pub fn sweep_axis(curves: &[SweepCurve], threshold: i32) -> (i32, i32) {
    let thresholds = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.threshold));
    let (low, high) = thresholds.fold((threshold, threshold), |(lo, hi), t| (lo.min(t), hi.max(t)));
    match low.checked_add(1) {
        _ if high > low => (low, high),
        Some(next) => (low, next),
        None => (low - 1, low),
    }
}

/// The workload axis counts leads per rep per week when every point has it,
/// otherwise sales-ready leads.
fn per_rep(curves: &[SweepCurve]) -> bool {
    let mut points = curves.iter().flat_map(|c| &c.points).peekable();
    points.peek().is_some() && points.all(|p| p.per_rep_week.is_some())
}

/// A sentence stating what sales would get at `threshold`: its workload and
/// the share of conversions captured.
pub fn sweep_finding(points: &[SweepPoint], threshold: i32) -> String {
    if points.is_empty() {
        return "No leads to sweep yet".to_owned();
    }
    // Sales gets the leads scoring at least the threshold: the point of the
    // lowest swept threshold at or above it.
    let Some(at) = points
        .iter()
        .filter(|p| p.threshold >= threshold)
        .min_by_key(|p| p.threshold)
    else {
        return format!("No lead scores {threshold}+ points, so sales gets no leads");
    };
    let workload = match at.per_rep_week {
        Some(per_rep) => {
            let text = decimal(Some(per_rep), 1);
            let noun = if text == "1" { "lead" } else { "leads" };
            format!("{text} {noun} per rep a week")
        }
        None => {
            let noun = if at.sales_ready == 1 { "lead" } else { "leads" };
            format!("{} {noun}", count(at.sales_ready))
        }
    };
    format!(
        "At {threshold}+ points sales gets {workload} and {} of conversions",
        whole_percent(Some(at.captured))
    )
}

/// Draws each scenario's workload (solid, left axis) and conversions
/// captured (dashed, right axis) against the threshold, with a dashed line
/// at `threshold`. The x axis spans [`sweep_axis`].
pub fn draw_sweep<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[SweepCurve],
    threshold: i32,
    title: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let per_rep = per_rep(curves);
    let workload = move |p: &SweepPoint| match p.per_rep_week {
        Some(w) if per_rep => w,
        _ => p.sales_ready as f64,
    };
    let lines: Vec<Vec<SweepPoint>> = curves
        .iter()
        .map(|c| {
            let mut points = c.points.clone();
            points.sort_by_key(|p| p.threshold);
            thin_curve(&points, MAX_CURVE_POINTS, |p| f64::from(p.threshold))
        })
        .collect();
    // Both lines start high at the left and end low at the right, so no
    // corner of the plot is free: the legend goes in a band between the
    // title and the plot, in as many rows as it needs.
    // One entry per scenario with both its lines, then what each line
    // means, then the threshold.
    let mut entries: Vec<(String, RGBColor, Sample)> = curves
        .iter()
        .map(|c| (c.name.clone(), c.colour, Sample::Both))
        .collect();
    entries.push(("sales-ready leads".to_owned(), INK, Sample::Solid));
    entries.push(("conversions captured".to_owned(), INK, Sample::Dashed));
    entries.push((
        format!("Threshold {}", points(threshold)),
        MARK,
        Sample::Dashed,
    ));
    let width = area.dim_in_pixel().0;
    let title_band = title_size(title, width) + 16;
    let rows = legend_rows(&entries, width.saturating_sub(24));
    let legend_band = rows.len() as u32 * LEGEND_ROW + 8;
    let (head, plot) = area.split_vertically(title_band + legend_band);
    head.draw(&Text::new(
        title.to_owned(),
        (width as i32 / 2, 8),
        (FONT, title_size(title, width))
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    for (row, items) in rows.iter().enumerate() {
        let y = (title_band + row as u32 * LEGEND_ROW + LEGEND_ROW / 2) as i32;
        let mut x = 12;
        for &index in items {
            let (label, colour, sample) = &entries[index];
            let style = colour.stroke_width(3);
            let (solid, dashed) = match sample {
                Sample::Solid => (Some((x, x + 24)), None),
                Sample::Dashed => (None, Some((x, x + 24))),
                Sample::Both => (Some((x, x + 16)), Some((x + 20, x + 40))),
            };
            if let Some((from, to)) = solid {
                head.draw(&PathElement::new(vec![(from, y), (to, y)], style))?;
            }
            if let Some((from, to)) = dashed {
                head.draw(&DashedPathElement::new(
                    vec![(from, y), (to, y)],
                    5,
                    3,
                    style,
                ))?;
            }
            head.draw(&Text::new(
                label.clone(),
                (x + sample.width() as i32 + 6, y),
                (FONT, LABEL_SIZE)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += legend_entry_width(label, *sample) as i32;
        }
    }

    // A little room above the highest point, so no line runs along the top.
    let tallest = lines
        .iter()
        .flatten()
        .map(workload)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.05;
    // The right axis counts tenths of a percent: an integer axis can carry
    // ticks that stop at 100% while the range runs on a little beyond.
    let per_mille = |share: f64| (1_000.0 * share).round() as i32;
    let captured_top = per_mille(1.05);
    let (low, high) = sweep_axis(curves, threshold);
    let x_range = f64::from(low)..f64::from(high);

    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(52)
        .y_label_area_size(SWEEP_PLOT_INSETS.0 - 12)
        .right_y_label_area_size(SWEEP_PLOT_INSETS.1 - 12)
        .build_cartesian_2d(x_range.clone(), 0.0..tallest)?
        .set_secondary_coord(
            x_range,
            (0..captured_top).with_key_points((0..=1_000).step_by(200).collect()),
        );
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xe4, 0xe8, 0xec))
        .axis_style(INK)
        .x_desc("Threshold (points)")
        .y_desc(if per_rep {
            "Sales-ready leads per rep per week"
        } else {
            "Sales-ready leads"
        })
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        // Thresholds are whole points; a narrow axis would repeat labels.
        .x_label_formatter(&|x| {
            if x.fract() == 0.0 {
                points(*x as i32)
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if y.fract() == 0.0 {
                count(*y as usize)
            } else {
                decimal(Some(*y), 1)
            }
        })
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(INK)
        .y_desc("Conversions captured (%)")
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .y_label_formatter(&|y| format!("{}%", y / 10))
        .draw()?;

    for (curve, points) in curves.iter().zip(&lines) {
        let colour = curve.colour;
        chart.draw_series(LineSeries::new(
            points.iter().map(|p| (f64::from(p.threshold), workload(p))),
            colour.stroke_width(3),
        ))?;
        chart.draw_secondary_series(DashedLineSeries::new(
            points
                .iter()
                .map(|p| (f64::from(p.threshold), per_mille(p.captured))),
            8,
            5,
            colour.stroke_width(3),
        ))?;
    }

    let t = f64::from(threshold);
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(t, 0.0), (t, tallest)],
        8,
        5,
        MARK.stroke_width(3),
    )))?;
    area.present()?;
    Ok(())
}

/// Height of one row of the sweep's legend, in pixels.
const LEGEND_ROW: u32 = 26;

/// The line samples of a legend entry.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Solid,
    Dashed,
    /// A scenario: its solid and its dashed line.
    Both,
}

impl Sample {
    fn width(self) -> u32 {
        match self {
            Sample::Solid | Sample::Dashed => 24,
            Sample::Both => 40,
        }
    }
}

/// The width an entry of the legend takes: its samples, its text (a
/// sans-serif character averages about 0.55 em) and a gap.
fn legend_entry_width(label: &str, sample: Sample) -> u32 {
    sample.width()
        + 6
        + (0.55 * f64::from(LABEL_SIZE) * label.chars().count() as f64).ceil() as u32
        + 22
}

/// The legend's entries in rows that fit `width` pixels, by index.
fn legend_rows(entries: &[(String, RGBColor, Sample)], width: u32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (index, (label, _, sample)) in entries.iter().enumerate() {
        let needed = legend_entry_width(label, *sample);
        match rows.last_mut() {
            Some(row) if used + needed <= width => {
                row.push(index);
                used += needed;
            }
            _ => {
                rows.push(vec![index]);
                used = needed;
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::SCENARIO_ACCENTS;
    use crate::charts::svg_reading::*;

    fn svg(curves: &[SweepCurve], threshold: i32, title: &str) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, (800, 450)).into_drawing_area();
            draw_sweep(&area, curves, threshold, title).expect("drawing into a string cannot fail");
        }
        out
    }

    fn point(
        threshold: i32,
        sales_ready: usize,
        captured: f64,
        per_rep_week: Option<f64>,
    ) -> SweepPoint {
        SweepPoint {
            threshold,
            sales_ready,
            captured,
            rate: 0.0,
            per_rep_week,
        }
    }

    /// Highest threshold first, as the engine sweeps.
    fn sweep(per_rep: bool) -> Vec<SweepPoint> {
        let rep = |w: f64| per_rep.then_some(w);
        vec![
            point(60, 10, 0.3, rep(1.0)),
            point(40, 210, 0.74, rep(2.1)),
            point(20, 400, 0.95, rep(4.0)),
            point(0, 1_000, 1.0, rep(10.0)),
        ]
    }

    fn curve(name: &str, colour: RGBColor, points: Vec<SweepPoint>) -> SweepCurve {
        SweepCurve {
            name: name.to_owned(),
            colour,
            points,
        }
    }

    #[test]
    fn draws_both_lines_per_scenario_both_axes_and_the_threshold() {
        let curves = [
            curve("Current", SCENARIO_ACCENTS[0], sweep(true)),
            curve("Proposed", SCENARIO_ACCENTS[1], sweep(true)),
        ];
        let out = svg(&curves, 40, "Sweep");
        // The legend names each scenario once (with both its lines) and says
        // once what the solid and the dashed lines are.
        let labels = texts(&out);
        for label in [
            "Current",
            "Proposed",
            "sales-ready leads",
            "conversions captured",
        ] {
            assert!(labels.contains(&label), "missing {label}: {labels:?}");
        }
        for text in [
            "Sweep",
            "Threshold 40",
            "Threshold (points)",
            "Sales-ready leads per rep per week",
            "Conversions captured (%)",
            "100%",
        ] {
            assert!(out.contains(text), "missing {text}");
        }
        // Solid workload: one line of every point; the dashed captured line
        // (and the legend's samples) break into many short pieces.
        let lengths = polyline_lengths(&out, SCENARIO_ACCENTS[0]);
        assert_eq!(
            lengths.iter().filter(|&&n| n == 4).count(),
            1,
            "{lengths:?}"
        );
        assert!(lengths.len() > 10, "{lengths:?}");
        assert!(polyline_lengths(&out, MARK).len() > 5);
    }

    #[test]
    fn workload_counts_leads_unless_every_point_has_a_rate_per_rep() {
        let mut mixed = sweep(true);
        mixed[2].per_rep_week = None;
        let out = svg(&[curve("Mixed", SCENARIO_ACCENTS[0], mixed)], 40, "Sweep");
        assert!(out.contains("Sales-ready leads"));
        assert!(!out.contains("per rep"));
        // The count axis reaches 1,000 leads.
        let labels = texts(&out);
        assert!(labels.contains(&"1,000"), "{labels:?}");
    }

    #[test]
    fn long_sweeps_are_thinned_when_drawn() {
        let points: Vec<SweepPoint> = (0..5_000)
            .rev()
            .map(|t| point(t, 5_000 - t as usize, 1.0 - f64::from(t) / 5_000.0, None))
            .collect();
        let out = svg(&[curve("Wide", SCENARIO_ACCENTS[2], points)], 2_500, "Wide");
        let lengths = polyline_lengths(&out, SCENARIO_ACCENTS[2]);
        assert!(
            lengths.iter().all(|&n| n <= MAX_CURVE_POINTS),
            "{lengths:?}"
        );
        assert!(lengths.iter().any(|&n| n > 500), "{lengths:?}");
    }

    #[test]
    fn user_text_is_escaped() {
        let evil = "<script>alert(1)</script> & co";
        let out = svg(&[curve(evil, SCENARIO_ACCENTS[0], sweep(false))], 40, evil);
        assert!(!out.contains("<script>"));
        // The title and the scenario's legend entry.
        assert_eq!(
            out.matches("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
                .count(),
            2
        );
    }

    #[test]
    fn empty_inputs_still_draw() {
        let out = svg(&[], 40, "Nothing loaded");
        assert!(out.contains("Nothing loaded") && out.contains("Threshold 40"));
        let out = svg(
            &[curve("Empty", SCENARIO_ACCENTS[0], vec![])],
            0,
            "No points",
        );
        assert!(texts(&out).contains(&"Empty") && out.contains("Sales-ready leads"));
    }

    #[test]
    fn the_axis_spans_every_threshold() {
        let curves = [curve("Current", SCENARIO_ACCENTS[0], sweep(false))];
        assert_eq!(sweep_axis(&curves, 40), (0, 60));
        assert_eq!(sweep_axis(&curves, 90), (0, 90));
        assert_eq!(sweep_axis(&[], 7), (7, 8));
    }

    #[test]
    fn finding_states_workload_and_share_captured() {
        assert_eq!(
            sweep_finding(&sweep(true), 40),
            "At 40+ points sales gets 2.1 leads per rep a week and 74% of conversions"
        );
        // Between swept scores, sales gets the leads of the next one up.
        assert_eq!(
            sweep_finding(&sweep(true), 45),
            "At 45+ points sales gets 1 lead per rep a week and 30% of conversions"
        );
        assert_eq!(
            sweep_finding(&sweep(false), 0),
            "At 0+ points sales gets 1,000 leads and 100% of conversions"
        );
        assert_eq!(
            sweep_finding(&sweep(false), 61),
            "No lead scores 61+ points, so sales gets no leads"
        );
        assert_eq!(sweep_finding(&[], 40), "No leads to sweep yet");
    }
}
