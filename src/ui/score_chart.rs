//! The score distribution chart with the sales-ready threshold as a slider
//! laid along its score axis: dragging it moves the dashed line and every
//! figure on the page.

use std::rc::Rc;

use yew::prelude::*;

use super::axis_slider::AxisSlider;
use super::chart_figure::ChartFigure;
use crate::charts::score_distribution::{score_axis, score_distribution_finding, PLOT_INSETS};
use crate::charts::spec::ChartSpec;
use crate::core::format;
use crate::core::metrics::{KeyFigures, ScoreDistribution};
use plotters::style::RGBColor;

#[derive(Properties, PartialEq)]
pub struct ScoreChartProps {
    pub distribution: ScoreDistribution,
    pub figures: KeyFigures,
    /// The lowest and highest score the criteria allow.
    pub possible: (i32, i32),
    /// The scenario's colour.
    pub accent: RGBColor,
}

#[component]
pub fn ScoreChart(props: &ScoreChartProps) -> Html {
    let title = score_distribution_finding(&props.figures);
    let threshold = props.figures.threshold;
    let axis = score_axis(&props.distribution, threshold, props.possible);
    let spec = use_memo(
        (
            props.distribution.clone(),
            threshold,
            axis,
            title.clone(),
            props.accent,
        ),
        |(distribution, threshold, axis, title, accent)| ChartSpec::ScoreDistribution {
            distribution: distribution.clone(),
            threshold: *threshold,
            axis: *axis,
            title: title.clone(),
            accent: *accent,
        },
    );
    let table = html! {
        <>
            <thead><tr>
                <th scope="col">{ "Score band" }</th>
                <th scope="col">{ "Converted" }</th>
                <th scope="col">{ "Not converted" }</th>
            </tr></thead>
            <tbody>
                { for props.distribution.bands.iter().map(|b| html! {
                    <tr>
                        <th scope="row">{ if b.low == b.high { b.low.to_string() } else { format!("{} to {}", b.low, b.high) } }</th>
                        <td>{ format::count(b.converted) }</td>
                        <td>{ format::count(b.not_converted) }</td>
                    </tr>
                }) }
            </tbody>
        </>
    };
    html! {
        <ChartFigure spec={Rc::clone(&spec)} testid="chart-score-distribution" presented_as={Some(0)} title={title.clone()}
            caption="Score distribution by outcome. Bars stack converted leads on the rest; the dashed line is the sales-ready threshold, and the slider on the score axis moves it."
            file_name="leadlens-score-distribution" {table}>
            <AxisSlider axis={(axis.0, axis.1 + 1)} {threshold} insets={PLOT_INSETS}
                label="Sales-ready threshold on the score axis" testid="chart-threshold" />
        </ChartFigure>
    }
}
