//! Every scenario replayed on the loaded data, kept up to date cheaply.
//!
//! Each scenario has its own [`GroupingCache`], so an edit to the active
//! scenario regroups only the rule that changed, and the other scenarios,
//! which an edit does not touch, keep their grouping and replay. The
//! charts overlay all scenarios and the comparison reads them side by side
//! without replaying anything again.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use yew::prelude::*;

use super::criteria_editor::RuleStatus;
use super::state::LoadedData;
use super::timing::Step;
use crate::core::criteria::{Rule, Scenario};
use crate::core::dataset::Dataset;
use crate::core::engine::{Grouping, GroupingCache, LeadFacts, Replay, ReplaySettings};
use crate::core::mapping::ColumnMapping;
use crate::core::split::CheckSplit;

/// The lead facts and groupings of data about to be confirmed, worked out
/// each in a task of its own before the confirm is dispatched, so that the
/// task that confirms and renders does not also do them.
struct Prepared {
    /// The data set (not kept alive: a weak handle also keeps its
    /// address from being reused, so that identity holds), the mapping and
    /// the check settings the facts were read with.
    data: Weak<Dataset>,
    mapping: ColumnMapping,
    check: CheckSplit,
    facts: Rc<LeadFacts>,
    /// Per scenario, its rules and their grouping.
    groupings: Vec<(Vec<Rule>, GroupingCache)>,
}

thread_local! {
    static PREPARED: RefCell<Option<Prepared>> = const { RefCell::new(None) };
}

fn rules_of(scenario: &Scenario) -> Vec<Rule> {
    scenario.criteria.iter().map(|c| c.rule.clone()).collect()
}

/// Works out the facts of `data` under `mapping` and `check`, then the
/// grouping of each of `scenarios`, giving the page back between them,
/// for the workspace to take up when that data is confirmed.
pub async fn prepare(
    data: Rc<Dataset>,
    mapping: ColumnMapping,
    check: CheckSplit,
    scenarios: Vec<Scenario>,
) {
    PREPARED.with(|p| *p.borrow_mut() = None);
    let step = Step::start("lead facts");
    let facts = LeadFacts::new(&data, &mapping);
    step.end();
    let Ok(facts) = facts else { return };
    super::loading::breathe().await;
    let step = Step::start("check set");
    let facts = Rc::new(facts.with_check(&data, &mapping, &check));
    step.end();
    super::loading::breathe().await;
    let mut groupings = Vec::with_capacity(scenarios.len());
    for scenario in &scenarios {
        // The rules first, in steps of their own, then each lead's
        // pattern number, then the grouping.
        let mut cache = GroupingCache::default();
        let mut pacer = super::loading::Pacer::new();
        for criterion in &scenario.criteria {
            let step = Step::start("rule evaluation");
            cache.evaluate_ahead(&data, &criterion.rule);
            step.end();
            pacer.breathe_if_due().await;
        }
        super::loading::breathe().await;
        let step = Step::start("pattern numbers");
        cache.number_ahead(scenario, facts.outcomes.len());
        step.end();
        super::loading::breathe().await;
        let step = Step::start("grouping");
        cache.grouping(&data, &facts, scenario);
        step.end();
        groupings.push((rules_of(scenario), cache));
        super::loading::breathe().await;
    }
    PREPARED.with(|p| {
        *p.borrow_mut() = Some(Prepared {
            data: Rc::downgrade(&data),
            mapping,
            check,
            facts,
            groupings,
        })
    });
}

/// The facts [`prepare`] worked out for this data, mapping and check, if
/// it did.
pub fn prepared_facts(
    data: &Rc<Dataset>,
    mapping: &ColumnMapping,
    check: &CheckSplit,
) -> Option<Rc<LeadFacts>> {
    PREPARED.with(|p| {
        let p = p.borrow();
        let p = p.as_ref()?;
        (Weak::ptr_eq(&p.data, &Rc::downgrade(data)) && p.mapping == *mapping && p.check == *check)
            .then(|| Rc::clone(&p.facts))
    })
}

/// A grouping [`prepare`] worked out with `facts` for a scenario with the
/// rules of `scenario`, taken (each is used once).
fn prepared_grouping(facts: &Rc<LeadFacts>, scenario: &Scenario) -> Option<GroupingCache> {
    PREPARED.with(|p| {
        let mut p = p.borrow_mut();
        let prepared = p.as_mut()?;
        if !Rc::ptr_eq(&prepared.facts, facts) {
            return None;
        }
        let rules = rules_of(scenario);
        let at = prepared.groupings.iter().position(|(r, _)| *r == rules)?;
        let (_, cache) = prepared.groupings.swap_remove(at);
        if prepared.groupings.is_empty() {
            *p = None;
        }
        Some(cache)
    })
}

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
            .lead_pattern()
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
    let fresh = caches.groupings.len();
    caches
        .groupings
        .resize_with(scenarios.len(), GroupingCache::default);
    if fresh < scenarios.len() {
        for (cache, scenario) in caches.groupings.iter_mut().zip(scenarios).skip(fresh) {
            if let Some(prepared) = prepared_grouping(&facts, scenario) {
                *cache = prepared;
            }
        }
        // What was prepared and not taken up is of no further use.
        PREPARED.with(|p| *p.borrow_mut() = None);
    }
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
