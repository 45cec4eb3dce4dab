//! The criteria file: scenarios, their criteria and the column mapping as
//! JSON (`"format": "leadlens-criteria"`, version 2), for export, import and
//! the share link. Version 2 adds what records an agreement: each side's
//! sign-off on each criterion, the agreed definition's day and service
//! terms, who attended and the decision log. Version 1 files are read
//! exactly as before (any version 2 field in one is ignored, as a version
//! 1 reader ignored it).
//!
//! Reading goes in two steps. The text is first checked to be a criteria
//! file of a version this build knows, so a wrong file gets a plain message
//! rather than a parser's; then the content is decoded and validated (sizes,
//! numbers, the active scenario), and only then becomes the model. Unknown
//! fields are ignored, so files from later builds that only add fields still
//! open.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::agreement::is_iso_day;
use super::criteria::{Criterion, RuleTest, Scenario};
use super::decisions::{is_logged_time, Decision, LoggedFigures, MAX_CHANGE_CHARS, MAX_LOG};
use super::derive::MAX_DERIVED;
use super::join::JoinOutcome;
use super::mapping::ColumnMapping;
use super::split::{CheckSplit, SHARES};

pub const FORMAT: &str = "leadlens-criteria";
pub const VERSION: u32 = 2;
/// The most characters of the attendees field.
pub const MAX_ATTENDEES: usize = 2_000;

/// Limits that keep a hostile or broken file from swamping the app.
pub const MAX_SCENARIOS: usize = 20;
pub const MAX_CRITERIA: usize = 100;
pub const MAX_TEXT: usize = 500;
pub const MAX_VALUES: usize = 1_000;
pub use super::criteria::MAX_POINTS;

/// Everything a criteria file carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriteriaFile {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub mapping: ColumnMapping,
    #[serde(default)]
    pub active: usize,
    pub scenarios: Vec<Scenario>,
    /// The data set the scenarios were worked out on, when it was the
    /// user's own: what a colleague should load to see the same figures.
    /// Version 1 readers that predate it ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataMark>,
    /// How the check set is drawn, so that colleagues checking on the
    /// same data check on the same leads. Readers that predate it ignore
    /// it; without it, the default split applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckSplit>,
    /// Who attended the meeting the definition was agreed in (version 2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attendees: String,
    /// Every change made, with its effect on the key figures (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<Decision>,
}

/// Which data a definition was made on: the file's name, its leads and
/// the columns the scenarios and the mapping use. Names only, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataMark {
    pub name: String,
    pub rows: u64,
    #[serde(default)]
    pub columns: Vec<String>,
}

impl DataMark {
    /// The mark of data `name` with `rows` leads for `scenarios` and
    /// `mapping`: the columns they use, each once, in the order first used.
    pub fn new(
        name: &str,
        rows: usize,
        mapping: &ColumnMapping,
        scenarios: &[Scenario],
    ) -> DataMark {
        let mut columns: Vec<String> = Vec::new();
        let roles = [
            &mapping.outcome,
            &mapping.followed_up,
            &mapping.response_hours,
            &mapping.first_touch,
            &mapping.created,
            &mapping.deal_value,
            &mapping.owner,
            &mapping.lead_id,
        ];
        let used = roles.into_iter().flatten().chain(
            scenarios
                .iter()
                .flat_map(|s| s.criteria.iter().map(|c| &c.rule.column)),
        );
        for name in used {
            if !columns.contains(name) && columns.len() < MAX_MARKED_COLUMNS {
                columns.push(name.clone());
            }
        }
        DataMark {
            name: name.to_owned(),
            rows: rows as u64,
            columns,
        }
    }
}

/// At most this many column names in a [`DataMark`].
pub const MAX_MARKED_COLUMNS: usize = 200;

/// Why a criteria file was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum CriteriaFileError {
    /// Not JSON at all, with the parser's position.
    NotJson { line: usize, column: usize },
    /// JSON, but not a leadlens criteria file.
    NotCriteriaFile,
    /// A criteria file of a version this build does not read.
    UnknownVersion(u64),
    /// The right format and version, but content that does not fit it.
    Invalid(String),
}

