//! The scenarios side by side: each one's key figures on the same data, so
//! the marketing and sales views can be weighed against each other. Worked
//! out only while the panel is open, since each scenario is a replay of its
//! own.

use std::rc::Rc;

use yew::prelude::*;

use super::state::{LoadedData, Shared};
use crate::core::criteria::Scenario;
use crate::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings};
use crate::core::format;
use crate::core::scoring::evaluate_criteria;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub data: LoadedData,
    pub facts: Shared<LeadFacts>,
    pub scenarios: Vec<Scenario>,
    pub active: usize,
    pub settings: ReplaySettings,
}

#[component]
pub fn Compare(props: &CompareProps) -> Html {
    let open = use_state(|| false);
    let replays: Rc<Vec<Replay>> = use_memo(
        (
            *open,
            props.data.clone(),
            props.facts.clone(),
            props.scenarios.clone(),
            props.settings,
        ),
        |(open, data, facts, scenarios, settings)| {
            if !*open {
                return Vec::new();
            }
            scenarios
                .iter()
                .map(|s| {
                    let evaluations = evaluate_criteria(&data.data, &s.criteria);
                    let grouping = Grouping::new(s, &evaluations, facts);
                    Replay::run(s, &grouping, facts, settings)
                })
                .collect()
        },
    );
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(details.open());
        })
    };
    type Row = (&'static str, fn(&Replay) -> (Option<f64>, String));
    let rows: [Row; 9] = [
        ("Threshold", |r| {
            (
                Some(f64::from(r.figures.threshold)),
                format!("{}+ points", r.figures.threshold),
            )
        }),
        ("Sales-ready leads", |r| {
            (
                Some(r.figures.sales_ready.leads as f64),
                format::count(r.figures.sales_ready.leads),
            )
        }),
        ("Share of leads", |r| {
            (
                r.figures.sales_ready_share(),
                format::percent(r.figures.sales_ready_share()),
            )
        }),
        ("Per rep, per week", |r| {
            let v = r.workload.map(|w| w.per_rep_week);
            (v, format::decimal(v, 1))
        }),
        ("Conversion, sales-ready", |r| {
            let rate = r.figures.sales_ready;
            (
                rate.value(),
                format!(
                    "{} ({})",
                    format::percent(rate.value()),
                    format::interval(&rate)
                ),
            )
        }),
        ("Conversion, the rest", |r| {
            (
                r.figures.rest.value(),
                format::percent(r.figures.rest.value()),
            )
        }),
        ("Lift", |r| {
            (r.figures.lift(), format::multiple(r.figures.lift()))
        }),
        ("Conversions captured", |r| {
            (
                r.figures.captured(),
                format::whole_percent(r.figures.captured()),
            )
        }),
        ("AUC", |r| {
            (r.figures.auc, format::decimal(r.figures.auc, 3))
        }),
    ];
    html! {
        <details class="compare" ontoggle={on_toggle} data-testid="compare">
            <summary>{ format!("Compare the {} scenarios side by side", props.scenarios.len()) }</summary>
            if *open && !replays.is_empty() {
                <table class="compare-table" data-testid="compare-table">
                    <thead><tr>
                        <th scope="col">{ "Figure" }</th>
                        { for props.scenarios.iter().enumerate().map(|(i, s)| html! {
                            <th scope="col" class={classes!((i == props.active).then_some("is-active"))}>{ &s.name }</th>
                        }) }
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(label, value)| html! {
                            <tr>
                                <th scope="row">{ *label }</th>
                                { for replays.iter().map(|r| {
                                    let (v, text) = value(r);
                                    html! { <td data-value={v.map(|v| v.to_string()).unwrap_or_default()}>{ text }</td> }
                                }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </details>
    }
}
