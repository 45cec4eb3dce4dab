//! The workbench state, its one reducer, and the context that hands it to
//! components.
//!
//! Every edit is an [`Action`]; [`Workbench::reduce`] is a pure function of
//! the state and the action, with no storage, URL or DOM work. Components
//! reach the state through [`use_workbench`], whose handle names each edit as
//! a verb (`set_points`, `set_threshold`, …).

use std::rc::Rc;

use yew::prelude::*;

use crate::core::criteria::Scenario;
use crate::core::dataset::Dataset;
use crate::core::mapping::ColumnMapping;
use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};

/// The loaded data set with a version number. Two handles are equal when
/// their versions are, so memoised figures and effects can depend on the
/// data without comparing a million rows.
#[derive(Debug, Clone)]
pub struct LoadedData {
    pub version: u32,
    pub data: Rc<Dataset>,
}

impl PartialEq for LoadedData {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// Everything the user works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbench {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub scenario: Scenario,
}

impl Workbench {
    /// The built-in synthetic sample with its starting scenario.
    pub fn with_sample() -> Self {
        Workbench {
            data: LoadedData {
                version: 0,
                data: Rc::new(sample_dataset()),
            },
            mapping: sample_mapping(),
            scenario: sample_scenario(),
        }
    }
}

/// One edit of the workbench.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetPoints { criterion: usize, points: i32 },
    SetEnabled { criterion: usize, enabled: bool },
    SetThreshold(i32),
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

    pub fn set_points(&self, criterion: usize, points: i32) {
        self.0.dispatch(Action::SetPoints { criterion, points });
    }

    pub fn set_enabled(&self, criterion: usize, enabled: bool) {
        self.0.dispatch(Action::SetEnabled { criterion, enabled });
    }

    pub fn set_threshold(&self, threshold: i32) {
        self.0.dispatch(Action::SetThreshold(threshold));
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
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(state: Workbench, action: Action) -> Rc<Workbench> {
        Rc::new(state).reduce(action)
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
}
