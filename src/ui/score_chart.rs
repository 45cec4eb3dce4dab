//! The score distribution chart: a canvas drawn by plotters, with the same
//! numbers in a table for screen readers and tests.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::palette::SCENARIO_ACCENTS;
use crate::charts::score_distribution::{draw_score_distribution, score_distribution_finding};
use crate::core::format;
use crate::core::metrics::{KeyFigures, ScoreDistribution};

#[derive(Properties, PartialEq)]
pub struct ScoreChartProps {
    pub distribution: ScoreDistribution,
    pub figures: KeyFigures,
}

/// Draws onto `canvas` at its displayed size.
fn draw(canvas: &HtmlCanvasElement, distribution: &ScoreDistribution, threshold: i32, title: &str) {
    let width = canvas.client_width().max(320) as u32;
    let height = canvas.client_height().max(240) as u32;
    canvas.set_width(width);
    canvas.set_height(height);
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        gloo::console::error!("the score chart's canvas has no 2D context");
        return;
    };
    let area = backend.into_drawing_area();
    if let Err(err) =
        draw_score_distribution(&area, distribution, threshold, title, SCENARIO_ACCENTS[0])
    {
        gloo::console::error!(format!("drawing the score chart failed: {err:?}"));
    }
}

#[component]
pub fn ScoreChart(props: &ScoreChartProps) -> Html {
    let canvas_ref = use_node_ref();
    let title = score_distribution_finding(&props.figures);
    {
        let canvas_ref = canvas_ref.clone();
        let threshold = props.figures.threshold;
        use_effect_with(
            (props.distribution.clone(), threshold, title.clone()),
            move |(distribution, threshold, title)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    draw(&canvas, distribution, *threshold, title);
                }
            },
        );
    }
    html! {
        <figure class="chart" data-testid="chart-score-distribution">
            <canvas ref={canvas_ref} class="chart-canvas" role="img"
                aria-label={format!("Chart: {title}")} />
            <figcaption>{ "Score distribution by outcome. Bars stack converted leads on the rest; the dashed line is the sales-ready threshold." }</figcaption>
            <table class="visually-hidden" data-testid="chart-score-distribution-table">
                <caption>{ title }</caption>
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
            </table>
        </figure>
    }
}
