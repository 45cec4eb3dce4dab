//! The column table: each column's type (with a menu to change it),
//! missing share, distinct values and most common values or range.

use std::collections::BTreeMap;
use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::core::dataset::ColumnKind;
use crate::core::format;
use crate::core::ingest::infer::{ColumnTyping, DayOrderEvidence};
use crate::core::ingest::values::{DayOrder, DecimalStyle};
use crate::core::summary::ColumnSummary;

#[derive(Properties, PartialEq)]
pub struct DataSummaryProps {
    pub summaries: Rc<Vec<ColumnSummary>>,
    pub rows: usize,
    /// How each column was typed, by name (absent for the built-in sample).
    #[prop_or_default]
    pub typings: Option<Rc<Vec<ColumnTyping>>>,
    /// Called with a column and its new type (`None`: detect again).
    #[prop_or_default]
    pub on_kind: Option<Callback<(String, Option<ColumnKind>)>>,
}

fn typing_note(typing: &ColumnTyping) -> Option<String> {
    let mut notes = Vec::new();
    if typing.decimal == Some(DecimalStyle::Comma) {
        notes.push("decimal comma".to_owned());
    }
    if let Some((order, evidence)) = typing.day_order {
        let order = match order {
            DayOrder::MonthFirst => "month/day",
            DayOrder::DayFirst => "day/month",
        };
        match evidence {
            DayOrderEvidence::Iso => {}
            DayOrderEvidence::Certain => notes.push(format!("dates read {order}")),
            DayOrderEvidence::Ambiguous => notes.push(format!("ambiguous dates, read {order}")),
            DayOrderEvidence::Chosen => notes.push(format!("dates read {order} (your choice)")),
        }
    }
    if typing.unreadable > 0 {
        notes.push(format!(
            "{} unreadable, treated as missing",
            format::count(typing.unreadable)
        ));
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

#[component]
pub fn DataSummary(props: &DataSummaryProps) -> Html {
    let typings: BTreeMap<&str, &ColumnTyping> = props
        .typings
        .iter()
        .flat_map(|t| t.iter())
        .map(|t| (t.name.as_str(), t))
        .collect();
    html! {
        <table class="data-summary" data-testid="data-summary">
            <caption>{ format!("{} columns, {} rows", props.summaries.len(), format::count(props.rows)) }</caption>
            <thead><tr>
                <th scope="col">{ "Column" }</th>
                <th scope="col">{ "Type" }</th>
                <th scope="col">{ "Missing" }</th>
                <th scope="col">{ "Distinct" }</th>
                <th scope="col">{ "Most common, or range" }</th>
            </tr></thead>
            <tbody>
                { for props.summaries.iter().map(|s| {
                    let typing = typings.get(s.name.as_str()).copied();
                    let share = (props.rows > 0).then(|| s.missing as f64 / props.rows as f64);
                    let values = match &s.range {
                        Some((lo, hi)) => format!("{lo} to {hi}"),
                        None => s.top.iter().map(|(v, n)| format!("{v} ({})", format::count(*n))).collect::<Vec<_>>().join(", "),
                    };
                    let kind_cell = match &props.on_kind {
                        Some(on_kind) => {
                            let name = s.name.clone();
                            let on_kind = on_kind.clone();
                            let overridden = typing.is_some_and(|t| t.overridden);
                            let onchange = Callback::from(move |e: Event| {
                                let select: HtmlSelectElement = e.target_unchecked_into();
                                let kind = ColumnKind::ALL.into_iter().find(|k| k.label() == select.value());
                                on_kind.emit((name.clone(), kind));
                            });
                            html! {
                                <select {onchange} aria-label={format!("Type of column {}", s.name)}
                                    data-testid="column-kind">
                                    <option value="auto" selected={!overridden}>{ format!("{} (detected)", s.kind.label()) }</option>
                                    { for ColumnKind::ALL.iter().map(|k| html! {
                                        <option value={k.label()} selected={overridden && *k == s.kind}>{ k.label() }</option>
                                    }) }
                                </select>
                            }
                        }
                        None => html! { { s.kind.label() } },
                    };
                    html! {
                        <tr data-column={s.name.clone()}>
                            <th scope="row">{ &s.name }</th>
                            <td>
                                { kind_cell }
                                if let Some(note) = typing.and_then(typing_note) {
                                    <div class="typing-note">{ note }</div>
                                }
                            </td>
                            <td>{ format::percent(share) }</td>
                            <td>{ s.distinct_text() }</td>
                            <td class="summary-values">{ values }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}
