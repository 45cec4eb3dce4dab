//! Editing one criterion: its label, group, proposer, rationale and rule.
//! The rule's operators depend on the column's type, and its values are
//! picked from the data (category values with their counts, the range of a
//! number column), so nobody has to guess how a value is spelt.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::state::{use_workbench, LoadedData};
use crate::core::criteria::{Criterion, Group, Proposer, Rule, RuleTest};
use crate::core::dataset::{Column, ColumnKind, ColumnValues, Dataset};
use crate::core::format;

/// The operators that suit a column of `kind`, most useful first.
pub fn operators_for(kind: ColumnKind) -> &'static [&'static str] {
    match kind {
        ColumnKind::Category => &["any_of", "none_of", "contains", "empty", "not_empty"],
        ColumnKind::Number => &["gte", "lte", "between", "per_unit", "empty", "not_empty"],
        ColumnKind::Boolean => &["is_true", "is_false", "empty", "not_empty"],
        ColumnKind::Date => &["within_days", "empty", "not_empty"],
        ColumnKind::Time => &["not_empty", "empty"],
        ColumnKind::Text => &["contains", "any_of", "none_of", "empty", "not_empty"],
    }
}

/// Plain words for an operator in a menu.
fn operator_label(op: &str) -> &'static str {
    match op {
        "any_of" => "is any of",
        "none_of" => "is none of",
        "contains" => "contains",
        "empty" => "is empty",
        "not_empty" => "is not empty",
        "gte" => "is at least",
        "lte" => "is at most",
        "between" => "is between",
        "per_unit" => "points per unit",
        "is_true" => "is yes",
        "is_false" => "is no",
        "within_days" => "is within the last … days",
        _ => "?",
    }
}

/// A sensible starting test for `op` on `column`: its most common value,
/// its median, 30 days.
pub fn default_test(op: &str, column: Option<&Column>) -> RuleTest {
    let (low, high) = column.and_then(number_range).unwrap_or((0.0, 10.0));
    let middle = ((low + high) / 2.0).round();
    let top = column
        .and_then(|c| value_counts(c).into_iter().next())
        .map(|(v, _)| vec![v])
        .unwrap_or_default();
    match op {
        "any_of" => RuleTest::AnyOf { values: top },
        "none_of" => RuleTest::NoneOf { values: top },
        "contains" => RuleTest::Contains {
            value: String::new(),
        },
        "empty" => RuleTest::Empty,
        "not_empty" => RuleTest::NotEmpty,
        "gte" => RuleTest::Gte { value: middle },
        "lte" => RuleTest::Lte { value: middle },
        "between" => RuleTest::Between {
            min: low,
            max: middle.max(low),
        },
        "per_unit" => RuleTest::PerUnit {
            points_per_unit: 1,
            max_points: 10,
        },
        "is_true" => RuleTest::IsTrue,
        "is_false" => RuleTest::IsFalse,
        _ => RuleTest::WithinDays { days: 30 },
    }
}

/// Smallest and largest value of a number column.
fn number_range(column: &Column) -> Option<(f64, f64)> {
    match &column.values {
        ColumnValues::Number(v) => {
            let (lo, hi) = v
                .iter()
                .filter(|x| !x.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                });
            (lo <= hi).then_some((lo, hi))
        }
        _ => None,
    }
}

/// The values of a category column with their counts, most common first
/// (at most 200).
fn value_counts(column: &Column) -> Vec<(String, usize)> {
    match &column.values {
        ColumnValues::Category(c) => {
            let mut counts = vec![0usize; c.labels().len()];
            for &code in c.codes() {
                if let Some(n) = counts.get_mut(code as usize) {
                    *n += 1;
                }
            }
            let mut pairs: Vec<(String, usize)> = c.labels().iter().cloned().zip(counts).collect();
            pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            pairs.truncate(200);
            pairs
        }
        _ => Vec::new(),
    }
}

/// The data rules are written on: the leads, or a pattern table's sample;
/// `None` for a pattern table without one, whose own columns count leads.
fn data_for_rules(data: &LoadedData) -> Option<Rc<Dataset>> {
    match &data.aggregated {
        Some(aggregated) => aggregated.sample.as_ref().map(|s| Rc::clone(&s.data)),
        None => Some(Rc::clone(&data.data)),
    }
}

/// What the editor shows of a rule's column.
struct Described {
    range: Option<(f64, f64)>,
    counts: Vec<(String, usize)>,
}

#[derive(Properties, PartialEq)]
pub struct RuleEditorProps {
    pub criterion: Criterion,
    /// The loaded data, compared by version (never row by row).
    pub data: LoadedData,
    pub on_change: Callback<Criterion>,
    pub on_close: Callback<()>,
}

fn select_value(e: &Event) -> String {
    let select: HtmlSelectElement = e.target_unchecked_into();
    select.value()
}

fn input_value(e: &Event) -> String {
    let input: HtmlInputElement = e.target_unchecked_into();
    input.value()
}

