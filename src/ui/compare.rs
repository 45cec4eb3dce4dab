//! The scenarios side by side: each one's key figures on the same data, so
//! the marketing and sales views can be weighed against each other. Worked
//! out only while the panel is open, since each scenario is a replay of its
//! own.

use std::rc::Rc;

use yew::prelude::*;

use super::lead_table::cell;
use super::panel_focus::use_details_open;
use super::replays::Replays;
use super::state::{LoadedData, Shared};
use crate::core::criteria::Scenario;
use crate::core::diff::diff_scenarios;
use crate::core::engine::{ready_changes, LeadFacts, ReadyChanges, Replay};
use crate::core::format;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub data: LoadedData,
    pub replays: Replays,
    pub facts: Shared<LeadFacts>,
    pub scenarios: Vec<Scenario>,
    pub active: usize,
    /// The lead id column, to name the leads that change.
    pub lead_id: Option<String>,
}

/// Leads listed for each direction of change.
const LISTED_CHANGES: usize = 50;

/// How the second scenario's criteria differ from the first's, in words.
fn scenario_diff(from: &Scenario, to: &Scenario) -> Html {
    let changes = diff_scenarios(from, to);
    html! {
        <div class="scenario-diff">
            <h4>{ format!("How “{}” differs from “{}”", to.name, from.name) }</h4>
            if changes.is_empty() {
                <p data-testid="scenario-diff" data-value="0">{ "The criteria, points and threshold are the same." }</p>
            } else {
                <ul data-testid="scenario-diff" data-value={changes.len().to_string()}>
                    { for changes.iter().map(|c| html! {
                        <li data-testid="scenario-diff-change" data-kind={c.kind()}>{ c.describe() }</li>
                    }) }
                </ul>
            }
        </div>
    }
}

#[component]
pub fn Compare(props: &CompareProps) -> Html {
    let (open, on_toggle) = use_details_open();
    let replays: Vec<&Replay> = props.replays.all.iter().map(|r| &*r.replay).collect();
    // Which two scenarios the list of changing leads compares.
    let pair = use_state(|| None::<(usize, usize)>);
    let count = props.scenarios.len();
    let (from, to) = pair
        .filter(|&(a, b)| a < count && b < count)
        .unwrap_or_else(|| {
            if props.active == 0 {
                (0, 1.min(count - 1))
            } else {
                (0, props.active)
            }
        });
    let changes: Rc<ReadyChanges> = use_memo(
        (open, props.replays.clone(), props.facts.clone(), from, to),
        |(open, replays, facts, from, to)| match (
            open,
            replays.all.get(*from),
            replays.all.get(*to),
        ) {
            (true, Some(a), Some(b)) => {
                ready_changes((&a.grouping, &a.replay), (&b.grouping, &b.replay), facts)
            }
            _ => ReadyChanges::default(),
        },
    );
    let choose = |second: bool| {
        let pair = pair.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(index) = select.value().parse::<usize>() {
                pair.set(Some(if second { (from, index) } else { (index, to) }));
            }
        })
    };
    let options = |selected: usize| {
        html! {
            { for props.scenarios.iter().enumerate().map(|(i, s)| html! {
                <option value={i.to_string()} selected={i == selected}>{ &s.name }</option>
            }) }
        }
    };
    let per_lead = props.data.aggregated.is_none();
    let lead_list = |rows: &[u32], testid: &'static str| {
        let replays = &props.replays.all;
        html! {
            // Scrolls when long: focusable, so that the keyboard can scroll it.
            <ul class="change-list" data-testid={testid} tabindex="0"
                aria-label={if testid.contains("entering") { "Leads that become sales-ready" } else { "Leads that stop being sales-ready" }}>
                { for rows.iter().take(LISTED_CHANGES).map(|&row| {
                    let row = row as usize;
                    let id = cell(&props.data, props.lead_id.as_deref(), row)
                        .unwrap_or_else(|| format!("row {}", row + 1));
                    let score = |i: usize| replays.get(i).map(|r| r.replay.score(&r.grouping, row));
                    let converted = props.facts.outcomes.get(row).copied().unwrap_or(false);
                    html! {
                        <li>
                            <span class="lead-id">{ id }</span>
                            { format!(" {} → {} points", score(from).unwrap_or(0), score(to).unwrap_or(0)) }
                            if converted { <span class="tag">{ "converted" }</span> }
                        </li>
                    }
                }) }
                if rows.len() > LISTED_CHANGES {
                    <li class="more">{ format!("and {} more (the lead table lists every lead)", format::count(rows.len() - LISTED_CHANGES)) }</li>
                }
            </ul>
        }
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
            <summary>{ match props.scenarios.len() {
                1 => "Compare scenarios side by side (there is one so far)".to_owned(),
                n => format!("Compare the {n} scenarios side by side"),
            } }</summary>
            if open && !replays.is_empty() {
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
                if count > 1 {
                    <section class="ready-changes" aria-labelledby="changes-title">
                        <h3 id="changes-title">{ "Leads that change" }</h3>
                        <p class="change-pair">
                            <label>{ "From " }<select onchange={choose(false)} data-testid="changes-from">{ options(from) }</select></label>
                            <label>{ " to " }<select onchange={choose(true)} data-testid="changes-to">{ options(to) }</select></label>
                        </p>
                        { scenario_diff(&props.scenarios[from], &props.scenarios[to]) }
                        if !per_lead {
                            <p data-testid="changes-needs-rows">{ "Lists of single leads need row-level data: a pattern table counts leads per pattern." }</p>
                        }
                        <div class="change-columns">
                            <div>
                                <p data-testid="changes-entering" data-value={changes.entering_leads.to_string()}>
                                    { format!("{} leads become sales-ready ({} of them converted)",
                                        format::count(changes.entering_leads), format::count(changes.entering_converted)) }
                                </p>
                                if per_lead { { lead_list(&changes.entering, "changes-entering-list") } }
                            </div>
                            <div>
                                <p data-testid="changes-leaving" data-value={changes.leaving_leads.to_string()}>
                                    { format!("{} leads stop being sales-ready ({} of them converted)",
                                        format::count(changes.leaving_leads), format::count(changes.leaving_converted)) }
                                </p>
                                if per_lead { { lead_list(&changes.leaving, "changes-leaving-list") } }
                            </div>
                        </div>
                    </section>
                }
            }
        </details>
    }
}
