//! The workbench state, its one reducer, and the context that hands it to
//! components.
//!
//! Every edit is an [`Action`]; [`Workbench::reduce`] is a pure function of
//! the state and the action, with no storage, URL or DOM work. Components
//! reach the state through [`use_workbench`], whose handle names each edit as
//! a verb (`set_points`, `confirm_mapping`, …). Loading a file is driven by
//! `loading.rs`, which reports its progress here as actions.

use std::rc::{Rc, Weak};

use yew::prelude::*;

use crate::core::agreement::{settle, ServiceTerms, Side, Stance, Standing};
use crate::core::criteria::{bound_points, Criterion, CriterionKey, Scenario};
use crate::core::criteria_file::{DataMark, MAX_ATTENDEES, MAX_SCENARIOS};
use crate::core::dataset::{DataOrigin, Dataset};
use crate::core::decisions::{Decision, LoggedFigures, Recorder};
use crate::core::derive::with_derived;
use crate::core::engine::ReplaySettings;
use crate::core::grid::Grid;
use crate::core::ingest::{LoadOptions, LoadReport, Loaded};
use crate::core::join::{join, JoinSpec, Joined, JoinedColumns};
use crate::core::later::LaterExport;
use crate::core::mapping::ColumnMapping;
use crate::core::patterns::{is_pattern_table, PatternData};
use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
use crate::core::split::CheckSplit;
use crate::core::starting::fits;
use crate::core::summary::{summarise, summarise_column, ColumnSummary};
use crate::core::workspace::SavedWorkspace;

/// The loaded data set with a version number. Two handles are equal when
/// their versions are, so memoised figures and effects can depend on the
/// data without comparing a million rows.
#[derive(Debug, Clone)]
pub struct LoadedData {
    pub version: u32,
    pub data: Rc<Dataset>,
    /// How the file was read; `None` for the built-in sample.
    pub report: Option<Rc<LoadReport>>,
    /// The column summaries, computed once per data set.
    pub summaries: Rc<Vec<ColumnSummary>>,
    /// Where the data came from, to read it again with other settings.
    pub source: Option<DataSource>,
    /// The second file joined to it for its outcomes, if any.
    pub join: Option<DataSource>,
    /// A later export appended as the check set, with the data as it was
    /// without it.
    pub later: Option<Rc<LaterData>>,
    /// Where the data is a pattern table from a warehouse: its weighted
    /// rows (the figures come from these, not from `data`'s rows).
    pub aggregated: Option<Rc<Aggregated>>,
}

/// A pattern table in use as the data.
#[derive(Debug)]
pub struct Aggregated {
    pub patterns: PatternData,
    /// The row-level sample the pattern query was written from, while this
    /// tab still has it: its columns are what rules are edited on and what
    /// an updated query is written for.
    pub sample: Option<SampleRows>,
}

/// Row-level data kept beside a pattern table.
#[derive(Debug, Clone)]
pub struct SampleRows {
    pub data: Rc<Dataset>,
    pub summaries: Rc<Vec<ColumnSummary>>,
    /// The missing-value markers it was read with.
    pub markers: Vec<String>,
    /// Its file, to keep it with the pattern table for the next visit.
    pub source: Option<DataSource>,
}

/// A later export in use as the check set.
#[derive(Debug)]
pub struct LaterData {
    pub export: LaterExport,
    /// The later file, to keep it for the next visit.
    pub source: DataSource,
    /// The data without the later leads, and its summaries.
    pub then: Rc<Dataset>,
    pub then_summaries: Rc<Vec<ColumnSummary>>,
}

impl LoadedData {
    /// Every lead the data stands for: a pattern table's counted leads,
    /// else its rows.
    pub fn leads(&self) -> usize {
        self.aggregated
            .as_ref()
            .map_or_else(|| self.data.row_count(), |a| a.patterns.leads)
    }

    /// The lead-level columns rules are written on: a pattern table's
    /// sample where this tab has it, else the data itself.
    pub fn columns_for_rules(&self) -> (Rc<Dataset>, Rc<Vec<ColumnSummary>>) {
        match self.aggregated.as_ref().and_then(|a| a.sample.as_ref()) {
            Some(sample) => (Rc::clone(&sample.data), Rc::clone(&sample.summaries)),
            None => (Rc::clone(&self.data), Rc::clone(&self.summaries)),
        }
    }

    /// The row-level data a SQL export is written for: this data, or a
    /// pattern table's sample; `None` for a pattern table without one.
    pub fn rows_for_sql(&self) -> Option<SampleRows> {
        match &self.aggregated {
            Some(aggregated) => aggregated.sample.clone(),
            None => Some(SampleRows {
                data: Rc::clone(&self.data),
                summaries: Rc::clone(&self.summaries),
                markers: self.source.as_ref().map_or_else(
                    || crate::core::ingest::infer::TypingOptions::default().missing_markers,
                    |source| source.options.typing.missing_markers.clone(),
                ),
                source: self.source.clone(),
            }),
        }
    }

    /// The data without a later export's leads.
    pub fn then(&self) -> Rc<Dataset> {
        self.later
            .as_ref()
            .map_or_else(|| Rc::clone(&self.data), |l| Rc::clone(&l.then))
    }
}

impl PartialEq for LoadedData {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// Derived data shared with components, compared by identity: a component
/// re-renders when it gets a new value, without comparing contents (which
/// for a million leads would cost more than the render).
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Which `Rc` a value is, as a memo's key: equal only to the same one,
/// never to equal contents. It keeps no data alive, yet, being a weak
/// handle, it keeps the address from being given to another value while
/// it is held, so a later value can never be taken for it.
#[derive(Debug)]
pub struct Identity<T>(Weak<T>);

impl<T> Identity<T> {
    pub fn of(rc: &Rc<T>) -> Identity<T> {
        Identity(Rc::downgrade(rc))
    }
}

impl<T> Clone for Identity<T> {
    fn clone(&self) -> Self {
        Identity(Weak::clone(&self.0))
    }
}

impl<T> PartialEq for Identity<T> {
    fn eq(&self, other: &Self) -> bool {
        Weak::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The file (or pasted text) behind loaded data, and the settings it was
/// read with.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSource {
    pub name: String,
    pub blob: web_sys::Blob,
    pub options: LoadOptions,
}

/// A second file read to join its outcomes to the pending leads.
#[derive(Debug)]
pub struct JoinFile {
    pub source: DataSource,
    pub data: Rc<Dataset>,
    pub report: Rc<LoadReport>,
    pub summaries: Rc<Vec<ColumnSummary>>,
    /// The roles its own headers suggest (a stage, an amount, an owner).
    pub suggested: ColumnMapping,
}

/// A file that has been read and typed, waiting for the user to confirm
/// its column roles. Until then the previous data stays in use.
#[derive(Debug, Clone)]
pub struct PendingLoad {
    /// The file's columns and the columns the mapping derives from them.
    pub dataset: Rc<Dataset>,
    pub report: Rc<LoadReport>,
    pub summaries: Rc<Vec<ColumnSummary>>,
    pub source: DataSource,
    /// The roles proposed in the mapping step.
    pub mapping: ColumnMapping,
    /// The file's own columns and their summaries, to derive from again.
    file: Rc<Dataset>,
    file_summaries: Rc<Vec<ColumnSummary>>,
    /// Durations the mapping asks for that cannot be derived, and why.
    pub derive_problems: Vec<String>,
    /// The roles the file's own headers suggest, to go back to when a
    /// joined file is removed.
    suggested: ColumnMapping,
    /// A second file whose outcomes the mapping's join brings over.
    pub join_file: Option<Rc<JoinFile>>,
    /// What the mapping's join matched and added, or why it cannot be made.
    pub joined: Option<Result<JoinedColumns, String>>,
    /// For a pattern table (recognised by its header), its rows read, or
    /// why they cannot be.
    pub patterns: Option<Result<Rc<PatternData>, String>>,
    /// For a pattern table, the row-level sample kept with it.
    pub sample: Option<SampleRows>,
}

impl PendingLoad {
    /// A freshly loaded file with its suggested roles, or `mapping` where
    /// one is given (a restored session, or a re-read with new settings).
    pub fn new(
        loaded: Loaded,
        summaries: Vec<ColumnSummary>,
        source: DataSource,
        mapping: Option<ColumnMapping>,
    ) -> Self {
        let file = Rc::new(loaded.dataset);
        let summaries = Rc::new(summaries);
        let patterns = is_pattern_table(&file).then(|| {
            PatternData::read(&file)
                .map(Rc::new)
                .map_err(|why| format!("“{}” cannot be used: {why}.", source.name))
        });
        let mut pending = PendingLoad {
            patterns,
            sample: None,
            mapping: mapping.unwrap_or_else(|| loaded.suggested.clone()),
            suggested: loaded.suggested,
            join_file: None,
            joined: None,
            dataset: Rc::clone(&file),
            report: Rc::new(loaded.report),
            summaries: Rc::clone(&summaries),
            source,
            file,
            file_summaries: summaries,
            derive_problems: Vec::new(),
        };
        pending.derive();
        pending
    }

    /// Takes `mapping`, deriving its columns again when they changed.
    pub fn set_mapping(&mut self, mapping: ColumnMapping) {
        let derive_again =
            mapping.derived != self.mapping.derived || mapping.join != self.mapping.join;
        self.mapping = mapping;
        if derive_again {
            self.derive();
        }
    }

