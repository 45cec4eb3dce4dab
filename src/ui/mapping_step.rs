//! The mapping step after a file is read: how it was read (encoding,
//! delimiter, skipped rows, unreadable cells), which column is the outcome
//! and which of its values count as converted, the other column roles, and
//! each column's type. "Use this data" swaps it in; until then the previous
//! data stays in use.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::data_summary::DataSummary;
use super::join_step::JoinStep;
use super::loading::{start_load, starting_unless_one_fits, Then};
use super::reading_settings::ReadingSettings;
use super::replays::prepare;
use super::state::{
    use_workbench, Action, DataSource, Identity, LoadStatus, PendingLoad, WorkbenchHandle,
};
use super::timing::Step;
use crate::core::dataset::{ColumnKind, Dataset};
use crate::core::derive::{DerivedDuration, DurationUnit};
use crate::core::format;
use crate::core::hindsight::{propose_known_after, AfterReason};
use crate::core::ingest::reader::delimiter_name;
use crate::core::ingest::roles::{default_converted_values, outcome_candidates, outcome_values};
use crate::core::ingest::{LoadOptions, LoadReport};
use crate::core::mapping::ColumnMapping;

/// Reads the pending file again with changed settings, keeping the roles.
fn reread(
    workbench: &WorkbenchHandle,
    pending: &PendingLoad,
    change: impl FnOnce(&mut DataSource),
) {
    let mut source = pending.source.clone();
    change(&mut source);
    start_load(
        workbench.clone(),
        source,
        Some(pending.mapping.clone()),
        Then::Review {
            join: pending.join_file.clone(),
        },
    );
}

/// The roles besides the outcome, with their labels and the column kinds
/// that suit them.
type RoleField = fn(&mut ColumnMapping) -> &mut Option<String>;
const ROLES: [(&str, &str, RoleField, &[ColumnKind]); 7] = [
    (
        "followed_up",
        "Followed up",
        |m| &mut m.followed_up,
        // Read as the follow-up figures read it: yes/no, a date of the
        // touch, or a count of touches.
        &[
            ColumnKind::Boolean,
            ColumnKind::Category,
            ColumnKind::Text,
            ColumnKind::Date,
            ColumnKind::Number,
        ],
    ),
    (
        "response_hours",
        "Response time (hours)",
        |m| &mut m.response_hours,
        &[ColumnKind::Number],
    ),
    (
        "first_touch",
        "First touch (date)",
        |m| &mut m.first_touch,
        &[ColumnKind::Date],
    ),
    (
        "created",
        "Created (date)",
        |m| &mut m.created,
        &[ColumnKind::Date],
    ),
    (
        "deal_value",
        "Deal value",
        |m| &mut m.deal_value,
        &[ColumnKind::Number],
    ),
    (
        "owner",
        "Owner / rep",
        |m| &mut m.owner,
        &[ColumnKind::Category, ColumnKind::Text],
    ),
    ("lead_id", "Lead id", |m| &mut m.lead_id, &ColumnKind::ALL),
];

