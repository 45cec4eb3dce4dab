//! The sales-ready threshold as a slider laid along a chart's score axis:
//! its track spans the plotting area, so the thumb sits on the threshold's
//! place on the axis, and dragging it moves every figure on the page.

use yew::prelude::*;

use super::state::use_workbench;

#[derive(Properties, PartialEq)]
pub struct AxisSliderProps {
    /// The scores at the axis's left and right ends.
    pub axis: (i32, i32),
    pub threshold: i32,
    /// Left and right insets of the plotting area, in pixels.
    pub insets: (u32, u32),
    pub label: AttrValue,
    pub testid: AttrValue,
}

#[component]
pub fn AxisSlider(props: &AxisSliderProps) -> Html {
    let workbench = use_workbench();
    let on_input = Callback::from(move |e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Ok(value) = input.value().parse::<i32>() {
            workbench.set_threshold(value);
        }
    });
    let style = format!(
        "--plot-left: {}px; --plot-right: {}px",
        props.insets.0, props.insets.1
    );
    html! {
        <input type="range" class="axis-slider" {style}
            min={props.axis.0.to_string()} max={props.axis.1.to_string()} step="1"
            value={props.threshold.to_string()} oninput={on_input}
            aria-label={props.label.clone()} data-testid={props.testid.clone()} />
    }
}
