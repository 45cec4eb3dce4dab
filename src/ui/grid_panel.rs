//! The fit × engagement grid of the active scenario: every cell's leads
//! and conversion with its interval (hollow when too few leads to judge),
//! how many of them are sales-ready, and the check set's conversion beside
//! it. A cell can be marked sales-ready (one undoable edit of the
//! scenario); the cut points between grades can be moved.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::panel_focus::use_details_open;
use super::state::{use_workbench, Action, Shared};
use crate::core::engine::{Grouping, Replay, MIN_EVIDENCE_LEADS};
use crate::core::format;
use crate::core::grid::{Cell, Cuts, Grid, ENGAGEMENT_GRADES, FIT_GRADES, GRADES};

#[derive(Properties, PartialEq)]
pub struct GridPanelProps {
    pub grid: Grid,
    pub grouping: Shared<Grouping>,
    /// The active scenario on the tuning set.
    pub replay: Shared<Replay>,
    /// The same on the check set, when one is kept.
    #[prop_or_default]
    pub check: Option<Shared<Replay>>,
}

/// Which axis a cut belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    Fit,
    Engagement,
}

#[component]
pub fn GridPanel(props: &GridPanelProps) -> Html {
    let workbench = use_workbench();
    // Tallied while open only: an edit costs nothing while it is closed.
    let (open, on_toggle) = use_details_open();
    if !open {
        return html! {
            <details class="grid-panel" data-testid="grid" ontoggle={on_toggle}>
                <summary>{ "Fit × engagement grid" }</summary>
            </details>
        };
    }
    let replay = &props.replay.0;
    let in_use = replay.cuts;
    let cells = replay.grid(&props.grouping);
    let check_cells = props.check.as_ref().map(|c| c.grid(&props.grouping));
    let marked = props.grid.marked();
    let set_grid = {
        let workbench = workbench.clone();
        Callback::from(move |grid: Grid| workbench.dispatch(Action::SetGrid(grid)))
    };
    let on_cut = |axis: Axis, at: usize| {
        let set_grid = set_grid.clone();
        let grid = props.grid.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Ok(value) = input.value().trim().parse::<f64>() else {
                return;
            };
            if !value.is_finite() {
                return;
            }
            let value = value
                .round()
                .clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
            let mut cuts: Cuts = match axis {
                Axis::Fit => in_use.fit,
                Axis::Engagement => in_use.engagement,
            };
            cuts[at] = value;
            // Grades run from the best down: the others give way.
            for (i, cut) in cuts.iter_mut().enumerate() {
                if i < at {
                    *cut = (*cut).max(value);
                } else if i > at {
                    *cut = (*cut).min(value);
                }
            }
            let mut next = grid.resolved(in_use);
            match axis {
                Axis::Fit => next.fit_cuts = Some(cuts),
                Axis::Engagement => next.engagement_cuts = Some(cuts),
            }
            set_grid.emit(next);
        })
    };
    let on_quartiles = {
        let set_grid = set_grid.clone();
        Callback::from(move |_: MouseEvent| set_grid.emit(Grid::default()))
    };
    let cut_inputs = |axis: Axis| {
        let (cuts, grades, name) = match axis {
            Axis::Fit => (in_use.fit, &FIT_GRADES, "fit"),
            Axis::Engagement => (in_use.engagement, &ENGAGEMENT_GRADES, "engagement"),
        };
        html! {
            <fieldset class="grid-cuts">
                <legend>{ format!("{} grades from (points)", if axis == Axis::Fit { "Fit" } else { "Engagement" }) }</legend>
                { for cuts.iter().enumerate().map(|(at, cut)| html! {
                    <label>{ format!("{} from ", grades[at]) }
                        <input type="number" step="1" class="points-number" value={cut.to_string()}
                            onchange={on_cut(axis, at)} data-testid={format!("grid-{name}-cut")}
                            aria-label={format!("{} grade {} from (points)", name, grades[at])} />
                    </label>
                }) }
                <span class="grid-cut-rest">{ format!("{} below", grades[GRADES - 1]) }</span>
            </fieldset>
        }
    };
    let cell_view = |cell: Cell| {
        let tally = cells[cell.index()];
        let rate = tally.rate();
        let thin = tally.leads < MIN_EVIDENCE_LEADS;
        let is_marked = marked[cell.index()];
        let on_toggle = {
            let set_grid = set_grid.clone();
            let grid = props.grid.clone();
            Callback::from(move |_: MouseEvent| {
                set_grid.emit(grid.with_mark(cell, !is_marked, in_use))
            })
        };
        let ready_share = (tally.leads > 0).then(|| tally.ready as f64 / tally.leads as f64);
        let check = check_cells.map(|c| c[cell.index()]);
        let label = cell.to_string();
        html! {
            <td class={classes!("grid-cell", thin.then_some("is-thin"), is_marked.then_some("is-marked"),
                    (ready_share == Some(1.0)).then_some("is-ready"))}
                data-testid="grid-cell" data-fit={FIT_GRADES[usize::from(cell.fit)].to_string()}
                data-engagement={ENGAGEMENT_GRADES[usize::from(cell.engagement)].to_string()}
                data-leads={tally.leads.to_string()} data-rate={rate.value().map(|v| v.to_string()).unwrap_or_default()}
                data-ready={tally.ready.to_string()} data-marked={is_marked.to_string()}>
                <span class="grid-cell-name">{ &label }</span>
                <span class="grid-cell-leads">{ format!("{} leads", format::count(tally.leads)) }</span>
                if tally.leads > 0 {
                    <span class="grid-cell-rate">{ format!("{} ({})", format::percent(rate.value()), format::interval(&rate)) }
                        { if thin { " · few leads" } else { "" } }</span>
                }
                <span class="grid-cell-ready">{ match ready_share {
                    Some(share) => format!("{} sales-ready", format::whole_percent(Some(share))),
                    None => "no leads".to_owned(),
                } }</span>
                if let Some(check) = check {
                    <span class="grid-cell-check">{ format!("check set: {} of {}", format::percent(check.rate().value()), format::count(check.leads)) }</span>
                }
                <button type="button" class="button grid-mark" aria-pressed={is_marked.to_string()} onclick={on_toggle}
                    data-testid="grid-mark" aria-label={format!("{}: cell {label}, whatever the score", if is_marked { "Marked sales-ready" } else { "Mark sales-ready" })}>
                    { if is_marked { "Marked sales-ready" } else { "Mark sales-ready" } }
                </button>
            </td>
        }
    };
    html! {
        <details class="grid-panel" data-testid="grid" open=true ontoggle={on_toggle}>
            <summary>{ "Fit × engagement grid" }</summary>
            <p class="grid-explain">{
                "Who a lead is (fit criteria's points, A best) against what it did (engagement criteria's points, 1 best). \
                 A marked cell's leads are sales-ready whatever their score. Hollow cells hold too few leads to judge."
            }</p>
            { cut_inputs(Axis::Fit) }
            { cut_inputs(Axis::Engagement) }
            if props.grid.fit_cuts.is_some() || props.grid.engagement_cuts.is_some() {
                <button type="button" class="button" onclick={on_quartiles} disabled={!props.grid.ready_cells.is_empty()}
                    data-testid="grid-quartiles"
                    title="Back to the quartiles of the tuning set (unmark the cells first)">
                    { "Cuts at the quartiles" }
                </button>
            }
            <table class="grid-table" data-testid="grid-table">
                <caption>{ format!("Leads and conversion per cell, on the tuning set ({} leads)", format::count(replay.figures.leads)) }</caption>
                <thead><tr>
                    <th scope="col">{ "Fit \\ engagement" }</th>
                    { for ENGAGEMENT_GRADES.iter().map(|g| html! { <th scope="col">{ g.to_string() }</th> }) }
                </tr></thead>
                <tbody>
                    { for (0..GRADES as u8).map(|fit| html! {
                        <tr>
                            <th scope="row">{ FIT_GRADES[usize::from(fit)].to_string() }</th>
                            { for (0..GRADES as u8).map(|engagement| cell_view(Cell { fit, engagement })) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