#[component]
pub fn RuleEditor(props: &RuleEditorProps) -> Html {
    let outcome = use_workbench().state().mapping.outcome.clone();
    let c = &props.criterion;
    let rule_data = data_for_rules(&props.data);
    let rule_columns: &[Column] = rule_data.as_deref().map_or(&[], Dataset::columns);
    let column = rule_columns.iter().find(|col| col.name == c.rule.column);
    let kind = column.map(Column::kind);
    // The column's range and values, read once per data set and column
    // rather than on every keystroke (a million values take milliseconds).
    let described = use_memo(
        (props.data.clone(), c.rule.column.clone()),
        |(data, name)| {
            let data = data_for_rules(data);
            let column = data.as_deref().and_then(|d| d.column(name));
            Described {
                range: column.and_then(number_range),
                counts: column.map(value_counts).unwrap_or_default(),
            }
        },
    );
    // Emits the criterion changed by `change`.
    let edit = |change: fn(&mut Criterion, String)| {
        let on_change = props.on_change.clone();
        let criterion = c.clone();
        move |value: String| {
            let mut next = criterion.clone();
            change(&mut next, value);
            on_change.emit(next);
        }
    };

    let on_label = {
        let edit = edit(|c, v| c.label = v);
        Callback::from(move |e: InputEvent| edit(input_value(&e)))
    };
    let on_group = {
        let edit = edit(|c, v| {
            c.group = if v == "fit" {
                Group::Fit
            } else {
                Group::Engagement
            }
        });
        Callback::from(move |e: Event| edit(select_value(&e)))
    };
    let on_proposer = {
        let edit = edit(|c, v| {
            c.proposed_by = match v.as_str() {
                "marketing" => Proposer::Marketing,
                "sales" => Proposer::Sales,
                _ => Proposer::Both,
            }
        });
        Callback::from(move |e: Event| edit(select_value(&e)))
    };
    let on_rationale = {
        let edit = edit(|c, v| c.rationale = v);
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            edit(area.value())
        })
    };
    let on_column = {
        let on_change = props.on_change.clone();
        let criterion = c.clone();
        let data = rule_data.clone();
        Callback::from(move |e: Event| {
            let name = select_value(&e);
            let column = data.as_deref().and_then(|d| d.column(&name));
            let op = column.map_or("not_empty", |c| operators_for(c.kind())[0]);
            let mut next = criterion.clone();
            next.rule = Rule {
                column: name,
                test: default_test(op, column),
            };
            on_change.emit(next);
        })
    };
    let on_op = {
        let on_change = props.on_change.clone();
        let criterion = c.clone();
        let data = rule_data.clone();
        Callback::from(move |e: Event| {
            let op = select_value(&e);
            let mut next = criterion.clone();
            let column = data
                .as_deref()
                .and_then(|d| d.column(&criterion.rule.column));
            next.rule.test = default_test(&op, column);
            on_change.emit(next);
        })
    };
    let set_test = {
        let on_change = props.on_change.clone();
        let criterion = c.clone();
        move |test: RuleTest| {
            let mut next = criterion.clone();
            next.rule.test = test;
            on_change.emit(next);
        }
    };
    let number_input = |label: &str, value: f64, make: fn(f64, &RuleTest) -> RuleTest| {
        let set_test = set_test.clone();
        let test = c.rule.test.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(x) = input.value().trim().replace(',', ".").parse::<f64>() {
                if x.is_finite() {
                    set_test(make(x, &test));
                }
            }
        });
        html! {
            <label>{ format!("{label} ") }
                <input type="number" step="any" value={format::decimal(Some(value), 6)} {oninput}
                    data-testid="rule-number" />
            </label>
        }
    };

    let values_editor = match &c.rule.test {
        RuleTest::AnyOf { values } | RuleTest::NoneOf { values } => {
            let counts = &described.counts;
            if counts.is_empty() {
                // Free text or numbers: values typed, comma-separated.
                let set_test = set_test.clone();
                let any = matches!(c.rule.test, RuleTest::AnyOf { .. });
                let onchange = Callback::from(move |e: Event| {
                    let values: Vec<String> = input_value(&e)
                        .split(',')
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                        .collect();
                    set_test(if any {
                        RuleTest::AnyOf { values }
                    } else {
                        RuleTest::NoneOf { values }
                    });
                });
                html! {
                    <label>{ "Values, separated by commas " }
                        <input type="text" value={values.join(", ")} {onchange} data-testid="rule-values-text" />
                    </label>
                }
            } else {
                html! {
                    <fieldset class="value-picker" data-testid="rule-values">
                        <legend>{ "Values" }</legend>
                        { for counts.iter().map(|(value, count)| {
                            let checked = values.iter().any(|v| v == value);
                            let onchange = {
                                let set_test = set_test.clone();
                                let test = c.rule.test.clone();
                                let value = value.clone();
                                Callback::from(move |e: Event| {
                                    let input: HtmlInputElement = e.target_unchecked_into();
                                    let (any, mut values) = match &test {
                                        RuleTest::AnyOf { values } => (true, values.clone()),
                                        RuleTest::NoneOf { values } => (false, values.clone()),
                                        _ => return,
                                    };
                                    values.retain(|v| *v != value);
                                    if input.checked() {
                                        values.push(value.clone());
                                    }
                                    set_test(if any { RuleTest::AnyOf { values } } else { RuleTest::NoneOf { values } });
                                })
                            };
                            html! {
                                <label class="check">
                                    <input type="checkbox" {checked} {onchange} />
                                    { format!("{value} ({})", format::count(*count)) }
                                </label>
                            }
                        }) }
                    </fieldset>
                }
            }
        }
        RuleTest::Gte { value } => {
            number_input("at least", *value, |x, _| RuleTest::Gte { value: x })
        }
        RuleTest::Lte { value } => {
            number_input("at most", *value, |x, _| RuleTest::Lte { value: x })
        }
        RuleTest::Between { min, max } => html! {
            <>
                { number_input("from", *min, |x, t| match t {
                    RuleTest::Between { max, .. } => RuleTest::Between { min: x, max: max.max(x) },
                    _ => RuleTest::Between { min: x, max: x },
                }) }
                { number_input("to", *max, |x, t| match t {
                    RuleTest::Between { min, .. } => RuleTest::Between { min: min.min(x), max: x },
                    _ => RuleTest::Between { min: x, max: x },
                }) }
            </>
        },
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => html! {
            <>
                { number_input("points per unit", f64::from(*points_per_unit), |x, t| match t {
                    RuleTest::PerUnit { max_points, .. } => RuleTest::PerUnit { points_per_unit: x.round() as i32, max_points: *max_points },
                    _ => t.clone(),
                }) }
                { number_input("at most", f64::from(*max_points), |x, t| match t {
                    RuleTest::PerUnit { points_per_unit, .. } => RuleTest::PerUnit { points_per_unit: *points_per_unit, max_points: x.round() as i32 },
                    _ => t.clone(),
                }) }
            </>
        },
        RuleTest::WithinDays { days } => {
            number_input("days", f64::from(*days), |x, _| RuleTest::WithinDays {
                days: x.max(0.0).min(f64::from(u32::MAX)) as u32,
            })
        }
        RuleTest::Contains { value } => {
            let set_test = set_test.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                set_test(RuleTest::Contains {
                    value: input.value(),
                });
            });
            html! {
                <label>{ "text " }<input type="text" value={value.clone()} {oninput} data-testid="rule-text" /></label>
            }
        }
        RuleTest::IsTrue | RuleTest::IsFalse | RuleTest::Empty | RuleTest::NotEmpty => {
            Html::default()
        }
    };
    let range_hint = described.range.map(|(lo, hi)| {
        format!(
            "values run from {} to {}",
            format::decimal(Some(lo), 2),
            format::decimal(Some(hi), 2)
        )
    });
    let ops: Vec<&str> = match kind {
        Some(kind) => operators_for(kind).to_vec(),
        None => vec![c.rule.test.op_name()],
    };
    let on_close = props.on_close.reform(|_: MouseEvent| ());

    html! {
        <div class="rule-editor" data-testid="rule-editor">
            <label>{ "Label " }<input type="text" value={c.label.clone()} oninput={on_label} data-testid="criterion-label" /></label>
            <label>{ "Group " }
                <select onchange={on_group}>
                    <option value="fit" selected={c.group == Group::Fit}>{ "Fit" }</option>
                    <option value="engagement" selected={c.group == Group::Engagement}>{ "Engagement" }</option>
                </select>
            </label>
            <label>{ "Proposed by " }
                <select onchange={on_proposer}>
                    <option value="marketing" selected={c.proposed_by == Proposer::Marketing}>{ "Marketing" }</option>
                    <option value="sales" selected={c.proposed_by == Proposer::Sales}>{ "Sales" }</option>
                    <option value="both" selected={c.proposed_by == Proposer::Both}>{ "Both" }</option>
                </select>
            </label>
            <div class="rule-line">
                <label>{ "Column " }
                    <select onchange={on_column} data-testid="rule-column">
                        if column.is_none() {
                            <option value={c.rule.column.clone()} selected=true>{ format!("{} (not in the data)", c.rule.column) }</option>
                        } else if outcome.as_deref() == Some(c.rule.column.as_str()) {
                            <option value={c.rule.column.clone()} selected=true>{ format!("{} (the outcome: choose another column)", c.rule.column) }</option>
                        }
                        // The outcome is what the criteria predict, never one of them.
                        { for rule_columns.iter().filter(|col| Some(col.name.as_str()) != outcome.as_deref()).map(|col| html! {
                            <option value={col.name.clone()} selected={col.name == c.rule.column}>{ &col.name }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Test " }
                    <select onchange={on_op} data-testid="rule-op">
                        { for ops.iter().map(|op| html! {
                            <option value={*op} selected={*op == c.rule.test.op_name()}>{ operator_label(op) }</option>
                        }) }
                    </select>
                </label>
            </div>
            { values_editor }
            if let Some(hint) = range_hint {
                <p class="hint">{ hint }</p>
            }
            <label class="rationale-field">{ "Why (rationale) " }
                <textarea rows="2" value={c.rationale.clone()} oninput={on_rationale} />
            </label>
            <button type="button" class="button" onclick={on_close}>{ "Done" }</button>
        </div>
    }
}