    /// The file's own columns (without joined or derived ones).
    pub fn file(&self) -> &Rc<Dataset> {
        &self.file
    }

    /// Takes a second file to join; a join the mapping already names (a
    /// link's, a restored session's) is made with it at once.
    pub fn set_join_file(&mut self, file: Rc<JoinFile>) {
        self.join_file = Some(file);
        self.derive();
        if matches!(self.joined, Some(Err(_))) {
            // A join this file cannot make is asked again in the join step.
            self.mapping.join = None;
            self.derive();
        }
        self.take_join_roles();
    }

    /// Joins the second file as `spec` says: its outcome becomes the
    /// outcome, its deal value and owner those roles, and what it adds is
    /// marked as known only afterwards.
    pub fn apply_join(&mut self, spec: JoinSpec) {
        self.mapping.join = Some(spec);
        self.derive();
        self.take_join_roles();
    }

    fn take_join_roles(&mut self) {
        if let (Some(spec), Some(Ok(columns))) = (&self.mapping.join, &self.joined) {
            self.mapping = columns.apply_to(&self.mapping, spec);
        }
    }

    /// Forgets the second file and the roles its columns played: a role
    /// naming a column the leads' file lacks goes back to the suggested one.
    pub fn drop_join(&mut self) {
        let file = Rc::clone(&self.file);
        let own = |name: &str| file.column(name).is_some();
        let mut mapping = self.mapping.clone();
        mapping.join = None;
        if mapping.outcome.as_deref().is_some_and(|o| !own(o)) {
            mapping.outcome = self.suggested.outcome.clone();
            mapping.converted_values = self.suggested.converted_values.clone();
        }
        if mapping.deal_value.as_deref().is_some_and(|d| !own(d)) {
            mapping.deal_value = self.suggested.deal_value.clone();
        }
        if mapping.owner.as_deref().is_some_and(|o| !own(o)) {
            mapping.owner = self.suggested.owner.clone();
        }
        mapping.derived.retain(|d| own(&d.from) && own(&d.to));
        let derived: Vec<String> = mapping.derived.iter().map(|d| d.name.clone()).collect();
        mapping
            .known_after
            .retain(|name| own(name) || derived.contains(name));
        self.join_file = None;
        self.mapping = mapping;
        self.derive();
    }

    /// The file's columns with those the mapping joins and derives.
    fn derive(&mut self) {
        let (base, base_summaries) = self.joined_base();
        if self.mapping.derived.is_empty() {
            self.dataset = base;
            self.summaries = base_summaries;
            self.derive_problems.clear();
            return;
        }
        let (data, problems) = with_derived(&base, &self.mapping.derived);
        let mut summaries = (*base_summaries).clone();
        summaries.extend(
            data.columns()[base.columns().len()..]
                .iter()
                .map(summarise_column),
        );
        self.dataset = Rc::new(data);
        self.summaries = Rc::new(summaries);
        self.derive_problems = problems
            .into_iter()
            .map(|(name, why)| format!("“{name}” cannot be derived: {why}."))
            .collect();
    }
}

impl PendingLoad {
    /// The file's columns with those the join adds, and their summaries.
    fn joined_base(&mut self) -> (Rc<Dataset>, Rc<Vec<ColumnSummary>>) {
        let (Some(spec), Some(file)) = (&self.mapping.join, &self.join_file) else {
            self.joined = None;
            return (Rc::clone(&self.file), Rc::clone(&self.file_summaries));
        };
        match join(&self.file, &file.data, spec) {
            Ok(Joined { data, columns }) => {
                let mut summaries = (*self.file_summaries).clone();
                summaries.extend(
                    data.columns()[self.file.columns().len()..]
                        .iter()
                        .map(summarise_column),
                );
                self.joined = Some(Ok(columns));
                (Rc::new(data), Rc::new(summaries))
            }
            Err(why) => {
                self.joined = Some(Err(format!(
                    "“{}” cannot be joined: {why}.",
                    file.source.name
                )));
                (Rc::clone(&self.file), Rc::clone(&self.file_summaries))
            }
        }
    }

    /// Why the data cannot be used yet, if it cannot: the join the mapping
    /// names waits for its file, or the outcome column is not there.
    pub fn not_ready(&self) -> Option<String> {
        if let Some(spec) = &self.mapping.join {
            match &self.joined {
                None => {
                    return Some(format!(
                        "The outcomes come from “{}”, joined on {} = {}: add that file, or remove the join.",
                        spec.file, spec.lead_key, spec.row_key
                    ))
                }
                Some(Err(why)) => return Some(why.clone()),
                Some(Ok(_)) => {}
            }
        }
        match &self.mapping.outcome {
            Some(outcome) if self.dataset.column(outcome).is_none() => Some(format!(
                "The outcome column “{outcome}” is not in this data: choose the outcome again."
            )),
            _ => None,
        }
    }

    /// The data as it will be in use.
    pub fn to_data(&self) -> LoadedData {
        self.clone().into_data()
    }

    fn into_data(self) -> LoadedData {
        LoadedData {
            version: 0,
            data: self.dataset,
            report: Some(self.report),
            summaries: self.summaries,
            source: Some(self.source),
            // Kept only when joined: a file read and then left unjoined
            // is not part of the data.
            join: match (&self.joined, &self.join_file) {
                (Some(Ok(_)), Some(file)) => Some(file.source.clone()),
                _ => None,
            },
            later: None,
            aggregated: match self.patterns {
                Some(Ok(patterns)) => Some(Rc::new(Aggregated {
                    patterns: Rc::unwrap_or_clone(patterns),
                    sample: self.sample,
                })),
                _ => None,
            },
        }
    }
}

impl PartialEq for PendingLoad {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.dataset, &other.dataset)
            && self.mapping == other.mapping
            && match (&self.join_file, &other.join_file) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

/// Where a load is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum LoadStatus {
    #[default]
    Idle,
    Reading {
        name: String,
        bytes_done: u64,
        bytes_total: u64,
        rows: usize,
    },
    Typing {
        name: String,
        columns_done: usize,
        columns_total: usize,
    },
    /// Read and typed; the mapping step is shown.
    Mapping(Box<PendingLoad>),
}

/// The lead definitions being edited: what undo and redo restore.
#[derive(Debug, Clone, PartialEq)]
pub struct Definitions {
    pub scenarios: Vec<Scenario>,
    /// Index into `scenarios` of the scenario being edited and shown.
    pub active: usize,
}

/// At most this many edits can be undone.
const UNDO_DEPTH: usize = 200;

/// Earlier and undone states of the definitions.
#[derive(Debug, Clone, PartialEq, Default)]
struct History {
    /// Earlier states, the most recent last, each with the kind of edit
    /// that left it (consecutive edits of one kind, such as a slider drag,
    /// undo together).
    undo: Vec<(Rc<Definitions>, String)>,
    redo: Vec<Rc<Definitions>>,
}

/// Everything the user works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbench {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    /// Behind `Rc`s, like the history, so that the copy of the state each
    /// action makes (a load's progress ticks included) copies pointers,
    /// not scenarios.
    pub definitions: Rc<Definitions>,
    history: Rc<History>,
    pub settings: ReplaySettings,
    pub load: LoadStatus,
    /// The last load or link error, until dismissed or superseded.
    pub error: Option<String>,
    /// The mapping a criteria file or link brought, by column name: the
    /// mapping step of data loaded later starts from it.
    pub preferred_mapping: Option<ColumnMapping>,
    /// The data the scenarios were made on, as a link or criteria file
    /// said: until that data is loaded, the page says which it was.
    pub made_on: Option<DataMark>,
    /// What the last change did that the user should know, e.g. the
    /// scenarios it set aside; until dismissed or superseded.
    pub notice: Option<String>,
    /// How the check set is drawn from the loaded leads.
    pub check: CheckSplit,
    /// The meeting's record: attendees and the decision log.
    pub record: Recorder,
}

