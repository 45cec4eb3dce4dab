//! Columns worked out in the mapping step from two others: the time from
//! one time of day to another (a call's start and end), or from one date
//! to another (created to first touch), in minutes, hours or days. The
//! definitions are part of the column mapping, by column name, so a link or
//! a criteria file derives the same columns from a colleague's copy of the
//! data.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::dataset::{Column, ColumnValues, Dataset, MAX_COLUMN_NAME};

/// At most this many derived columns.
pub const MAX_DERIVED: usize = 50;

const SECONDS_PER_DAY: i64 = 86_400;

/// The unit a derived duration is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Minutes,
    Hours,
    Days,
}

impl DurationUnit {
    pub const ALL: [DurationUnit; 3] = [
        DurationUnit::Minutes,
        DurationUnit::Hours,
        DurationUnit::Days,
    ];

    fn seconds(self) -> f64 {
        match self {
            DurationUnit::Minutes => 60.0,
            DurationUnit::Hours => 3_600.0,
            DurationUnit::Days => 86_400.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "minutes",
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
        }
    }
}

/// A number column named `name`: the time from column `from` to column
/// `to`, both times of day or both dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedDuration {
    pub name: String,
    pub from: String,
    pub to: String,
    pub unit: DurationUnit,
}

impl DerivedDuration {
    /// A derived duration with the name the mapping step proposes, e.g.
    /// "CallStart to CallEnd (minutes)".
    pub fn named_for(from: &str, to: &str, unit: DurationUnit) -> DerivedDuration {
        let name = format!("{from} to {to} ({})", unit.label());
        DerivedDuration {
            name: name.chars().take(MAX_COLUMN_NAME).collect(),
            from: from.to_owned(),
            to: to.to_owned(),
            unit,
        }
    }
}

/// Why a duration could not be derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeriveError {
    MissingColumn(String),
    /// The two columns are not both times of day or both dates.
    Kinds {
        from: String,
        to: String,
    },
    /// The data already has a column of that name.
    NameTaken(String),
}

impl fmt::Display for DeriveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeriveError::MissingColumn(name) => write!(f, "the data has no column “{name}”"),
            DeriveError::Kinds { from, to } => write!(
                f,
                "“{from}” and “{to}” are not both times of day or both dates"
            ),
            DeriveError::NameTaken(name) => write!(f, "the data already has a column “{name}”"),
        }
    }
}

impl std::error::Error for DeriveError {}

/// The column `derived` describes, from `data`. Times of day that end
/// before they start are taken to run past midnight (23:58 to 00:03 is five
/// minutes); a date before its start gives a negative duration. A lead
/// missing either value has none.
///
/// ```
/// use leadlens::core::dataset::{Column, ColumnValues, DataOrigin, Dataset};
/// use leadlens::core::derive::{derive_column, DerivedDuration, DurationUnit};
/// let data = Dataset::new("calls", DataOrigin::File, vec![
///     Column::new("start", ColumnValues::Time(vec![Some(9 * 3600), Some(23 * 3600 + 58 * 60), None])),
///     Column::new("end", ColumnValues::Time(vec![Some(9 * 3600 + 90), Some(180), Some(0)])),
/// ]).unwrap();
/// let talk = derive_column(&data, &DerivedDuration::named_for("start", "end", DurationUnit::Minutes)).unwrap();
/// let ColumnValues::Number(minutes) = talk.values else { unreachable!() };
/// assert_eq!(minutes[..2], [1.5, 5.0]);
/// assert!(minutes[2].is_nan());
/// ```
pub fn derive_column(data: &Dataset, derived: &DerivedDuration) -> Result<Column, DeriveError> {
    let column = |name: &str| {
        data.column(name)
            .ok_or_else(|| DeriveError::MissingColumn(name.to_owned()))
    };
    let (from, to) = (column(&derived.from)?, column(&derived.to)?);
    if data.column(&derived.name).is_some() {
        return Err(DeriveError::NameTaken(derived.name.clone()));
    }
    let per_unit = derived.unit.seconds();
    let values: Vec<f64> = match (&from.values, &to.values) {
        (ColumnValues::Time(a), ColumnValues::Time(b)) => a
            .iter()
            .zip(b)
            .map(|pair| match pair {
                (Some(a), Some(b)) => {
                    let seconds = (i64::from(*b) - i64::from(*a)).rem_euclid(SECONDS_PER_DAY);
                    seconds as f64 / per_unit
                }
                _ => f64::NAN,
            })
            .collect(),
        (ColumnValues::Date(a), ColumnValues::Date(b)) => a
            .iter()
            .zip(b)
            .map(|pair| match pair {
                (Some(a), Some(b)) => (*b as f64 - *a as f64) / per_unit,
                _ => f64::NAN,
            })
            .collect(),
        _ => {
            return Err(DeriveError::Kinds {
                from: derived.from.clone(),
                to: derived.to.clone(),
            })
        }
    };
    Ok(Column::new(
        derived.name.clone(),
        ColumnValues::Number(values),
    ))
}

