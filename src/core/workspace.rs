//! The workspace kept between visits: every scenario, which one is active,
//! and the settings. (The data and its mapping are kept with the data.)
//! Read back with the same validation as a criteria file, so a damaged or
//! tampered copy is refused with a reason instead of half-applied.

use serde::{Deserialize, Serialize};

use super::criteria::Scenario;
use super::criteria_file::{CriteriaFile, CriteriaFileError, DataMark};
use super::decisions::Decision;
use super::engine::ReplaySettings;
use super::mapping::ColumnMapping;
use super::split::CheckSplit;

/// The kind tag of a saved workspace.
pub const WORKSPACE_FORMAT: &str = "leadlens-workspace";
pub const WORKSPACE_VERSION: u32 = 1;

/// The most reps a workload is spread over.
pub const MAX_REPS: u32 = 100_000;

/// Scenarios and settings as kept between visits.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedWorkspace {
    pub scenarios: Vec<Scenario>,
    pub active: usize,
    pub settings: ReplaySettings,
    /// The data a link or criteria file said the scenarios were made on.
    pub made_on: Option<DataMark>,
    /// How the check set is drawn.
    pub check: CheckSplit,
    /// Who attended, as the minutes say.
    pub attendees: String,
    /// Every change made, with its effect on the key figures.
    pub log: Vec<Decision>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    version: u32,
    /// The scenarios as a criteria file (without a mapping).
    criteria: serde_json::Value,
    reps: u32,
}

/// Why a saved workspace could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkspaceError {
    NotAWorkspace,
    UnknownVersion(u64),
    Criteria(CriteriaFileError),
    BadSettings(String),
}

impl std::fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkspaceError::NotAWorkspace => f.write_str("it is not a saved leadlens workspace"),
            WorkspaceError::UnknownVersion(v) => write!(
                f,
                "it was saved by a newer leadlens (workspace version {v}; this one reads version {WORKSPACE_VERSION})"
            ),
            WorkspaceError::Criteria(e) => write!(f, "its scenarios could not be read: {e}"),
            WorkspaceError::BadSettings(why) => write!(f, "its settings could not be read: {why}"),
        }
    }
}

impl SavedWorkspace {
    pub fn to_json(&self) -> String {
        let criteria = CriteriaFile::new(
            ColumnMapping::default(),
            self.scenarios.clone(),
            self.active,
        )
        .made_on(self.made_on.clone())
        .with_check(Some(self.check))
        .with_record(self.attendees.clone(), self.log.clone());
        let stored = Stored {
            format: WORKSPACE_FORMAT.to_owned(),
            version: WORKSPACE_VERSION,
            criteria: serde_json::to_value(&criteria)
                .expect("the criteria model always serialises"),
            reps: self.settings.reps,
        };
        serde_json::to_string(&stored).expect("a workspace always serialises")
    }

    pub fn parse(text: &str) -> Result<SavedWorkspace, WorkspaceError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| WorkspaceError::NotAWorkspace)?;
        if value.get("format").and_then(|f| f.as_str()) != Some(WORKSPACE_FORMAT) {
            return Err(WorkspaceError::NotAWorkspace);
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(WORKSPACE_VERSION) => {}
            Some(v) => return Err(WorkspaceError::UnknownVersion(v)),
            None => return Err(WorkspaceError::NotAWorkspace),
        }
        let stored: Stored = serde_json::from_value(value)
            .map_err(|e| WorkspaceError::BadSettings(e.to_string()))?;
        if !(1..=MAX_REPS).contains(&stored.reps) {
            return Err(WorkspaceError::BadSettings(format!(
                "{} reps is outside 1 to {MAX_REPS}",
                stored.reps
            )));
        }
        let criteria =
            CriteriaFile::from_value(stored.criteria).map_err(WorkspaceError::Criteria)?;
        Ok(SavedWorkspace {
            scenarios: criteria.scenarios,
            active: criteria.active,
            settings: ReplaySettings { reps: stored.reps },
            made_on: criteria.data,
            check: criteria.check.unwrap_or_default(),
            attendees: criteria.attendees,
            log: criteria.log,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sample::sample_scenario;
    use crate::core::split::SplitBy;

    fn workspace() -> SavedWorkspace {
        let mut sales = sample_scenario();
        sales.name = "Sales view".into();
        sales.threshold = 60;
        sales.criteria[1].points = -5;
        SavedWorkspace {
            scenarios: vec![sample_scenario(), sales],
            active: 1,
            settings: ReplaySettings { reps: 12 },
            made_on: Some(DataMark {
                name: "bank_full.csv".into(),
                rows: 45_211,
                columns: vec!["y".into(), "duration".into()],
            }),
            check: CheckSplit {
                enabled: true,
                share: 0.35,
                by: SplitBy::Random,
                seed: 9,
            },
            attendees: "Ana, Bo".into(),
            log: vec![Decision {
                at: "2026-12-02T14:05:09Z".into(),
                scenario: "Sales view".into(),
                change: "Threshold: 40+ → 60+ points".into(),
                before: Some(crate::core::decisions::LoggedFigures {
                    sales_ready: 88,
                    conversion_in: Some(0.5),
                    captured: Some(0.25),
                }),
                after: None,
            }],
        }
    }

    #[test]
    fn a_workspace_reads_back_as_it_was_saved() {
        let saved = workspace();
        assert_eq!(SavedWorkspace::parse(&saved.to_json()), Ok(saved));
    }

    #[test]
    fn damaged_or_foreign_copies_are_refused_with_a_reason() {
        let json = workspace().to_json();
        assert_eq!(
            SavedWorkspace::parse(""),
            Err(WorkspaceError::NotAWorkspace)
        );
        assert_eq!(
            SavedWorkspace::parse(&json[..json.len() / 2]),
            Err(WorkspaceError::NotAWorkspace)
        );
        assert_eq!(
            SavedWorkspace::parse("{\"format\":\"other\"}"),
            Err(WorkspaceError::NotAWorkspace)
        );
        let newer = json.replace("\"version\":1,\"criteria\"", "\"version\":2,\"criteria\"");
        assert_eq!(
            SavedWorkspace::parse(&newer),
            Err(WorkspaceError::UnknownVersion(2))
        );
        let no_reps = json.replace("\"reps\":12", "\"reps\":0");
        assert!(matches!(
            SavedWorkspace::parse(&no_reps),
            Err(WorkspaceError::BadSettings(_))
        ));
        let no_scenarios = SavedWorkspace {
            scenarios: Vec::new(),
            active: 0,
            ..workspace()
        }
        .to_json();
        let error = SavedWorkspace::parse(&no_scenarios).unwrap_err();
        assert!(matches!(error, WorkspaceError::Criteria(_)));
        assert!(error.to_string().contains("no scenario"), "{error}");
    }
}
