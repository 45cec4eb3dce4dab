//! The criteria of the active scenario, with their points and the
//! sales-ready threshold, editable by number field and slider.
//!
//! Each criterion shows how many leads its rule matches, so nobody argues
//! about a rule that touches three leads; a rule that cannot be applied to
//! the data is shown as inactive with the reason.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::agreement_panel::AgreementPanel;
use super::rule_editor::{default_test, operators_for, RuleEditor};
use super::state::{use_workbench, Action, LoadedData};
use super::threshold_target::ThresholdTarget;
use crate::core::agreement::{Side, SignOff, Stance};
use crate::core::criteria::{
    bound_points, Criterion, CriterionKey, Group, Proposer, Rule, RuleTest, MAX_POINTS,
};
use crate::core::dataset::Dataset;
use crate::core::engine::{Evidence, SweepPoint};
use crate::core::format;

/// What a criterion's rule found in the loaded data.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleStatus {
    /// The rule applies and fires for this many leads.
    Fires { leads: usize },
    /// The rule cannot be applied; the reason, in words.
    Inactive(String),
}

/// Where each side stands on criterion `index`, and the note.
fn sign_off_controls(
    index: usize,
    label: &str,
    sign_off: &SignOff,
    on_edit: &Callback<Action>,
) -> Html {
    let side_select = |side: Side| {
        let cb = on_edit.clone();
        let onchange = Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(stance) = Stance::from_name(&select.value()) {
                cb.emit(Action::SetStance {
                    criterion: index,
                    side,
                    stance,
                });
            }
        });
        let now = sign_off.of(side);
        let testid = format!("signoff-{}", side.label().to_lowercase());
        html! {
            <label class={classes!("sign-off-side", format!("is-{}", now.name()))}>
                { side.label() }{ " " }
                <select {onchange} data-testid={testid} data-value={now.name()}
                    aria-label={format!("{} on {label}", side.label())}>
                    { for Stance::ALL.iter().map(|&stance| html! {
                        <option value={stance.name()} selected={stance == now}>
                            { match stance { Stance::Open => "—", Stance::Agrees => "agrees", Stance::Disputes => "disputes" } }
                        </option>
                    }) }
                </select>
            </label>
        }
    };
    let on_note = {
        let cb = on_edit.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(Action::SetSignOffNote {
                criterion: index,
                note: input.value(),
            });
        })
    };
    html! {
        <div class="sign-off" role="group" aria-label={format!("Sign-off on {label}")}>
            { side_select(Side::Sales) }
            { side_select(Side::Marketing) }
            <input type="text" class="sign-off-note" value={sign_off.note.clone()} onchange={on_note}
                maxlength="500" placeholder="Note: why disputed, or what was agreed"
                aria-label={format!("Sign-off note on {label}")} data-testid="signoff-note" />
        </div>
    }
}

/// Conversion with and without the rule: why the points are defensible.
fn evidence_line(evidence: Option<&Evidence>) -> Html {
    let Some(e) = evidence else {
        return Html::default();
    };
    let Some(text) = format::evidence(e) else {
        return Html::default();
    };
    html! {
        <p class={classes!("evidence", e.too_thin().then_some("is-thin"))} data-testid="criterion-evidence"
            data-lift={e.lift().map(|l| l.to_string()).unwrap_or_default()}>
            { text }
            if e.too_thin() {
                <span class="thin-note">{ " — too few leads to judge" }</span>
            }
        </p>
    }
}

/// The slider covers at least this range of points either side of zero.
const POINT_SLIDER_REACH: i32 = 50;

/// A whole number typed into a points field, brought within the bound
/// every criteria file keeps (a longer number stops at the bound).
fn input_value(event: &InputEvent) -> Option<i32> {
    let input: HtmlInputElement = event.target_unchecked_into();
    let typed: f64 = input.value().trim().parse().ok()?;
    typed.is_finite().then(|| {
        bound_points(
            typed
                .round()
                .clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32,
        )
    })
}

#[derive(Properties, PartialEq)]
struct CriterionRowProps {
    index: usize,
    /// How many criteria the scenario has (the last cannot move down).
    count: usize,
    criterion: Criterion,
    status: RuleStatus,
    /// The rule's column is known only after the lead was worked.
    known_only_after: bool,
    total_leads: usize,
    evidence: Option<Evidence>,
    /// The loaded data, compared by version (never row by row).
    data: LoadedData,
    /// Starts with the editor open (a criterion just added).
    #[prop_or_default]
    open: bool,
    on_edit: Callback<Action>,
}