/// Milliseconds since 1970 by the browser's clock: the one thing the
/// reducer reads from outside, to date the decision log.
fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Workbench {
    /// The workbench as the last visit left it: the scenarios and settings
    /// kept in the browser, on the sample until the kept data is read
    /// again; the sample with its scenario on a first visit.
    pub fn as_left() -> Self {
        let workbench = Workbench::with_sample();
        match super::workspace_store::restore() {
            Ok(Some(saved)) => Rc::new(workbench)
                .reduce(Action::RestoreWorkspace(saved))
                .as_ref()
                .clone(),
            Ok(None) => workbench,
            Err(message) => Workbench {
                error: Some(message),
                ..workbench
            },
        }
    }

    /// The built-in synthetic sample with its starting scenario.
    pub fn with_sample() -> Self {
        let data = sample_dataset();
        Workbench {
            data: LoadedData {
                version: 0,
                summaries: Rc::new(summarise(&data)),
                data: Rc::new(data),
                report: None,
                source: None,
                join: None,
                later: None,
                aggregated: None,
            },
            mapping: sample_mapping(),
            definitions: Rc::new(Definitions {
                scenarios: vec![sample_scenario()],
                active: 0,
            }),
            history: Rc::default(),
            settings: ReplaySettings::default(),
            load: LoadStatus::Idle,
            error: None,
            preferred_mapping: None,
            made_on: None,
            check: CheckSplit::default(),
            notice: None,
            record: Recorder::default(),
        }
    }

    /// The scenario being edited and shown.
    pub fn scenario(&self) -> &Scenario {
        &self.definitions.scenarios[self.definitions.active]
    }

    pub fn can_undo(&self) -> bool {
        !self.history.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.history.redo.is_empty()
    }

    /// Applies an edit of the definitions, recording it for undo; `kind`
    /// names the edit so that a run of the same edit undoes as one.
    /// Returns false (and records nothing) when the edit changed nothing.
    fn edit(&mut self, kind: String, change: impl FnOnce(&mut Definitions) -> bool) -> bool {
        let before = Rc::clone(&self.definitions);
        let mut after = (*before).clone();
        if !change(&mut after) {
            return false;
        }
        settle(&before.scenarios, &mut after.scenarios, after.active);
        if after == *before {
            return false;
        }
        self.definitions = Rc::new(after);
        self.record.note(
            &kind,
            &before.scenarios,
            &self.definitions.scenarios,
            self.definitions.active,
            now_ms(),
            "",
        );
        let continues = self
            .history
            .undo
            .last()
            .is_some_and(|(_, last)| *last == kind)
            && self.history.redo.is_empty();
        // A run of one edit (which leaves nothing to redo) changes no history.
        if !continues {
            let history = Rc::make_mut(&mut self.history);
            history.undo.push((before, kind));
            if history.undo.len() > UNDO_DEPTH {
                history.undo.remove(0);
            }
            history.redo.clear();
        }
        true
    }

    /// Applies an edit to one criterion of the active scenario; false when
    /// there is no such criterion.
    fn edit_criterion(
        &mut self,
        kind: String,
        criterion: usize,
        change: impl FnOnce(&mut Criterion),
    ) -> bool {
        self.edit_active(kind, |s| match s.criteria.get_mut(criterion) {
            Some(c) => {
                change(c);
                true
            }
            None => false,
        })
    }

    /// Applies an edit to the active scenario.
    fn edit_active(&mut self, kind: String, change: impl FnOnce(&mut Scenario) -> bool) -> bool {
        self.edit(kind, |d| change(&mut d.scenarios[d.active]))
    }

    /// Adds `starting` (if any) as the active scenario, undoably.
    fn add_starting(&mut self, starting: Option<Scenario>) {
        if let Some(scenario) = starting {
            let kind = format!("starting {}", self.history.undo.len());
            self.edit(kind, |d| {
                if d.scenarios.len() >= MAX_SCENARIOS {
                    d.scenarios.remove(0);
                }
                d.scenarios.push(scenario);
                d.active = d.scenarios.len() - 1;
                true
            });
        }
    }

    /// After new data is put in use: scenarios none of whose rules can
    /// apply to it are set aside (one undoable edit, said in a notice); if
    /// others fit, the active one stays (or the first fitting one becomes
    /// active) and `starting` is not added, so that a link or file opened
    /// before the data keeps its figures; only when none fits is
    /// `starting` added as the active scenario.
    fn fit_scenarios_to_data(&mut self, starting: Option<Scenario>) {
        let data = Rc::clone(&self.data.data);
        let fitting: Vec<bool> = self
            .definitions
            .scenarios
            .iter()
            .map(|s| fits(s, &data))
            .collect();
        let removed: Vec<String> = self
            .definitions
            .scenarios
            .iter()
            .zip(&fitting)
            .filter(|(_, &fit)| !fit)
            .map(|(s, _)| s.name.clone())
            .collect();
        let starting = if fitting.contains(&true) {
            None
        } else {
            starting
        };
        if removed.is_empty() && starting.is_none() {
            return;
        }
        let kind = format!("fit to data {}", self.history.undo.len());
        let added = starting.as_ref().map(|s| s.name.clone());
        let changed = self.edit(kind, |d| {
            let mut kept: Vec<Scenario> = Vec::with_capacity(d.scenarios.len());
            // The active scenario stays active if it fits, else the first
            // that does.
            let mut active = 0;
            for (index, (scenario, fit)) in d.scenarios.drain(..).zip(&fitting).enumerate() {
                if *fit {
                    if index == d.active {
                        active = kept.len();
                    }
                    kept.push(scenario);
                }
            }
            if let Some(scenario) = starting {
                kept.truncate(MAX_SCENARIOS - 1);
                kept.push(scenario);
                active = kept.len() - 1;
            }
            if kept.is_empty() {
                return false;
            }
            d.scenarios = kept;
            d.active = active;
            true
        });
        if changed && !removed.is_empty() {
            let names = removed
                .iter()
                .map(|n| format!("“{n}”"))
                .collect::<Vec<_>>()
                .join(", ");
            let count = match removed.len() {
                1 => "1 scenario".to_owned(),
                n => format!("{n} scenarios"),
            };
            let then = match added {
                Some(name) => format!(" “{name}” was built from this file instead."),
                None => String::new(),
            };
            self.notice = Some(format!(
                "Set aside {count} whose rules use none of this file's columns: {names}.{then} \
                 Undo brings {} back.",
                if removed.len() == 1 { "it" } else { "them" }
            ));
        }
    }

    /// Puts `data` in use under the next version number.
    fn replace_data(&mut self, data: LoadedData) {
        self.data = LoadedData {
            version: self.data.version + 1,
            ..data
        };
    }
}

/// One edit of the workbench. Criterion indices refer to the active
/// scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetPoints {
        criterion: usize,
        points: i32,
    },
    SetEnabled {
        criterion: usize,
        enabled: bool,
    },
    SetThreshold(i32),
    /// Replaces a criterion with an edited copy (label, group, proposer,
    /// rationale, rule).
    UpdateCriterion {
        criterion: usize,
        with: Criterion,
    },
    AddCriterion(Criterion),
    DuplicateCriterion(usize),
    /// Moves a criterion one place up (`-1`) or down (`1`).
    MoveCriterion {
        criterion: usize,
        by: isize,
    },
    DeleteCriterion(usize),
    SelectScenario(usize),
    /// Copies a scenario under a new name and makes the copy active.
    DuplicateScenario {
        scenario: usize,
        name: String,
    },
    RenameScenario {
        scenario: usize,
        name: String,
    },
    /// Deletes a scenario; the last one cannot be deleted.
    DeleteScenario(usize),
    /// Adds scenarios (from a criteria file or a link) after the existing
    /// ones, or replaces them all; the given one becomes active.
    AddScenarios {
        scenarios: Vec<Scenario>,
        active: usize,
        replace: bool,
    },
    Undo,
    Redo,
    /// Takes the roles of a mapping (from a criteria file or a link) whose
    /// columns the loaded data has.
    ApplyMapping(ColumnMapping),
    /// The data set a link or criteria file says its scenarios were made on.
    NoteMadeOn(Option<DataMark>),
    /// The active scenario's fit × engagement grid: cuts and marked cells.
    SetGrid(Grid),
    /// Puts suggested points (and threshold) into the active scenario, as
    /// one undoable edit; its criteria must be the active scenario's.
    UseSuggested(Scenario),
    /// Adds a starting scenario built from the data in use, as the
    /// active one (asked for with "Suggest a starting point").
    AddStarting(Scenario),
    DismissNotice,
    /// One side's stance on a criterion of the active scenario.
    SetStance {
        criterion: usize,
        side: Side,
        stance: Stance,
    },
    /// The note on a criterion's sign-off.
    SetSignOffNote {
        criterion: usize,
        note: String,
    },
    /// Marks the active scenario as the agreed definition on a day
    /// (`YYYY-MM-DD`; only when both sides agree to every counted
    /// criterion), or withdraws it (`None`).
    MarkAgreed(Option<String>),
    /// The active scenario's service terms.
    SetTerms(ServiceTerms),
    /// Who attended (the minutes' field).
    SetAttendees(String),
    /// The key figures now on screen, for the decision log.
    FiguresShown(LoggedFigures),
    /// The attendees and log a criteria file or link brought.
    MergeRecord {
        attendees: String,
        log: Vec<Decision>,
    },
    /// The number of sales reps the workload is spread over.
    SetReps(u32),
    /// How the check set is drawn (a setting, like the reps: not undone).
    SetCheck(CheckSplit),
    LoadStarted {
        name: String,
        bytes_total: u64,
    },
    LoadProgress {
        bytes_done: u64,
        rows: usize,
    },
    LoadTyping {
        columns_done: usize,
        columns_total: usize,
    },
    /// Read and typed: show the mapping step with these roles.
    LoadParsed(PendingLoad),
    /// The mapping step's roles changed.
    EditPendingMapping(ColumnMapping),
    /// A second file was read to join its outcomes to the pending leads.
    JoinFileRead(Shared<JoinFile>),
    /// Join the second file as the join step says.
    ApplyJoin(JoinSpec),
    /// Remove the second file from the pending leads.
    DropJoin,
    /// Use the pending data with its mapping, adding a starting scenario
    /// built from it (as the active one) where one was made.
    ConfirmMapping {
        starting: Option<Scenario>,
    },
    /// Use loaded data directly (a restored session): no mapping step.
    Restore {
        pending: PendingLoad,
        starting: Option<Scenario>,
    },
    CancelLoad,
    LoadFailed(String),
    /// A later export read and appended to the data: its leads become the
    /// check set.
    UseLater {
        data: Rc<Dataset>,
        summaries: Vec<ColumnSummary>,
        export: LaterExport,
        source: DataSource,
    },
    /// Back to the data without the later export.
    DropLater,
    DismissError,
    /// Back to the built-in sample.
    ForgetData,
    /// The scenarios and settings kept from an earlier visit, restored on
    /// start (not an edit: nothing to undo).
    RestoreWorkspace(SavedWorkspace),
    /// Everything back to a first visit: the sample, its scenario, default
    /// settings, no history.
    ResetWorkspace,
}

