//! Suggested points: what a regularised logistic regression fitted on the
//! tuning set would give each criterion, beside the agreed points, with
//! its standard error, and how the two definitions do on the check set.
//! Nothing is applied until "Use suggested points" (one undoable edit).
//! Also criteria the scenario lacks, with the strongest evidence on the
//! tuning set among the columns known when a lead arrives.
//!
//! Worked out while the panel is open, so that an edit elsewhere costs
//! nothing while it is closed.

use std::rc::Rc;

use yew::prelude::*;

use super::panel_focus::use_details_open;
use super::state::{use_workbench, Action, LoadedData, Shared};
use super::timing::Step;
use crate::core::criteria::{Criterion, RuleTest, Scenario};
use crate::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings};
use crate::core::fit::{suggest_points, with_suggested_points, SuggestedPoints};
use crate::core::format;
use crate::core::mapping::ColumnMapping;
use crate::core::starting::StartingPoint;

/// At most this many new criteria are suggested.
const NEW_CRITERIA: usize = 5;

#[derive(Properties, PartialEq)]
pub struct SuggestionsProps {
    pub scenario: Scenario,
    pub grouping: Shared<Grouping>,
    /// The scenario's replay on the tuning set.
    pub replay: Shared<Replay>,
    pub facts: Shared<LeadFacts>,
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub settings: ReplaySettings,
}

/// The fit and the figures of the suggested definition.
struct Fitted {
    suggested: SuggestedPoints,
    scenario: Scenario,
    /// Agreed and suggested on the check set (on the tuning set without
    /// one).
    agreed_check: Replay,
    suggested_check: Replay,
    on_check: bool,
}

fn fit(
    agreed: &Scenario,
    grouping: &Grouping,
    replay: &Replay,
    facts: &LeadFacts,
    settings: &ReplaySettings,
) -> Result<Fitted, String> {
    let suggested = suggest_points(agreed, grouping, replay).map_err(|e| e.to_string())?;
    let scenario = with_suggested_points(agreed, &suggested);
    let run = |s: &Scenario| {
        Replay::run_check(s, grouping, facts, settings)
            .unwrap_or_else(|| Replay::run(s, grouping, facts, settings))
    };
    Ok(Fitted {
        agreed_check: run(agreed),
        suggested_check: run(&scenario),
        on_check: facts.check.rows().is_some(),
        suggested,
        scenario,
    })
}

/// A criterion's agreed points in words: "+30", or "+2 per unit".
fn agreed_points(c: &Criterion) -> String {
    match c.rule.test {
        RuleTest::PerUnit {
            points_per_unit, ..
        } => format!("{} per unit", format::points(points_per_unit)),
        _ => format::points(c.points),
    }
}

