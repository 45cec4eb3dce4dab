//! The step after a pattern table is read: what it counts, which criteria
//! of each scenario have their rule in it, and "Use this pattern table".
//! The mapping and the criteria stay those the pattern query was written
//! for; until the table is confirmed the previous data stays in use.

use yew::prelude::*;

use super::state::{use_workbench, Action, LoadStatus};
use crate::core::format;

#[component]
pub fn PatternTableStep() -> Html {
    let workbench = use_workbench();
    let state = workbench.state();
    let LoadStatus::Mapping(pending) = &state.load else {
        return Html::default();
    };
    let Some(patterns) = &pending.patterns else {
        return Html::default();
    };
    let on_confirm = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| {
            workbench.dispatch(Action::ConfirmMapping { starting: None })
        })
    };
    let on_cancel = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| workbench.cancel_load())
    };
    let body = match patterns {
        Err(why) => html! {
            <p class="report-note warning" role="alert" data-testid="pattern-error">{ why }</p>
        },
        Ok(table) => {
            let share = (table.leads > 0).then(|| table.converted as f64 / table.leads as f64);
            html! {
                <>
                    <p data-testid="pattern-summary" data-patterns={table.table_rows.to_string()}
                        data-leads={table.leads.to_string()} data-converted={table.converted.to_string()}>
                        { format!(
                            "A pattern table from the warehouse: {} patterns counting {} leads, {} converted ({}), with {} rule columns.",
                            format::count(table.table_rows), format::count(table.leads),
                            format::count(table.converted), format::percent(share),
                            format::count(table.rule_count())) }
                    </p>
                    <p>{ if table.has_check() {
                        "It keeps the check set apart as the query defined it (the newest leads by created date)."
                    } else {
                        "It keeps no check set: the figures use every lead."
                    } }</p>
                    <ul class="pattern-coverage" data-testid="pattern-coverage">
                        { for state.definitions.scenarios.iter().map(|scenario| {
                            let missing: Vec<&str> = scenario.criteria.iter()
                                .filter(|c| !table.covers(c))
                                .map(|c| c.label.as_str())
                                .collect();
                            let covered = scenario.criteria.len() - missing.len();
                            html! {
                                <li data-covered={covered.to_string()} data-missing={missing.len().to_string()}>
                                    { format!("“{}”: {} of {} criteria have their rule in the table", scenario.name,
                                        covered, scenario.criteria.len()) }
                                    if !missing.is_empty() {
                                        { format!("; not in it (added or edited since the query ran, they add nothing until it is re-run): {}.",
                                            missing.iter().map(|l| format!("“{l}”")).collect::<Vec<_>>().join(", ")) }
                                    } else {
                                        { "." }
                                    }
                                </li>
                            }
                        }) }
                    </ul>
                    <p>{ "Points, switches and the threshold stay live on it. A rule edit needs the pattern query written again \
                          (Pattern query for the warehouse) and re-run; the lead table and scored leads need row-level data." }</p>
                </>
            }
        }
    };
    html! {
        <section class="mapping-step panel" data-testid="pattern-step" aria-labelledby="pattern-step-title">
            <h2 id="pattern-step-title">{ format!("Aggregated data: “{}”", pending.source.name) }</h2>
            { body }
            <div class="mapping-actions">
                <button type="button" class="button primary" data-testid="mapping-confirm"
                    onclick={on_confirm} disabled={patterns.is_err()}>
                    { "Use this pattern table" }
                </button>
                <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        </section>
    }
}
