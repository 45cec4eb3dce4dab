//! The closed loop: how the definition did on the first file's leads
//! (then) and on a later export's (now), side by side, with the shift in
//! the score distribution and each criterion's evidence then and now.

use yew::prelude::*;

use super::state::{LoadedData, Shared};
use crate::core::criteria::Scenario;
use crate::core::dataset::ColumnValues;
use crate::core::engine::{Evidence, Grouping, LeadFacts, Replay};
use crate::core::followup::FollowUpFacts;
use crate::core::format;
use crate::core::later::{then_and_now, LeadsThenNow, SetFigures};
use crate::core::mapping::ColumnMapping;
use crate::core::metrics::Rate;

#[derive(Properties, PartialEq)]
pub struct ThenNowProps {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub scenario: Scenario,
    pub grouping: Shared<Grouping>,
    /// The replay on the first file's leads.
    pub tuning: Shared<Replay>,
    /// The replay on the later export's leads.
    pub check: Shared<Replay>,
    pub facts: Shared<LeadFacts>,
    /// The later export's file name.
    pub later: AttrValue,
}

/// How far the scores moved, in words.
fn stability_words(psi: Option<f64>) -> String {
    match psi {
        None => "The score distributions cannot be compared.".to_owned(),
        Some(psi) if psi < 0.1 => format!(
            "Population stability index {psi:.3}: the scores spread now much as they did then (below 0.1 is usually read as stable)."
        ),
        Some(psi) if psi < 0.25 => format!(
            "Population stability index {psi:.3}: the scores have shifted somewhat since (0.1–0.25 is usually read as a moderate shift)."
        ),
        Some(psi) => format!(
            "Population stability index {psi:.3}: the leads score quite differently now (above 0.25 is usually read as a shift worth a look)."
        ),
    }
}

fn rate_text(rate: Option<&Rate>) -> String {
    match rate {
        Some(rate) if rate.leads > 0 => format!(
            "{} ({})",
            format::percent(rate.value()),
            format::interval(rate)
        ),
        _ => "—".to_owned(),
    }
}

/// One row of the comparison: a label, then's and now's figure as text,
/// and their exact values for scripts.
fn row(key: &str, label: &str, then: (Option<f64>, String), now: (Option<f64>, String)) -> Html {
    let value = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    html! {
        <tr data-testid={format!("then-now-{key}")} data-then={value(then.0)} data-now={value(now.0)}>
            <th scope="row">{ label }</th>
            <td>{ then.1 }</td>
            <td>{ now.1 }</td>
        </tr>
    }
}

fn evidence_text(evidence: &Evidence) -> String {
    match evidence.matched {
        None => "cannot be applied".to_owned(),
        Some(matched) => format!(
            "{} leads · {} · lift {}",
            format::count(matched.leads),
            rate_text(Some(&matched)),
            format::multiple(evidence.lift())
        ),
    }
}

#[component]
pub fn ThenNow(props: &ThenNowProps) -> Html {
    // What no edit changes is counted once per grouping.
    let leads = use_memo(
        (
            props.grouping.clone(),
            props.facts.clone(),
            props.data.clone(),
            props.mapping.clone(),
        ),
        |(grouping, facts, data, mapping)| {
            let created = mapping
                .created
                .as_deref()
                .and_then(|name| data.data.column(name))
                .and_then(|c| match &c.values {
                    ColumnValues::Date(dates) => Some(dates.as_slice()),
                    _ => None,
                });
            let follow = FollowUpFacts::new(&data.data, mapping);
            LeadsThenNow::new(grouping, facts, created, follow.followed_up.as_deref())
        },
    );
    let compared = use_memo(
        (props.tuning.clone(), props.check.clone(), Shared(leads)),
        |(tuning, check, leads)| then_and_now(tuning, check, leads),
    );
    let (then, now) = (&compared.then, &compared.now);
    let count = |f: &SetFigures, pick: fn(&SetFigures) -> usize| {
        (Some(pick(f) as f64), format::count(pick(f)))
    };
    html! {
        <section class="then-now" aria-labelledby="then-now-title" data-testid="then-now">
            <h2 id="then-now-title">{ format!("Then and now: the first file against “{}”", props.later) }</h2>
            <table class="then-now-table">
                <thead><tr>
                    <th scope="col">{ "" }</th>
                    <th scope="col">{ "Then (first file)" }</th>
                    <th scope="col">{ "Now (later export)" }</th>
                </tr></thead>
                <tbody>
                    { row("leads", "Leads", count(then, |f| f.leads), count(now, |f| f.leads)) }
                    { row("sales-ready", "Sales-ready", count(then, |f| f.sales_ready.leads), count(now, |f| f.sales_ready.leads)) }
                    { row("per-week", "Sales-ready per week",
                        (then.per_week, format::decimal(then.per_week, 1)),
                        (now.per_week, format::decimal(now.per_week, 1))) }
                    { row("rate-in", "Conversion, sales-ready",
                        (then.sales_ready.value(), rate_text(Some(&then.sales_ready))),
                        (now.sales_ready.value(), rate_text(Some(&now.sales_ready)))) }
                    { row("lift", "Lift", (then.lift, format::multiple(then.lift)), (now.lift, format::multiple(now.lift))) }
                    { row("captured", "Conversions captured",
                        (then.captured.value(), rate_text(Some(&then.captured))),
                        (now.captured.value(), rate_text(Some(&now.captured)))) }
                    { row("auc", "AUC", (then.auc, format::decimal(then.auc, 3)), (now.auc, format::decimal(now.auc, 3))) }
                    if then.followed_up.is_some() {
                        { row("followed-up", "Sales-ready leads followed up",
                            (then.followed_up.and_then(|r| r.value()), rate_text(then.followed_up.as_ref())),
                            (now.followed_up.and_then(|r| r.value()), rate_text(now.followed_up.as_ref()))) }
                    }
                </tbody>
            </table>
            <p class="then-now-stability" data-testid="then-now-stability"
                data-value={compared.stability.map(|v| v.to_string()).unwrap_or_default()}>
                { stability_words(compared.stability) }
            </p>
            <table class="then-now-evidence">
                <caption>{ "Each criterion's leads, their conversion and lift, then and now" }</caption>
                <thead><tr>
                    <th scope="col">{ "Criterion" }</th>
                    <th scope="col">{ "Then" }</th>
                    <th scope="col">{ "Now" }</th>
                </tr></thead>
                <tbody>
                    { for props.scenario.criteria.iter().zip(&compared.evidence).map(|(c, (then, now))| html! {
                        <tr data-testid="then-now-criterion"
                            data-then={then.lift().map(|v| v.to_string()).unwrap_or_default()}
                            data-now={now.lift().map(|v| v.to_string()).unwrap_or_default()}>
                            <th scope="row">{ c.label.clone() }</th>
                            <td>{ evidence_text(then) }</td>
                            <td>{ evidence_text(now) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
