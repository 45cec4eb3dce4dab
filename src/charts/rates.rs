//! Conversion rates side by side, each with its 95% interval: conversion by
//! score band, and the follow-up charts that compare groups of leads.
//!
//! A rate on a handful of leads can look as striking as one on thousands,
//! so every bar carries a whisker for its Wilson interval, and bars the
//! caller marks as thin (few leads, or pooled from several groups) are
//! drawn hollow.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::curves::{quiet_corner, trace};
use super::palette::{draw_legend, title_size, FONT, INK, LABEL_SIZE};
use crate::core::engine::{BandRate, MIN_EVIDENCE_LEADS};
use crate::core::format::{points, whole_percent};
use crate::core::metrics::Rate;

/// The legend entry for hollow bars.
pub const THIN_LABEL: &str = "Few leads: pooled or uncertain";

/// One bar: the rate of one series in one category.
#[derive(Debug, Clone, PartialEq)]
pub struct RateBar {
    /// The category the bar stands in, one of [`RatesChart::categories`];
    /// a bar naming no category is not drawn.
    pub label: String,
    pub rate: Rate,
    /// Too few leads to trust, or pooled from several groups: drawn hollow.
    pub thin: bool,
}

/// The bars of one scenario or group, in one colour.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSeries {
    pub name: String,
    pub colour: RGBColor,
    pub bars: Vec<RateBar>,
}

/// A rates chart: categories along x, one bar per series in each.
#[derive(Debug, Clone, PartialEq)]
pub struct RatesChart<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// Category labels, left to right.
    pub categories: Vec<String>,
    pub series: Vec<RateSeries>,
    /// A labelled dashed line across the chart at a rate (a share, 0–1),
    /// e.g. `("Overall 12%", 0.12)`.
    pub reference: Option<(String, f64)>,
}

/// The label of a score band: `"40"` for a single score, `"40–49"` for a
/// range.
///
/// ```
/// use leadlens::charts::rates::band_label;
/// assert_eq!(band_label(40, 49), "40 to 49");
/// assert_eq!(band_label(-30, -21), "−30 to −21");
/// assert_eq!(band_label(40, 40), "40");
/// ```
pub fn band_label(low: i32, high: i32) -> String {
    if low == high {
        points(low)
    } else {
        format!("{} to {}", points(low), points(high))
    }
}

/// Conversion per score band as a rates chart in `accent`, with a reference
/// line at the `overall` rate. Bands with fewer than
/// [`MIN_EVIDENCE_LEADS`] leads are marked thin.
///
/// The strings are static; set `title` to a borrowed string to name the
/// scenario.
pub fn conversion_by_band_chart(
    bands: &[BandRate],
    overall: Option<f64>,
    accent: RGBColor,
) -> RatesChart<'static> {
    RatesChart {
        title: "Conversion by score band",
        x_desc: "Score band (points)",
        y_desc: "Conversion (%)",
        categories: bands.iter().map(|b| band_label(b.low, b.high)).collect(),
        series: vec![band_series("Conversion rate", accent, bands)],
        reference: overall.map(|r| (format!("Overall {}", whole_percent(Some(r))), r)),
    }
}

/// One bar per score band, hollow where the band holds too few leads.
pub fn band_series(name: &str, colour: RGBColor, bands: &[BandRate]) -> RateSeries {
    RateSeries {
        name: name.to_owned(),
        colour,
        bars: bands
            .iter()
            .map(|b| RateBar {
                label: band_label(b.low, b.high),
                rate: b.rate,
                thin: b.rate.leads < MIN_EVIDENCE_LEADS,
            })
            .collect(),
    }
}