#[component]
pub fn Suggestions(props: &SuggestionsProps) -> Html {
    let workbench = use_workbench();
    let (open, on_toggle) = use_details_open();
    let fitted = use_memo(
        (
            open,
            props.scenario.clone(),
            props.grouping.clone(),
            props.replay.clone(),
            props.facts.clone(),
            props.settings,
        ),
        |(open, scenario, grouping, replay, facts, settings)| {
            open.then(|| {
                let step = Step::start("suggest points");
                let fitted = fit(scenario, grouping, replay, facts, settings);
                step.end();
                fitted
            })
        },
    );
    // New criteria are looked for on request: it reads every column.
    let new_criteria = use_state(|| None::<Rc<Vec<Criterion>>>);
    {
        let new_criteria = new_criteria.clone();
        use_effect_with(
            (
                props.data.version,
                props.mapping.clone(),
                props.facts.clone(),
            ),
            move |_| new_criteria.set(None),
        );
    }
    let on_find = {
        let new_criteria = new_criteria.clone();
        let data = props.data.clone();
        let mapping = props.mapping.clone();
        let facts = props.facts.clone();
        let scenario = props.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            let mut start =
                StartingPoint::leaving_out(&mapping, &facts.outcomes, facts.check.rows().cloned());
            for index in 0..data.data.columns().len() {
                start.consider(&data.data, index, &facts.outcomes);
            }
            new_criteria.set(Some(Rc::new(start.missing_from(&scenario, NEW_CRITERIA))));
        })
    };
    let tuning_leads = props.facts.tuning_leads();
    let body = match fitted.as_ref() {
        None => Html::default(),
        Some(Err(reason)) => html! {
            <p class="suggestions-error" data-testid="suggestions-error">
                { format!("No points can be suggested: {reason}.") }
            </p>
        },
        Some(Ok(f)) => {
            let on_use = {
                let workbench = workbench.clone();
                let scenario = f.scenario.clone();
                Callback::from(move |_: MouseEvent| {
                    workbench.dispatch(Action::UseSuggested(scenario.clone()))
                })
            };
            let same = f.scenario == props.scenario;
            let set = if f.on_check {
                "On the check set"
            } else {
                "On the tuning set (no check set is kept)"
            };
            let (a, s) = (&f.agreed_check.figures, &f.suggested_check.figures);
            html! {
                <>
                    <p class="suggestions-method">{ format!(
                        "Fitted on the tuning set ({} leads): an L2-regularised logistic regression of the outcome on each enabled criterion's rule \
                         (a per-unit rule by its units), its coefficients put on this scenario's scale (the largest points value, {}). \
                         ± is one standard error in points.",
                        format::count(tuning_leads),
                        format::decimal(Some(crate::core::fit::points_scale(&props.scenario)), 0)) }</p>
                    <table class="suggestions-table" data-testid="suggestions-table">
                        <thead><tr>
                            <th scope="col">{ "Criterion" }</th>
                            <th scope="col">{ "Agreed" }</th>
                            <th scope="col">{ "Suggested" }</th>
                        </tr></thead>
                        <tbody>
                            { for f.suggested.suggestions.iter().filter_map(|sug| {
                                let c = props.scenario.criteria.get(sug.criterion)?;
                                Some(html! {
                                    <tr>
                                        <th scope="row">{ &c.label }</th>
                                        <td>{ agreed_points(c) }</td>
                                        <td data-testid="suggested-points" data-value={sug.points.to_string()}
                                            data-criterion={sug.criterion.to_string()}>
                                            { format!("{} ± {}", format::points(sug.points), format::decimal(Some(sug.standard_error), 1)) }
                                        </td>
                                    </tr>
                                })
                            }) }
                            <tr>
                                <th scope="row">{ "Sales-ready threshold" }</th>
                                <td>{ format!("{}+", props.scenario.threshold) }</td>
                                <td data-testid="suggested-threshold" data-value={f.suggested.threshold.to_string()}>
                                    { format!("{}+ (keeps the sales-ready share)", f.suggested.threshold) }</td>
                            </tr>
                        </tbody>
                    </table>
                    <p class="suggestions-check" data-testid="suggestions-check"
                        data-agreed-auc={a.auc.map(|v| v.to_string()).unwrap_or_default()}
                        data-suggested-auc={s.auc.map(|v| v.to_string()).unwrap_or_default()}
                        data-agreed-captured={a.captured().map(|v| v.to_string()).unwrap_or_default()}
                        data-suggested-captured={s.captured().map(|v| v.to_string()).unwrap_or_default()}>
                        { format!("{set}: the agreed points rank with AUC {} and capture {} of conversions; the suggested points rank with AUC {} and capture {}.",
                            format::decimal(a.auc, 3), format::whole_percent(a.captured()),
                            format::decimal(s.auc, 3), format::whole_percent(s.captured())) }
                    </p>
                    <button type="button" class="button primary" onclick={on_use} disabled={same}
                        data-testid="use-suggested">
                        { if same { "The suggested points are in use" } else { "Use suggested points" } }
                    </button>
                </>
            }
        }
    };
    let found = (*new_criteria).clone();
    html! {
        <details class="suggestions" data-testid="suggestions" ontoggle={on_toggle}>
            <summary>{ "Suggested points" }</summary>
            { body }
            if open && props.data.aggregated.is_some() {
                <p class="new-criteria" data-testid="suggest-criteria-needs-rows">
                    { "Looking for new criteria reads every column lead by lead: it needs row-level data." }
                </p>
            } else if open {
                <div class="new-criteria">
                    <button type="button" class="button" onclick={on_find} data-testid="suggest-criteria">
                        { "Look for criteria this scenario lacks" }
                    </button>
                    if let Some(found) = found {
                        if found.is_empty() {
                            <p data-testid="no-new-criteria">{ "No other column value or range clearly changes conversion on the tuning set." }</p>
                        } else {
                            <ul class="new-criteria-list">
                                { for found.iter().map(|c| {
                                    let on_add = {
                                        let workbench = workbench.clone();
                                        let c = c.clone();
                                        Callback::from(move |_: MouseEvent| workbench.dispatch(Action::AddCriterion(c.clone())))
                                    };
                                    html! {
                                        <li data-testid="new-criterion">
                                            <span class="new-criterion-label">{ format!("{} ({})", c.label, format::points(c.points)) }</span>
                                            <span class="new-criterion-why">{ &c.rationale }</span>
                                            <button type="button" class="button" onclick={on_add}
                                                aria-label={format!("Add “{}”", c.label)}>{ "Add" }</button>
                                        </li>
                                    }
                                }) }
                            </ul>
                        }
                    }
                </div>
            }
        </details>
    }
}
