//! A chart as data: what to draw, independent of where. The page draws a
//! [`ChartSpec`] on a canvas, the exports draw the same spec as SVG or PNG,
//! and native tests read the SVG.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::{draw_gains, draw_roc, Curve};
use super::rates::{draw_rates, RateSeries, RatesChart};
use super::score_distribution::draw_score_distribution;
use super::sweep::{draw_sweep, SweepCurve};
use crate::core::metrics::ScoreDistribution;

/// Everything needed to draw one chart.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartSpec {
    ScoreDistribution {
        distribution: ScoreDistribution,
        threshold: i32,
        axis: (i32, i32),
        title: String,
        accent: RGBColor,
    },
    /// Rates per category with intervals ([`RatesChart`], owning its text).
    Rates {
        title: String,
        x_desc: String,
        y_desc: String,
        categories: Vec<String>,
        series: Vec<RateSeries>,
        reference: Option<(String, f64)>,
    },
    Gains {
        curves: Vec<Curve>,
        title: String,
    },
    Roc {
        curves: Vec<Curve>,
        title: String,
    },
    Sweep {
        curves: Vec<SweepCurve>,
        threshold: i32,
        title: String,
    },
}

/// The size of exported charts, in pixels: 16:9, sharp on a projector.
pub const EXPORT_SIZE: (u32, u32) = (1280, 720);

impl ChartSpec {
    /// A rates chart titled `title`.
    pub fn rates(chart: RatesChart<'_>, title: &str) -> ChartSpec {
        ChartSpec::Rates {
            title: title.to_owned(),
            x_desc: chart.x_desc.to_owned(),
            y_desc: chart.y_desc.to_owned(),
            categories: chart.categories,
            series: chart.series,
            reference: chart.reference,
        }
    }

    /// The chart's title: the finding it shows, in words.
    pub fn title(&self) -> &str {
        match self {
            ChartSpec::ScoreDistribution { title, .. }
            | ChartSpec::Rates { title, .. }
            | ChartSpec::Gains { title, .. }
            | ChartSpec::Roc { title, .. }
            | ChartSpec::Sweep { title, .. } => title,
        }
    }

    /// Draws the chart on `area`, whatever its backend.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        match self {
            ChartSpec::ScoreDistribution {
                distribution,
                threshold,
                axis,
                title,
                accent,
            } => draw_score_distribution(area, distribution, *threshold, *axis, title, *accent),
            ChartSpec::Rates {
                title,
                x_desc,
                y_desc,
                categories,
                series,
                reference,
            } => draw_rates(
                area,
                &RatesChart {
                    title,
                    x_desc,
                    y_desc,
                    categories: categories.clone(),
                    series: series.clone(),
                    reference: reference.clone(),
                },
            ),
            ChartSpec::Gains { curves, title } => draw_gains(area, curves, title),
            ChartSpec::Roc { curves, title } => draw_roc(area, curves, title),
            ChartSpec::Sweep {
                curves,
                threshold,
                title,
            } => draw_sweep(area, curves, *threshold, title),
        }
    }

    /// The chart as an SVG document of `size` pixels.
    pub fn svg(&self, size: (u32, u32)) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
            // Writing into a string does not fail; a drawing error would
            // leave a partial chart, which is still a valid document.
            let _ = self.draw(&area);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::curves::{gains_curve, roc_curve};
    use crate::charts::palette::scenario_colour;
    use crate::charts::rates::conversion_by_band_chart;
    use crate::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings};
    use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
    use crate::core::scoring::evaluate_criteria;

    /// Every kind of chart, from a replay of the sample, exports as a whole
    /// SVG document carrying its title, with user text escaped.
    #[test]
    fn every_chart_exports_as_svg_with_its_title() {
        let data = sample_dataset();
        let facts = LeadFacts::new(&data, &sample_mapping()).unwrap();
        let mut scenario = sample_scenario();
        scenario.name = "<b>Sales</b> & co".into();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        let colour = scenario_colour(1);
        let specs = [
            ChartSpec::ScoreDistribution {
                distribution: replay.distribution(30),
                threshold: 40,
                axis: (-20, 100),
                title: "Scores".into(),
                accent: colour,
            },
            ChartSpec::rates(
                conversion_by_band_chart(&replay.conversion_by_band(12), Some(0.1), colour),
                "By band",
            ),
            ChartSpec::Gains {
                curves: vec![gains_curve(&scenario.name, colour, &replay.gains(), None)],
                title: "Gains".into(),
            },
            ChartSpec::Roc {
                curves: vec![roc_curve(
                    &scenario.name,
                    colour,
                    &replay.roc(),
                    replay.figures.auc,
                )],
                title: "ROC".into(),
            },
            ChartSpec::Sweep {
                curves: vec![SweepCurve {
                    name: scenario.name.clone(),
                    colour,
                    points: replay.sweep(&facts, &ReplaySettings::default()),
                }],
                threshold: 40,
                title: "Sweep".into(),
            },
        ];
        for spec in &specs {
            let svg = spec.svg(EXPORT_SIZE);
            assert!(svg.starts_with("<svg"), "{}", spec.title());
            assert!(svg.trim_end().ends_with("</svg>"), "{}", spec.title());
            assert!(svg.contains(spec.title()), "{}", spec.title());
            assert!(svg.contains("width=\"1280\""), "{}", spec.title());
            if !matches!(
                spec,
                ChartSpec::ScoreDistribution { .. } | ChartSpec::Rates { .. }
            ) {
                assert!(
                    svg.contains("&lt;b&gt;Sales&lt;/b&gt; &amp; co"),
                    "{}",
                    spec.title()
                );
                assert!(!svg.contains("<b>"), "{}", spec.title());
            }
        }
    }
}