/// A sentence stating what conversion by band shows: sales-ready leads
/// against the rest when `threshold` falls between bands, otherwise how
/// conversion moves from the lowest band to the highest.
pub fn conversion_by_band_finding(bands: &[BandRate], threshold: i32) -> String {
    let with_leads: Vec<&BandRate> = bands.iter().filter(|b| b.rate.leads > 0).collect();
    let (Some(lowest), Some(highest)) = (with_leads.first(), with_leads.last()) else {
        return "No leads to show conversion by score band".to_owned();
    };
    let pooled = |keep: fn(&BandRate, i32) -> bool| {
        with_leads
            .iter()
            .filter(|b| keep(b, threshold))
            .fold(Rate::default(), |sum, b| Rate {
                converted: sum.converted + b.rate.converted,
                leads: sum.leads + b.rate.leads,
            })
    };
    let above = pooled(|b, t| b.low >= t);
    let below = pooled(|b, t| b.high < t);
    // A band straddling the threshold belongs to neither side.
    let straddled = with_leads
        .iter()
        .any(|b| b.low < threshold && threshold <= b.high);
    if !straddled && above.leads > 0 && below.leads > 0 {
        return format!(
            "Leads scoring {threshold}+ convert at {}, against {} below",
            whole_percent(above.value()),
            whole_percent(below.value())
        );
    }
    let (from, to) = (
        whole_percent(lowest.rate.value()),
        whole_percent(highest.rate.value()),
    );
    if with_leads.len() == 1 {
        let label = band_label(lowest.low, lowest.high);
        return format!("All leads score {label} points and convert at {from}");
    }
    let lowest_band = format!("the lowest band ({})", band_label(lowest.low, lowest.high));
    let highest_band = format!("the highest ({})", band_label(highest.low, highest.high));
    if from == to {
        return format!("Conversion is {from} in both {lowest_band} and {highest_band}");
    }
    let verb = if lowest.rate.value() < highest.rate.value() {
        "rises"
    } else {
        "falls"
    };
    format!("Conversion {verb} from {from} in {lowest_band} to {to} in {highest_band}")
}

/// Width of one category on the x axis. The axis counts in integers
/// because plotters formats custom tick positions only on integer axes.
const CATEGORY: i32 = 1_000;

/// A bar placed on the x axis, where category `i` spans
/// `[i, i + 1) × CATEGORY`.
struct PlacedBar {
    left: i32,
    right: i32,
    /// Rate and interval in percent.
    value: f64,
    interval: Option<(f64, f64)>,
    thin: bool,
}

impl PlacedBar {
    fn rectangle(&self, style: ShapeStyle) -> Rectangle<(i32, f64)> {
        Rectangle::new([(self.left, 0.0), (self.right, self.value)], style)
    }

    /// The interval as one path: top cap, stem, bottom cap.
    fn whisker(&self) -> Option<PathElement<(i32, f64)>> {
        let (low, high) = self.interval?;
        let centre = (self.left + self.right) / 2;
        let cap = (self.right - self.left) / 4;
        Some(PathElement::new(
            vec![
                (centre - cap, high),
                (centre + cap, high),
                (centre, high),
                (centre, low),
                (centre - cap, low),
                (centre + cap, low),
            ],
            INK.stroke_width(2),
        ))
    }
}

