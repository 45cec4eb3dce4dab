//! Every lead with its score and the rules that made it, so sales sees why
//! a lead is sales-ready. Filters, a search by lead id, and two ready-made
//! lists: sales-ready leads nobody followed up, and converted leads the
//! definition misses. Only the rows in view are rendered, so a million
//! leads scroll as smoothly as a hundred.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::{LoadedData, Shared};
use crate::core::criteria::Scenario;
use crate::core::dataset::ColumnValues;
use crate::core::engine::{fired, Grouping, LeadFacts, Replay};
use crate::core::followup::FollowUpFacts;
use crate::core::format;
use crate::core::mapping::ColumnMapping;
use crate::core::ranking::{KeptLeads, RankedLeads};

/// Row height in pixels; the stylesheet fixes rows to it.
const ROW_HEIGHT: f64 = 36.0;
/// Rows rendered beyond the visible ones, above and below.
const OVERSCAN: usize = 8;
/// Rows in view at the table's height.
const VISIBLE_ROWS: usize = 14;

/// Which leads the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadList {
    All,
    SalesReady,
    Rest,
    Converted,
    /// Sales-ready, but never followed up: the definition's promise unkept.
    ReadyNotFollowedUp,
    /// Converted, but below the threshold: what the definition misses.
    ConvertedMissed,
}

impl LeadList {
    const ALL: [LeadList; 6] = [
        LeadList::All,
        LeadList::SalesReady,
        LeadList::Rest,
        LeadList::Converted,
        LeadList::ReadyNotFollowedUp,
        LeadList::ConvertedMissed,
    ];

    fn key(self) -> &'static str {
        match self {
            LeadList::All => "all",
            LeadList::SalesReady => "ready",
            LeadList::Rest => "rest",
            LeadList::Converted => "converted",
            LeadList::ReadyNotFollowedUp => "ready-not-followed",
            LeadList::ConvertedMissed => "converted-missed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            LeadList::All => "All leads",
            LeadList::SalesReady => "Sales-ready",
            LeadList::Rest => "Not sales-ready",
            LeadList::Converted => "Converted",
            LeadList::ReadyNotFollowedUp => "Sales-ready, never followed up",
            LeadList::ConvertedMissed => "Converted, but not sales-ready",
        }
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct LeadTableProps {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub scenario: Scenario,
    pub grouping: Shared<Grouping>,
    pub replay: Shared<Replay>,
    pub facts: Shared<LeadFacts>,
}

/// A mapped column's value as text, for one lead.
pub fn cell(data: &LoadedData, column: Option<&str>, row: usize) -> Option<String> {
    let column = data.data.column(column?)?;
    column.text(row).map(|t| match &column.values {
        ColumnValues::Boolean(_) => if t == "true" { "yes" } else { "no" }.to_owned(),
        _ => t.into_owned(),
    })
}

/// Per lead, whether it was followed up, as the follow-up figures count it
/// (from the followed-up column, else from a response time or a first
/// touch), read column-wise rather than cell by cell as text.
fn followed_up(data: &LoadedData, mapping: &ColumnMapping) -> Option<Vec<Option<bool>>> {
    FollowUpFacts::new(&data.data, mapping).followed_up
}

/// Runs `then` once the next frame has been painted.
fn after_paint(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return then();
    };
    let next_task = wasm_bindgen::closure::Closure::once_into_js(move || {
        gloo::timers::callback::Timeout::new(0, then).forget();
    });
    if window
        .request_animation_frame(next_task.unchecked_ref())
        .is_err()
    {
        // Without frames (a hidden page), a task later will do.
        let _ = window.set_timeout_with_callback(next_task.unchecked_ref());
    }
}

/// The lead table follows the figures a frame later: an edit paints the
/// key figures first, and the table's lists are worked out again in a
/// task of their own (at a million leads they take tens of milliseconds).
#[component]
pub fn LeadTable(props: &LeadTableProps) -> Html {
    let shown = use_state_eq(|| props.clone());
    let latest = use_mut_ref(|| 0u64);
    {
        let shown = shown.clone();
        use_effect_with(props.clone(), move |props| {
            *latest.borrow_mut() += 1;
            let generation = *latest.borrow();
            let props = props.clone();
            after_paint(move || {
                if *latest.borrow() == generation {
                    shown.set(props);
                }
            });
        });
    }
    let updating = *shown != *props;
    html! { <LeadTableNow table={(*shown).clone()} {updating} /> }
}

