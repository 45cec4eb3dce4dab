//! The page: header, criteria on one side, figures and chart on the other.
//!
//! Derived data is computed here from the workbench state and passed down.
//! Rule evaluations depend only on the data and the rules, so editing points
//! or the threshold re-scores from stored matches without scanning columns.

use std::rc::Rc;

use yew::prelude::*;

use super::charts_panel::ChartsPanel;
use super::compare::Compare;
use super::criteria_editor::CriteriaEditor;
use super::data_panel::DataPanel;
use super::data_summary::DataSummary;
use super::decision_log::DecisionLog;
use super::exports::{PatternSqlButton, ScoredCsvButton, SqlExportButton};
use super::followup_panel::FollowUpPanel;
use super::grid_panel::GridPanel;
use super::key_figures::{CheckFigures, CheckState, KeyFigures};
use super::lead_table::LeadTable;
use super::loading::{start_later_load, start_load, start_spare_soon, Then};
use super::mapping_step::MappingStep;
use super::pattern_step::PatternTableStep;
use super::presenter::{use_presenter, Presenter, Step as PresenterStep, PRESENTED_CHARTS};
use super::replays::use_replays;
use super::saved_data;
use super::scenario_bar::ScenarioBar;
use super::score_chart::ScoreChart;
use super::state::{use_workbench, Action, LoadStatus, Shared, WorkbenchProvider};
use super::suggestions::Suggestions;
use super::then_now::ThenNow;
use super::timing::Step;
use super::workshop_summary::{PrintSummaryButton, WorkshopSummary};
use crate::charts::palette::scenario_colour;
use crate::core::criteria::Scenario;
use crate::core::dataset::{ColumnValues, DataOrigin};
use crate::core::decisions::LoggedFigures;
use crate::core::engine::{LeadFacts, Replay, MAX_SCORE_BANDS};
use crate::core::format;
use crate::core::split::CheckSplit;

#[component]
pub fn App() -> Html {
    html! {
        <WorkbenchProvider>
            <Workspace />
        </WorkbenchProvider>
    }
}

