//! Which columns play which role (outcome, follow-up, response time, …), by
//! column name, and which outcome values count as converted.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::dataset::{ColumnValues, Dataset};
use super::derive::DerivedDuration;
use super::join::JoinSpec;
use super::scoring::parse_bool;

/// Outcome values recognised as "converted" unless the user says otherwise.
pub const DEFAULT_CONVERTED_VALUES: &[&str] = &[
    "1",
    "true",
    "yes",
    "y",
    "won",
    "closed won",
    "closed/won",
    "closed - won",
    "closed - converted",
    "converted",
    "customer",
];

/// A header reduced to lower-case letters and digits: "Is Won?" → "iswon".
pub fn normalise_header(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Column roles by column name; only the outcome is needed for a replay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnMapping {
    pub outcome: Option<String>,
    pub converted_values: Vec<String>,
    pub followed_up: Option<String>,
    pub response_hours: Option<String>,
    pub first_touch: Option<String>,
    pub created: Option<String>,
    pub deal_value: Option<String>,
    pub owner: Option<String>,
    pub lead_id: Option<String>,
    /// Columns known only after sales has worked the lead (a call's
    /// duration, a status, tags): never given starting points, and flagged
    /// where a criterion uses them.
    pub known_after: Vec<String>,
    /// Number columns worked out from two others (durations), added to the
    /// data when the mapping is used.
    pub derived: Vec<DerivedDuration>,
    /// Outcomes (and what happened next) from a second file, joined on a
    /// key column: the columns it adds are part of the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinSpec>,
}

/// Why the outcome cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeError {
    NotMapped,
    MissingColumn(String),
}

impl fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutcomeError::NotMapped => f.write_str(
                "no column is chosen as the outcome: pick the column that says whether a lead converted",
            ),
            OutcomeError::MissingColumn(name) => {
                write!(f, "the outcome column '{name}' is not in the data")
            }
        }
    }
}

impl std::error::Error for OutcomeError {}

impl ColumnMapping {
    /// This mapping's roles where `data` has their columns, and
    /// `fallback`'s roles elsewhere. The converted values go with the
    /// outcome they belong to.
    pub fn onto(&self, data: &Dataset, fallback: &ColumnMapping) -> ColumnMapping {
        // Durations whose two columns the data has; the columns they add
        // count as the data's own for the roles below.
        let derivable =
            |d: &&DerivedDuration| data.column(&d.from).is_some() && data.column(&d.to).is_some();
        let mut derived: Vec<DerivedDuration> =
            self.derived.iter().filter(derivable).cloned().collect();
        if derived.is_empty() {
            derived = fallback.derived.iter().filter(derivable).cloned().collect();
        }
        let has =
            |name: &str| data.column(name).is_some() || derived.iter().any(|d| d.name == name);
        // A join whose key the data has stays, with the roles it fills
        // (columns of the second file, added once that file is joined).
        let join = self
            .join
            .clone()
            .filter(|j| data.column(&j.lead_key).is_some());
        let joined = |name: &str| has(name) || join.is_some();
        let pick = |own: &Option<String>, other: &Option<String>| {
            own.clone()
                .filter(|name| has(name))
                .or_else(|| other.clone())
        };
        let pick_joined = |own: &Option<String>, other: &Option<String>| {
            own.clone()
                .filter(|name| joined(name))
                .or_else(|| other.clone())
        };
        let (outcome, converted_values) = match self.outcome.as_deref() {
            Some(name) if joined(name) => (self.outcome.clone(), self.converted_values.clone()),
            _ => (fallback.outcome.clone(), fallback.converted_values.clone()),
        };
        // The user's answers where the data has the column; the fallback's
        // for the columns not answered for.
        let mut known_after: Vec<String> = self
            .known_after
            .iter()
            .filter(|name| joined(name))
            .cloned()
            .collect();
        if known_after.is_empty() {
            known_after = fallback.known_after.clone();
        }
        ColumnMapping {
            outcome,
            converted_values,
            followed_up: pick(&self.followed_up, &fallback.followed_up),
            response_hours: pick(&self.response_hours, &fallback.response_hours),
            first_touch: pick(&self.first_touch, &fallback.first_touch),
            created: pick(&self.created, &fallback.created),
            deal_value: pick_joined(&self.deal_value, &fallback.deal_value),
            owner: pick_joined(&self.owner, &fallback.owner),
            lead_id: pick(&self.lead_id, &fallback.lead_id),
            known_after,
            derived,
            join,
        }
    }

