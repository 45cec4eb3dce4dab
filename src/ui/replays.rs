//! Every scenario replayed on the loaded data, kept up to date cheaply.
//!
//! Each scenario has its own [`GroupingCache`], so an edit to the active
//! scenario regroups only the rule that changed, and the other scenarios,
//! which an edit does not touch, keep their grouping and replay. The
//! charts overlay all scenarios and the comparison reads them side by side
//! without replaying anything again.

use std::rc::Rc;

use yew::prelude::*;

use super::criteria_editor::RuleStatus;
use super::state::LoadedData;
use super::timing::Step;
use crate::core::criteria::Scenario;
use crate::core::engine::{Grouping, GroupingCache, LeadFacts, Replay, ReplaySettings};
use crate::core::mapping::ColumnMapping;

/// One scenario's grouping of the leads and its replay.
#[derive(Debug, Clone)]
pub struct ScenarioReplay {
    pub grouping: Rc<Grouping>,
    /// Over the tuning set (every lead without a check set).
    pub replay: Rc<Replay>,
    /// Over the check set, when one is kept.
    pub check: Option<Rc<Replay>>,
}

impl ScenarioReplay {
    /// Each lead's score.
    pub fn scores(&self) -> Vec<i32> {
        self.grouping
            .lead_pattern
            .iter()
            .map(|&p| self.replay.pattern_scores[p as usize])
            .collect()
    }
}

/// The replays of every scenario, in scenario order, and how the active
/// scenario's rules fared on the data.
#[derive(Debug, Clone)]
pub struct Replays {
    pub all: Rc<Vec<ScenarioReplay>>,
    pub statuses: Rc<Vec<RuleStatus>>,
}

impl PartialEq for Replays {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.all, &other.all) && Rc::ptr_eq(&self.statuses, &other.statuses)
    }
}

struct Remembered {
    grouping: Rc<Grouping>,
    scenario: Scenario,
    settings: ReplaySettings,
    replay: Rc<Replay>,
    check: Option<Rc<Replay>>,
}

#[derive(Default)]
struct Caches {
    key: Option<(u32, ColumnMapping)>,
    /// The facts the tallies were counted with (held, so compared by
    /// pointer safely).
    facts: Option<Rc<LeadFacts>>,
    groupings: Vec<GroupingCache>,
    replays: Vec<Option<Remembered>>,
    statuses: Option<(Rc<Grouping>, Rc<Vec<RuleStatus>>)>,
    last: Option<Rc<Vec<ScenarioReplay>>>,
}

/// What each rule of the active scenario did: how many leads it matched, or
/// why it could not be applied.
fn statuses(cache: &GroupingCache, grouping: &Grouping) -> Vec<RuleStatus> {
    cache
        .evaluations()
        .iter()
        .enumerate()
        .map(|(i, evaluation)| match evaluation {
            Ok(_) => RuleStatus::Fires {
                leads: grouping
                    .evidence
                    .get(i)
                    .and_then(|e| e.matched)
                    .map_or(0, |m| m.leads),
            },
            Err(problem) => RuleStatus::Inactive(problem.to_string()),
        })
        .collect()
}

/// Replays every scenario of `scenarios` on `data`; `None` while the
/// outcome cannot be read (`facts` is `None`).
#[hook]
pub fn use_replays(
    data: &LoadedData,
    mapping: &ColumnMapping,
    facts: Option<Rc<LeadFacts>>,
    scenarios: &[Scenario],
    active: usize,
    settings: ReplaySettings,
) -> Option<Replays> {
    let caches = use_mut_ref(Caches::default);
    let facts = facts?;
    let mut caches = caches.borrow_mut();
    let caches: &mut Caches = &mut caches;
    let key = Some((data.version, mapping.clone()));
    // New facts (another outcome, another check set) mean new tallies.
    let same_facts = caches.facts.as_ref().is_some_and(|f| Rc::ptr_eq(f, &facts));
    if caches.key != key || !same_facts {
        *caches = Caches {
            key,
            facts: Some(Rc::clone(&facts)),
            ..Caches::default()
        };
    }
    caches
        .groupings
        .resize_with(scenarios.len(), GroupingCache::default);
    caches.replays.resize_with(scenarios.len(), || None);
    let mut all = Vec::with_capacity(scenarios.len());
    for (i, scenario) in scenarios.iter().enumerate() {
        let step = (i == active).then(|| Step::start("grouping"));
        let grouping = match &data.aggregated {
            Some(aggregated) => caches.groupings[i].grouping_with(
                &|rule| aggregated.patterns.evaluate(rule),
                &facts,
                scenario,
            ),
            None => caches.groupings[i].grouping(&data.data, &facts, scenario),
        };
        if let Some(step) = step {
            let regrouped = !caches.replays[i]
                .as_ref()
                .is_some_and(|r| Rc::ptr_eq(&r.grouping, &grouping));
            if regrouped {
                step.end();
            } else {
                step.discard();
            }
        }
        let remembered = &mut caches.replays[i];
        let fresh = remembered.as_ref().is_some_and(|r| {
            Rc::ptr_eq(&r.grouping, &grouping) && r.scenario == *scenario && r.settings == settings
        });
        if !fresh {
            let step = (i == active).then(|| Step::start("replay"));
            let replay = Rc::new(Replay::run(scenario, &grouping, &facts, &settings));
            let check = replay
                .check_of(scenario, &grouping, &facts, &settings)
                .map(Rc::new);
            if let Some(step) = step {
                step.end();
            }
            *remembered = Some(Remembered {
                grouping: Rc::clone(&grouping),
                scenario: scenario.clone(),
                settings,
                replay,
                check,
            });
        }
        let (replay, check) = remembered
            .as_ref()
            .map(|r| (Rc::clone(&r.replay), r.check.clone()))?;
        all.push(ScenarioReplay {
            grouping,
            replay,
            check,
        });
    }
    let unchanged = caches.last.as_ref().is_some_and(|last| {
        last.len() == all.len()
            && last.iter().zip(&all).all(|(a, b)| {
                Rc::ptr_eq(&a.grouping, &b.grouping) && Rc::ptr_eq(&a.replay, &b.replay)
            })
    });
    let all = match (&caches.last, unchanged) {
        (Some(last), true) => Rc::clone(last),
        _ => {
            let all = Rc::new(all);
            caches.last = Some(Rc::clone(&all));
            all
        }
    };
    let active_grouping = &all.get(active)?.grouping;
    let statuses = match &caches.statuses {
        Some((grouping, statuses)) if Rc::ptr_eq(grouping, active_grouping) => Rc::clone(statuses),
        _ => {
            let fresh = Rc::new(statuses(&caches.groupings[active], active_grouping));
            caches.statuses = Some((Rc::clone(active_grouping), Rc::clone(&fresh)));
            fresh
        }
    };
    Some(Replays { all, statuses })
}
