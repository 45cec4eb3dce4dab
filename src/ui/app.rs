//! The page: header, criteria on one side, figures and chart on the other.
//!
//! Derived data is computed here from the workbench state and passed down.
//! Rule evaluations depend only on the data and the rules, so editing points
//! or the threshold re-scores from stored matches without scanning columns.

use std::rc::Rc;

use yew::prelude::*;

use super::compare::Compare;
use super::criteria_editor::{CriteriaEditor, RuleStatus};
use super::data_panel::DataPanel;
use super::data_summary::DataSummary;
use super::key_figures::KeyFigures;
use super::lead_table::LeadTable;
use super::loading::{start_load, Then};
use super::mapping_step::MappingStep;
use super::saved_data;
use super::scenario_bar::ScenarioBar;
use super::score_chart::ScoreChart;
use super::state::{use_workbench, LoadStatus, Shared, WorkbenchProvider};
use super::timing::Step;
use crate::core::dataset::DataOrigin;
use crate::core::engine::{Grouping, GroupingCache, LeadFacts, Replay, MAX_SCORE_BANDS};
use crate::core::format;
use crate::core::mapping::ColumnMapping;

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
    let state = workbench.state();
    let data = state.data.clone();

    // Saved data from an earlier visit is read again once, on start.
    {
        let workbench = workbench.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match saved_data::restore().await {
                    Ok(Some((source, mapping))) => {
                        start_load(workbench, source, Some(mapping), Then::Restore)
                    }
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
                let mapping = mapping.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = match &source {
                        Some(source) => saved_data::save(source, &mapping).await,
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

    let facts = use_memo((data.clone(), state.mapping.clone()), |(data, mapping)| {
        LeadFacts::new(&data.data, mapping)
            .map(Rc::new)
            .map_err(|e| e.to_string())
    });
    // Evaluations and the grouping of leads live in a cache for the current
    // data and mapping: a points edit reuses them, a rule edit redoes that
    // rule only.
    let cache = use_mut_ref(|| (None::<(u32, ColumnMapping)>, GroupingCache::default()));
    let grouping: Option<Rc<Grouping>> = facts.as_ref().as_ref().ok().map(|facts| {
        let key = Some((data.version, state.mapping.clone()));
        let mut cache = cache.borrow_mut();
        if cache.0 != key {
            *cache = (key, GroupingCache::default());
        }
        cache.1.grouping(&data.data, facts, state.scenario())
    });
    let grouping_id = grouping.as_ref().map(|g| Rc::as_ptr(g) as usize);
    let statuses = use_memo(grouping_id, {
        let cache = cache.clone();
        let grouping = grouping.clone();
        move |_| {
            let cache = cache.borrow();
            let evaluations = cache.1.evaluations();
            Rc::new(
                evaluations
                    .iter()
                    .enumerate()
                    .map(|(i, evaluation)| match evaluation {
                        Ok(_) => RuleStatus::Fires {
                            leads: grouping
                                .as_ref()
                                .and_then(|g| g.evidence.get(i))
                                .and_then(|e| e.matched)
                                .map_or(0, |m| m.leads),
                        },
                        Err(problem) => RuleStatus::Inactive(problem.to_string()),
                    })
                    .collect::<Vec<_>>(),
            )
        }
    });
    let replay = use_memo((grouping_id, state.scenario().clone(), state.settings), {
        let grouping = grouping.clone();
        let facts = facts.clone();
        move |(_, scenario, settings)| match (grouping.as_ref(), facts.as_ref()) {
            (Some(grouping), Ok(facts)) => {
                let step = Step::start("replay");
                let replay = Replay::run(scenario, grouping, facts, settings);
                step.end();
                Ok(Rc::new(replay))
            }
            (_, Err(message)) => Err(message.clone()),
            (None, Ok(_)) => Err("the leads could not be grouped".to_owned()),
        }
    });

    let rows = data.data.row_count();
    let base_rate = match facts.as_ref() {
        Ok(f) if !f.outcomes.is_empty() => {
            Some(f.outcomes.iter().filter(|&&c| c).count() as f64 / f.outcomes.len() as f64)
        }
        _ => None,
    };
    let is_sample = *data.data.origin() == DataOrigin::Sample;
    let on_reps = {
        let workbench = workbench.clone();
        Callback::from(move |reps: u32| workbench.set_reps(reps))
    };
    html! {
        <>
            <header class="app-header">
                <div class="brand">
                    <h1>{ "leadlens" }</h1>
                    <p class="tagline">{ "Agree what a sales-ready lead is, with evidence from your own leads." }</p>
                </div>
                <p class={classes!("data-badge", is_sample.then_some("is-sample"))} data-testid="data-badge">
                    { data.data.name().to_owned() }{ " · " }{ format::count(rows) }{ " leads" }
                </p>
            </header>
            <DataPanel />
            if matches!(state.load, LoadStatus::Mapping(_)) {
                <MappingStep />
            }
            <ScenarioBar />
            <main class="workspace">
                <CriteriaEditor statuses={(*statuses).clone()} total_leads={rows}
                    evidence={replay.as_ref().as_ref().ok().map(|r| Rc::new(r.evidence.clone()))} />
                <div class="results">
                    { match replay.as_ref() {
                        Ok(replay) => html! {
                            <>
                                <KeyFigures figures={replay.figures.clone()} workload={replay.workload}
                                    revenue_captured={replay.revenue_captured} reps={state.settings.reps}
                                    on_reps={Some(on_reps.clone())} />
                                <ScoreChart distribution={replay.distribution(MAX_SCORE_BANDS)} figures={replay.figures.clone()} />
                                if let Ok(facts) = facts.as_ref() {
                                    <Compare data={data.clone()} facts={Shared(facts.clone())}
                                        scenarios={state.definitions.scenarios.clone()}
                                        active={state.definitions.active} settings={state.settings} />
                                }
                                if let (Some(grouping), Ok(facts)) = (grouping.as_ref(), facts.as_ref()) {
                                    <LeadTable data={data.clone()} mapping={state.mapping.clone()}
                                        scenario={state.scenario().clone()} grouping={Shared(grouping.clone())}
                                        replay={Shared(replay.clone())} facts={Shared(facts.clone())} />
                                }
                            </>
                        },
                        Err(message) => html! {
                            <p class="load-error" role="alert" data-testid="load-error">{ message }</p>
                        },
                    } }
                    <details class="data-overview" data-testid="data-overview">
                        <summary>{ format!("The data: {} leads, {} columns", format::count(rows), data.data.columns().len()) }</summary>
                        <p class="base-rate" data-testid="data-base-rate"
                            data-value={base_rate.map(|r| r.to_string()).unwrap_or_default()}>
                            { match (&state.mapping.outcome, base_rate) {
                                (Some(outcome), Some(rate)) => format!(
                                    "Outcome: “{outcome}”, converted when {}. Base rate {} of all leads.",
                                    if state.mapping.converted_values.is_empty() { "it reads yes, 1, won or similar".to_owned() }
                                    else { state.mapping.converted_values.join(" or ") },
                                    format::percent(Some(rate))),
                                _ => "No outcome column is chosen.".to_owned(),
                            } }
                        </p>
                        <DataSummary summaries={data.summaries.clone()} rows={rows}
                            typings={data.report.as_ref().map(|r| Rc::new(r.columns.clone()))} />
                    </details>
                    <p class="privacy-note">{ "Everything is computed in this browser tab; no lead data is sent anywhere." }</p>
                </div>
            </main>
        </>
    }
}