fn report_notes(report: &LoadReport) -> Html {
    let mut notes: Vec<Html> = Vec::new();
    if report.skipped_count > 0 {
        notes.push(html! {
            <details class="report-note warning" data-testid="skipped-rows">
                <summary>{ format!("{} row{} skipped because the field count did not match the header",
                    format::count(report.skipped_count), if report.skipped_count == 1 { " was" } else { "s were" }) }</summary>
                <ul>
                    { for report.skipped.iter().map(|s| html! { <li>{ format!("line {}: {}", s.line, s.reason) }</li> }) }
                    if report.skipped_count > report.skipped.len() {
                        <li>{ format!("… and {} more", format::count(report.skipped_count - report.skipped.len())) }</li>
                    }
                </ul>
            </details>
        });
    }
    if report.bad_cell_count > 0 {
        notes.push(html! {
            <details class="report-note warning" data-testid="bad-cells">
                <summary>{ format!("{} value{} did not fit the column's type and {} treated as missing",
                    format::count(report.bad_cell_count), if report.bad_cell_count == 1 { "" } else { "s" },
                    if report.bad_cell_count == 1 { "is" } else { "are" }) }</summary>
                <ul>
                    { for report.bad_cells.iter().map(|c| html! { <li>{ c.to_string() }</li> }) }
                    if report.bad_cell_count > report.bad_cells.len() {
                        <li>{ format!("… and {} more", format::count(report.bad_cell_count - report.bad_cells.len())) }</li>
                    }
                </ul>
            </details>
        });
    }
    if !report.renamed.is_empty() {
        notes.push(html! {
            <details class="report-note" data-testid="renamed-headers">
                <summary>{ format!("{} column name{} changed to be unique and non-empty",
                    report.renamed.len(), if report.renamed.len() == 1 { " was" } else { "s were" }) }</summary>
                <ul>
                    { for report.renamed.iter().map(|r| html! {
                        <li>{ format!("column {}: “{}” is now “{}”", r.position, r.original, r.name) }</li>
                    }) }
                </ul>
            </details>
        });
    }
    if let Some(line) = report.replaced_bytes_from_line {
        notes.push(html! {
            <p class="report-note warning">{ format!(
                "Some bytes are not valid {} (first on line {line}) and show as �: try another encoding.",
                report.encoding) }</p>
        });
    }
    if report.blank_lines > 0 {
        notes.push(html! { <p class="report-note">{ format!("{} blank line(s) ignored.", format::count(report.blank_lines)) }</p> });
    }
    if !report.dropped_empty.is_empty() {
        let n = report.dropped_empty.len();
        notes.push(html! {
            <details class="report-note" data-testid="dropped-columns">
                <summary>{ format!("{} column{} empty in every row {} left out",
                    format::count(n), if n == 1 { "" } else { "s" }, if n == 1 { "was" } else { "were" }) }</summary>
                <p>{ report.dropped_empty.join(", ") }</p>
            </details>
        });
    }
    if report.trailing_empty_fields > 0 {
        notes.push(html! { <p class="report-note">{ format!(
        "{} row(s) ended with an extra empty field (a trailing delimiter), which was ignored.",
        format::count(report.trailing_empty_fields)) }</p> });
    }
    html! { <>{ for notes }</> }
}

fn identity(data: &Rc<Dataset>) -> Identity<Dataset> {
    Identity::of(data)
}

/// The columns proposed as known only afterwards, for data about to be
/// reviewed, with the outcome they were proposed for.
struct KnownAfter {
    /// The data set, not kept alive (a weak handle also keeps its address
    /// from being reused, so that identity holds).
    data: Weak<Dataset>,
    outcome: (Option<String>, Vec<String>),
    proposed: Vec<(String, AfterReason)>,
}

thread_local! {
    static KNOWN_AFTER: RefCell<Option<KnownAfter>> = const { RefCell::new(None) };
}

fn outcome_of(pending: &PendingLoad) -> (Option<String>, Vec<String>) {
    (
        pending.mapping.outcome.clone(),
        pending.mapping.converted_values.clone(),
    )
}

/// Which columns of `pending` look known only once the outcome is.
fn known_after(pending: &PendingLoad) -> Vec<(String, AfterReason)> {
    let outcomes = pending.mapping.outcomes(&pending.dataset).ok();
    propose_known_after(&pending.dataset, &pending.mapping, outcomes.as_deref())
}

/// Works out which columns of `pending` look known only afterwards in a
/// task of its own, before the mapping step first renders (at a million
/// leads it takes tens of milliseconds), giving the page back on either
/// side.
pub async fn prepare_review(pending: &PendingLoad) {
    super::loading::breathe().await;
    let step = Step::start("known afterwards");
    let proposed = known_after(pending);
    step.end();
    KNOWN_AFTER.with(|k| {
        *k.borrow_mut() = Some(KnownAfter {
            data: Rc::downgrade(&pending.dataset),
            outcome: outcome_of(pending),
            proposed,
        })
    });
    super::loading::breathe().await;
}

/// What [`prepare_review`] worked out for `pending` as it stands, taken.
fn prepared_known_after(pending: &PendingLoad) -> Option<Vec<(String, AfterReason)>> {
    KNOWN_AFTER.with(|k| {
        let prepared = k.borrow_mut().take()?;
        (Weak::ptr_eq(&prepared.data, &Rc::downgrade(&pending.dataset))
            && prepared.outcome == outcome_of(pending))
        .then_some(prepared.proposed)
    })
}

