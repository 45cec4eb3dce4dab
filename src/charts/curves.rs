//! How well the score orders leads, one curve per scenario: the gains
//! curve (how many conversions the top leads hold) and the ROC curve.
//!
//! Curves can hold a point per distinct score, thousands on wide scoring
//! schemes; [`thin_curve`] keeps each to [`MAX_CURVE_POINTS`] so a chart
//! stays cheap to draw and redraw while a slider moves.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::palette::{draw_legend, title_size, FONT, INK, LABEL_SIZE, MUTED};
use crate::core::engine::{GainsPoint, RocPoint};
use crate::core::format::whole_percent;

/// The most points a drawn curve keeps.
pub const MAX_CURVE_POINTS: usize = 1_000;

/// One scenario's curve. Coordinates are shares (0–1), drawn as percent;
/// points run left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub name: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Where the current threshold sits on the curve.
    pub marker: Option<(f64, f64)>,
}

/// At most `max_points` of `points` (sorted by `x`): the first, the last,
/// and between them the point nearest each of `max_points - 2` evenly
/// spaced x positions. Fewer points come back unchanged.
///
/// ```
/// use leadlens::charts::curves::thin_curve;
/// let points = [(0.0, 0.0), (1.0, 0.5), (3.0, 0.6), (10.0, 1.0)];
/// // Steps at x = 0, 5 and 10: 3.0 is nearest 5.
/// assert_eq!(thin_curve(&points, 3, |p| p.0), [(0.0, 0.0), (3.0, 0.6), (10.0, 1.0)]);
/// ```
pub fn thin_curve<T: Copy>(points: &[T], max_points: usize, x: impl Fn(&T) -> f64) -> Vec<T> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    if points.len() <= max_points {
        return points.to_vec();
    }
    if max_points < 2 {
        return points[..max_points].to_vec();
    }
    let (start, end) = (x(first), x(last));
    let steps = (max_points - 1) as f64;
    let mut kept = Vec::with_capacity(max_points);
    kept.push(*first);
    let (mut at, mut last_kept) = (0, 0);
    for step in 1..max_points - 1 {
        let target = start + (end - start) * step as f64 / steps;
        // `at` becomes the last point at or left of the target.
        while at + 1 < points.len() && x(&points[at + 1]) <= target {
            at += 1;
        }
        let nearest = match points.get(at + 1) {
            Some(next) if x(next) - target < target - x(&points[at]) => at + 1,
            _ => at,
        };
        if nearest > last_kept && nearest < points.len() - 1 {
            kept.push(points[nearest]);
            last_kept = nearest;
        }
    }
    kept.push(*last);
    kept
}

/// Points every 2% of the plot along a polyline given in shares of the
/// plot (0–1 both ways), so that [`quiet_corner`] sees long straight
/// segments too.
pub(super) fn trace(line: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut traced: Vec<(f64, f64)> = line.first().copied().into_iter().collect();
    for pair in line.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / 0.02)
            .ceil()
            .clamp(1.0, 50.0);
        traced.extend((1..=steps as usize).map(|i| {
            let t = i as f64 / steps;
            (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        }));
    }
    traced
}