/// Draws `chart`: grouped bars on a 0–100% axis, hollow where thin, with
/// interval whiskers; bars of no leads are left out. Category labels are
/// thinned to every n-th when they would not fit side by side.
pub fn draw_rates<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &RatesChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let categories = &chart.categories;
    let span = categories.len().max(1) as i32 * CATEGORY;
    let every = label_step(categories, area.dim_in_pixel().0);
    let centres = (0..categories.len() as i32)
        .step_by(every)
        .map(|i| i * CATEGORY + CATEGORY / 2)
        .collect();

    let mut plot = ChartBuilder::on(area)
        .caption(
            chart.title,
            (FONT, title_size(chart.title, area.dim_in_pixel().0))
                .into_font()
                .color(&INK),
        )
        .margin(12)
        .x_label_area_size(52)
        .y_label_area_size(64)
        .build_cartesian_2d((0..span).with_key_points(centres), 0.0..100.0)?;
    let category_at = |x: &i32| {
        usize::try_from(x.div_euclid(CATEGORY))
            .ok()
            .and_then(|i| categories.get(i))
            .cloned()
            .unwrap_or_default()
    };
    plot.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xe4, 0xe8, 0xec))
        .axis_style(INK)
        .x_desc(chart.x_desc)
        .y_desc(chart.y_desc)
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .y_labels(6)
        .x_label_formatter(&category_at)
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .draw()?;

    // Series share 80% of each category; each bar keeps a small gap.
    let slot = f64::from(CATEGORY) * 0.8 / chart.series.len().max(1) as f64;
    let (mut any_bar, mut any_thin) = (false, false);
    // What the legend should keep clear of, in shares of the plot.
    let mut drawn = Vec::new();
    let mut labels = Vec::new();
    for (s, series) in chart.series.iter().enumerate() {
        let bars: Vec<PlacedBar> = series
            .bars
            .iter()
            .filter_map(|bar| {
                let category = categories.iter().position(|c| *c == bar.label)?;
                let value = bar.rate.value()?;
                let start = f64::from(CATEGORY) * (category as f64 + 0.1);
                let left = start + (s as f64 + 0.08) * slot;
                let interval = bar.rate.interval();
                Some(PlacedBar {
                    left: left.round() as i32,
                    right: (left + 0.84 * slot).round() as i32,
                    value: 100.0 * value,
                    interval: interval.map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
                    thin: bar.thin,
                })
            })
            .collect();
        any_bar |= !bars.is_empty();
        any_thin |= bars.iter().any(|b| b.thin);
        for bar in &bars {
            let (left, right) = (
                f64::from(bar.left) / f64::from(span),
                f64::from(bar.right) / f64::from(span),
            );
            let top = bar.interval.map_or(bar.value, |(_, high)| high) / 100.0;
            drawn.extend(trace(&[
                (left, 0.0),
                (left, top),
                (right, top),
                (right, 0.0),
            ]));
        }
        labels.push(series.name.clone());
        let colour = series.colour;
        plot.draw_series(
            bars.iter()
                .filter(|b| !b.thin)
                .map(|b| b.rectangle(colour.filled())),
        )?
        .label(series.name.as_str())
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
        plot.draw_series(
            bars.iter()
                .filter(|b| b.thin)
                .map(|b| b.rectangle(colour.stroke_width(2))),
        )?;
        plot.draw_series(bars.iter().filter_map(PlacedBar::whisker))?;
    }
    if any_thin {
        labels.push(THIN_LABEL.to_owned());
        plot.draw_series(std::iter::empty::<Rectangle<(i32, f64)>>())?
            .label(THIN_LABEL)
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], INK.stroke_width(2)));
    }
    if any_bar {
        labels.push("95% interval".to_owned());
        plot.draw_series(std::iter::empty::<PathElement<(i32, f64)>>())?
            .label("95% interval")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![
                        (x + 3, y - 7),
                        (x + 11, y - 7),
                        (x + 7, y - 7),
                        (x + 7, y + 7),
                        (x + 3, y + 7),
                        (x + 11, y + 7),
                    ],
                    INK.stroke_width(2),
                )
            });
    }
    if let Some((label, rate)) = &chart.reference {
        let y = 100.0 * rate.clamp(0.0, 1.0);
        drawn.extend(trace(&[(0.0, y / 100.0), (1.0, y / 100.0)]));
        labels.push(label.clone());
        plot.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0, y), (span, y)],
            8,
            5,
            INK.stroke_width(2),
        )))?
        .label(label.as_str())
        .legend(|(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + 16, y)], 5, 3, INK.stroke_width(2))
        });
    }

    let corner = quiet_corner(
        &drawn,
        &labels,
        plot.plotting_area().dim_in_pixel(),
        [
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::LowerLeft,
            SeriesLabelPosition::LowerRight,
        ],
    );
    draw_legend(plot.configure_series_labels(), corner)?;
    area.present()?;
    Ok(())
}