impl Reducible for Workbench {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let changed = match action {
            Action::SetPoints { criterion, points } => {
                next.edit_criterion(format!("points {criterion}"), criterion, |c| {
                    c.points = bound_points(points)
                })
            }
            Action::SetEnabled { criterion, enabled } => {
                next.edit_criterion(format!("enabled {criterion}"), criterion, |c| {
                    c.enabled = enabled
                })
            }
            Action::SetThreshold(threshold) => next.edit_active("threshold".into(), |s| {
                s.threshold = bound_points(threshold);
                true
            }),
            Action::UpdateCriterion { criterion, with } => {
                next.edit_criterion(format!("criterion {criterion}"), criterion, |c| {
                    *c = with.within_bounds()
                })
            }
            Action::AddCriterion(criterion) => {
                next.edit_active(format!("add {}", next.history.undo.len()), |s| {
                    s.criteria.push(criterion.within_bounds());
                    true
                })
            }
            Action::DuplicateCriterion(index) => next.edit_active(
                format!("duplicate {}", next.history.undo.len()),
                |s| match s.criteria.get(index).cloned() {
                    Some(mut copy) => {
                        copy.label = format!("{} (copy)", copy.label);
                        copy.key = CriterionKey::fresh();
                        s.criteria.insert(index + 1, copy);
                        true
                    }
                    None => false,
                },
            ),
            Action::MoveCriterion { criterion, by } => {
                let target = criterion as isize + by;
                next.edit_active(format!("move {}", next.history.undo.len()), |s| {
                    if target < 0
                        || target as usize >= s.criteria.len()
                        || criterion >= s.criteria.len()
                    {
                        return false;
                    }
                    let c = s.criteria.remove(criterion);
                    s.criteria.insert(target as usize, c);
                    true
                })
            }
            Action::DeleteCriterion(index) => {
                next.edit_active(format!("delete {}", next.history.undo.len()), |s| {
                    if index < s.criteria.len() {
                        s.criteria.remove(index);
                        true
                    } else {
                        false
                    }
                })
            }
            Action::SelectScenario(index) => next.edit("select scenario".into(), |d| {
                if index < d.scenarios.len() {
                    d.active = index;
                    true
                } else {
                    false
                }
            }),
            Action::DuplicateScenario { scenario, name } => next.edit(
                format!("duplicate scenario {}", next.history.undo.len()),
                |d| match d.scenarios.get(scenario).cloned() {
                    Some(mut copy) if d.scenarios.len() < MAX_SCENARIOS => {
                        copy.name = name;
                        copy.agreement.agreed_on = None;
                        d.scenarios.push(copy);
                        d.active = d.scenarios.len() - 1;
                        true
                    }
                    _ => false,
                },
            ),
            Action::RenameScenario { scenario, name } => {
                next.edit(format!("rename {scenario}"), |d| {
                    match d.scenarios.get_mut(scenario) {
                        Some(s) => {
                            s.name = name;
                            true
                        }
                        None => false,
                    }
                })
            }
            Action::DeleteScenario(index) => next.edit(
                format!("delete scenario {}", next.history.undo.len()),
                |d| {
                    if d.scenarios.len() <= 1 || index >= d.scenarios.len() {
                        return false;
                    }
                    d.scenarios.remove(index);
                    if d.active >= d.scenarios.len() || d.active > index {
                        d.active = d.active.saturating_sub(1).min(d.scenarios.len() - 1);
                    }
                    true
                },
            ),
            Action::AddScenarios {
                scenarios,
                active,
                replace,
            } => {
                let names = scenarios
                    .iter()
                    .map(|s| format!("“{}”", s.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                let added = !scenarios.is_empty()
                    && next.edit(format!("add scenarios {}", next.history.undo.len()), |d| {
                        let offset = if replace { 0 } else { d.scenarios.len() };
                        if replace {
                            d.scenarios.clear();
                        }
                        let room = MAX_SCENARIOS.saturating_sub(d.scenarios.len());
                        let count = scenarios.len().min(room);
                        if count == 0 {
                            return false;
                        }
                        d.scenarios.extend(scenarios.into_iter().take(count));
                        d.active = (offset + active.min(count - 1)).min(d.scenarios.len() - 1);
                        true
                    });
                if added {
                    next.record.retell_last(if replace {
                        format!(
                            "Replaced the scenarios with those of a criteria file or link: {names}"
                        )
                    } else {
                        format!("Added the scenarios of a criteria file or link: {names}")
                    });
                }
                added
            }
            Action::ApplyMapping(mapping) => {
                let applied = mapping.onto(&next.data.data, &next.mapping);
                // Roles the data lacks wait for data that has them.
                let remembered = Some(mapping);
                if applied == next.mapping && remembered == next.preferred_mapping {
                    return self;
                }
                next.mapping = applied;
                next.preferred_mapping = remembered;
                true
            }
            Action::Undo => {
                if next.history.undo.is_empty() {
                    return self;
                }
                let history = Rc::make_mut(&mut next.history);
                let (earlier, _) = history.undo.pop().expect("checked above");
                let now = std::mem::replace(&mut next.definitions, earlier);
                next.record.note(
                    &format!("undo {}", history.undo.len()),
                    &now.scenarios,
                    &next.definitions.scenarios,
                    next.definitions.active,
                    now_ms(),
                    "Undone: ",
                );
                history.redo.push(now);
                true
            }
            Action::Redo => {
                if next.history.redo.is_empty() {
                    return self;
                }
                let history = Rc::make_mut(&mut next.history);
                let later = history.redo.pop().expect("checked above");
                let now = std::mem::replace(&mut next.definitions, later);
                next.record.note(
                    &format!("redo {}", history.redo.len()),
                    &now.scenarios,
                    &next.definitions.scenarios,
                    next.definitions.active,
                    now_ms(),
                    "Redone: ",
                );
                // A redone step is a step of its own.
                let kind = format!("redo {}", history.redo.len());
                history.undo.push((now, kind));
                true
            }
            Action::SetReps(reps) => {
                let reps = reps.max(1);
                if next.settings.reps == reps {
                    return self;
                }
                next.settings.reps = reps;
                true
            }
            Action::SetCheck(check) => {
                let check = check.bounded();
                if next.check == check {
                    return self;
                }
                next.check = check;
                true
            }
            Action::LoadStarted { name, bytes_total } => {
                next.error = None;
                next.load = LoadStatus::Reading {
                    name,
                    bytes_done: 0,
                    bytes_total,
                    rows: 0,
                };
                true
            }
            Action::LoadProgress { bytes_done, rows } => match &mut next.load {
                LoadStatus::Reading {
                    bytes_done: done,
                    rows: read,
                    ..
                } => {
                    *done = bytes_done;
                    *read = rows;
                    true
                }
                _ => false,
            },
            Action::LoadTyping {
                columns_done,
                columns_total,
            } => {
                let name = match &next.load {
                    LoadStatus::Reading { name, .. } | LoadStatus::Typing { name, .. } => {
                        name.clone()
                    }
                    _ => return self,
                };
                next.load = LoadStatus::Typing {
                    name,
                    columns_done,
                    columns_total,
                };
                true
            }
            Action::LoadParsed(pending) => {
                next.load = LoadStatus::Mapping(Box::new(pending));
                true
            }
            Action::EditPendingMapping(mapping) => match &mut next.load {
                LoadStatus::Mapping(pending) => {
                    pending.set_mapping(mapping);
                    true
                }
                _ => false,
            },
            Action::JoinFileRead(file) => match &mut next.load {
                LoadStatus::Mapping(pending) => {
                    pending.set_join_file(file.0);
                    true
                }
                _ => false,
            },
            Action::ApplyJoin(spec) => match &mut next.load {
                LoadStatus::Mapping(pending) => {
                    pending.apply_join(spec);
                    true
                }
                _ => false,
            },
            Action::DropJoin => match &mut next.load {
                LoadStatus::Mapping(pending) => {
                    pending.drop_join();
                    true
                }
                _ => false,
            },
            Action::ConfirmMapping { starting } => {
                let LoadStatus::Mapping(pending) = std::mem::take(&mut next.load) else {
                    return self;
                };
                if let Some(patterns) = &pending.patterns {
                    // A pattern table keeps the mapping and the criteria it
                    // was computed for, and the sample it was written from.
                    if let Err(why) = patterns {
                        next.error = Some(why.clone());
                        next.load = LoadStatus::Mapping(pending);
                        return Rc::new(next);
                    }
                    let mut pending = pending;
                    pending.sample = match &next.data.aggregated {
                        Some(aggregated) => aggregated.sample.clone(),
                        None if *next.data.data.origin() != DataOrigin::Sample => {
                            next.data.rows_for_sql()
                        }
                        None => None,
                    };
                    next.error = None;
                    next.replace_data(pending.into_data());
                    return Rc::new(next);
                }
                let not_ready = match pending.mapping.outcome {
                    None => Some("Choose the outcome column before using the data.".to_owned()),
                    Some(_) => pending.not_ready(),
                };
                if let Some(why) = not_ready {
                    next.load = LoadStatus::Mapping(pending);
                    next.error = Some(why);
                    return Rc::new(next);
                }
                next.mapping = pending.mapping.clone();
                next.error = None;
                next.replace_data(pending.into_data());
                next.fit_scenarios_to_data(starting);
                true
            }
            Action::Restore { pending, starting } => {
                if pending.patterns.is_some() {
                    next.mapping = pending.mapping.clone();
                    next.load = LoadStatus::Idle;
                    next.replace_data(pending.into_data());
                    return Rc::new(next);
                }
                next.mapping = pending.mapping.clone();
                next.load = LoadStatus::Idle;
                next.replace_data(pending.into_data());
                next.fit_scenarios_to_data(starting);
                true
            }
            Action::NoteMadeOn(mark) => {
                if mark.is_none() || mark == next.made_on {
                    return self;
                }
                next.made_on = mark;
                true
            }
            Action::SetGrid(grid) => {
                // Marks are one edit each; moving a cut merges like a drag.
                let kind = if grid.ready_cells == next.scenario().grid.ready_cells {
                    "grid cuts".to_owned()
                } else {
                    format!("grid cells {}", next.history.undo.len())
                };
                next.edit_active(kind, |s| {
                    if s.grid == grid || !grid.cuts_descend() {
                        return false;
                    }
                    s.grid = grid;
                    true
                })
            }
            Action::UseSuggested(suggested) => {
                let kind = format!("suggested {}", next.history.undo.len());
                next.edit_active(kind, |s| {
                    let same_rules = s.criteria.len() == suggested.criteria.len()
                        && s.criteria
                            .iter()
                            .zip(&suggested.criteria)
                            .all(|(a, b)| a.key == b.key);
                    if !same_rules
                        || (s.criteria == suggested.criteria && s.threshold == suggested.threshold)
                    {
                        return false;
                    }
                    s.criteria = suggested.criteria;
                    s.threshold = bound_points(suggested.threshold);
                    true
                })
            }
            Action::AddStarting(scenario) => {
                next.add_starting(Some(scenario));
                true
            }
            Action::DismissNotice => {
                if next.notice.is_none() {
                    return self;
                }
                next.notice = None;
                true
            }
            Action::SetStance {
                criterion,
                side,
                stance,
            } => next.edit_criterion(
                format!("stance {criterion} {}", side.label()),
                criterion,
                |c| c.sign_off.set(side, stance),
            ),
            Action::SetSignOffNote { criterion, note } => {
                let note: String = note
                    .chars()
                    .take(crate::core::criteria_file::MAX_TEXT)
                    .collect();
                next.edit_criterion(format!("note {criterion}"), criterion, |c| {
                    c.sign_off.note = note
                })
            }
            Action::MarkAgreed(day) => {
                let kind = format!("agreed {}", next.history.undo.len());
                next.edit(kind, |d| {
                    let active = d.active;
                    match day {
                        Some(day) => {
                            if !crate::core::agreement::is_iso_day(&day)
                                || !Standing::of(&d.scenarios[active]).agreed_by_both()
                            {
                                return false;
                            }
                            for (i, s) in d.scenarios.iter_mut().enumerate() {
                                s.agreement.agreed_on = (i == active).then(|| day.clone());
                            }
                        }
                        None => d.scenarios[active].agreement.agreed_on = None,
                    }
                    true
                })
            }
            Action::SetTerms(terms) => {
                terms.problem().is_none()
                    && next.edit_active("terms".into(), |s| {
                        s.agreement.terms = terms;
                        true
                    })
            }
            Action::SetAttendees(text) => {
                let text: String = text.chars().take(MAX_ATTENDEES).collect();
                if text == next.record.attendees {
                    return self;
                }
                next.record.attendees = text;
                true
            }
            Action::FiguresShown(figures) => next.record.figures_shown(figures),
            Action::MergeRecord { attendees, log } => next.record.merge(&attendees, &log),
            Action::CancelLoad => {
                next.load = LoadStatus::Idle;
                true
            }
            Action::LoadFailed(message) => {
                next.load = LoadStatus::Idle;
                next.error = Some(message);
                true
            }
            Action::UseLater {
                data,
                summaries,
                export,
                source,
            } => {
                let current = &next.data;
                let later = LaterData {
                    export,
                    source,
                    then: current.then(),
                    then_summaries: current.later.as_ref().map_or_else(
                        || Rc::clone(&current.summaries),
                        |l| Rc::clone(&l.then_summaries),
                    ),
                };
                let with_later = LoadedData {
                    version: 0,
                    data,
                    report: current.report.clone(),
                    summaries: Rc::new(summaries),
                    source: current.source.clone(),
                    join: current.join.clone(),
                    later: Some(Rc::new(later)),
                    aggregated: None,
                };
                next.load = LoadStatus::Idle;
                next.error = None;
                next.replace_data(with_later);
                true
            }
            Action::DropLater => {
                let Some(later) = next.data.later.clone() else {
                    return self;
                };
                let without = LoadedData {
                    version: 0,
                    data: Rc::clone(&later.then),
                    report: next.data.report.clone(),
                    summaries: Rc::clone(&later.then_summaries),
                    source: next.data.source.clone(),
                    join: next.data.join.clone(),
                    later: None,
                    aggregated: None,
                };
                next.replace_data(without);
                true
            }
            Action::DismissError => {
                next.error = None;
                true
            }
            Action::ForgetData => {
                let sample = Workbench::with_sample();
                next.mapping = sample.mapping;
                next.load = LoadStatus::Idle;
                next.error = None;
                let fitting = next
                    .definitions
                    .scenarios
                    .iter()
                    .any(|s| fits(s, &sample.data.data));
                next.replace_data(sample.data);
                if !fitting {
                    next.add_starting(Some(sample_scenario()));
                }
                true
            }
            Action::RestoreWorkspace(saved) => {
                if saved.scenarios.is_empty() {
                    return self;
                }
                next.definitions = Rc::new(Definitions {
                    active: saved.active.min(saved.scenarios.len() - 1),
                    scenarios: saved.scenarios,
                });
                next.settings = saved.settings;
                next.made_on = saved.made_on;
                next.check = saved.check;
                next.record = Recorder::with(saved.attendees, saved.log);
                next.history = Rc::default();
                true
            }
            Action::ResetWorkspace => {
                let mut fresh = Workbench::with_sample();
                fresh.data.version = next.data.version + 1;
                next = fresh;
                true
            }
        };
        if !changed {
            return self;
        }
        Rc::new(next)
    }
}

/// The handle components use to read the workbench and edit it.
#[derive(Clone, PartialEq)]
pub struct WorkbenchHandle(UseReducerHandle<Workbench>);

impl WorkbenchHandle {
    pub fn state(&self) -> &Workbench {
        &self.0
    }