    /// The columns that play a role (outcome, follow-up, owner, …): what
    /// happened to the lead, or who it is in the CRM, never a criterion.
    pub fn role_columns(&self) -> Vec<&str> {
        [
            &self.outcome,
            &self.followed_up,
            &self.response_hours,
            &self.first_touch,
            &self.created,
            &self.deal_value,
            &self.owner,
            &self.lead_id,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }

    /// Whether `column` is known only after the lead was worked: marked so,
    /// or the outcome itself.
    pub fn known_only_after(&self, column: &str) -> bool {
        self.outcome.as_deref() == Some(column) || self.known_after.iter().any(|c| c == column)
    }

    /// Whether `value` counts as converted: it equals one of the chosen
    /// values ignoring case and surrounding space, or, with no values
    /// chosen, one of [`DEFAULT_CONVERTED_VALUES`].
    pub fn is_converted_value(&self, value: &str) -> bool {
        let value = value.trim();
        if self.converted_values.is_empty() {
            DEFAULT_CONVERTED_VALUES
                .iter()
                .any(|v| v.eq_ignore_ascii_case(value))
        } else {
            self.converted_values
                .iter()
                .any(|v| v.trim().eq_ignore_ascii_case(value))
        }
    }

    /// Per lead, whether it converted. Missing outcomes count as not
    /// converted.
    pub fn outcomes(&self, data: &Dataset) -> Result<Vec<bool>, OutcomeError> {
        let name = self.outcome.as_deref().ok_or(OutcomeError::NotMapped)?;
        let column = data
            .column(name)
            .ok_or_else(|| OutcomeError::MissingColumn(name.to_owned()))?;
        Ok(match &column.values {
            ColumnValues::Boolean(values) => {
                // A yes/no column converts on its "yes" side, unless the
                // chosen values name the other side explicitly.
                let yes = self.converted_side(true);
                let no = self.converted_side(false);
                values
                    .iter()
                    .map(|v| match v {
                        Some(true) => yes,
                        Some(false) => no,
                        None => false,
                    })
                    .collect()
            }
            ColumnValues::Category(categories) => {
                let hit = categories.codes_where(|label| self.is_converted_value(label));
                categories
                    .codes()
                    .iter()
                    .map(|&code| hit.get(code as usize).copied().unwrap_or(false))
                    .collect()
            }
            _ => (0..column.len())
                .map(|row| {
                    column
                        .text(row)
                        .is_some_and(|t| self.is_converted_value(&t))
                })
                .collect(),
        })
    }

    fn converted_side(&self, side: bool) -> bool {
        if self.converted_values.is_empty() {
            return side;
        }
        self.converted_values
            .iter()
            .any(|v| parse_bool(v) == Some(side))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin};

    fn data() -> Dataset {
        Dataset::new(
            "t",
            DataOrigin::File,
            vec![
                Column::new(
                    "Stage",
                    ColumnValues::Category(Categories::from_values([
                        Some("Closed Won"),
                        Some("Closed Lost"),
                        None,
                        Some("won "),
                    ])),
                ),
                Column::new(
                    "Won",
                    ColumnValues::Boolean(vec![Some(true), Some(false), None, Some(true)]),
                ),
                Column::new("Flag", ColumnValues::Number(vec![1.0, 0.0, f64::NAN, 1.0])),
            ],
        )
        .unwrap()
    }

    fn mapping(outcome: &str, values: &[&str]) -> ColumnMapping {
        ColumnMapping {
            outcome: Some(outcome.into()),
            converted_values: values.iter().map(|v| v.to_string()).collect(),
            ..ColumnMapping::default()
        }
    }

    #[test]
    fn a_mapping_carried_to_new_data_keeps_its_durations_and_the_roles_on_them() {
        use crate::core::derive::{DerivedDuration, DurationUnit};
        let data = Dataset::new(
            "calls.csv",
            DataOrigin::File,
            vec![
                Column::new("Created", ColumnValues::Date(vec![Some(0)])),
                Column::new("Touched", ColumnValues::Date(vec![Some(3_600)])),
                Column::new("Won", ColumnValues::Boolean(vec![Some(true)])),
            ],
        )
        .unwrap();
        let response = DerivedDuration::named_for("Created", "Touched", DurationUnit::Hours);
        let elsewhere = DerivedDuration::named_for("Start", "End", DurationUnit::Minutes);
        let link = ColumnMapping {
            outcome: Some("Won".into()),
            response_hours: Some(response.name.clone()),
            derived: vec![response.clone(), elsewhere],
            ..ColumnMapping::default()
        };
        let carried = link.onto(&data, &ColumnMapping::default());
        assert_eq!(
            carried.derived,
            vec![response.clone()],
            "only what this data can derive"
        );
        assert_eq!(carried.response_hours, Some(response.name));
    }

    #[test]
    fn a_join_whose_key_the_data_has_keeps_the_roles_it_fills() {
        use crate::core::join::{JoinOutcome, JoinSpec, JOINED_OUTCOME};
        let data = Dataset::new(
            "mql.csv",
            DataOrigin::File,
            vec![
                Column::new(
                    "mql_id",
                    ColumnValues::Text(crate::core::dataset::Texts::from_values([Some("a")])),
                ),
                Column::new(
                    "Owner",
                    ColumnValues::Text(crate::core::dataset::Texts::from_values([Some("x")])),
                ),
            ],
        )
        .unwrap();
        let join = JoinSpec {
            file: "deals.csv".into(),
            lead_key: "mql_id".into(),
            row_key: "mql_id".into(),
            outcome: JoinOutcome::Matched,
            deal_value: None,
            close_date: None,
            owner: Some("sdr_id".into()),
        };
        let link = ColumnMapping {
            outcome: Some(JOINED_OUTCOME.into()),
            owner: Some("sdr_id".into()),
            known_after: vec![JOINED_OUTCOME.into(), "sdr_id".into()],
            join: Some(join.clone()),
            ..ColumnMapping::default()
        };
        let fallback = ColumnMapping {
            owner: Some("Owner".into()),
            ..ColumnMapping::default()
        };
        let carried = link.onto(&data, &fallback);
        assert_eq!(carried.join.as_ref(), Some(&join));
        assert_eq!(carried.outcome.as_deref(), Some(JOINED_OUTCOME));
        assert_eq!(carried.owner.as_deref(), Some("sdr_id"));
        assert_eq!(carried.known_after, link.known_after);

        // Without the key, the join and the roles it fills give way.
        let other = Dataset::new(
            "other.csv",
            DataOrigin::File,
            vec![Column::new(
                "Owner",
                ColumnValues::Text(crate::core::dataset::Texts::from_values([Some("x")])),
            )],
        )
        .unwrap();
        let carried = link.onto(&other, &fallback);
        assert_eq!(carried.join, None);
        assert_eq!(carried.outcome, None);
        assert_eq!(carried.owner.as_deref(), Some("Owner"));
    }

    #[test]
    fn a_mapping_laid_onto_data_keeps_only_roles_the_data_has() {
        let wanted = ColumnMapping {
            outcome: Some("Won".into()),
            converted_values: vec!["yes".into()],
            owner: Some("Owner".into()),
            lead_id: Some("Flag".into()),
            ..ColumnMapping::default()
        };
        let fallback = ColumnMapping {
            outcome: Some("Stage".into()),
            converted_values: vec!["Closed Won".into()],
            owner: Some("Stage".into()),
            ..ColumnMapping::default()
        };
        let laid = wanted.onto(&data(), &fallback);
        assert_eq!(laid.outcome.as_deref(), Some("Won"));
        assert_eq!(laid.converted_values, ["yes"]);
        assert_eq!(
            laid.owner.as_deref(),
            Some("Stage"),
            "no Owner column: the fallback's"
        );
        assert_eq!(laid.lead_id.as_deref(), Some("Flag"));
        let missing = mapping("Gone", &["1"]).onto(&data(), &fallback);
        assert_eq!(missing.outcome.as_deref(), Some("Stage"));
        assert_eq!(
            missing.converted_values,
            ["Closed Won"],
            "values follow their outcome"
        );
    }

    #[test]
    fn default_values_recognise_common_crm_outcomes() {
        let m = mapping("Stage", &[]);
        assert_eq!(m.outcomes(&data()).unwrap(), [true, false, false, true]);
        assert_eq!(
            mapping("Flag", &[]).outcomes(&data()).unwrap(),
            [true, false, false, true]
        );
    }

    #[test]
    fn chosen_values_replace_the_defaults() {
        let m = mapping("Stage", &["Closed Lost"]);
        assert_eq!(m.outcomes(&data()).unwrap(), [false, true, false, false]);
    }

    #[test]
    fn boolean_outcomes_follow_the_chosen_side() {
        assert_eq!(
            mapping("Won", &["1"]).outcomes(&data()).unwrap(),
            [true, false, false, true]
        );
        assert_eq!(
            mapping("Won", &["no"]).outcomes(&data()).unwrap(),
            [false, true, false, false]
        );
    }

    #[test]
    fn an_unmapped_or_absent_outcome_is_an_error() {
        assert_eq!(
            ColumnMapping::default().outcomes(&data()),
            Err(OutcomeError::NotMapped)
        );
        assert_eq!(
            mapping("Result", &[])
                .outcomes(&data())
                .unwrap_err()
                .to_string(),
            "the outcome column 'Result' is not in the data"
        );
    }
}