#[component]
pub fn MappingStep() -> Html {
    let workbench = use_workbench();
    let pending = match &workbench.state().load {
        LoadStatus::Mapping(pending) => Some(pending.clone()),
        _ => None,
    };
    let dataset = pending.as_ref().map(|p| Rc::clone(&p.dataset));
    let candidates = use_memo(dataset.as_ref().map(identity), {
        let dataset = dataset.clone();
        move |_| {
            let step = Step::start("outcome candidates");
            let candidates = dataset
                .as_deref()
                .map(outcome_candidates)
                .unwrap_or_default();
            step.end();
            candidates
        }
    });
    // Which columns are proposed as known only afterwards depends on the
    // data and the outcome alone: worked out once for each.
    let outcome = pending.as_ref().map(|p| {
        (
            p.mapping.outcome.clone(),
            p.mapping.converted_values.clone(),
        )
    });
    let proposed = use_memo((dataset.as_ref().map(identity), outcome.clone()), {
        let pending = pending.clone();
        move |_| match &pending {
            Some(p) => prepared_known_after(p).unwrap_or_else(|| {
                let step = Step::start("known afterwards");
                let proposed = known_after(p);
                step.end();
                proposed
            }),
            None => Vec::new(),
        }
    });
    // The outcome column's values and the converted share: a pass over
    // every lead, so worked out once for each data and outcome.
    let outcome_facts = use_memo((dataset.as_ref().map(identity), outcome), {
        let pending = pending.clone();
        move |_| match &pending {
            Some(p) => {
                let step = Step::start("outcome values");
                let values = p
                    .mapping
                    .outcome
                    .as_deref()
                    .map(|o| outcome_values(&p.dataset, o))
                    .unwrap_or_default();
                let share = p.mapping.outcomes(&p.dataset).ok().map(|o| {
                    let n = o.len().max(1);
                    o.iter().filter(|&&c| c).count() as f64 / n as f64
                });
                step.end();
                (values, share)
            }
            None => (Vec::new(), None),
        }
    });
    let preparing = use_state(|| false);
    // The duration being put together: its two columns and its unit.
    let derive_from = use_state(String::new);
    let derive_to = use_state(String::new);
    let derive_unit = use_state(|| DurationUnit::Minutes);
    let Some(pending) = pending else {
        return Html::default();
    };
    let data = &pending.dataset;
    let report = &pending.report;
    let mapping = &pending.mapping;

    let set_mapping = {
        let workbench = workbench.clone();
        move |mapping: ColumnMapping| workbench.edit_pending_mapping(mapping)
    };
    let joined_columns: Vec<String> = match &pending.joined {
        Some(Ok(columns)) => columns.added.clone(),
        _ => Vec::new(),
    };
    let on_outcome = {
        let set_mapping = set_mapping.clone();
        let mapping = mapping.clone();
        let data = Rc::clone(data);
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let mut next = mapping.clone();
            next.outcome = Some(select.value()).filter(|v| !v.is_empty());
            next.converted_values = next
                .outcome
                .as_deref()
                .map(|o| default_converted_values(&data, o))
                .unwrap_or_default();
            // What is known only afterwards depends on the outcome: asked
            // again for the new one.
            let outcomes = next.outcomes(&data).ok();
            next.known_after = propose_known_after(&data, &next, outcomes.as_deref())
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            // What a joined file added is what happened next, whatever the
            // outcome.
            for name in &joined_columns {
                if !next.known_after.contains(name) {
                    next.known_after.push(name.clone());
                }
            }
            set_mapping(next);
        })
    };
    let (values, converted_share) = &*outcome_facts;
    let converted_share = *converted_share;
    // A replay needs both kinds of lead, and a join the mapping names.
    let one_sided = match converted_share {
        Some(share) if share <= 0.0 => Some(
            "No lead counts as converted with these values: tick the values that mean a lead converted."
                .to_owned(),
        ),
        Some(share) if share >= 1.0 => Some(
            "Every lead counts as converted with these values: a replay needs leads that did not convert too."
                .to_owned(),
        ),
        _ => None,
    }
    .or_else(|| pending.not_ready());
    let derive = {
        // Times of day and dates of the file itself (not derived ones).
        let sources: Vec<(String, ColumnKind)> = data
            .columns()
            .iter()
            .filter(|c| matches!(c.kind(), ColumnKind::Time | ColumnKind::Date))
            .filter(|c| !mapping.derived.iter().any(|d| d.name == c.name))
            .map(|c| (c.name.clone(), c.kind()))
            .collect();
        let pick = |chosen: &str, fallback: usize| -> String {
            if sources.iter().any(|(n, _)| n == chosen) {
                chosen.to_owned()
            } else {
                sources
                    .get(fallback)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default()
            }
        };
        let (from, to) = (pick(&derive_from, 0), pick(&derive_to, 1));
        let select = |state: &UseStateHandle<String>, current: &str, testid: &'static str| {
            let state = state.clone();
            let onchange = Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                state.set(select.value());
            });
            html! {
                <select {onchange} data-testid={testid}>
                    { for sources.iter().map(|(name, kind)| html! {
                        <option value={name.clone()} selected={name == current}>{ format!("{name} ({})", kind.label()) }</option>
                    }) }
                </select>
            }
        };
        let on_unit = {
            let derive_unit = derive_unit.clone();
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                if let Some(unit) = DurationUnit::ALL
                    .into_iter()
                    .find(|u| u.label() == select.value())
                {
                    derive_unit.set(unit);
                }
            })
        };
        let on_add = {
            let set_mapping = set_mapping.clone();
            let mapping = mapping.clone();
            let (from, to, unit) = (from.clone(), to.clone(), *derive_unit);
            Callback::from(move |_: MouseEvent| {
                let mut next = mapping.clone();
                let duration = DerivedDuration::named_for(&from, &to, unit);
                if from != to && !next.derived.iter().any(|d| d.name == duration.name) {
                    next.derived.push(duration);
                    set_mapping(next);
                }
            })
        };
        html! {
            <fieldset class="derive" data-testid="derive">
                <legend>{ "Durations from two columns" }</legend>
                if sources.len() < 2 {
                    <p class="hint">{ "Two columns of times of day or of dates give a duration (a call's start and end, created and first touch); this file has fewer." }</p>
                } else {
                    <label>{ "From " }{ select(&derive_from, &from, "derive-from") }</label>
                    <label>{ " to " }{ select(&derive_to, &to, "derive-to") }</label>
                    <label>{ " in " }
                        <select onchange={on_unit} data-testid="derive-unit">
                            { for DurationUnit::ALL.iter().map(|u| html! {
                                <option value={u.label()} selected={*u == *derive_unit}>{ u.label() }</option>
                            }) }
                        </select>
                    </label>
                    <button type="button" class="button small" onclick={on_add} disabled={from == to}
                        data-testid="derive-add">{ "Add the duration" }</button>
                }
                <ul class="derived-columns">
                    { for mapping.derived.iter().map(|d| {
                        let on_remove = {
                            let set_mapping = set_mapping.clone();
                            let mapping = mapping.clone();
                            let name = d.name.clone();
                            Callback::from(move |_: MouseEvent| {
                                let mut next = mapping.clone();
                                next.derived.retain(|d| d.name != name);
                                set_mapping(next);
                            })
                        };
                        html! {
                            <li data-testid="derived-column">
                                { format!("{}: a number column, from “{}” to “{}”", d.name, d.from, d.to) }
                                <button type="button" class="button small" onclick={on_remove}
                                    aria-label={format!("Remove {}", d.name)}>{ "Remove" }</button>
                            </li>
                        }
                    }) }
                    { for pending.derive_problems.iter().map(|p| html! { <li class="report-note warning">{ p }</li> }) }
                </ul>
                if mapping.response_hours.is_none() {
                    if let (Some(created), Some(touched)) = (&mapping.created, &mapping.first_touch) {
                        <p class="hint" data-testid="response-derived">
                            { format!("Response time is worked out in hours from “{created}” to “{touched}”.") }
                        </p>
                    }
                }
            </fieldset>
        }
    };
    let roles = mapping.role_columns();
    let known_after = html! {
        <details class="known-after" open={!mapping.known_after.is_empty()} data-testid="known-after">
            <summary>{ match mapping.known_after.len() {
                0 => "When is each column known? (all on arrival)".to_owned(),
                1 => "When is each column known? (1 only after the lead was worked)".to_owned(),
                n => format!("When is each column known? ({n} only after the lead was worked)"),
            } }</summary>
            <p class="hint">{ "Tick the columns filled in only after sales worked a lead (a call's length, a status, tags, notes). \
                They would make a definition look better on past leads than it can be on new ones: they get no starting \
                points and are flagged wherever a criterion uses them." }</p>
            <ul class="known-after-columns">
                { for data.columns().iter().filter(|c| !roles.contains(&c.name.as_str())).map(|c| {
                    let name = c.name.clone();
                    let checked = mapping.known_after.contains(&name);
                    let why = proposed.iter().find(|(n, _)| *n == name).map(|(_, reason)| match reason {
                        AfterReason::Name => "its name says so".to_owned(),
                        AfterReason::Separates(auc) => format!(
                            "its values alone tell the outcome almost perfectly (AUC {})",
                            format::decimal(Some(*auc), 2)
                        ),
                    });
                    let onchange = {
                        let set_mapping = set_mapping.clone();
                        let mapping = mapping.clone();
                        let name = name.clone();
                        Callback::from(move |e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            let mut next = mapping.clone();
                            next.known_after.retain(|n| *n != name);
                            if input.checked() {
                                next.known_after.push(name.clone());
                            }
                            set_mapping(next);
                        })
                    };
                    html! {
                        <li>
                            <label class="check">
                                <input type="checkbox" {checked} {onchange} data-testid="known-after-column" data-column={name.clone()} />
                                { format!("{name}: known only after the lead was worked") }
                            </label>
                            if let Some(why) = why {
                                <span class="why">{ format!(" (proposed: {why})") }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
        </details>
    };

    let on_reading = {
        let workbench = workbench.clone();
        let pending = pending.clone();
        Callback::from(move |options: LoadOptions| {
            reread(&workbench, &pending, |s| s.options = options)
        })
    };
    let on_kind = {
        let workbench = workbench.clone();
        let pending = pending.clone();
        Callback::from(move |(column, kind): (String, Option<ColumnKind>)| {
            reread(&workbench, &pending, |s| match kind {
                Some(kind) => {
                    s.options.typing.kinds.insert(column, kind);
                }
                None => {
                    s.options.typing.kinds.remove(&column);
                }
            });
        })
    };
    let on_confirm = {
        let workbench = workbench.clone();
        let preparing = preparing.clone();
        let pending = pending.clone();
        Callback::from(move |_| {
            preparing.set(true);
            let workbench = workbench.clone();
            let pending = pending.clone();
            let preparing = preparing.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let starting = starting_unless_one_fits(&workbench, &pending).await;
                // The facts and groupings of the data as it will be, each
                // in a task of its own, before the confirm renders them.
                let next = Rc::new(workbench.state().clone()).reduce(Action::ConfirmMapping {
                    starting: starting.clone(),
                });
                if matches!(next.load, LoadStatus::Idle) && next.data.aggregated.is_none() {
                    prepare(
                        Rc::clone(&next.data.data),
                        next.mapping.clone(),
                        next.check,
                        next.definitions.scenarios.clone(),
                    )
                    .await;
                }
                workbench.dispatch(Action::ConfirmMapping { starting });
                preparing.set(false);
                // The step goes away: keep the keyboard's place on the
                // figures of the data just confirmed.
                gloo::timers::callback::Timeout::new(0, || {
                    if let Some(headline) = gloo::utils::document()
                        .get_element_by_id("headline")
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = headline.focus();
                    }
                })
                .forget();
            });
        })
    };
    let on_cancel = {
        let workbench = workbench.clone();
        Callback::from(move |_| workbench.cancel_load())
    };

    let typings = Rc::new(report.columns.clone());

    html! {
        <section class="mapping-step" aria-labelledby="mapping-title" data-testid="mapping-step">
            <h2 id="mapping-title">{ format!("Check how “{}” was read", pending.source.name) }</h2>
            <p class="mapping-facts" data-testid="mapping-facts">
                { format!("{} rows and {} columns; {}, {}-separated{}.",
                    format::count(report.rows), data.columns().len(), report.encoding, delimiter_name(report.delimiter),
                    if report.header_line > 1 { format!("; header on line {}", report.header_line) } else { String::new() }) }
            </p>
            { report_notes(report) }

            <ReadingSettings options={pending.source.options.clone()} report={Rc::clone(report)} on_change={on_reading} />
            <JoinStep />

            <fieldset class="roles">
                <legend>{ "Column roles" }</legend>
                <label class="role role-outcome">{ "Outcome (converted?) " }
                    <select onchange={on_outcome} data-testid="role-outcome" required=true>
                        <option value="" selected={mapping.outcome.is_none()}>{ "— choose —" }</option>
                        { for candidates.iter().map(|c| html! {
                            <option value={c.clone()} selected={mapping.outcome.as_deref() == Some(c.as_str())}>{ c }</option>
                        }) }
                    </select>
                </label>
                if mapping.outcome.is_some() {
                    <fieldset class="converted-values" data-testid="converted-values">
                        <legend>{ "Values that count as converted" }</legend>
                        { for values.iter().map(|value| {
                            let checked = mapping.converted_values.iter().any(|v| v == value);
                            let onchange = {
                                let set_mapping = set_mapping.clone();
                                let mapping = mapping.clone();
                                let value = value.clone();
                                Callback::from(move |e: Event| {
                                    let input: HtmlInputElement = e.target_unchecked_into();
                                    let mut next = mapping.clone();
                                    next.converted_values.retain(|v| *v != value);
                                    if input.checked() {
                                        next.converted_values.push(value.clone());
                                    }
                                    set_mapping(next);
                                })
                            };
                            html! { <label class="check"><input type="checkbox" {checked} {onchange} />{ value }</label> }
                        }) }
                        <p class="base-rate" data-testid="base-rate" data-value={converted_share.map(|s| s.to_string()).unwrap_or_default()}>
                            { format!("{} of leads converted with these values.", format::percent(converted_share)) }
                        </p>
                    </fieldset>
                } else {
                    <p class="report-note warning">{ "Choose the column that says whether a lead converted; the replay needs it." }</p>
                }
                { for ROLES.iter().map(|&(key, label, field, kinds)| {
                    let current = field(&mut mapping.clone()).clone();
                    let onchange = {
                        let set_mapping = set_mapping.clone();
                        let mapping = mapping.clone();
                        Callback::from(move |e: Event| {
                            let select: HtmlSelectElement = e.target_unchecked_into();
                            let mut next = mapping.clone();
                            *field(&mut next) = Some(select.value()).filter(|v| !v.is_empty());
                            set_mapping(next);
                        })
                    };
                    html! {
                        <label class="role">{ format!("{label} ") }
                            <select {onchange} data-testid={format!("role-{key}")}>
                                <option value="" selected={current.is_none()}>{ "— none —" }</option>
                                { for data.columns().iter().filter(|c| kinds.contains(&c.kind())).map(|c| html! {
                                    <option value={c.name.clone()} selected={current.as_deref() == Some(c.name.as_str())}>{ &c.name }</option>
                                }) }
                            </select>
                        </label>
                    }
                }) }
            </fieldset>

            { derive }
            { known_after }

            <details class="columns" open=true>
                <summary>{ "Columns and their types" }</summary>
                <DataSummary summaries={pending.summaries.clone()} rows={data.row_count()} typings={Some(typings)} on_kind={on_kind} />
            </details>

            <div class="mapping-actions">
                <button type="button" class="button primary" data-testid="mapping-confirm"
                    onclick={on_confirm} disabled={mapping.outcome.is_none() || one_sided.is_some() || *preparing}
                    aria-describedby={one_sided.as_ref().map(|_| "mapping-not-yet")}>
                    { if *preparing { "Preparing a starting point…" } else { "Use this data" } }
                </button>
                if let Some(why) = &one_sided {
                    <p class="report-note warning" id="mapping-not-yet" data-testid="mapping-not-yet">{ why }</p>
                }
                <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        </section>
    }
}