/// `data` with every derivable column of `derived` added after its own;
/// the others come back with the reason.
pub fn with_derived(
    data: &Dataset,
    derived: &[DerivedDuration],
) -> (Dataset, Vec<(String, DeriveError)>) {
    let mut columns: Vec<Column> = data.columns().to_vec();
    let mut problems = Vec::new();
    let mut added = Dataset::new(data.name(), data.origin().clone(), columns.clone())
        .expect("the data's own columns are distinct");
    for d in derived.iter().take(MAX_DERIVED) {
        match derive_column(&added, d) {
            Ok(column) => {
                columns.push(column);
                added = Dataset::new(data.name(), data.origin().clone(), columns.clone())
                    .expect("a derived name is checked to be new");
            }
            Err(e) => problems.push((d.name.clone(), e)),
        }
    }
    (added, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::DataOrigin;

    fn calls() -> Dataset {
        Dataset::new(
            "calls.csv",
            DataOrigin::File,
            vec![
                Column::new(
                    "CallStart",
                    ColumnValues::Time(vec![Some(36_000), Some(50_000), None]),
                ),
                Column::new(
                    "CallEnd",
                    ColumnValues::Time(vec![Some(36_600), Some(50_030), Some(1)]),
                ),
                Column::new(
                    "Created",
                    ColumnValues::Date(vec![Some(0), Some(86_400), Some(0)]),
                ),
                Column::new(
                    "Touched",
                    ColumnValues::Date(vec![Some(7_200), None, Some(3 * 86_400)]),
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn durations_between_times_or_dates_in_the_unit_asked() {
        let data = calls();
        let derived = [
            DerivedDuration::named_for("CallStart", "CallEnd", DurationUnit::Minutes),
            DerivedDuration::named_for("Created", "Touched", DurationUnit::Hours),
        ];
        let (with, problems) = with_derived(&data, &derived);
        assert!(problems.is_empty(), "{problems:?}");
        let numbers = |name: &str| match &with.column(name).unwrap().values {
            ColumnValues::Number(v) => v.clone(),
            other => panic!("{other:?}"),
        };
        let talk = numbers("CallStart to CallEnd (minutes)");
        assert_eq!(talk[..2], [10.0, 0.5]);
        assert!(talk[2].is_nan());
        let response = numbers("Created to Touched (hours)");
        assert_eq!((response[0], response[2]), (2.0, 72.0));
        assert!(response[1].is_nan());
        assert_eq!(with.columns().len(), 6);
    }

    #[test]
    fn what_cannot_be_derived_says_why_and_adds_nothing() {
        let data = calls();
        let derived = [
            DerivedDuration::named_for("CallStart", "Created", DurationUnit::Minutes),
            DerivedDuration::named_for("CallStart", "Nowhere", DurationUnit::Minutes),
            DerivedDuration {
                name: "CallEnd".into(),
                ..DerivedDuration::named_for("CallStart", "CallEnd", DurationUnit::Hours)
            },
        ];
        let (with, problems) = with_derived(&data, &derived);
        assert_eq!(with.columns().len(), 4);
        let reasons: Vec<String> = problems.iter().map(|(_, e)| e.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "“CallStart” and “Created” are not both times of day or both dates",
                "the data has no column “Nowhere”",
                "the data already has a column “CallEnd”",
            ]
        );
    }
}