#[component]
fn CriterionRow(props: &CriterionRowProps) -> Html {
    let c = &props.criterion;
    let index = props.index;
    let editing = use_state(|| props.open);
    let on_points = {
        let cb = props.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(points) = input_value(&e) {
                cb.emit(Action::SetPoints {
                    criterion: index,
                    points,
                });
            }
        })
    };
    let on_enabled = {
        let cb = props.on_edit.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(Action::SetEnabled {
                criterion: index,
                enabled: input.checked(),
            });
        })
    };
    let action = |make: fn(usize) -> Action| {
        let cb = props.on_edit.clone();
        Callback::from(move |_: MouseEvent| cb.emit(make(index)))
    };
    let on_toggle_edit = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(!*editing))
    };
    let on_change = {
        let cb = props.on_edit.clone();
        Callback::from(move |with: Criterion| {
            cb.emit(Action::UpdateCriterion {
                criterion: index,
                with,
            })
        })
    };
    let on_close = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(false))
    };
    let points_control = match c.rule.test {
        RuleTest::PerUnit { .. } => html! {
            <p class="points-per-unit">{ "Points come from the rule: " }{ c.rule.test.describe() }</p>
        },
        _ => {
            let low = c.points.min(-POINT_SLIDER_REACH);
            let high = c.points.max(POINT_SLIDER_REACH);
            html! {
                <div class="points">
                    <input type="range" min={low.to_string()} max={high.to_string()} step="1"
                        value={c.points.to_string()} oninput={on_points.clone()}
                        aria-label={format!("Points for {} (slider)", c.label)} />
                    <input type="number" class="points-number" step="1"
                        min={(-MAX_POINTS).to_string()} max={MAX_POINTS.to_string()}
                        value={c.points.to_string()} oninput={on_points}
                        data-testid="criterion-points"
                        aria-label={format!("Points for {}", c.label)} />
                </div>
            }
        }
    };
    let status = match &props.status {
        RuleStatus::Fires { leads } => {
            let share = (props.total_leads > 0).then(|| *leads as f64 / props.total_leads as f64);
            html! { <p class="rule-matches">{ format!("fires for {} leads ({})", format::count(*leads), format::percent(share)) }</p> }
        }
        RuleStatus::Inactive(reason) => html! {
            <p class="rule-inactive" role="note">{ format!("Inactive: {reason}") }</p>
        },
    };
    let class = classes!(
        "criterion",
        (!c.enabled).then_some("is-disabled"),
        matches!(props.status, RuleStatus::Inactive(_)).then_some("is-inactive"),
        c.sign_off.agreed_by_both().then_some("is-agreed"),
        c.sign_off.disputed().then_some("is-disputed")
    );
    html! {
        <li {class} data-testid="criterion">
            <div class="criterion-head">
                <input type="checkbox" checked={c.enabled} onchange={on_enabled}
                    aria-label={format!("Use criterion: {}", c.label)} />
                <span class="criterion-label">{ &c.label }</span>
                <span class={classes!("tag", format!("tag-{}", c.group.label().to_lowercase()))}>{ c.group.label() }</span>
                <span class="tag tag-proposer">{ format!("by {}", c.proposed_by.label()) }</span>
            </div>
            <div class="criterion-actions" role="group" aria-label={format!("Actions for {}", c.label)}>
                <button type="button" class="button small" onclick={on_toggle_edit} aria-expanded={editing.to_string()}
                    data-testid="criterion-edit">{ if *editing { "Close" } else { "Edit" } }</button>
                <button type="button" class="button small" onclick={action(Action::DuplicateCriterion)}
                    data-testid="criterion-duplicate">{ "Duplicate" }</button>
                <button type="button" class="button small" onclick={action(|i| Action::MoveCriterion { criterion: i, by: -1 })}
                    disabled={index == 0} aria-label={format!("Move {} up", c.label)}>{ "↑" }</button>
                <button type="button" class="button small" onclick={action(|i| Action::MoveCriterion { criterion: i, by: 1 })}
                    disabled={index + 1 >= props.count} aria-label={format!("Move {} down", c.label)}>{ "↓" }</button>
                <button type="button" class="button small" onclick={action(Action::DeleteCriterion)}
                    data-testid="criterion-delete" aria-label={format!("Delete {}", c.label)}>{ "Delete" }</button>
            </div>
            if *editing {
                <RuleEditor criterion={c.clone()} data={props.data.clone()} {on_change} {on_close} />
            }
            <p class="rule"><span class="rule-column">{ &c.rule.column }</span>{ " " }{ c.rule.test.describe() }</p>
            if !c.rationale.is_empty() {
                <p class="rationale">{ &c.rationale }</p>
            }
            { status }
            if props.known_only_after {
                <p class="hindsight-flag" role="note" data-testid="criterion-hindsight">
                    { format!("“{}” is known only after sales worked the lead: on new leads this criterion cannot fire yet, so the figures here look better than they will be.", c.rule.column) }
                </p>
            }
            { evidence_line(props.evidence.as_ref()) }
            { points_control }
            { sign_off_controls(index, &c.label, &c.sign_off, &props.on_edit) }
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct CriteriaEditorProps {
    /// One status per criterion of the active scenario, in order.
    pub statuses: Rc<Vec<RuleStatus>>,
    pub total_leads: usize,
    /// One piece of evidence per criterion, when the replay could run.
    #[prop_or_default]
    pub evidence: Option<Rc<Vec<Evidence>>>,
    /// The active scenario's sweep, for setting the threshold from a
    /// target; with whether it has a workload per rep per week.
    #[prop_or_default]
    pub sweep: Option<(Rc<Vec<SweepPoint>>, bool)>,
    /// Sales-ready leads a week, for the agreement's volume commitment.
    #[prop_or_default]
    pub ready_per_week: Option<f64>,
}

#[component]
pub fn CriteriaEditor(props: &CriteriaEditorProps) -> Html {
    let workbench = use_workbench();
    let state = workbench.state();
    let scenario = state.scenario();
    // Rules are written on lead-level columns: a pattern table's are
    // counts, so its sample's are offered where this tab has it.
    let data = {
        let (columns, summaries) = state.data.columns_for_rules();
        LoadedData {
            data: columns,
            summaries,
            ..state.data.clone()
        }
    };
    // A pattern table without its sample has no lead columns to add on.
    let no_columns = state
        .data
        .aggregated
        .as_ref()
        .is_some_and(|a| a.sample.is_none());
    // The criterion added last opens in its editor.
    let added = use_state(|| None::<u64>);
    let on_edit = {
        let workbench = workbench.clone();
        Callback::from(move |action: Action| workbench.dispatch(action))
    };
    let on_threshold = {
        let workbench = workbench.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(threshold) = input_value(&e) {
                workbench.set_threshold(threshold);
            }
        })
    };
    let on_add = {
        let workbench = workbench.clone();
        let added = added.clone();
        let data = data.clone();
        Callback::from(move |_: MouseEvent| {
            let outcome = workbench.state().mapping.outcome.clone();
            let criterion = new_criterion(&data.data, outcome.as_deref());
            added.set(Some(criterion.key.value()));
            workbench.dispatch(Action::AddCriterion(criterion));
        })
    };
    let (lowest, highest) = scenario.score_range();
    let slider_low = lowest.min(scenario.threshold);
    let slider_high = highest.max(scenario.threshold);
    let count = scenario.criteria.len();
    html! {
        <section class="criteria-editor" aria-labelledby="criteria-title">
            <h2 id="criteria-title" tabindex="-1">{ format!("Criteria: {}", scenario.name) }</h2>
            <div class="threshold">
                <label for="threshold-number">{ "Sales-ready at" }</label>
                <input type="range" min={slider_low.to_string()} max={slider_high.to_string()} step="1"
                    value={scenario.threshold.to_string()} oninput={on_threshold.clone()}
                    aria-label="Sales-ready threshold (slider)" />
                <input id="threshold-number" type="number" step="1" class="points-number"
                    min={(-MAX_POINTS).to_string()} max={MAX_POINTS.to_string()}
                    value={scenario.threshold.to_string()} oninput={on_threshold}
                    data-testid="threshold" />
                <span>{ "points or more" }</span>
            </div>
            if let Some((sweep, per_week)) = &props.sweep {
                <ThresholdTarget sweep={Rc::clone(sweep)} per_week={*per_week} />
            }
            <ol class="criteria">
                { for scenario.criteria.iter().enumerate().map(|(index, criterion)| html! {
                    <CriterionRow key={format!("{}-{}", state.definitions.active, criterion.key.value())} {index} {count}
                        criterion={criterion.clone()}
                        status={props.statuses.get(index).cloned().unwrap_or(RuleStatus::Inactive("not evaluated".into()))}
                        evidence={props.evidence.as_ref().and_then(|e| e.get(index).cloned())}
                        known_only_after={state.mapping.known_only_after(&criterion.rule.column)}
                        total_leads={props.total_leads} data={data.clone()}
                        open={*added == Some(criterion.key.value())}
                        on_edit={on_edit.clone()} />
                }) }
            </ol>
            <button type="button" class="button" onclick={on_add} data-testid="criterion-add"
                disabled={no_columns}
                title={no_columns.then_some("Criteria are written on the leads' columns: load the row-level sample the pattern query was written from")}>
                { "Add a criterion" }</button>
            <AgreementPanel ready_per_week={props.ready_per_week} />
        </section>
    }
}

/// A new criterion on the first column of the data that is not the
/// outcome, with a test that suits its type.
fn new_criterion(data: &Dataset, outcome: Option<&str>) -> Criterion {
    let column = data
        .columns()
        .iter()
        .find(|c| Some(c.name.as_str()) != outcome);
    let op = column.map_or("not_empty", |c| operators_for(c.kind())[0]);
    Criterion {
        label: "New criterion".into(),
        group: Group::Fit,
        proposed_by: Proposer::Both,
        points: 10,
        enabled: true,
        rationale: String::new(),
        key: CriterionKey::default(),
        rule: Rule {
            column: column.map(|c| c.name.clone()).unwrap_or_default(),
            test: default_test(op, column),
        },
        sign_off: Default::default(),
    }
}