#[component]
fn Workspace() -> Html {
    let workbench = use_workbench();
    let presenter = use_presenter();
    let state = workbench.state();
    let data = state.data.clone();

    // Saved data from an earlier visit is read again once, on start
    // (unless the page was reloaded to recover from an internal error).
    {
        let workbench = workbench.clone();
        use_effect_with((), move |_| {
            // The first file's first worker is started ahead of it.
            start_spare_soon();
            if super::workspace_store::recovering() {
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                match saved_data::restore().await {
                    Ok(Some(saved)) => start_load(
                        workbench,
                        saved.source,
                        Some(saved.mapping),
                        Then::Restore {
                            join: saved.join,
                            later: saved.later,
                            sample: saved.sample,
                        },
                    ),
                    Ok(None) => {}
                    Err(reason) => {
                        gloo::console::warn!(format!("saved data could not be checked: {reason}"))
                    }
                }
            });
        });
    }
    // Whenever the data in use changes, keep it (or forget it) for next time.
    {
        let mapping = state.mapping.clone();
        use_effect_with((data.clone(), mapping), move |(data, mapping)| {
            if data.version > 0 {
                let source = data.source.clone();
                let later = data.later.as_ref().map(|l| l.source.clone());
                let join = data.join.clone();
                let sample = data
                    .aggregated
                    .as_ref()
                    .and_then(|a| a.sample.as_ref())
                    .and_then(|s| s.source.clone());
                let mapping = mapping.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = match &source {
                        Some(source) => {
                            saved_data::save(
                                source,
                                join.as_ref(),
                                later.as_ref(),
                                sample.as_ref(),
                                &mapping,
                            )
                            .await
                        }
                        None => saved_data::forget().await,
                    };
                    if let Err(reason) = result {
                        gloo::console::warn!(format!(
                            "the data could not be kept for next time: {reason}"
                        ));
                    }
                });
            }
        });
    }

    // Scenarios and settings are kept for the next visit after every change.
    {
        let saved = workbench.saved_workspace();
        use_effect_with(saved, |saved| {
            if let Err(reason) = super::workspace_store::save(saved) {
                gloo::console::warn!(format!("the workspace could not be kept: {reason}"));
            }
        });
    }

    let facts = use_memo(
        (data.clone(), state.mapping.clone(), state.check),
        |(data, mapping, check)| {
            if data.later.is_none() {
                if let Some(facts) = super::replays::prepared_facts(&data.data, mapping, check) {
                    return Ok(facts);
                }
            }
            let step = Step::start("lead facts");
            if let Some(aggregated) = &data.aggregated {
                let facts = Rc::new(aggregated.patterns.facts(check));
                step.end();
                return Ok(facts);
            }
            let facts = LeadFacts::new(&data.data, mapping)
                .map(|facts| {
                    Rc::new(match &data.later {
                        Some(later) => facts.with_later(later.export.first_row),
                        None => facts.with_check(&data.data, mapping, check),
                    })
                })
                .map_err(|e| e.to_string());
            step.end();
            facts
        },
    );
    // Every scenario keeps its own grouping of the leads: a points edit
    // reuses it, a rule edit redoes that rule only.
    let replays = use_replays(
        &data,
        &state.mapping,
        facts.as_ref().as_ref().ok().cloned(),
        &state.definitions.scenarios,
        state.definitions.active,
        state.settings,
    );
    let active = state.definitions.active;
    let current = replays.as_ref().and_then(|r| r.all.get(active).cloned());
    let replay: Result<Rc<Replay>, String> = match (&current, facts.as_ref()) {
        (Some(current), Ok(_)) => Ok(Rc::clone(&current.replay)),
        (_, Err(message)) => Err(message.clone()),
        (None, Ok(_)) => Err("the leads could not be grouped".to_owned()),
    };
    let sweep = use_memo(
        (
            replay.as_ref().ok().cloned().map(Shared),
            facts.as_ref().as_ref().ok().cloned().map(Shared),
            state.settings,
        ),
        |(replay, facts, settings)| match (replay, facts) {
            (Some(replay), Some(facts)) => {
                let sweep = replay.sweep(facts, settings);
                let per_week = sweep.iter().all(|p| p.per_rep_week.is_some());
                Some((Rc::new(sweep), per_week))
            }
            _ => None,
        },
    );
    // The decision log's entries say what each change did to the figures.
    {
        let figures = replay.as_ref().ok().map(|r| LoggedFigures::of(&r.figures));
        let workbench = workbench.clone();
        use_effect_with((figures, state.record.generation), move |(figures, _)| {
            if let Some(figures) = figures {
                workbench.dispatch(Action::FiguresShown(*figures));
            }
        });
    }
    let statuses = replays
        .as_ref()
        .map_or_else(|| Rc::new(Vec::new()), |r| Rc::clone(&r.statuses));

    let rows = data.leads();
    let aggregated = data.aggregated.is_some();
    let base_rate = match facts.as_ref() {
        Ok(f) if f.leads() > 0 => Some(f.converted() as f64 / f.leads() as f64),
        _ => None,
    };
    let is_sample = *data.data.origin() == DataOrigin::Sample;
    let on_reps = {
        let workbench = workbench.clone();
        Callback::from(move |reps: u32| workbench.set_reps(reps))
    };
    let on_check = {
        let workbench = workbench.clone();
        Callback::from(move |check: CheckSplit| workbench.dispatch(Action::SetCheck(check)))
    };
    let check = facts.as_ref().as_ref().ok().map(|facts| {
        let by_date = state
            .mapping
            .created
            .as_deref()
            .and_then(|name| data.data.column(name))
            .is_some_and(|c| matches!(c.values, ColumnValues::Date(_)))
            || data
                .aggregated
                .as_ref()
                .is_some_and(|a| a.patterns.has_check());
        let figures = current
            .as_ref()
            .and_then(|c| c.check.as_ref())
            .map(|r| CheckFigures {
                figures: r.figures.clone(),
                workload: r.workload,
                revenue_captured: r.revenue_captured,
            });
        CheckState {
            later: data
                .later
                .as_ref()
                .map(|l| AttrValue::from(l.export.name.clone())),
            fixed: data.aggregated.as_ref().map(|a| a.patterns.has_check()),
            ..CheckState::new(state.check, by_date, &facts.check, figures)
        }
    });
    let on_later = {
        let workbench = workbench.clone();
        let data = data.clone();
        let mapping = state.mapping.clone();
        Callback::from(move |file: web_sys::File| {
            start_later_load(
                workbench.clone(),
                file.name(),
                file.into(),
                data.clone(),
                mapping.clone(),
            )
        })
    };
    let on_drop_later = {
        let workbench = workbench.clone();
        Callback::from(move |()| workbench.dispatch(Action::DropLater))
    };
    html! {
        <ContextProvider<Presenter> context={*presenter}>
            <nav class="skip-links" aria-label="Skip to">
                <a href="#criteria-title" data-testid="skip-criteria">{ "Skip to the criteria" }</a>
                <a href="#headline" data-testid="skip-figures">{ "Skip to the key figures" }</a>
                <a href="#charts-title" data-testid="skip-charts">{ "Skip to the charts" }</a>
            </nav>
            <header class="app-header">
                <div class="brand">
                    <h1>{ "leadlens" }</h1>
                    <p class="tagline">{ "Agree what a sales-ready lead is, with evidence from your own leads." }</p>
                </div>
                <p class={classes!("data-badge", is_sample.then_some("is-sample"))} data-testid="data-badge">
                    { data.data.name().to_owned() }{ " · " }{ format::count(rows) }{ " leads" }
                </p>
                <div class="presenter-controls">
                    <button type="button" class="button" data-testid="presenter-toggle"
                        aria-pressed={presenter.on.to_string()} aria-keyshortcuts="P"
                        onclick={{ let p = presenter.clone(); Callback::from(move |_: MouseEvent| p.dispatch(PresenterStep::Toggle)) }}>
                        { if presenter.on { "Leave presenter view (P)" } else { "Presenter view (P)" } }
                    </button>
                    if presenter.on {
                        <button type="button" class="button" data-testid="presenter-previous" aria-keyshortcuts="ArrowLeft"
                            onclick={{ let p = presenter.clone(); Callback::from(move |_: MouseEvent| p.dispatch(PresenterStep::Previous)) }}>
                            { "← Previous chart" }</button>
                        <span class="presenter-place" data-testid="presenter-place">
                            { format!("Chart {} of {}", presenter.chart + 1, PRESENTED_CHARTS) }</span>
                        <button type="button" class="button" data-testid="presenter-next" aria-keyshortcuts="ArrowRight"
                            onclick={{ let p = presenter.clone(); Callback::from(move |_: MouseEvent| p.dispatch(PresenterStep::Next)) }}>
                            { "Next chart →" }</button>
                    }
                </div>
            </header>
            <DataPanel />
            { match &state.load {
                LoadStatus::Mapping(pending) if pending.patterns.is_some() => html! { <PatternTableStep /> },
                LoadStatus::Mapping(_) => html! { <MappingStep /> },
                _ => Html::default(),
            } }
            <ScenarioBar />
            <main class="workspace">
                <CriteriaEditor statuses={statuses.clone()} total_leads={rows}
                    evidence={replay.as_ref().ok().map(|r| Rc::new(r.evidence.clone()))}
                    sweep={(*sweep).clone()}
                    ready_per_week={replay.as_ref().ok().and_then(|r| r.workload).map(|w| w.per_week)} />
                <div class="results">
                    { match &replay {
                        Ok(replay) => {
                            // Exports grade leads with the cuts in use here.
                            let graded = Scenario {
                                grid: state.scenario().grid.resolved(replay.cuts),
                                ..state.scenario().clone()
                            };
                            html! {
                            <>
                                <KeyFigures figures={replay.figures.clone()} workload={replay.workload}
                                    revenue_captured={replay.revenue_captured} reps={state.settings.reps}
                                    on_reps={Some(on_reps.clone())} check={check.clone()} on_check={Some(on_check.clone())}
                                    on_later={(!aggregated).then(|| on_later.clone())} on_drop_later={Some(on_drop_later.clone())} />
                                if let (Some(later), Some(current), Ok(facts)) = (&data.later, &current, facts.as_ref()) {
                                    if let Some(check) = &current.check {
                                        <ThenNow data={data.clone()} mapping={state.mapping.clone()}
                                            scenario={state.scenario().clone()} grouping={Shared(current.grouping.clone())}
                                            tuning={Shared(current.replay.clone())} check={Shared(check.clone())}
                                            facts={Shared(facts.clone())} later={AttrValue::from(later.export.name.clone())} />
                                    }
                                }
                                <div class="results-actions" data-testid="results-actions">
                                    <ScoredCsvButton scenario={graded.clone()} data={data.clone()} />
                                    <SqlExportButton scenario={graded.clone()} data={data.clone()} />
                                    <PatternSqlButton scenarios={state.definitions.scenarios.clone()} data={data.clone()}
                                        mapping={state.mapping.clone()} check={state.check} />
                                    <PrintSummaryButton />
                                </div>
                                if let (Some(current), Ok(facts)) = (&current, facts.as_ref()) {
                                    <Suggestions scenario={state.scenario().clone()} grouping={Shared(current.grouping.clone())}
                                        replay={Shared(current.replay.clone())} facts={Shared(facts.clone())}
                                        data={data.clone()} mapping={state.mapping.clone()} settings={state.settings} />
                                }
                                <ScoreChart distribution={replay.distribution(MAX_SCORE_BANDS)} figures={replay.figures.clone()}
                                    possible={state.scenario().score_range()} accent={scenario_colour(active)} />
                                if let (Some(replays), Ok(facts)) = (&replays, facts.as_ref()) {
                                    <ChartsPanel replays={replays.clone()} scenarios={state.definitions.scenarios.clone()}
                                        active={state.definitions.active} facts={Shared(facts.clone())} settings={state.settings} />
                                }
                                if let Some(current) = &current {
                                    <GridPanel grid={state.scenario().grid.clone()} grouping={Shared(current.grouping.clone())}
                                        replay={Shared(current.replay.clone())} check={current.check.clone().map(Shared)} />
                                }
                                if let (Some(current), Ok(facts)) = (&current, facts.as_ref()) {
                                    <FollowUpPanel data={data.clone()} mapping={state.mapping.clone()}
                                        facts={Shared(facts.clone())} grouping={Shared(current.grouping.clone())}
                                        replay={Shared(current.replay.clone())} accent={scenario_colour(active)}
                                        terms={state.scenario().agreement.terms} />
                                }
                                if let (Some(replays), Ok(facts)) = (&replays, facts.as_ref()) {
                                    <Compare data={data.clone()} replays={replays.clone()} facts={Shared(facts.clone())}
                                        scenarios={state.definitions.scenarios.clone()}
                                        active={state.definitions.active} lead_id={state.mapping.lead_id.clone()} />
                                }
                                <DecisionLog />
                                if aggregated {
                                    <section class="panel" data-testid="lead-table-needs-rows">
                                        <h2>{ "Leads" }</h2>
                                        <p>{ "A pattern table holds counts of leads per pattern, not the leads: the lead table, \
                                              scored leads and lists of single leads need row-level data. Load a lead export to see them." }</p>
                                    </section>
                                } else if let (Some(current), Ok(facts)) = (&current, facts.as_ref()) {
                                    <LeadTable data={data.clone()} mapping={state.mapping.clone()}
                                        scenario={state.scenario().clone()} grouping={Shared(current.grouping.clone())}
                                        replay={Shared(replay.clone())} facts={Shared(facts.clone())} />
                                }
                            </>
                            }
                        },
                        Err(message) => html! {
                            <p class="load-error" role="alert" data-testid="load-error">{ message }</p>
                        },
                    } }
                    <details class="data-overview" data-testid="data-overview">
                        <summary>{ format!("The data: {} leads, {} columns", format::count(rows), data.data.columns().len()) }</summary>
                        <p class="base-rate" data-testid="data-base-rate"
                            data-value={base_rate.map(|r| r.to_string()).unwrap_or_default()}>
                            { match (&state.mapping.outcome, base_rate, &state.mapping.join) {
                                (_, Some(rate), _) if aggregated => format!(
                                    "A pattern table from the warehouse: {} patterns counting {} leads. Base rate {} of all leads.",
                                    format::count(data.data.row_count()), format::count(rows),
                                    format::percent(Some(rate))),
                                (Some(_), Some(rate), Some(join)) => format!(
                                    "Outcome: from “{}”, joined on {} = {}: {}. Base rate {} of all leads.",
                                    join.file, join.lead_key, join.row_key, join.outcome.describe(),
                                    format::percent(Some(rate))),
                                (Some(outcome), Some(rate), None) => format!(
                                    "Outcome: “{outcome}”, converted when {}. Base rate {} of all leads.",
                                    if state.mapping.converted_values.is_empty() { "it reads yes, 1, won or similar".to_owned() }
                                    else { state.mapping.converted_values.join(" or ") },
                                    format::percent(Some(rate))),
                                _ => "No outcome column is chosen.".to_owned(),
                            } }
                        </p>
                        <DataSummary summaries={data.summaries.clone()} rows={data.data.row_count()}
                            typings={data.report.as_ref().map(|r| Rc::new(r.columns.clone()))} />
                    </details>
                    <p class="privacy-note">{ "Everything is computed in this browser tab; no lead data is sent anywhere." }</p>
                </div>
                if let Ok(replay) = &replay {
                    <WorkshopSummary scenario={state.scenario().clone()} index={active}
                        replay={Shared(replay.clone())} statuses={statuses.clone()}
                        data_name={data.data.name().to_owned()} rows={rows} reps={state.settings.reps}
                        check={current.as_ref().and_then(|c| c.check.clone()).zip(check.as_ref())
                            .map(|(r, c)| (Shared(r), AttrValue::from(c.set_words())))}
                        replays={replays.clone()} />
                }
            </main>
        </ContextProvider<Presenter>>
    }
}
