//! The workbench state, its one reducer, and the context that hands it to
//! components.
//!
//! Every edit is an [`Action`]; [`Workbench::reduce`] is a pure function of
//! the state and the action, with no storage, URL or DOM work. Components
//! reach the state through [`use_workbench`], whose handle names each edit as
//! a verb (`set_points`, `confirm_mapping`, …). Loading a file is driven by
//! `loading.rs`, which reports its progress here as actions.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::criteria::Scenario;
use crate::core::dataset::Dataset;
use crate::core::engine::ReplaySettings;
use crate::core::ingest::{LoadOptions, LoadReport, Loaded};
use crate::core::mapping::ColumnMapping;
use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
use crate::core::summary::{summarise, ColumnSummary};

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
}

impl PartialEq for LoadedData {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
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

/// A file that has been read and typed, waiting for the user to confirm
/// its column roles. Until then the previous data stays in use.
#[derive(Debug, Clone)]
pub struct PendingLoad {
    pub dataset: Rc<Dataset>,
    pub report: Rc<LoadReport>,
    pub summaries: Rc<Vec<ColumnSummary>>,
    pub source: DataSource,
    /// The roles proposed in the mapping step.
    pub mapping: ColumnMapping,
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
        PendingLoad {
            mapping: mapping.unwrap_or(loaded.suggested),
            dataset: Rc::new(loaded.dataset),
            report: Rc::new(loaded.report),
            summaries: Rc::new(summaries),
            source,
        }
    }
}

impl PendingLoad {
    fn into_data(self) -> LoadedData {
        LoadedData {
            version: 0,
            data: self.dataset,
            report: Some(self.report),
            summaries: self.summaries,
            source: Some(self.source),
        }
    }
}

impl PartialEq for PendingLoad {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.dataset, &other.dataset) && self.mapping == other.mapping
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
    Mapping(PendingLoad),
}

/// Everything the user works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbench {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub scenario: Scenario,
    pub settings: ReplaySettings,
    pub load: LoadStatus,
    /// The last load or link error, until dismissed or superseded.
    pub error: Option<String>,
}

impl Workbench {
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
            },
            mapping: sample_mapping(),
            scenario: sample_scenario(),
            settings: ReplaySettings::default(),
            load: LoadStatus::Idle,
            error: None,
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

/// One edit of the workbench.
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
    /// The number of sales reps the workload is spread over.
    SetReps(u32),
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
    /// Use the pending data with its mapping.
    ConfirmMapping,
    /// Use loaded data directly (a restored session): no mapping step.
    Restore(PendingLoad),
    CancelLoad,
    LoadFailed(String),
    DismissError,
    /// Back to the built-in sample.
    ForgetData,
}

impl Reducible for Workbench {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetPoints { criterion, points } => {
                match next.scenario.criteria.get_mut(criterion) {
                    Some(c) if c.points != points => c.points = points,
                    _ => return self,
                }
            }
            Action::SetEnabled { criterion, enabled } => {
                match next.scenario.criteria.get_mut(criterion) {
                    Some(c) if c.enabled != enabled => c.enabled = enabled,
                    _ => return self,
                }
            }
            Action::SetThreshold(threshold) => {
                if next.scenario.threshold == threshold {
                    return self;
                }
                next.scenario.threshold = threshold;
            }
            Action::SetReps(reps) => {
                let reps = reps.max(1);
                if next.settings.reps == reps {
                    return self;
                }
                next.settings.reps = reps;
            }
            Action::LoadStarted { name, bytes_total } => {
                next.error = None;
                next.load = LoadStatus::Reading {
                    name,
                    bytes_done: 0,
                    bytes_total,
                    rows: 0,
                };
            }
            Action::LoadProgress { bytes_done, rows } => match &mut next.load {
                LoadStatus::Reading {
                    bytes_done: done,
                    rows: read,
                    ..
                } => {
                    *done = bytes_done;
                    *read = rows;
                }
                _ => return self,
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
            }
            Action::LoadParsed(pending) => next.load = LoadStatus::Mapping(pending),
            Action::EditPendingMapping(mapping) => match &mut next.load {
                LoadStatus::Mapping(pending) => pending.mapping = mapping,
                _ => return self,
            },
            Action::ConfirmMapping => {
                let LoadStatus::Mapping(pending) = std::mem::take(&mut next.load) else {
                    return self;
                };
                if pending.mapping.outcome.is_none() {
                    next.load = LoadStatus::Mapping(pending);
                    next.error = Some("Choose the outcome column before using the data.".into());
                    return Rc::new(next);
                }
                next.mapping = pending.mapping.clone();
                next.error = None;
                next.replace_data(pending.into_data());
            }
            Action::Restore(pending) => {
                next.mapping = pending.mapping.clone();
                next.load = LoadStatus::Idle;
                next.replace_data(pending.into_data());
            }
            Action::CancelLoad => next.load = LoadStatus::Idle,
            Action::LoadFailed(message) => {
                next.load = LoadStatus::Idle;
                next.error = Some(message);
            }
            Action::DismissError => next.error = None,
            Action::ForgetData => {
                let sample = Workbench::with_sample();
                next.mapping = sample.mapping;
                next.load = LoadStatus::Idle;
                next.error = None;
                next.replace_data(sample.data);
            }
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

    pub fn set_reps(&self, reps: u32) {
        self.dispatch(Action::SetReps(reps));
    }

    pub fn edit_pending_mapping(&self, mapping: ColumnMapping) {
        self.dispatch(Action::EditPendingMapping(mapping));
    }

    pub fn confirm_mapping(&self) {
        self.dispatch(Action::ConfirmMapping);
    }

    pub fn cancel_load(&self) {
        self.dispatch(Action::CancelLoad);
    }

    pub fn dismiss_error(&self) {
        self.dispatch(Action::DismissError);
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
    let state = use_reducer(Workbench::with_sample);
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
    use crate::core::ingest::{load_bytes, LoadOptions};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(state: Workbench, action: Action) -> Rc<Workbench> {
        Rc::new(state).reduce(action)
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
        assert_eq!(next.scenario.criteria[0].points, 7);
        let next = Rc::clone(&next).reduce(Action::SetThreshold(12));
        assert_eq!(next.scenario.threshold, 12);
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

    #[test]
    fn data_changes_only_when_the_mapping_is_confirmed() {
        let state = Rc::new(Workbench::with_sample());
        let parsed = Rc::clone(&state).reduce(Action::LoadParsed(pending("id,won\n1,yes\n2,no\n")));
        assert_eq!(
            parsed.data.data.row_count(),
            5_000,
            "the sample stays until confirmed"
        );
        let confirmed = Rc::clone(&parsed).reduce(Action::ConfirmMapping);
        assert_eq!(confirmed.data.data.row_count(), 2);
        assert_eq!(confirmed.mapping.outcome.as_deref(), Some("won"));
        assert!(confirmed.data != state.data, "a new version");
        assert_eq!(confirmed.load, LoadStatus::Idle);
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
        let next = Rc::clone(&state).reduce(Action::ConfirmMapping);
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
        let state = Rc::clone(&state).reduce(Action::ConfirmMapping);
        let state = Rc::clone(&state).reduce(Action::ForgetData);
        assert_eq!(state.data.data.row_count(), 5_000);
        assert!(state.data.source.is_none());
    }
}