impl fmt::Display for CriteriaFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CriteriaFileError::NotJson { line, column } => write!(
                f,
                "This is not a criteria file: it is not valid JSON (line {line}, column {column})."
            ),
            CriteriaFileError::NotCriteriaFile => f.write_str(
                "This JSON is not a leadlens criteria file (it lacks \"format\": \"leadlens-criteria\").",
            ),
            CriteriaFileError::UnknownVersion(v) => write!(
                f,
                "This criteria file is version {v}; this version of leadlens reads versions 1 to {VERSION}. \
                 Open it with a newer leadlens."
            ),
            CriteriaFileError::Invalid(reason) => write!(f, "The criteria file is damaged: {reason}."),
        }
    }
}

impl std::error::Error for CriteriaFileError {}

fn invalid(reason: impl Into<String>) -> CriteriaFileError {
    CriteriaFileError::Invalid(reason.into())
}

fn check_text(what: &str, text: &str) -> Result<(), CriteriaFileError> {
    if text.chars().count() > MAX_TEXT {
        return Err(invalid(format!(
            "{what} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(())
}

fn check_number(what: &str, x: f64) -> Result<(), CriteriaFileError> {
    if !x.is_finite() {
        return Err(invalid(format!("{what} is not a finite number")));
    }
    Ok(())
}

fn check_points(what: &str, points: i32) -> Result<(), CriteriaFileError> {
    if points.unsigned_abs() > MAX_POINTS.unsigned_abs() {
        return Err(invalid(format!(
            "{what} ({points}) is beyond ±{MAX_POINTS}"
        )));
    }
    Ok(())
}

/// The parts of a version 2 file a version 1 reader never saw.
fn forget_version_2_fields(value: &mut serde_json::Value) {
    let Some(top) = value.as_object_mut() else {
        return;
    };
    top.remove("attendees");
    top.remove("log");
    let Some(scenarios) = top.get_mut("scenarios").and_then(|s| s.as_array_mut()) else {
        return;
    };
    for scenario in scenarios.iter_mut().filter_map(|s| s.as_object_mut()) {
        scenario.remove("agreed_on");
        scenario.remove("terms");
        let Some(criteria) = scenario.get_mut("criteria").and_then(|c| c.as_array_mut()) else {
            continue;
        };
        for criterion in criteria.iter_mut().filter_map(|c| c.as_object_mut()) {
            criterion.remove("sign_off");
        }
    }
}

fn check_figures(at: &str, figures: &Option<LoggedFigures>) -> Result<(), CriteriaFileError> {
    if let Some(f) = figures {
        for rate in [f.conversion_in, f.captured].into_iter().flatten() {
            if !(0.0..=1.0).contains(&rate) {
                return Err(invalid(format!("{at}: a rate is outside 0 to 1")));
            }
        }
    }
    Ok(())
}

fn check_decision(at: &str, d: &Decision) -> Result<(), CriteriaFileError> {
    if !is_logged_time(&d.at) {
        return Err(invalid(format!(
            "{at}: the time is not written YYYY-MM-DDTHH:MM:SSZ"
        )));
    }
    check_text(&format!("{at}: the scenario"), &d.scenario)?;
    if d.change.chars().count() > MAX_CHANGE_CHARS {
        return Err(invalid(format!(
            "{at}: the change is longer than {MAX_CHANGE_CHARS} characters"
        )));
    }
    check_figures(at, &d.before)?;
    check_figures(at, &d.after)
}

fn check_criterion(at: &str, c: &Criterion) -> Result<(), CriteriaFileError> {
    check_text(&format!("{at}: the label"), &c.label)?;
    check_text(&format!("{at}: the sign-off's note"), &c.sign_off.note)?;
    check_text(&format!("{at}: the rationale"), &c.rationale)?;
    check_text(&format!("{at}: the column name"), &c.rule.column)?;
    check_points(&format!("{at}: the points"), c.points)?;
    match &c.rule.test {
        RuleTest::AnyOf { values } | RuleTest::NoneOf { values } => {
            if values.len() > MAX_VALUES {
                return Err(invalid(format!("{at} lists more than {MAX_VALUES} values")));
            }
            for v in values {
                check_text(&format!("{at}: a value"), v)?;
            }
        }
        RuleTest::Gte { value } | RuleTest::Lte { value } => check_number(at, *value)?,
        RuleTest::Between { min, max } => {
            check_number(at, *min)?;
            check_number(at, *max)?;
            if min > max {
                return Err(invalid(format!("{at}: the range starts above its end")));
            }
        }
        RuleTest::Contains { value } => check_text(&format!("{at}: the text"), value)?,
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => {
            check_points(&format!("{at}: the points per unit"), *points_per_unit)?;
            check_points(&format!("{at}: the maximum"), *max_points)?;
        }
        RuleTest::IsTrue
        | RuleTest::IsFalse
        | RuleTest::Empty
        | RuleTest::NotEmpty
        | RuleTest::WithinDays { .. } => {}
    }
    Ok(())
}

impl CriteriaFile {
    /// A file holding `scenarios`, `active` and `mapping`.
    pub fn new(mapping: ColumnMapping, scenarios: Vec<Scenario>, active: usize) -> Self {
        CriteriaFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            mapping,
            active,
            scenarios,
            data: None,
            check: None,
            attendees: String::new(),
            log: Vec::new(),
        }
    }

    /// The same file, with the meeting's attendees and decision log.
    pub fn with_record(self, attendees: String, log: Vec<Decision>) -> Self {
        CriteriaFile {
            attendees,
            log,
            ..self
        }
    }

    /// The same file, with the check set drawn as `check` says.
    pub fn with_check(self, check: Option<CheckSplit>) -> Self {
        CriteriaFile { check, ..self }
    }

    /// The same file, saying it was made on `data`.
    pub fn made_on(self, data: Option<DataMark>) -> Self {
        CriteriaFile { data, ..self }
    }

    /// The file as indented JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the criteria model always serialises")
    }

    /// Reads and validates a criteria file.
    pub fn parse(text: &str) -> Result<CriteriaFile, CriteriaFileError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| CriteriaFileError::NotJson {
                line: e.line(),
                column: e.column(),
            })?;
        Self::from_value(value)
    }

    /// Validates an already parsed JSON value (the share link's path).
    pub fn from_value(mut value: serde_json::Value) -> Result<CriteriaFile, CriteriaFileError> {
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(CriteriaFileError::NotCriteriaFile);
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(1) => forget_version_2_fields(&mut value),
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(CriteriaFileError::UnknownVersion(v)),
            None => return Err(invalid("the version is missing")),
        }
        let mut file: CriteriaFile =
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        file.validate()?;
        // Read as the model this build writes.
        file.version = VERSION;
        Ok(file)
    }

    fn validate(&self) -> Result<(), CriteriaFileError> {
        if self.attendees.chars().count() > MAX_ATTENDEES {
            return Err(invalid(format!(
                "the attendees are longer than {MAX_ATTENDEES} characters"
            )));
        }
        if self.log.len() > MAX_LOG {
            return Err(invalid(format!(
                "its decision log holds more than {MAX_LOG} entries"
            )));
        }
        for (i, d) in self.log.iter().enumerate() {
            check_decision(&format!("decision {}", i + 1), d)?;
        }
        if self.scenarios.is_empty() {
            return Err(invalid("it holds no scenario"));
        }
        if self.scenarios.len() > MAX_SCENARIOS {
            return Err(invalid(format!(
                "it holds more than {MAX_SCENARIOS} scenarios"
            )));
        }
        if self.active >= self.scenarios.len() {
            return Err(invalid(format!(
                "the active scenario ({}) is not one of its {}",
                self.active.saturating_add(1),
                self.scenarios.len()
            )));
        }
        let m = &self.mapping;
        for role in [
            &m.outcome,
            &m.followed_up,
            &m.response_hours,
            &m.first_touch,
            &m.created,
            &m.deal_value,
            &m.owner,
            &m.lead_id,
        ]
        .into_iter()
        .flatten()
        {
            check_text("a mapped column name", role)?;
        }
        if m.converted_values.len() > MAX_VALUES {
            return Err(invalid("it lists too many converted values"));
        }
        if m.known_after.len() > MAX_VALUES {
            return Err(invalid("it lists too many columns known only afterwards"));
        }
        for column in &m.known_after {
            check_text("a column known only afterwards", column)?;
        }
        if m.derived.len() > MAX_DERIVED {
            return Err(invalid(format!(
                "it derives more than {MAX_DERIVED} columns"
            )));
        }
        for d in &m.derived {
            for name in [&d.name, &d.from, &d.to] {
                check_text("a derived column", name)?;
            }
        }
        if let Some(join) = &m.join {
            let outcome_values: &[String] = match &join.outcome {
                JoinOutcome::OneOf { values, .. } => values,
                _ => &[],
            };
            if outcome_values.len() > MAX_VALUES {
                return Err(invalid("its join lists too many outcome values"));
            }
            let names = [&join.lead_key, &join.row_key, &join.file]
                .into_iter()
                .chain(
                    [&join.deal_value, &join.close_date, &join.owner]
                        .into_iter()
                        .flatten(),
                )
                .map(String::as_str)
                .chain(join.outcome.column())
                .chain(outcome_values.iter().map(String::as_str));
            for name in names {
                check_text("a joined column", name)?;
            }
        }
        if let Some(check) = &self.check {
            if !SHARES.contains(&check.share) {
                return Err(invalid(format!(
                    "the check set's share ({}) is outside {} to {}",
                    check.share,
                    SHARES.start(),
                    SHARES.end()
                )));
            }
        }
        if let Some(mark) = &self.data {
            check_text("the data set's name", &mark.name)?;
            if mark.columns.len() > MAX_MARKED_COLUMNS {
                return Err(invalid(format!(
                    "it names more than {MAX_MARKED_COLUMNS} columns of its data set"
                )));
            }
            for column in &mark.columns {
                check_text("a column of its data set", column)?;
            }
        }
        for (s, scenario) in self.scenarios.iter().enumerate() {
            let at = format!("scenario {}", s + 1);
            check_text(&format!("{at}: the name"), &scenario.name)?;
            check_points(&format!("{at}: the threshold"), scenario.threshold)?;
            if scenario.criteria.len() > MAX_CRITERIA {
                return Err(invalid(format!(
                    "{at} has more than {MAX_CRITERIA} criteria"
                )));
            }
            for (c, criterion) in scenario.criteria.iter().enumerate() {
                check_criterion(&format!("{at}, criterion {}", c + 1), criterion)?;
            }
            let agreement = &scenario.agreement;
            if let Some(day) = &agreement.agreed_on {
                if !is_iso_day(day) {
                    return Err(invalid(format!(
                        "{at}: the day it was agreed is not a date written YYYY-MM-DD"
                    )));
                }
            }
            if let Some(problem) = agreement.terms.problem() {
                return Err(invalid(format!("{at}: {problem}")));
            }
            let grid = &scenario.grid;
            if !grid.cuts_descend() {
                return Err(invalid(format!(
                    "{at}: the grid's cut points do not run from the best grade down"
                )));
            }
            let mut cells = grid.ready_cells.clone();
            cells.sort_unstable();
            cells.dedup();
            if cells.len() != grid.ready_cells.len() {
                return Err(invalid(format!("{at}: the grid marks a cell twice")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::criteria::{Group, Proposer};
    use crate::core::sample::{sample_mapping, sample_scenario};

    /// The example of the specification, verbatim.
    const SPEC_EXAMPLE: &str = r#"{
      "format": "leadlens-criteria",
      "version": 1,
      "mapping": {
        "outcome": "Converted", "converted_values": ["1"],
        "followed_up": null, "response_hours": null, "first_touch": null,
        "created": null, "deal_value": null, "owner": null, "lead_id": null
      },
      "active": 0,
      "scenarios": [
        { "name": "Agreed", "threshold": 40, "criteria": [
          { "label": "Asked for a demo", "group": "engagement",
            "proposed_by": "sales", "points": 30, "enabled": true,
            "rationale": "Hand-raisers convert 4x",
            "rule": { "column": "Demo requested", "op": "is_true" } },
          { "label": "Target industry", "group": "fit",
            "proposed_by": "marketing", "points": 15,
            "rule": { "column": "Industry", "op": "any_of",
                      "values": ["Software", "Finance"] } }
        ] }
      ]
    }"#;

    #[test]
    fn reads_the_specification_example() {
        let file = CriteriaFile::parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(file.mapping.outcome.as_deref(), Some("Converted"));
        assert_eq!(file.mapping.converted_values, ["1"]);
        let s = &file.scenarios[0];
        assert_eq!((s.name.as_str(), s.threshold), ("Agreed", 40));
        assert_eq!(s.criteria[0].group, Group::Engagement);
        assert_eq!(s.criteria[0].rule.test, RuleTest::IsTrue);
        assert_eq!(s.criteria[1].proposed_by, Proposer::Marketing);
        assert!(s.criteria[1].enabled, "enabled defaults to true");
        assert_eq!(s.criteria[1].rationale, "");
        assert_eq!(
            s.criteria[1].rule.test,
            RuleTest::AnyOf {
                values: vec!["Software".into(), "Finance".into()]
            }
        );
    }

    #[test]
    fn every_rule_kind_round_trips() {
        let mut scenario = sample_scenario();
        let template = scenario.criteria[0].clone();
        let tests = [
            RuleTest::AnyOf {
                values: vec!["a".into()],
            },
            RuleTest::NoneOf {
                values: vec!["b".into(), "c".into()],
            },
            RuleTest::Gte { value: 1.5 },
            RuleTest::Lte { value: -2.0 },
            RuleTest::Between {
                min: 0.0,
                max: 10.0,
            },
            RuleTest::IsTrue,
            RuleTest::IsFalse,
            RuleTest::Contains {
                value: "demo".into(),
            },
            RuleTest::Empty,
            RuleTest::NotEmpty,
            RuleTest::WithinDays { days: 30 },
            RuleTest::PerUnit {
                points_per_unit: 2,
                max_points: 20,
            },
        ];
        scenario.criteria = tests
            .into_iter()
            .map(|test| {
                let mut c = template.clone();
                c.rule.test = test;
                c
            })
            .collect();
        let file = CriteriaFile::new(
            sample_mapping(),
            vec![scenario.clone(), sample_scenario()],
            1,
        );
        let back = CriteriaFile::parse(&file.to_json()).unwrap();
        assert_eq!(back, file);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let text =
            SPEC_EXAMPLE.replacen("\"active\": 0,", "\"active\": 0, \"theme\": \"dark\",", 1);
        assert!(CriteriaFile::parse(&text).is_ok());
    }

    #[test]
    fn wrong_files_get_plain_messages() {
        assert_eq!(
            CriteriaFile::parse("{ oops").unwrap_err(),
            CriteriaFileError::NotJson { line: 1, column: 3 }
        );
        assert_eq!(
            CriteriaFile::parse(r#"{"name": "x"}"#).unwrap_err(),
            CriteriaFileError::NotCriteriaFile
        );
        let v3 = SPEC_EXAMPLE.replacen("\"version\": 1", "\"version\": 3", 1);
        let err = CriteriaFile::parse(&v3).unwrap_err();
        assert_eq!(err, CriteriaFileError::UnknownVersion(3));
        assert!(err.to_string().contains("version 3"));
    }

    #[test]
    fn damaged_content_is_refused_with_the_reason() {
        let cases = [
            ("\"active\": 0,", "\"active\": 3,", "active scenario"),
            ("\"threshold\": 40", "\"threshold\": 999999999", "threshold"),
            ("\"points\": 30", "\"points\": \"thirty\"", "invalid type"),
            ("\"op\": \"is_true\"", "\"op\": \"is_purple\"", "is_purple"),
        ];
        for (from, to, expected) in cases {
            let text = SPEC_EXAMPLE.replacen(from, to, 1);
            let err = CriteriaFile::parse(&text).unwrap_err();
            assert!(err.to_string().contains(expected), "{to}: {err}");
        }
        let long = "x".repeat(MAX_TEXT + 1);
        let text = SPEC_EXAMPLE.replacen("Asked for a demo", &long, 1);
        assert!(CriteriaFile::parse(&text)
            .unwrap_err()
            .to_string()
            .contains("longer than"));
    }

    const AGREED: &str = include_str!("../../tests/fixtures/criteria_v2_agreed.json");

    #[test]
    fn the_frozen_version_2_file_reads_to_its_record() {
        use crate::core::agreement::{ServiceTerms, Stance};
        let file = CriteriaFile::parse(AGREED).unwrap();
        let agreed = &file.scenarios[0];
        assert_eq!(agreed.agreement.agreed_on.as_deref(), Some("2026-12-02"));
        assert_eq!(
            agreed.agreement.terms,
            ServiceTerms {
                follow_up_hours: Some(24),
                worked_percent: Some(80),
                weekly_volume: Some(120)
            }
        );
        let signed: Vec<(Stance, Stance, &str)> = agreed
            .criteria
            .iter()
            .map(|c| {
                (
                    c.sign_off.sales,
                    c.sign_off.marketing,
                    c.sign_off.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            signed,
            [
                (Stance::Agrees, Stance::Agrees, ""),
                (
                    Stance::Agrees,
                    Stance::Agrees,
                    "capped at 20 so visits never outweigh a demo"
                ),
                (Stance::Disputes, Stance::Open, "revisit in Q1"),
            ]
        );
        assert_eq!(file.attendees, "Ana (Sales), Bo (Marketing), Chen — RevOps");
        assert_eq!(file.log.len(), 3);
        assert_eq!(
            file.log[0].effect(),
            "sales-ready 455 → 412, captured 77% → 74%"
        );
        // Written again, it reads back the same.
        assert_eq!(CriteriaFile::parse(&file.to_json()), Ok(file));
    }

    #[test]
    fn a_version_1_file_is_read_as_before_even_with_version_2_fields() {
        let plain = CriteriaFile::parse(SPEC_EXAMPLE).unwrap();
        assert_eq!(
            plain.version, VERSION,
            "read as the model this build writes"
        );
        let mut value: serde_json::Value = serde_json::from_str(AGREED).unwrap();
        value["version"] = 1.into();
        let as_v1 = CriteriaFile::from_value(value).unwrap();
        assert!(as_v1.attendees.is_empty() && as_v1.log.is_empty());
        for scenario in &as_v1.scenarios {
            assert!(scenario.agreement.is_blank());
            assert!(scenario.criteria.iter().all(|c| c.sign_off.is_blank()));
        }
        // Everything else is as the file says.
        let v2 = CriteriaFile::parse(AGREED).unwrap();
        assert_eq!(
            as_v1.scenarios[0].criteria.len(),
            v2.scenarios[0].criteria.len()
        );
        assert_eq!(as_v1.scenarios[1].threshold, 55);
    }

    #[test]
    fn a_damaged_record_is_refused_with_the_reason() {
        let cases = [
            (
                "\"agreed_on\": \"2026-12-02\"",
                "\"agreed_on\": \"yesterday\"",
                "YYYY-MM-DD",
            ),
            (
                "\"follow_up_hours\": 24",
                "\"follow_up_hours\": 9000",
                "follow-up time",
            ),
            (
                "\"worked_percent\": 80",
                "\"worked_percent\": 0",
                "leads worked",
            ),
            (
                "\"weekly_volume\": 120",
                "\"weekly_volume\": -1",
                "invalid value",
            ),
            (
                "\"sales\": \"disputes\"",
                "\"sales\": \"maybe\"",
                "unknown variant",
            ),
            (
                "\"at\": \"2026-12-02T14:05:09Z\"",
                "\"at\": \"2pm\"",
                "time",
            ),
            ("\"captured\": 0.77", "\"captured\": 1.5", "rate"),
            (
                "\"note\": \"revisit in Q1\"",
                &format!("\"note\": \"{}\"", "n".repeat(501)),
                "note",
            ),
            (
                "\"attendees\": \"Ana",
                &format!("\"attendees\": \"{}", "a".repeat(2001)),
                "attendees",
            ),
        ];
        for (from, to, expected) in cases {
            assert!(AGREED.contains(from), "{from}");
            let damaged = AGREED.replacen(from, to, 1);
            let err = CriteriaFile::parse(&damaged).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
        let long_log = {
            let mut file = CriteriaFile::parse(AGREED).unwrap();
            let entry = file.log[0].clone();
            file.log = vec![entry; MAX_LOG + 1];
            file.to_json()
        };
        let err = CriteriaFile::parse(&long_log).unwrap_err().to_string();
        assert!(err.contains("decision log"), "{err}");
    }
}