#[derive(Properties, PartialEq)]
struct LeadTableNowProps {
    table: LeadTableProps,
    /// The figures show newer data or rules than the table yet.
    updating: bool,
}

#[component]
fn LeadTableNow(now: &LeadTableNowProps) -> Html {
    let props = &now.table;
    let list = use_state(|| LeadList::SalesReady);
    let ascending = use_state(|| false);
    let search = use_state(String::new);
    let first_row = use_state(|| 0usize);
    let scroller = use_node_ref();

    let followed = use_memo(
        (props.data.clone(), props.mapping.followed_up.clone()),
        |_| followed_up(&props.data, &props.mapping),
    );
    // What a list keeps of each lead apart from its score: counted once
    // per grouping, list and search, so that a points edit only reorders
    // the patterns.
    let kept: Rc<KeptLeads> = use_memo(
        (
            props.grouping.clone(),
            *list,
            (*search).clone(),
            props.mapping.lead_id.clone(),
        ),
        {
            let followed = followed.clone();
            let data = props.data.clone();
            let outcomes = props.facts.clone();
            move |(grouping, list, search, lead_id)| {
                let outcomes = &outcomes.outcomes;
                let needle = search.trim().to_lowercase();
                let id_column = lead_id.as_deref().and_then(|c| data.data.column(c));
                let step = super::timing::Step::start("lead list");
                let kept = KeptLeads::new(grouping, |row| {
                    let listed = match list {
                        LeadList::All | LeadList::SalesReady | LeadList::Rest => true,
                        LeadList::Converted | LeadList::ConvertedMissed => outcomes[row],
                        LeadList::ReadyNotFollowedUp => followed
                            .as_ref()
                            .as_ref()
                            .is_some_and(|f| f[row] == Some(false)),
                    };
                    listed
                        && (needle.is_empty()
                            || match id_column {
                                Some(c) => c
                                    .text(row)
                                    .is_some_and(|t| t.to_lowercase().contains(&needle)),
                                None => (row + 1).to_string().contains(&needle),
                            })
                });
                step.end();
                kept
            }
        },
    );
    let ranked: Rc<RankedLeads> = use_memo(
        (
            Shared(kept.clone()),
            props.replay.clone(),
            *list,
            *ascending,
        ),
        |(kept, replay, list, ascending)| {
            let step = super::timing::Step::start("lead ranking");
            let ranked = RankedLeads::new(replay, kept, *ascending, |p| {
                let ready = replay.pattern_ready[p];
                match list {
                    LeadList::SalesReady | LeadList::ReadyNotFollowedUp => ready,
                    LeadList::Rest | LeadList::ConvertedMissed => !ready,
                    LeadList::All | LeadList::Converted => true,
                }
            });
            step.end();
            ranked
        },
    );

    let on_list = {
        let list = list.clone();
        let first_row = first_row.clone();
        let scroller = scroller.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(chosen) = LeadList::ALL
                .into_iter()
                .find(|l| l.key() == select.value())
            {
                list.set(chosen);
                first_row.set(0);
                if let Some(el) = scroller.cast::<Element>() {
                    el.set_scroll_top(0);
                }
            }
        })
    };
    let on_order = {
        let ascending = ascending.clone();
        Callback::from(move |_: MouseEvent| ascending.set(!*ascending))
    };
    let on_search = {
        let search = search.clone();
        let first_row = first_row.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            search.set(input.value());
            first_row.set(0);
        })
    };
    let on_scroll = {
        let first_row = first_row.clone();
        Callback::from(move |e: Event| {
            let el: Element = e.target_unchecked_into();
            let first = (f64::from(el.scroll_top()) / ROW_HEIGHT) as usize;
            if first != *first_row {
                first_row.set(first);
            }
        })
    };

    let total = ranked.len();
    let start = first_row.saturating_sub(OVERSCAN).min(total);
    let end = (*first_row + VISIBLE_ROWS + OVERSCAN).min(total);
    let rows = ranked.window(&props.grouping, &kept, start..end);
    let lead_id = props.mapping.lead_id.as_deref();
    let has_followed = followed.is_some();
    let spacer = |rows: usize| {
        html! { <tr class="spacer" aria-hidden="true" style={format!("height: {}px", rows as f64 * ROW_HEIGHT)} /> }
    };

    html! {
        <section class="lead-table" aria-labelledby="leads-title" data-testid="lead-table"
            aria-busy={now.updating.to_string()} data-updating={now.updating.to_string()}>
            <h2 id="leads-title">{ "Leads, and why they score what they score" }</h2>
            <div class="lead-controls">
                <label>{ "Show " }
                    <select onchange={on_list} data-testid="lead-list">
                        { for LeadList::ALL.iter().map(|l| html! {
                            <option value={l.key()} selected={*l == *list}
                                disabled={*l == LeadList::ReadyNotFollowedUp && !has_followed}>
                                { l.label() }
                            </option>
                        }) }
                    </select>
                </label>
                <label>{ "Lead id contains " }
                    <input type="search" onchange={on_search} data-testid="lead-search" />
                </label>
                <button type="button" class="button small" onclick={on_order} data-testid="lead-order">
                    { if *ascending { "Lowest score first" } else { "Highest score first" } }
                </button>
                <span class="lead-count" data-testid="lead-count" data-value={total.to_string()}>
                    { format!("{} lead{}", format::count(total), if total == 1 { "" } else { "s" }) }
                </span>
            </div>
            if !has_followed {
                <p class="report-note">{ "Map a “followed up”, response-time or first-touch column to list sales-ready leads nobody followed up." }</p>
            }
            <div class="lead-scroll" ref={scroller} onscroll={on_scroll} tabindex="0"
                aria-label="Lead list, scrollable">
                <table>
                    <thead><tr>
                        <th scope="col">{ "Lead" }</th>
                        <th scope="col">{ "Score" }</th>
                        <th scope="col">{ "Sales-ready" }</th>
                        <th scope="col">{ "Converted" }</th>
                        if has_followed {
                            <th scope="col">{ "Followed up" }</th>
                        }
                        <th scope="col" title="Fit grade A–D and engagement grade 1–4">{ "Grade" }</th>
                        <th scope="col">{ "Why: the rules that fired" }</th>
                    </tr></thead>
                    <tbody>
                        { spacer(start) }
                        { for rows.iter().map(|&row| {
                            let row = row as usize;
                            let score = props.replay.score(&props.grouping, row);
                            let why = fired(&props.scenario, &props.grouping, props.grouping.lead_pattern()[row])
                                .into_iter()
                                .map(|(i, points)| format!("{} {points:+}", props.scenario.criteria[i].label))
                                .collect::<Vec<_>>()
                                .join(" · ");
                            let id = cell(&props.data, lead_id, row).unwrap_or_else(|| format!("row {}", row + 1));
                            html! {
                                <tr key={row} data-testid="lead-row" data-score={score.to_string()}>
                                    <th scope="row">{ id }</th>
                                    <td class="number">{ score }</td>
                                    <td>{ if props.replay.is_ready(&props.grouping, row) { "yes" } else { "no" } }</td>
                                    <td>{ if props.facts.outcomes[row] { "yes" } else { "no" } }</td>
                                    if has_followed {
                                        <td>{ match followed.as_ref().as_ref().and_then(|f| f[row]) {
                                            Some(true) => "yes", Some(false) => "no", None => "—" } }</td>
                                    }
                                    <td data-testid="lead-grade">{ props.replay.cell(&props.grouping, row).to_string() }
                                        { if props.facts.in_check(row) { " · check set" } else { "" } }</td>
                                    <td class="why">{ if why.is_empty() { "no rule fired".to_owned() } else { why } }</td>
                                </tr>
                            }
                        }) }
                        { spacer(total - end) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