/// Label every n-th category so labels of the widest text stay apart on a
/// canvas `width` pixels wide.
fn label_step(categories: &[String], width: u32) -> usize {
    let widest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let label = widest * f64::from(LABEL_SIZE) * 0.6 + 16.0;
    let plot = f64::from(width.saturating_sub(88)).max(label);
    let fit = (plot / label).floor().max(1.0) as usize;
    categories.len().div_ceil(fit).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::SCENARIO_ACCENTS;
    use crate::charts::svg_reading::*;

    fn svg(chart: &RatesChart) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, (800, 450)).into_drawing_area();
            draw_rates(&area, chart).expect("drawing into a string cannot fail");
        }
        out
    }

    fn rate(converted: usize, leads: usize) -> Rate {
        Rate { converted, leads }
    }

    fn bar(label: &str, rate: Rate, thin: bool) -> RateBar {
        RateBar {
            label: label.to_owned(),
            rate,
            thin,
        }
    }

    fn band(low: i32, high: i32, converted: usize, leads: usize) -> BandRate {
        BandRate {
            low,
            high,
            rate: rate(converted, leads),
        }
    }

    fn two_series() -> RatesChart<'static> {
        RatesChart {
            title: "Follow-up speed",
            x_desc: "First reply (hours)",
            y_desc: "Conversion (%)",
            categories: vec!["<1".into(), "1–24".into(), "24+".into()],
            series: vec![
                RateSeries {
                    name: "Current".into(),
                    colour: SCENARIO_ACCENTS[0],
                    bars: vec![
                        bar("<1", rate(30, 100), false),
                        bar("1–24", rate(2, 9), true),
                        bar("24+", rate(0, 0), true),
                    ],
                },
                RateSeries {
                    name: "Proposed".into(),
                    colour: SCENARIO_ACCENTS[1],
                    bars: vec![
                        bar("<1", rate(40, 100), false),
                        bar("1–24", rate(10, 100), false),
                        bar("nowhere", rate(5, 100), false),
                    ],
                },
            ],
            reference: Some(("Overall 12%".into(), 0.12)),
        }
    }

    #[test]
    fn draws_series_axes_categories_and_reference() {
        let out = svg(&two_series());
        for text in [
            "Follow-up speed",
            "Current",
            "Proposed",
            "First reply (hours)",
            "Conversion (%)",
            "Overall 12%",
            "95% interval",
            THIN_LABEL,
            "&lt;1",
            "1–24",
            "24+",
            "20%",
            "100%",
        ] {
            assert!(out.contains(text), "missing {text}");
        }
    }

    #[test]
    fn thin_bars_are_hollow_and_empty_bars_are_left_out() {
        let out = svg(&two_series());
        let hollow = |c| format!("fill=\"none\" stroke=\"{}\"", hex(c));
        let filled = |c| format!("fill=\"{}\"", hex(c));
        // Current: one filled bar plus its legend swatch; one hollow bar (the
        // bar of no leads is not drawn).
        assert_eq!(out.matches(&filled(SCENARIO_ACCENTS[0])).count(), 2);
        assert_eq!(out.matches(&hollow(SCENARIO_ACCENTS[0])).count(), 1);
        // Proposed: two filled bars plus the swatch; the stray bar is dropped.
        assert_eq!(out.matches(&filled(SCENARIO_ACCENTS[1])).count(), 3);
        assert_eq!(out.matches(&hollow(SCENARIO_ACCENTS[1])).count(), 0);
    }

    #[test]
    fn no_thin_bars_means_no_thin_legend() {
        let mut chart = two_series();
        chart.series.truncate(0);
        chart.reference = None;
        let out = svg(&chart);
        assert!(!out.contains(THIN_LABEL));
        assert!(!out.contains("95% interval"));
        assert!(!out.contains("Overall"));
    }

    #[test]
    fn user_text_is_escaped() {
        let mut chart = two_series();
        let evil = "<script>alert(1)</script> & co";
        chart.title = evil;
        chart.series[0].name = evil.to_owned();
        let out = svg(&chart);
        assert!(!out.contains("<script>"));
        assert_eq!(
            out.matches("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
                .count(),
            2
        );
    }

    #[test]
    fn empty_charts_still_draw() {
        let out = svg(&RatesChart {
            title: "Nothing loaded",
            x_desc: "Band",
            y_desc: "Conversion (%)",
            categories: vec![],
            series: vec![RateSeries {
                name: "Empty".into(),
                colour: SCENARIO_ACCENTS[0],
                bars: vec![],
            }],
            reference: None,
        });
        assert!(out.contains("Nothing loaded"));
        assert!(out.contains("Empty"));
    }

    #[test]
    fn labels_thin_out_when_they_would_collide() {
        let many: Vec<String> = (0..30).map(|i| band_label(i * 10, i * 10 + 9)).collect();
        assert_eq!(label_step(&many[..5], 800), 1);
        let step = label_step(&many, 800);
        assert!(step > 1, "{step}");
        let chart = conversion_by_band_chart(
            &(0..30)
                .map(|i| band(i * 10, i * 10 + 9, 1, 50))
                .collect::<Vec<_>>(),
            None,
            SCENARIO_ACCENTS[0],
        );
        let out = svg(&chart);
        let labels = texts(&out);
        assert!(labels.contains(&"0 to 9"), "{labels:?}");
        assert!(!labels.contains(&many[1].as_str()), "{labels:?}");
    }

    #[test]
    fn band_chart_marks_thin_bands_and_the_overall_rate() {
        let bands = [band(0, 9, 1, 100), band(10, 19, 2, 8), band(20, 20, 0, 0)];
        let chart = conversion_by_band_chart(&bands, Some(0.123), SCENARIO_ACCENTS[2]);
        assert_eq!(chart.categories, ["0 to 9", "10 to 19", "20"]);
        let thin: Vec<bool> = chart.series[0].bars.iter().map(|b| b.thin).collect();
        assert_eq!(thin, [false, true, true]);
        assert_eq!(chart.reference, Some(("Overall 12%".to_owned(), 0.123)));
        assert!(svg(&chart).contains("Score band (points)"));
    }

    #[test]
    fn finding_compares_the_sides_of_an_aligned_threshold() {
        let bands = [
            band(0, 19, 1, 25),
            band(20, 39, 2, 25),
            band(40, 59, 10, 40),
            band(60, 79, 0, 0),
        ];
        assert_eq!(
            conversion_by_band_finding(&bands, 40),
            "Leads scoring 40+ convert at 25%, against 6% below"
        );
        // 30 splits a band, and 0 leaves nothing below: describe the trend.
        let trend =
            "Conversion rises from 4% in the lowest band (0 to 19) to 25% in the highest (40 to 59)";
        assert_eq!(conversion_by_band_finding(&bands, 30), trend);
        assert_eq!(conversion_by_band_finding(&bands, 0), trend);
    }

    #[test]
    fn finding_handles_falls_ties_one_band_and_no_data() {
        let falling = [band(0, 9, 5, 10), band(10, 19, 1, 10)];
        assert_eq!(
            conversion_by_band_finding(&falling, 100),
            "Conversion falls from 50% in the lowest band (0 to 9) to 10% in the highest (10 to 19)"
        );
        let flat = [band(0, 9, 1, 10), band(10, 19, 2, 20)];
        assert_eq!(
            conversion_by_band_finding(&flat, 100),
            "Conversion is 10% in both the lowest band (0 to 9) and the highest (10 to 19)"
        );
        assert_eq!(
            conversion_by_band_finding(&[band(40, 49, 3, 12), band(50, 59, 0, 0)], 0),
            "All leads score 40 to 49 points and convert at 25%"
        );
        assert_eq!(
            conversion_by_band_finding(&[band(0, 9, 0, 0)], 0),
            "No leads to show conversion by score band"
        );
    }
}