    /// Sends any action; the verbs below name the common ones.
    pub fn dispatch(&self, action: Action) {
        self.0.dispatch(action);
    }

    pub fn set_points(&self, criterion: usize, points: i32) {
        self.dispatch(Action::SetPoints { criterion, points });
    }

    pub fn set_enabled(&self, criterion: usize, enabled: bool) {
        self.dispatch(Action::SetEnabled { criterion, enabled });
    }

    pub fn set_threshold(&self, threshold: i32) {
        self.dispatch(Action::SetThreshold(threshold));
    }

    pub fn undo(&self) {
        self.dispatch(Action::Undo);
    }

    pub fn redo(&self) {
        self.dispatch(Action::Redo);
    }

    pub fn set_reps(&self, reps: u32) {
        self.dispatch(Action::SetReps(reps));
    }

    pub fn edit_pending_mapping(&self, mapping: ColumnMapping) {
        self.dispatch(Action::EditPendingMapping(mapping));
    }

    pub fn apply_join(&self, spec: JoinSpec) {
        self.dispatch(Action::ApplyJoin(spec));
    }

    pub fn drop_join(&self) {
        self.dispatch(Action::DropJoin);
    }

    pub fn cancel_load(&self) {
        self.dispatch(Action::CancelLoad);
    }

    pub fn dismiss_error(&self) {
        self.dispatch(Action::DismissError);
    }

    /// The part of the workbench kept between visits.
    pub fn saved_workspace(&self) -> SavedWorkspace {
        SavedWorkspace {
            scenarios: self.state().definitions.scenarios.clone(),
            active: self.state().definitions.active,
            settings: self.state().settings,
            made_on: self.state().made_on.clone(),
            check: self.state().check,
            attendees: self.state().record.attendees.clone(),
            log: self.state().record.log.as_ref().clone(),
        }
    }

    pub fn dismiss_notice(&self) {
        self.dispatch(Action::DismissNotice);
    }