/// The first of `corners` where a legend of `labels` would hide the fewest
/// of `drawn` (points in shares of the plot, y upwards) on a plot of `plot`
/// pixels. The legend's size is estimated from plotters' layout: 10 px
/// margins, a 30 px swatch column, 5 px from the edges.
pub(super) fn quiet_corner(
    drawn: &[(f64, f64)],
    labels: &[String],
    plot: (u32, u32),
    corners: [SeriesLabelPosition; 4],
) -> SeriesLabelPosition {
    let size = f64::from(LABEL_SIZE);
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let width = (widest * size * 0.5 + 55.0) / f64::from(plot.0.max(1));
    let height = (labels.len() as f64 * size * 1.25 + 25.0) / f64::from(plot.1.max(1));
    let hidden = |corner: &SeriesLabelPosition| {
        let left = match corner {
            SeriesLabelPosition::UpperLeft | SeriesLabelPosition::LowerLeft => 0.0,
            _ => 1.0 - width,
        };
        let bottom = match corner {
            SeriesLabelPosition::LowerLeft | SeriesLabelPosition::LowerRight => 0.0,
            _ => 1.0 - height,
        };
        drawn
            .iter()
            .filter(|(x, y)| {
                (left..=left + width).contains(x) && (bottom..=bottom + height).contains(y)
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(hidden)
        .unwrap_or(SeriesLabelPosition::UpperRight)
}

/// The gains curve of a scenario, marked where `threshold_point` sits.
pub fn gains_curve(
    name: &str,
    colour: RGBColor,
    points: &[GainsPoint],
    threshold_point: Option<GainsPoint>,
) -> Curve {
    Curve {
        name: name.to_owned(),
        colour,
        points: points.iter().map(|p| (p.leads_share, p.captured)).collect(),
        marker: threshold_point.map(|p| (p.leads_share, p.captured)),
    }
}

/// The ROC curve of a scenario, named with its AUC, e.g.
/// "Marketing view (AUC 0.78)".
pub fn roc_curve(name: &str, colour: RGBColor, points: &[RocPoint], auc: Option<f64>) -> Curve {
    Curve {
        name: match auc {
            Some(auc) => format!("{name} (AUC {auc:.2})"),
            None => name.to_owned(),
        },
        colour,
        points: points
            .iter()
            .map(|p| (p.false_positive_rate, p.true_positive_rate))
            .collect(),
        marker: None,
    }
}

/// A sentence stating what the gains curve shows: the conversions the
/// sales-ready leads hold, or without a threshold the top fifth of leads.
pub fn gains_finding(points: &[GainsPoint], threshold_point: Option<GainsPoint>) -> String {
    if !points.iter().any(|p| p.captured > 0.0) {
        return "No conversions yet, so there is nothing to capture".to_owned();
    }
    let point = threshold_point.or_else(|| points.iter().copied().find(|p| p.leads_share >= 0.2));
    match point {
        Some(p) if p.leads_share >= 1.0 => {
            "Contacting every lead would capture every conversion".to_owned()
        }
        Some(p) if p.leads_share <= 0.0 => {
            "No lead reaches the threshold, so no conversions are captured".to_owned()
        }
        Some(p) => format!(
            "Contacting the top {} of leads would capture {} of conversions",
            whole_percent(Some(p.leads_share)),
            whole_percent(Some(p.captured))
        ),
        None => "The gains curve does not reach a fifth of the leads".to_owned(),
    }
}

/// A sentence stating what the AUC means.
pub fn roc_finding(auc: Option<f64>) -> String {
    let Some(auc) = auc else {
        return "The ranking needs both converted and unconverted leads".to_owned();
    };
    let share = (100.0 * auc).round();
    let verdict = if share == 50.0 {
        ", no better than chance"
    } else if share < 50.0 {
        ", worse than chance"
    } else {
        ""
    };
    format!(
        "The score ranks a converted lead above an unconverted one {share:.0}% of the time (AUC {auc:.2}){verdict}"
    )
}

/// Draws cumulative gains curves: leads contacted in score order against
/// conversions captured, over a dashed diagonal for random order.
pub fn draw_gains<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    title: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    draw_curves(
        area,
        curves,
        title,
        Axes {
            x_desc: "Leads contacted, highest score first (%)",
            y_desc: "Conversions captured (%)",
            diagonal: "Random order",
        },
    )
}

/// Draws ROC curves: false positive rate against true positive rate, over a
/// dashed diagonal for chance. Curve names should carry the AUC (see
/// [`roc_curve`]).
pub fn draw_roc<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    title: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    draw_curves(
        area,
        curves,
        title,
        Axes {
            x_desc: "False positive rate (%)",
            y_desc: "True positive rate (%)",
            diagonal: "Chance (AUC 0.5)",
        },
    )
}

/// What tells the gains chart from the ROC chart.
struct Axes {
    x_desc: &'static str,
    y_desc: &'static str,
    diagonal: &'static str,
}

fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    title: &str,
    axes: Axes,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            (FONT, title_size(title, area.dim_in_pixel().0))
                .into_font()
                .color(&INK),
        )
        .margin(12)
        // Room for the "100%" label centred on the axis's right end.
        .margin_right(28)
        .x_label_area_size(52)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..100.0, 0.0..100.0)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xe4, 0xe8, 0xec))
        .axis_style(INK)
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}%"))
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .draw()?;

    let mut drawn = trace(&[(0.0, 0.0), (1.0, 1.0)]);
    let mut labels = vec![axes.diagonal.to_owned()];
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 0.0), (100.0, 100.0)],
            8,
            5,
            MUTED.stroke_width(3),
        )))?
        .label(axes.diagonal)
        .legend(|(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + 16, y)], 5, 3, MUTED.stroke_width(3))
        });

    let percent = |(x, y): (f64, f64)| (100.0 * x, 100.0 * y);
    for curve in curves {
        let colour = curve.colour;
        let points = thin_curve(&curve.points, MAX_CURVE_POINTS, |p| p.0);
        drawn.extend(trace(&points));
        labels.push(curve.name.clone());
        chart
            .draw_series(LineSeries::new(
                points.into_iter().map(percent),
                colour.stroke_width(3),
            ))?
            .label(curve.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3))
            });
    }
    // Markers go over every line, ringed in white to stand out.
    for curve in curves {
        let (colour, Some(marker)) = (curve.colour, curve.marker) else {
            continue;
        };
        let label = format!("{}: threshold", curve.name);
        drawn.push(marker);
        labels.push(label.clone());
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(percent(marker))
                    + Circle::new((0, 0), 9, WHITE.filled())
                    + Circle::new((0, 0), 7, colour.filled()),
            ))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 8, y), 6, colour.filled()));
    }

    let corner = quiet_corner(
        &drawn,
        &labels,
        chart.plotting_area().dim_in_pixel(),
        [
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerLeft,
            SeriesLabelPosition::UpperRight,
        ],
    );
    draw_legend(chart.configure_series_labels(), corner)?;
    area.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::SCENARIO_ACCENTS;
    use crate::charts::svg_reading::*;

    fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>)) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, (800, 450)).into_drawing_area();
            draw(&area);
        }
        out
    }

    fn gains(points: &[(f64, f64)]) -> Vec<GainsPoint> {
        points
            .iter()
            .map(|&(leads_share, captured)| GainsPoint {
                leads_share,
                captured,
            })
            .collect()
    }

    #[test]
    fn thinning_keeps_the_endpoints_and_at_most_n_points() {
        let points: Vec<(f64, f64)> = (0..5_000)
            .map(|i| (f64::from(i).sqrt(), f64::from(i)))
            .collect();
        let thinned = thin_curve(&points, 1_000, |p| p.0);
        assert!(
            thinned.len() <= 1_000 && thinned.len() > 900,
            "{}",
            thinned.len()
        );
        assert_eq!(thinned.first(), points.first());
        assert_eq!(thinned.last(), points.last());
        assert!(thinned.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(thin_curve(&points[..10], 1_000, |p| p.0), &points[..10]);
    }

    #[test]
    fn thinning_picks_the_point_nearest_each_step() {
        let points = [0.0, 1.0, 2.0, 3.0, 10.0];
        assert_eq!(thin_curve(&points, 3, |x| *x), [0.0, 3.0, 10.0]);
        // Steps at 0, 3.3, 6.7 and 10: 3 is nearest 3.3, and 10, the last
        // point, is nearest 6.7.
        assert_eq!(thin_curve(&points, 4, |x| *x), [0.0, 3.0, 10.0]);
        assert_eq!(thin_curve(&[1.0, 1.0, 1.0], 2, |x| *x), [1.0, 1.0]);
        assert_eq!(thin_curve(&points, 1, |x| *x), [0.0]);
        assert!(thin_curve(&points, 0, |x| *x).is_empty());
        assert!(thin_curve(&[] as &[f64], 5, |x| *x).is_empty());
    }

    #[test]
    fn the_legend_goes_where_it_hides_least() {
        use SeriesLabelPosition::*;
        let labels = ["A label of twenty ch".to_owned()];
        let order = [UpperLeft, UpperRight, LowerLeft, LowerRight];
        // A line along the top: both upper corners are taken.
        let top = trace(&[(0.0, 0.98), (1.0, 0.98)]);
        assert_eq!(top.len(), 51);
        assert_eq!(
            quiet_corner(&top, &labels, (700, 330), order.clone()),
            LowerLeft
        );
        // The rising diagonal leaves the upper left and lower right free.
        let diagonal = trace(&[(0.0, 0.0), (1.0, 1.0)]);
        assert_eq!(
            quiet_corner(&diagonal, &labels, (700, 330), order.clone()),
            UpperLeft
        );
        assert_eq!(quiet_corner(&[], &labels, (700, 330), order), UpperLeft);
    }

    #[test]
    fn gains_draws_names_axes_diagonal_and_threshold_marker() {
        let points = gains(&[(0.0, 0.0), (0.2, 0.61), (0.5, 0.9), (1.0, 1.0)]);
        let curves = [
            gains_curve("Current", SCENARIO_ACCENTS[0], &points, Some(points[1])),
            gains_curve("Proposed", SCENARIO_ACCENTS[1], &points, None),
        ];
        let out = svg(|area| draw_gains(area, &curves, "Gains").expect("draws"));
        for text in [
            "Gains",
            "Current",
            "Proposed",
            "Current: threshold",
            "Random order",
            "Leads contacted, highest score first (%)",
            "Conversions captured (%)",
            "60%",
        ] {
            assert!(out.contains(text), "missing {text}");
        }
        assert!(!out.contains("Proposed: threshold"));
        let dot = "<circle ";
        let filled = format!("fill=\"{}\"", hex(SCENARIO_ACCENTS[0]));
        // The marker and its legend swatch.
        let dots = out
            .split(dot)
            .filter(|c| c[..c.find("/>").unwrap()].contains(&filled));
        assert_eq!(dots.count(), 2);
    }

    #[test]
    fn roc_draws_the_chance_line_and_auc_names() {
        let points = [
            RocPoint {
                false_positive_rate: 0.0,
                true_positive_rate: 0.0,
            },
            RocPoint {
                false_positive_rate: 0.3,
                true_positive_rate: 0.8,
            },
            RocPoint {
                false_positive_rate: 1.0,
                true_positive_rate: 1.0,
            },
        ];
        let curve = roc_curve("Marketing view", SCENARIO_ACCENTS[0], &points, Some(0.781));
        assert_eq!(curve.name, "Marketing view (AUC 0.78)");
        assert_eq!(curve.points[1], (0.3, 0.8));
        assert_eq!(roc_curve("Plain", MUTED, &points, None).name, "Plain");
        let out = svg(|area| draw_roc(area, &[curve], "ROC").expect("draws"));
        for text in [
            "Marketing view (AUC 0.78)",
            "Chance (AUC 0.5)",
            "False positive rate (%)",
            "True positive rate (%)",
        ] {
            assert!(out.contains(text), "missing {text}");
        }
    }

    #[test]
    fn long_curves_are_thinned_when_drawn() {
        let points: Vec<GainsPoint> = (0..=4_000)
            .map(|i| GainsPoint {
                leads_share: f64::from(i) / 4_000.0,
                captured: (f64::from(i) / 4_000.0).sqrt(),
            })
            .collect();
        let curve = gains_curve("Wide", SCENARIO_ACCENTS[2], &points, None);
        let out = svg(|area| draw_gains(area, &[curve], "Gains").expect("draws"));
        let lengths = polyline_lengths(&out, SCENARIO_ACCENTS[2]);
        // The curve and its legend swatch.
        assert_eq!(lengths.len(), 2);
        assert!(
            lengths.iter().all(|&n| n <= MAX_CURVE_POINTS),
            "{lengths:?}"
        );
        assert!(lengths.iter().any(|&n| n > 500), "{lengths:?}");
    }

    #[test]
    fn user_text_is_escaped() {
        let evil = "<script>alert(1)</script> & co";
        let points = gains(&[(0.0, 0.0), (1.0, 1.0)]);
        let curves = [gains_curve(
            evil,
            SCENARIO_ACCENTS[0],
            &points,
            Some(points[1]),
        )];
        for out in [
            svg(|area| draw_gains(area, &curves, evil).expect("draws")),
            svg(|area| draw_roc(area, &curves, evil).expect("draws")),
        ] {
            assert!(!out.contains("<script>"));
            // Title, curve and marker.
            assert_eq!(
                out.matches("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
                    .count(),
                3
            );
        }
    }

    #[test]
    fn empty_inputs_still_draw() {
        let out = svg(|area| draw_gains(area, &[], "Nothing loaded").expect("draws"));
        assert!(out.contains("Nothing loaded") && out.contains("Random order"));
        let empty = Curve {
            name: "Empty".into(),
            colour: SCENARIO_ACCENTS[0],
            points: vec![],
            marker: None,
        };
        let out = svg(|area| draw_roc(area, &[empty], "No points").expect("draws"));
        assert!(out.contains("No points") && out.contains("Empty"));
    }

    #[test]
    fn gains_finding_states_the_share_captured() {
        let points = gains(&[(0.0, 0.0), (0.1, 0.4), (0.25, 0.7), (1.0, 1.0)]);
        assert_eq!(
            gains_finding(&points, Some(points[1])),
            "Contacting the top 10% of leads would capture 40% of conversions"
        );
        // Without a threshold: the first point reaching a fifth of leads.
        assert_eq!(
            gains_finding(&points, None),
            "Contacting the top 25% of leads would capture 70% of conversions"
        );
        assert_eq!(
            gains_finding(&points, Some(points[3])),
            "Contacting every lead would capture every conversion"
        );
        assert_eq!(
            gains_finding(&points, Some(points[0])),
            "No lead reaches the threshold, so no conversions are captured"
        );
        assert_eq!(
            gains_finding(&gains(&[(0.0, 0.0)]), None),
            "No conversions yet, so there is nothing to capture"
        );
    }

    #[test]
    fn roc_finding_puts_the_auc_in_words() {
        assert_eq!(
            roc_finding(Some(0.78)),
            "The score ranks a converted lead above an unconverted one 78% of the time (AUC 0.78)"
        );
        assert_eq!(
            roc_finding(Some(0.5)),
            "The score ranks a converted lead above an unconverted one 50% of the time (AUC 0.50), no better than chance"
        );
        assert_eq!(
            roc_finding(Some(0.3)),
            "The score ranks a converted lead above an unconverted one 30% of the time (AUC 0.30), worse than chance"
        );
        assert_eq!(
            roc_finding(None),
            "The ranking needs both converted and unconverted leads"
        );
    }
}
