//! Outcomes from another file, in the mapping step: the second file is
//! read with the same settings the first one offers, its key columns and
//! outcome rule proposed, what matches counted before anything is used,
//! and the join made on "Join these outcomes".

use std::rc::Rc;

use web_sys::{File, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::data_summary::DataSummary;
use super::loading::{start_join_load, JoinReading};
use super::reading_settings::ReadingSettings;
use super::state::{use_workbench, DataSource, Identity, JoinFile, LoadStatus, PendingLoad};
use crate::core::dataset::{ColumnKind, Dataset};
use crate::core::format;
use crate::core::ingest::roles::{outcome_candidates, outcome_values};
use crate::core::ingest::LoadOptions;
use crate::core::join::{join_summary, propose, propose_with_keys, JoinOutcome, JoinSpec};
use crate::core::mapping::DEFAULT_CONVERTED_VALUES;

/// Most values offered as the outcome's "one of" choices.
const OUTCOME_VALUES: usize = 40;

fn identity<T>(rc: &Rc<T>) -> Identity<T> {
    Identity::of(rc)
}

/// Columns that can hold a key.
fn key_columns(data: &Dataset) -> Vec<String> {
    data.columns()
        .iter()
        .filter(|c| {
            matches!(
                c.kind(),
                ColumnKind::Category | ColumnKind::Text | ColumnKind::Number
            )
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The join the step starts from: the one in use, else the proposed one,
/// else the first key columns of each file.
fn starting_spec(pending: &PendingLoad, file: &JoinFile) -> JoinSpec {
    if let Some(spec) = &pending.mapping.join {
        return spec.clone();
    }
    let leads = pending.file();
    propose(leads, &file.data, &file.source.name, &file.suggested).unwrap_or_else(|| {
        let first = |data: &Dataset| key_columns(data).into_iter().next().unwrap_or_default();
        propose_with_keys(
            &file.data,
            &file.source.name,
            &file.suggested,
            first(leads),
            first(&file.data),
        )
    })
}

/// A select of `names` (with "— none —" first where `optional`).
fn column_select(
    testid: &'static str,
    names: &[String],
    current: Option<&str>,
    optional: bool,
    onchange: Callback<Option<String>>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        onchange.emit(Some(select.value()).filter(|v| !v.is_empty()));
    });
    html! {
        <select {onchange} data-testid={testid}>
            if optional {
                <option value="" selected={current.is_none()}>{ "— none —" }</option>
            }
            { for names.iter().map(|n| html! {
                <option value={n.clone()} selected={current == Some(n.as_str())}>{ n }</option>
            }) }
        </select>
    }
}

#[component]
pub fn JoinStep() -> Html {
    let workbench = use_workbench();
    let pending = match &workbench.state().load {
        LoadStatus::Mapping(pending) => Some(pending.clone()),
        _ => None,
    };
    let reading = use_state(|| None::<JoinReading>);
    // The join being put together, for the second file it was made for.
    let draft = use_state(|| None::<(Identity<JoinFile>, JoinSpec)>);
    let file = pending.as_ref().and_then(|p| p.join_file.clone());
    let file_id = file.as_ref().map(identity);
    let leads_id = pending.as_ref().map(|p| identity(p.file()));
    let starting = use_memo((file_id.clone(), leads_id.clone()), {
        let pending = pending.clone();
        let file = file.clone();
        move |_| match (&pending, &file) {
            (Some(p), Some(f)) => Some(starting_spec(p, f)),
            _ => None,
        }
    });
    let spec = match (&*draft, &file_id, &*starting) {
        (Some((id, spec)), Some(current), _) if id == current => Some(spec.clone()),
        (_, _, starting) => starting.clone(),
    };
    let preview = use_memo((file_id, leads_id, spec.clone()), {
        let pending = pending.clone();
        let file = file.clone();
        let spec = spec.clone();
        move |_| match (&pending, &file, &spec) {
            (Some(p), Some(f), Some(spec)) => {
                Some(join_summary(p.file(), &f.data, spec).map_err(|e| e.to_string()))
            }
            _ => None,
        }
    });
    let Some(pending) = pending else {
        return Html::default();
    };

    let on_file = {
        let workbench = workbench.clone();
        let reading = reading.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let file: File = file;
            let source = DataSource {
                name: file.name(),
                blob: file.into(),
                options: LoadOptions::default(),
            };
            let reading = reading.clone();
            start_join_load(
                workbench.clone(),
                source,
                Callback::from(move |status| reading.set(Some(status))),
            );
        })
    };
    let input = html! {
        <label class="button">
            { if file.is_some() { "Use another outcomes file…" } else { "Add outcomes from another file…" } }
            <input type="file" class="visually-hidden" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
                data-testid="join-input" onchange={on_file} />
        </label>
    };
    let status = match &*reading {
        Some(JoinReading::Reading { name, done, total }) => html! {
            <p class="join-reading" role="status">
                { format!("Reading “{name}”… {}", format::whole_percent(Some(*done as f64 / (*total).max(1) as f64))) }
            </p>
        },
        Some(JoinReading::Failed(why)) => html! {
            <p class="report-note warning" role="alert" data-testid="join-error">{ why }</p>
        },
        _ => Html::default(),
    };

    let Some((file, spec)) = file.zip(spec) else {
        let intro = match &pending.mapping.join {
            Some(spec) => format!(
                "This definition takes its outcomes from “{}”, joined on {} = {}: add that file to use them.",
                spec.file, spec.lead_key, spec.row_key
            ),
            None if outcome_candidates(pending.file()).is_empty() => {
                "No column of this file says whether a lead converted. If the outcomes are in \
                 another export (closed deals, opportunities, a list of won accounts), add it \
                 here: its rows are matched to these leads on a key column."
                    .to_owned()
            }
            None => "Outcomes in another export (closed deals, opportunities, won accounts)? \
                     Add it to match its rows to these leads on a key column."
                .to_owned(),
        };
        let on_forget = {
            let workbench = workbench.clone();
            Callback::from(move |_| workbench.drop_join())
        };
        return html! {
            <fieldset class="join" data-testid="join-step">
                <legend>{ "Outcomes from another file" }</legend>
                <p class="hint">{ intro }</p>
                <div class="join-actions">
                    { input }
                    if pending.mapping.join.is_some() {
                        <button type="button" class="button" data-testid="join-remove" onclick={on_forget}>
                            { "Don't join" }</button>
                    }
                </div>
                { status }
            </fieldset>
        };
    };

    let id = identity(&file);
    let set_spec = {
        let draft = draft.clone();
        move |next: JoinSpec| draft.set(Some((id.clone(), next)))
    };
    let leads = pending.file();
    let rows = &file.data;
    let lead_keys = key_columns(leads);
    let row_keys = key_columns(rows);
    let row_names: Vec<String> = rows.columns().iter().map(|c| c.name.clone()).collect();
    let of_kind = |kinds: &[ColumnKind]| -> Vec<String> {
        rows.columns()
            .iter()
            .filter(|c| kinds.contains(&c.kind()) && c.name != spec.row_key)
            .map(|c| c.name.clone())
            .collect()
    };
    // A new key pair proposes its outcome and columns afresh.
    let rekey = |lead_side: bool| {
        let set_spec = set_spec.clone();
        let spec = spec.clone();
        let file = Rc::clone(&file);
        Callback::from(move |name: Option<String>| {
            let name = name.unwrap_or_default();
            let (lead_key, row_key) = if lead_side {
                (name, spec.row_key.clone())
            } else {
                (spec.lead_key.clone(), name)
            };
            set_spec(propose_with_keys(
                &file.data,
                &file.source.name,
                &file.suggested,
                lead_key,
                row_key,
            ));
        })
    };
    let role = |field: fn(&mut JoinSpec) -> &mut Option<String>| {
        let set_spec = set_spec.clone();
        let spec = spec.clone();
        Callback::from(move |name: Option<String>| {
            let mut next = spec.clone();
            *field(&mut next) = name;
            set_spec(next);
        })
    };
    let on_rule = {
        let set_spec = set_spec.clone();
        let spec = spec.clone();
        let file = Rc::clone(&file);
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            let mut next = spec.clone();
            next.outcome = match value.split_once(':') {
                Some(("one_of", column)) => {
                    // Starts from the values that read as won.
                    let values = outcome_values(&file.data, column)
                        .into_iter()
                        .filter(|v| {
                            DEFAULT_CONVERTED_VALUES
                                .iter()
                                .any(|d| d.eq_ignore_ascii_case(v.trim()))
                        })
                        .collect();
                    JoinOutcome::OneOf {
                        column: column.to_owned(),
                        values,
                    }
                }
                Some(("present", column)) => JoinOutcome::Present {
                    column: column.to_owned(),
                },
                _ => JoinOutcome::Matched,
            };
            set_spec(next);
        })
    };
    let rule_value = match &spec.outcome {
        JoinOutcome::Matched => "matched".to_owned(),
        JoinOutcome::OneOf { column, .. } => format!("one_of:{column}"),
        JoinOutcome::Present { column } => format!("present:{column}"),
    };
    let rule_columns: Vec<&String> = row_names.iter().filter(|n| **n != spec.row_key).collect();
    let outcome_values = match &spec.outcome {
        JoinOutcome::OneOf { column, values } => {
            let mut offered = outcome_values(rows, column);
            offered.truncate(OUTCOME_VALUES);
            html! {
                <fieldset class="converted-values" data-testid="join-outcome-values">
                    <legend>{ format!("Values of {column} that count as converted") }</legend>
                    { for offered.iter().map(|value| {
                        let checked = values.iter().any(|v| v == value);
                        let onchange = {
                            let set_spec = set_spec.clone();
                            let spec = spec.clone();
                            let value = value.clone();
                            Callback::from(move |e: Event| {
                                let input: HtmlInputElement = e.target_unchecked_into();
                                let mut next = spec.clone();
                                if let JoinOutcome::OneOf { values, .. } = &mut next.outcome {
                                    values.retain(|v| *v != value);
                                    if input.checked() {
                                        values.push(value.clone());
                                    }
                                }
                                set_spec(next);
                            })
                        };
                        html! { <label class="check"><input type="checkbox" {checked} {onchange} />{ value }</label> }
                    }) }
                </fieldset>
            }
        }
        _ => Html::default(),
    };

    let summary = match &*preview {
        Some(Ok(summary)) => html! {
            <div class="join-summary" data-testid="join-summary" role="status"
                data-matched={summary.leads_matched.to_string()}
                data-unmatched={summary.rows_unmatched.to_string()}
                data-converted={summary.leads_converted.to_string()}>
                { for summary.describe(&spec).into_iter().map(|line| html! { <p>{ line }</p> }) }
            </div>
        },
        Some(Err(why)) => html! {
            <p class="report-note warning" data-testid="join-summary" role="status">
                { format!("These columns cannot be joined: {why}.") }</p>
        },
        None => Html::default(),
    };
    let in_use =
        pending.mapping.join.as_ref() == Some(&spec) && matches!(pending.joined, Some(Ok(_)));
    let applied = match &pending.joined {
        Some(Ok(columns)) => html! {
            <p class="hint" data-testid="join-applied">{ format!(
                "Joined: the outcome is “{}”; {} columns of “{}” were added, marked as known only after the lead was worked.",
                columns.outcome,
                format::count(columns.added.len().saturating_sub(1)),
                file.source.name
            ) }</p>
        },
        Some(Err(why)) => html! { <p class="report-note warning">{ why }</p> },
        None => Html::default(),
    };
    let on_confirm = {
        let workbench = workbench.clone();
        let spec = spec.clone();
        Callback::from(move |_| workbench.apply_join(spec.clone()))
    };
    let on_remove = {
        let workbench = workbench.clone();
        let draft = draft.clone();
        let reading = reading.clone();
        Callback::from(move |_| {
            draft.set(None);
            reading.set(None);
            workbench.drop_join()
        })
    };
    let on_reading = {
        let workbench = workbench.clone();
        let reading = reading.clone();
        let source = file.source.clone();
        Callback::from(move |options: LoadOptions| {
            let reading = reading.clone();
            start_join_load(
                workbench.clone(),
                DataSource {
                    options,
                    ..source.clone()
                },
                Callback::from(move |status| reading.set(Some(status))),
            );
        })
    };
    let on_kind = {
        let on_reading = on_reading.clone();
        let options = file.source.options.clone();
        Callback::from(move |(column, kind): (String, Option<ColumnKind>)| {
            let mut next = options.clone();
            match kind {
                Some(kind) => next.typing.kinds.insert(column, kind),
                None => next.typing.kinds.remove(&column),
            };
            on_reading.emit(next);
        })
    };
    let can_join = matches!(&*preview, Some(Ok(s)) if s.leads_matched > 0);

    html! {
        <fieldset class="join" data-testid="join-step">
            <legend>{ format!("Outcomes from “{}”", file.source.name) }</legend>
            <p class="mapping-facts">{ format!("{} rows and {} columns.",
                format::count(file.report.rows), rows.columns().len()) }</p>
            <ReadingSettings options={file.source.options.clone()} report={Rc::clone(&file.report)}
                on_change={on_reading} prefix="join-" />
            <details class="columns" data-testid="join-columns">
                <summary>{ format!("Columns of “{}” and their types", file.source.name) }</summary>
                <DataSummary summaries={Rc::clone(&file.summaries)} rows={rows.row_count()}
                    typings={Some(Rc::new(file.report.columns.clone()))} on_kind={on_kind} />
            </details>
            <div class="join-keys">
                <label>{ "Lead column " }
                    { column_select("join-key-left", &lead_keys, Some(&spec.lead_key), false, rekey(true)) }
                </label>
                <label>{ format!("matches “{}” column ", file.source.name) }
                    { column_select("join-key-right", &row_keys, Some(&spec.row_key), false, rekey(false)) }
                </label>
            </div>
            <label>{ "A lead converted when " }
                <select onchange={on_rule} data-testid="join-outcome">
                    <option value="matched" selected={rule_value == "matched"}>{ "a row matches it" }</option>
                    { for rule_columns.iter().map(|c| {
                        let one_of = format!("one_of:{c}");
                        let present = format!("present:{c}");
                        html! { <>
                            <option value={one_of.clone()} selected={rule_value == one_of}>{ format!("a matching row's {c} is one of…") }</option>
                            <option value={present.clone()} selected={rule_value == present}>{ format!("a matching row has a {c}") }</option>
                        </> }
                    }) }
                </select>
            </label>
            { outcome_values }
            <div class="join-roles">
                <label>{ "Deal value " }
                    { column_select("join-deal-value", &of_kind(&[ColumnKind::Number]), spec.deal_value.as_deref(), true, role(|s| &mut s.deal_value)) }
                </label>
                <label>{ "Close date " }
                    { column_select("join-close-date", &of_kind(&[ColumnKind::Date]), spec.close_date.as_deref(), true, role(|s| &mut s.close_date)) }
                </label>
                <label>{ "Owner " }
                    { column_select("join-owner", &of_kind(&[ColumnKind::Category, ColumnKind::Text]), spec.owner.as_deref(), true, role(|s| &mut s.owner)) }
                </label>
            </div>
            { summary }
            { applied }
            <div class="join-actions">
                <button type="button" class="button primary" data-testid="join-confirm"
                    onclick={on_confirm} disabled={in_use || !can_join}>
                    { if pending.mapping.join.is_some() { "Update the join" } else { "Join these outcomes" } }
                </button>
                { input }
                <button type="button" class="button" data-testid="join-remove" onclick={on_remove}>
                    { "Remove this file" }</button>
            </div>
            { status }
        </fieldset>
    }
}