    pub fn forget_data(&self) {
        self.dispatch(Action::ForgetData);
    }
}

#[derive(Properties, PartialEq)]
pub struct WorkbenchProviderProps {
    pub children: Children,
}

/// Holds the workbench state and provides it to everything inside.
#[component]
pub fn WorkbenchProvider(props: &WorkbenchProviderProps) -> Html {
    let state = use_reducer(Workbench::as_left);
    html! {
        <ContextProvider<WorkbenchHandle> context={WorkbenchHandle(state)}>
            { props.children.clone() }
        </ContextProvider<WorkbenchHandle>>
    }
}

/// The workbench of the enclosing [`WorkbenchProvider`].
#[hook]
pub fn use_workbench() -> WorkbenchHandle {
    use_context::<WorkbenchHandle>().expect("use_workbench is called inside a WorkbenchProvider")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::criteria::RuleTest;
    use crate::core::ingest::{load_bytes, LoadOptions};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(state: Workbench, action: Action) -> Rc<Workbench> {
        Rc::new(state).reduce(action)
    }

    #[test]
    fn an_identity_is_the_same_rc_and_its_address_is_not_given_out_again() {
        let a = Rc::new(vec![1.0]);
        let b = Rc::new(vec![1.0]);
        assert_eq!(Identity::of(&a), Identity::of(&Rc::clone(&a)));
        assert_ne!(
            Identity::of(&a),
            Identity::of(&b),
            "equal contents are not enough"
        );
        let key = Identity::of(&a);
        let address = Rc::as_ptr(&a);
        drop(a);
        let later: Vec<Rc<Vec<f64>>> = (0..1_000).map(|_| Rc::new(vec![1.0])).collect();
        assert!(later.iter().all(|r| Rc::as_ptr(r) != address));
        assert!(later.iter().all(|r| Identity::of(r) != key));
    }

    fn pending(csv: &str) -> PendingLoad {
        let loaded = load_bytes("leads.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
        let source = DataSource {
            name: "leads.csv".into(),
            blob: web_sys::Blob::new().unwrap(),
            options: LoadOptions::default(),
        };
        let summaries = summarise(&loaded.dataset);
        PendingLoad::new(loaded, summaries, source, None)
    }

    #[test]
    fn points_and_threshold_edits_apply() {
        let next = reduce(
            Workbench::with_sample(),
            Action::SetPoints {
                criterion: 0,
                points: 7,
            },
        );
        assert_eq!(next.scenario().criteria[0].points, 7);
        let next = Rc::clone(&next).reduce(Action::SetThreshold(12));
        assert_eq!(next.scenario().threshold, 12);
        // Typed beyond the bound files hold, a value stops at it.
        let next = Rc::clone(&next).reduce(Action::SetThreshold(i32::MIN));
        assert_eq!(next.scenario().threshold, -100_000);
        let next = Rc::clone(&next).reduce(Action::SetPoints {
            criterion: 0,
            points: 2_147_483_647,
        });
        assert_eq!(next.scenario().criteria[0].points, 100_000);
    }

    #[test]
    fn suggested_points_apply_as_one_undoable_edit_and_only_to_the_same_criteria() {
        let start = Rc::new(Workbench::with_sample());
        let mut suggested = start.scenario().clone();
        suggested.criteria[0].points = 55;
        suggested.criteria[3].points = -4;
        suggested.threshold = 61;
        let used = Rc::clone(&start).reduce(Action::UseSuggested(suggested.clone()));
        assert_eq!(used.scenario().criteria, suggested.criteria);
        assert_eq!(used.scenario().threshold, 61);
        let undone = Rc::clone(&used).reduce(Action::Undo);
        assert_eq!(
            undone.scenario(),
            start.scenario(),
            "one undo takes it all back"
        );
        // Suggestions for other criteria (the scenario changed since) are
        // not applied.
        let mut other = suggested;
        other.criteria.pop();
        let refused = Rc::clone(&start).reduce(Action::UseSuggested(other));
        assert!(Rc::ptr_eq(&start, &refused));
    }

    #[test]
    fn the_check_set_settings_are_kept_within_bounds_and_saved() {
        let start = Rc::new(Workbench::with_sample());
        let next = Rc::clone(&start).reduce(Action::SetCheck(CheckSplit {
            share: 0.9,
            ..CheckSplit::default()
        }));
        assert_eq!(next.check.share, 0.5);
        assert!(!next.can_undo(), "a setting, not an edit of the definition");
        let same = Rc::clone(&next).reduce(Action::SetCheck(next.check));
        assert!(Rc::ptr_eq(&next, &same));
    }

    #[test]
    fn edits_of_absent_criteria_change_nothing() {
        let state = Rc::new(Workbench::with_sample());
        let next = Rc::clone(&state).reduce(Action::SetEnabled {
            criterion: 99,
            enabled: false,
        });
        assert!(Rc::ptr_eq(&state, &next));
    }

    fn apply(state: Rc<Workbench>, actions: impl IntoIterator<Item = Action>) -> Rc<Workbench> {
        actions.into_iter().fold(state, |s, a| s.reduce(a))
    }

    #[test]
    fn a_slider_drag_undoes_in_one_step_and_redo_restores_it() {
        let start = Rc::new(Workbench::with_sample());
        let original = start.scenario().criteria[1].points;
        let dragged = apply(
            Rc::clone(&start),
            (16..=25).map(|points| Action::SetPoints {
                criterion: 1,
                points,
            }),
        );
        assert_eq!(dragged.scenario().criteria[1].points, 25);
        let undone = Rc::clone(&dragged).reduce(Action::Undo);
        assert_eq!(undone.scenario().criteria[1].points, original);
        assert!(!undone.can_undo());
        let redone = Rc::clone(&undone).reduce(Action::Redo);
        assert_eq!(redone.scenario().criteria[1].points, 25);
        assert!(!redone.can_redo());
    }

    #[test]
    fn criteria_can_be_added_duplicated_moved_and_deleted_and_each_undone() {
        let start = Rc::new(Workbench::with_sample());
        let count = start.scenario().criteria.len();
        let first = start.scenario().criteria[0].clone();
        let edited = apply(
            Rc::clone(&start),
            [
                Action::DuplicateCriterion(0),
                Action::MoveCriterion {
                    criterion: 1,
                    by: 1,
                },
                Action::DeleteCriterion(0),
                Action::AddCriterion(first.clone()),
            ],
        );
        let c = &edited.scenario().criteria;
        assert_eq!(c.len(), count + 1);
        assert_eq!(c[1].label, format!("{} (copy)", first.label));
        assert_eq!(c[count].label, first.label);
        let back = apply(edited, (0..4).map(|_| Action::Undo));
        assert_eq!(back.definitions, start.definitions);
        let nothing = Rc::clone(&back).reduce(Action::MoveCriterion {
            criterion: 0,
            by: -1,
        });
        assert!(
            Rc::ptr_eq(&back, &nothing),
            "moving past the top changes nothing"
        );
    }

    #[test]
    fn scenarios_can_be_duplicated_renamed_selected_and_deleted() {
        let start = Rc::new(Workbench::with_sample());
        let s = apply(
            Rc::clone(&start),
            [
                Action::DuplicateScenario {
                    scenario: 0,
                    name: "Sales view".into(),
                },
                Action::SetThreshold(55),
                Action::RenameScenario {
                    scenario: 0,
                    name: "Marketing".into(),
                },
            ],
        );
        assert_eq!(s.definitions.active, 1);
        assert_eq!(s.scenario().name, "Sales view");
        assert_eq!(s.scenario().threshold, 55);
        assert_eq!(
            s.definitions.scenarios[0].threshold, 40,
            "the original is untouched"
        );
        let s = Rc::clone(&s).reduce(Action::SelectScenario(0));
        assert_eq!(s.scenario().name, "Marketing");
        let s = Rc::clone(&s).reduce(Action::DeleteScenario(0));
        assert_eq!(s.definitions.scenarios.len(), 1);
        assert_eq!(s.scenario().name, "Sales view");
        let last = Rc::clone(&s).reduce(Action::DeleteScenario(0));
        assert!(Rc::ptr_eq(&s, &last), "the last scenario stays");
    }

    #[test]
    fn imported_scenarios_are_added_beside_or_replace_the_current_ones() {
        let start = Rc::new(Workbench::with_sample());
        let mut other = start.scenario().clone();
        other.name = "Agreed".into();
        let added = Rc::clone(&start).reduce(Action::AddScenarios {
            scenarios: vec![other.clone()],
            active: 0,
            replace: false,
        });
        assert_eq!(added.definitions.scenarios.len(), 2);
        assert_eq!(added.scenario().name, "Agreed");
        let replaced = Rc::clone(&start).reduce(Action::AddScenarios {
            scenarios: vec![other],
            active: 0,
            replace: true,
        });
        assert_eq!(replaced.definitions.scenarios.len(), 1);
        let undone = replaced.reduce(Action::Undo);
        assert_eq!(
            undone.definitions, start.definitions,
            "nothing is lost: replacing can be undone"
        );
    }

    #[test]
    fn a_pattern_table_is_used_with_the_mapping_and_criteria_it_was_computed_for() {
        use crate::core::patterns::rule_column;
        let rows = reduce(
            Workbench::with_sample(),
            Action::LoadParsed(pending("id,channel,won\nA1,web,yes\nA2,event,no\n")),
        );
        let rows = Rc::clone(&rows).reduce(Action::ConfirmMapping { starting: None });
        let (mapping, definitions) = (rows.mapping.clone(), rows.definitions.clone());
        let first = &definitions.scenarios[0].criteria[0];
        let table = format!(
            "{},ll_leads,ll_converted\n1,700,210\n0,300,30\n",
            rule_column(&first.rule)
        );
        let parsed = Rc::clone(&rows).reduce(Action::LoadParsed(pending(&table)));
        assert!(matches!(pending_of(&parsed).patterns, Some(Ok(_))));
        let used = Rc::clone(&parsed).reduce(Action::ConfirmMapping { starting: None });
        let aggregated = used.data.aggregated.as_ref().expect("aggregated data");
        assert_eq!(
            (aggregated.patterns.leads, aggregated.patterns.converted),
            (1_000, 240)
        );
        assert_eq!(used.data.leads(), 1_000);
        assert_eq!(
            used.mapping, mapping,
            "the mapping the query was written for stays"
        );
        assert_eq!(used.definitions, definitions, "so do the criteria");
        let sample = aggregated
            .sample
            .as_ref()
            .expect("the row-level file is kept beside it");
        assert_eq!(sample.data.row_count(), 2);
        assert!(aggregated.patterns.covers(first));

        // A broken table stays in its step, with the reason.
        let broken =
            Rc::clone(&used).reduce(Action::LoadParsed(pending("ll_leads,ll_converted\n3,4\n")));
        let refused = Rc::clone(&broken).reduce(Action::ConfirmMapping { starting: None });
        assert!(matches!(refused.load, LoadStatus::Mapping(_)));
        assert!(refused
            .error
            .as_deref()
            .is_some_and(|e| e.contains("more in 'll_converted'")));
        assert_eq!(refused.data.version, used.data.version);
    }

    fn join_file(csv: &str) -> Shared<JoinFile> {
        let loaded = load_bytes("deals.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
        Shared(Rc::new(JoinFile {
            source: DataSource {
                name: "deals.csv".into(),
                blob: web_sys::Blob::new().unwrap(),
                options: LoadOptions::default(),
            },
            summaries: Rc::new(summarise(&loaded.dataset)),
            data: Rc::new(loaded.dataset),
            report: Rc::new(loaded.report),
            suggested: loaded.suggested,
        }))
    }

    fn pending_of(state: &Workbench) -> &PendingLoad {
        match &state.load {
            LoadStatus::Mapping(pending) => pending,
            other => panic!("not in the mapping step: {other:?}"),
        }
    }

    #[test]
    fn a_joined_file_gives_the_pending_leads_their_outcome_until_removed() {
        use crate::core::join::{propose, JOINED_OUTCOME};
        let leads = "id,channel\nA1,web\nA2,event\nA3,web\nA4,event\n";
        let deals = join_file("lead,amount\na1 ,100\nA3,250\nZ9,10\n");
        let parsed = reduce(Workbench::with_sample(), Action::LoadParsed(pending(leads)));
        let read = Rc::clone(&parsed).reduce(Action::JoinFileRead(deals.clone()));
        let waiting = pending_of(&read);
        assert!(waiting.join_file.is_some());
        assert_eq!(
            waiting.mapping.join, None,
            "nothing is joined before it is asked"
        );
        assert_ne!(
            waiting,
            pending_of(&parsed),
            "the step sees the file arrive"
        );

        let spec = propose(waiting.file(), &deals.data, "deals.csv", &deals.suggested).unwrap();
        let joined = Rc::clone(&read).reduce(Action::ApplyJoin(spec.clone()));
        let ready = pending_of(&joined);
        assert_eq!(ready.mapping.outcome.as_deref(), Some(JOINED_OUTCOME));
        assert_eq!(ready.mapping.deal_value.as_deref(), Some("amount"));
        assert_eq!(ready.not_ready(), None);
        let Some(Ok(columns)) = &ready.joined else {
            panic!("joined: {:?}", ready.joined)
        };
        assert_eq!(
            (
                columns.summary.leads_matched,
                columns.summary.rows_unmatched
            ),
            (2, 1)
        );

        let confirmed = Rc::clone(&joined).reduce(Action::ConfirmMapping { starting: None });
        assert_eq!(confirmed.data.data.row_count(), 4);
        let outcomes = confirmed.mapping.outcomes(&confirmed.data.data).unwrap();
        assert_eq!(outcomes, [true, false, true, false]);
        assert_eq!(
            confirmed.data.join.as_ref().map(|j| j.name.as_str()),
            Some("deals.csv")
        );

        let removed = Rc::clone(&joined).reduce(Action::DropJoin);
        let back = pending_of(&removed);
        assert_eq!(back.mapping.join, None);
        assert_eq!(back.mapping.deal_value, None);
        assert!(back.dataset.column(JOINED_OUTCOME).is_none());
        assert!(back.mapping.known_after.iter().all(|c| c != "amount"));
    }

    #[test]
    fn a_join_named_without_its_file_holds_the_data_back() {
        use crate::core::join::{JoinOutcome, JoinSpec, JOINED_OUTCOME};
        let mut p = pending("id,channel\nA1,web\nA2,event\n");
        let mut mapping = p.mapping.clone();
        mapping.join = Some(JoinSpec {
            file: "deals.csv".into(),
            lead_key: "id".into(),
            row_key: "lead".into(),
            outcome: JoinOutcome::Matched,
            deal_value: None,
            close_date: None,
            owner: None,
        });
        mapping.outcome = Some(JOINED_OUTCOME.into());
        p.set_mapping(mapping);
        let why = p.not_ready().expect("waits for the file");
        assert!(why.contains("“deals.csv”, joined on id = lead"), "{why}");
        let parsed = reduce(Workbench::with_sample(), Action::LoadParsed(p));
        let refused = Rc::clone(&parsed).reduce(Action::ConfirmMapping { starting: None });
        assert!(matches!(refused.load, LoadStatus::Mapping(_)));
        assert_eq!(refused.error.as_deref(), Some(why.as_str()));
        // The file arrives (a link's join, a restored session's): joined at once.
        let read = Rc::clone(&parsed).reduce(Action::JoinFileRead(join_file("lead\nA2\n")));
        assert_eq!(pending_of(&read).not_ready(), None);
        let confirmed = Rc::clone(&read).reduce(Action::ConfirmMapping { starting: None });
        let outcomes = confirmed.mapping.outcomes(&confirmed.data.data).unwrap();
        assert_eq!(outcomes, [false, true]);
    }

    #[test]
    fn data_changes_only_when_the_mapping_is_confirmed() {
        let state = Rc::new(Workbench::with_sample());
        let parsed = Rc::clone(&state).reduce(Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")));
        assert_eq!(
            parsed.data.data.row_count(),
            5_000,
            "the sample stays until confirmed"
        );
        let confirmed = Rc::clone(&parsed).reduce(Action::ConfirmMapping { starting: None });
        assert_eq!(confirmed.data.data.row_count(), 2);
        assert_eq!(confirmed.mapping.outcome.as_deref(), Some("won"));
        assert!(confirmed.data != state.data, "a new version");
        assert_eq!(confirmed.load, LoadStatus::Idle);
    }

    #[test]
    fn confirming_sets_aside_the_samples_scenario_for_a_starting_point_undoably() {
        let parsed = reduce(
            Workbench::with_sample(),
            Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")),
        );
        let sample_scenario = parsed.scenario().clone();
        let starting = Scenario {
            name: "Starting point (from leads.csv)".into(),
            threshold: 1,
            criteria: vec![Criterion::new("Id", 5, "id", RuleTest::NotEmpty)],
            grid: Default::default(),
            agreement: Default::default(),
        };
        let confirmed = Rc::clone(&parsed).reduce(Action::ConfirmMapping {
            starting: Some(starting.clone()),
        });
        assert_eq!(confirmed.definitions.scenarios, vec![starting]);
        let notice = confirmed.notice.as_deref().unwrap();
        assert!(
            notice.contains(&format!("“{}”", sample_scenario.name)),
            "{notice}"
        );
        assert!(notice.contains("Undo brings it back"), "{notice}");
        let undone = Rc::clone(&confirmed).reduce(Action::Undo);
        assert_eq!(undone.definitions.scenarios, vec![sample_scenario]);
        assert_eq!(
            undone.data.data.row_count(),
            2,
            "undo concerns the definitions, not the data"
        );
    }

    #[test]
    fn data_for_which_a_links_scenarios_were_made_keeps_them_and_their_active_one() {
        // A colleague opened a link (two scenarios on the file's columns,
        // the second active), then loads the file itself.
        let on_file = |name: &str, points: i32| Scenario {
            name: name.into(),
            threshold: 5,
            criteria: vec![Criterion::new(
                "Won early",
                points,
                "id",
                RuleTest::NotEmpty,
            )],
            grid: Default::default(),
            agreement: Default::default(),
        };
        let linked = reduce(
            Workbench::with_sample(),
            Action::AddScenarios {
                scenarios: vec![on_file("Marketing view", 3), on_file("Sales view", 7)],
                active: 1,
                replace: true,
            },
        );
        let mark = DataMark {
            name: "leads.csv".into(),
            rows: 2,
            columns: vec!["id".into(), "won".into()],
        };
        let linked = Rc::clone(&linked).reduce(Action::NoteMadeOn(Some(mark.clone())));
        assert_eq!(linked.made_on, Some(mark));
        let parsed =
            Rc::clone(&linked).reduce(Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")));
        let confirmed = Rc::clone(&parsed).reduce(Action::ConfirmMapping { starting: None });
        assert_eq!(
            confirmed.definitions, linked.definitions,
            "nothing added, nothing moved"
        );
        assert_eq!(confirmed.scenario().name, "Sales view");
        assert_eq!(confirmed.notice, None);
        // Asked for, a starting point is added as the active scenario.
        let mut start = on_file("Starting point (from leads.csv)", 1);
        start.threshold = 1;
        let suggested = Rc::clone(&confirmed).reduce(Action::AddStarting(start));
        assert_eq!(suggested.definitions.scenarios.len(), 3);
        assert_eq!(suggested.scenario().name, "Starting point (from leads.csv)");
    }

    #[test]
    fn only_scenarios_that_fit_none_of_the_columns_are_set_aside() {
        let fitting = Scenario {
            name: "Fits".into(),
            threshold: 1,
            criteria: vec![Criterion::new("Id", 5, "id", RuleTest::NotEmpty)],
            grid: Default::default(),
            agreement: Default::default(),
        };
        let state = reduce(
            Workbench::with_sample(),
            Action::AddScenarios {
                scenarios: vec![fitting.clone()],
                active: 0,
                replace: false,
            },
        );
        // The sample's scenario stays active while the sample is shown.
        let state = Rc::clone(&state).reduce(Action::SelectScenario(0));
        let parsed = Rc::clone(&state).reduce(Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")));
        let confirmed = Rc::clone(&parsed).reduce(Action::ConfirmMapping {
            starting: Some(fitting.clone()),
        });
        assert_eq!(
            confirmed.definitions.scenarios,
            vec![fitting],
            "no starting point beside it"
        );
        assert_eq!(confirmed.definitions.active, 0);
        assert!(confirmed
            .notice
            .as_deref()
            .unwrap()
            .starts_with("Set aside 1 scenario"));
    }

    #[test]
    fn forgetting_data_brings_back_a_scenario_for_the_sample() {
        let parsed = reduce(
            Workbench::with_sample(),
            Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")),
        );
        let mut other = parsed.scenario().clone();
        other
            .criteria
            .iter_mut()
            .for_each(|c| c.rule.column = "won".into());
        let s = Rc::clone(&parsed).reduce(Action::ConfirmMapping { starting: None });
        let s = s.reduce(Action::AddScenarios {
            scenarios: vec![other],
            active: 0,
            replace: true,
        });
        let s = s.reduce(Action::ForgetData);
        assert_eq!(s.definitions.scenarios.len(), 2);
        assert_eq!(s.scenario().name, "Marketing view");
    }

    #[test]
    fn a_failed_load_keeps_the_data_and_says_why() {
        let state = Rc::new(Workbench::with_sample());
        let failed = Rc::clone(&state).reduce(Action::LoadFailed("The file is empty.".into()));
        assert_eq!(failed.error.as_deref(), Some("The file is empty."));
        assert!(failed.data == state.data);
    }

    #[test]
    fn confirming_without_an_outcome_keeps_the_mapping_step() {
        let mut p = pending("id,won\n1,yes\n2,no\n");
        p.mapping.outcome = None;
        let state = reduce(Workbench::with_sample(), Action::LoadParsed(p));
        let next = Rc::clone(&state).reduce(Action::ConfirmMapping { starting: None });
        assert!(matches!(next.load, LoadStatus::Mapping(_)));
        assert!(next.error.is_some());
        assert_eq!(next.data.data.row_count(), 5_000);
    }

    #[test]
    fn forgetting_data_returns_to_the_sample() {
        let state = reduce(
            Workbench::with_sample(),
            Action::LoadParsed(pending("id,won\n1,yes\n")),
        );
        let state = Rc::clone(&state).reduce(Action::ConfirmMapping { starting: None });
        let state = Rc::clone(&state).reduce(Action::ForgetData);
        assert_eq!(state.data.data.row_count(), 5_000);
        assert!(state.data.source.is_none());
    }

    #[test]
    fn a_restored_workspace_replaces_scenarios_and_settings_without_history() {
        let mut sales = sample_scenario();
        sales.name = "Sales view".into();
        sales.threshold = 65;
        let edited = reduce(Workbench::with_sample(), Action::SetThreshold(10));
        let restored = Rc::clone(&edited).reduce(Action::RestoreWorkspace(SavedWorkspace {
            scenarios: vec![sample_scenario(), sales],
            active: 7,
            settings: ReplaySettings { reps: 3 },
            made_on: None,
            check: CheckSplit {
                share: 0.3,
                ..CheckSplit::default()
            },
            attendees: Default::default(),
            log: Default::default(),
        }));
        assert_eq!(restored.definitions.scenarios.len(), 2);
        assert_eq!(
            restored.definitions.active, 1,
            "an active index out of range is clamped"
        );
        assert_eq!(restored.scenario().threshold, 65);
        assert_eq!(restored.settings.reps, 3);
        assert_eq!(
            restored.check.share, 0.3,
            "the check set's draw is restored"
        );
        assert!(!restored.can_undo());
        let same = Rc::clone(&restored).reduce(Action::RestoreWorkspace(SavedWorkspace {
            scenarios: Vec::new(),
            active: 0,
            settings: ReplaySettings::default(),
            made_on: None,
            check: CheckSplit::default(),
            attendees: Default::default(),
            log: Default::default(),
        }));
        assert!(
            Rc::ptr_eq(&same, &restored),
            "an empty workspace changes nothing"
        );
    }

    #[test]
    fn resetting_returns_to_a_first_visit_with_newer_data() {
        let state = reduce(
            Workbench::with_sample(),
            Action::LoadParsed(pending("id,won\n1,yes\n")),
        );
        let state = Rc::clone(&state).reduce(Action::ConfirmMapping { starting: None });
        let state = Rc::clone(&state).reduce(Action::SetThreshold(99));
        let version = state.data.version;
        let reset = Rc::clone(&state).reduce(Action::ResetWorkspace);
        assert_eq!(reset.data.data.row_count(), 5_000);
        assert!(reset.data.version > version, "effects see the data change");
        assert_eq!(reset.definitions.scenarios, vec![sample_scenario()]);
        assert!(!reset.can_undo());
    }

    #[test]
    fn the_agreed_definition_needs_both_sides_and_every_edit_is_logged() {
        let start = Workbench::with_sample();
        let counted = start.scenario().criteria.len();
        let refused = reduce(start.clone(), Action::MarkAgreed(Some("2026-12-02".into())));
        assert_eq!(
            refused.scenario().agreement.agreed_on,
            None,
            "not agreed by both yet"
        );
        assert!(refused.record.log.is_empty());
        let mut state = Rc::new(start);
        for criterion in 0..counted {
            for side in Side::BOTH {
                state = Rc::clone(&state).reduce(Action::SetStance {
                    criterion,
                    side,
                    stance: Stance::Agrees,
                });
            }
        }
        assert!(Standing::of(state.scenario()).agreed_by_both());
        let bad_day = Rc::clone(&state).reduce(Action::MarkAgreed(Some("2 December".into())));
        assert_eq!(bad_day.scenario().agreement.agreed_on, None);
        let agreed = Rc::clone(&state).reduce(Action::MarkAgreed(Some("2026-12-02".into())));
        assert_eq!(
            agreed.scenario().agreement.agreed_on.as_deref(),
            Some("2026-12-02")
        );
        // Each sign-off is its own entry, then the agreement.
        assert_eq!(agreed.record.log.len(), 2 * counted + 1);
        assert_eq!(
            agreed.record.log.last().unwrap().change,
            "Marked as the agreed definition on 2026-12-02"
        );
        // A copy of the agreed definition is not agreed; undo brings the
        // agreement back and says so.
        let copied = Rc::clone(&agreed).reduce(Action::DuplicateScenario {
            scenario: 0,
            name: "Copy".into(),
        });
        assert_eq!(copied.scenario().agreement.agreed_on, None);
        assert!(copied.definitions.scenarios[0]
            .agreement
            .agreed_on
            .is_some());
        let edited = Rc::clone(&agreed).reduce(Action::SetThreshold(55));
        assert_eq!(
            edited.scenario().agreement.agreed_on,
            None,
            "an edit withdraws it"
        );
        let undone = Rc::clone(&edited).reduce(Action::Undo);
        assert_eq!(
            undone.scenario().agreement.agreed_on.as_deref(),
            Some("2026-12-02")
        );
        assert!(undone
            .record
            .log
            .last()
            .unwrap()
            .change
            .starts_with("Undone: Threshold: 55+ → 40+ points"));
        // Terms out of range are refused.
        let terms = ServiceTerms {
            worked_percent: Some(0),
            ..ServiceTerms::default()
        };
        let same = Rc::clone(&undone).reduce(Action::SetTerms(terms));
        assert!(Rc::ptr_eq(&same, &undone));
    }

    #[test]
    fn a_progress_tick_copies_no_scenarios_and_no_history() {
        let start = Rc::new(Workbench::with_sample());
        let edited = Rc::clone(&start).reduce(Action::SetThreshold(50));
        let reading = Rc::clone(&edited).reduce(Action::LoadStarted {
            name: "big.csv".into(),
            bytes_total: 100,
        });
        let ticked = Rc::clone(&reading).reduce(Action::LoadProgress {
            bytes_done: 10,
            rows: 3,
        });
        assert!(Rc::ptr_eq(&ticked.definitions, &edited.definitions));
        assert!(Rc::ptr_eq(&ticked.history, &edited.history));
        // An edit shares the earlier definitions with the undo history.
        assert!(Rc::ptr_eq(&edited.history.undo[0].0, &start.definitions));
        let undone = Rc::clone(&ticked).reduce(Action::Undo);
        assert!(Rc::ptr_eq(&undone.definitions, &start.definitions));
    }
}
