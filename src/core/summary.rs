//! A summary of a loaded data set, column by column: type, missing share,
//! distinct values and the most common ones, so the user can check the file
//! was read as they expect before trusting any figure.

use chrono::DateTime;
use rustc_hash::FxHashSet as HashSet;

use super::dataset::{time_of_day_text, Column, ColumnKind, ColumnValues, Dataset};
use super::format;

/// Distinct values are counted up to this many; beyond, "10,000+".
pub const DISTINCT_CAP: usize = 10_000;
/// How many most common values a summary lists.
pub const TOP_VALUES: usize = 5;

/// One column at a glance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    pub kind: ColumnKind,
    pub missing: usize,
    /// Distinct present values, capped at [`DISTINCT_CAP`].
    pub distinct: usize,
    /// The most common values with their counts (categories, yes/no).
    pub top: Vec<(String, usize)>,
    /// Smallest and largest value, as text (numbers, dates).
    pub range: Option<(String, String)>,
}

impl ColumnSummary {
    /// "1,234" or "10,000+".
    pub fn distinct_text(&self) -> String {
        if self.distinct >= DISTINCT_CAP {
            format!("{}+", format::count(DISTINCT_CAP))
        } else {
            format::count(self.distinct)
        }
    }
}

/// A date as `YYYY-MM-DD`, or with the time when it is not midnight.
pub fn date_text(seconds: i64) -> String {
    match DateTime::from_timestamp(seconds, 0) {
        Some(t) if seconds.rem_euclid(86_400) == 0 => t.format("%Y-%m-%d").to_string(),
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => seconds.to_string(),
    }
}

fn top_counts(mut counts: Vec<(String, usize)>) -> Vec<(String, usize)> {
    counts.retain(|(_, n)| *n > 0);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(TOP_VALUES);
    counts
}

/// Summarises every column.
pub fn summarise(data: &Dataset) -> Vec<ColumnSummary> {
    data.columns().iter().map(summarise_column).collect()
}

/// Summarises one column.
pub fn summarise_column(column: &Column) -> ColumnSummary {
    let missing = column.missing_count();
    let (distinct, top, range) = match &column.values {
        ColumnValues::Category(c) => {
            let mut counts = vec![0usize; c.labels().len()];
            for &code in c.codes() {
                if let Some(n) = counts.get_mut(code as usize) {
                    *n += 1;
                }
            }
            let pairs = c.labels().iter().cloned().zip(counts).collect();
            (c.labels().len(), top_counts(pairs), None)
        }
        ColumnValues::Boolean(v) => {
            let yes = v.iter().filter(|b| **b == Some(true)).count();
            let no = v.iter().filter(|b| **b == Some(false)).count();
            let pairs = vec![("yes".to_owned(), yes), ("no".to_owned(), no)];
            (
                usize::from(yes > 0) + usize::from(no > 0),
                top_counts(pairs),
                None,
            )
        }
        ColumnValues::Number(v) => {
            let mut seen = HashSet::default();
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in v.iter().filter(|x| !x.is_nan()) {
                if seen.len() < DISTINCT_CAP {
                    seen.insert(x.to_bits());
                }
                lo = lo.min(x);
                hi = hi.max(x);
            }
            let range =
                (lo <= hi).then(|| (format::decimal(Some(lo), 2), format::decimal(Some(hi), 2)));
            (seen.len(), Vec::new(), range)
        }
        ColumnValues::Date(v) => {
            let mut seen = HashSet::default();
            let (mut lo, mut hi) = (i64::MAX, i64::MIN);
            for &t in v.iter().flatten() {
                if seen.len() < DISTINCT_CAP {
                    seen.insert(t);
                }
                lo = lo.min(t);
                hi = hi.max(t);
            }
            let range = (lo <= hi).then(|| (date_text(lo), date_text(hi)));
            (seen.len(), Vec::new(), range)
        }
        ColumnValues::Time(v) => {
            let mut seen = HashSet::default();
            let (mut lo, mut hi) = (u32::MAX, 0);
            for &t in v.iter().flatten() {
                if seen.len() < DISTINCT_CAP {
                    seen.insert(i64::from(t));
                }
                lo = lo.min(t);
                hi = hi.max(t);
            }
            let range = (lo <= hi).then(|| (time_of_day_text(lo), time_of_day_text(hi)));
            (seen.len(), Vec::new(), range)
        }
        ColumnValues::Text(t) => {
            let mut seen = HashSet::default();
            for value in t.iter().flatten() {
                seen.insert(value);
                if seen.len() >= DISTINCT_CAP {
                    break;
                }
            }
            (seen.len(), Vec::new(), None)
        }
    };
    ColumnSummary {
        name: column.name.clone(),
        kind: column.kind(),
        missing,
        distinct,
        top,
        range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin, Texts};

    #[test]
    fn summaries_count_missing_distinct_and_top_values() {
        let data = Dataset::new(
            "t",
            DataOrigin::File,
            vec![
                Column::new(
                    "Industry",
                    ColumnValues::Category(Categories::from_values([
                        Some("Retail"),
                        Some("Software"),
                        None,
                        Some("Software"),
                    ])),
                ),
                Column::new("Views", ColumnValues::Number(vec![1.0, 2.5, f64::NAN, 1.0])),
                Column::new(
                    "Created",
                    ColumnValues::Date(vec![Some(86_400), None, Some(0), Some(90_000)]),
                ),
                Column::new(
                    "Notes",
                    ColumnValues::Text(Texts::from_values([Some("a"), Some("b"), Some("a"), None])),
                ),
            ],
        )
        .unwrap();
        let s = summarise(&data);
        assert_eq!(s[0].missing, 1);
        assert_eq!(s[0].distinct, 2);
        assert_eq!(
            s[0].top,
            [("Software".to_owned(), 2), ("Retail".to_owned(), 1)]
        );
        assert_eq!(s[1].distinct, 2);
        assert_eq!(s[1].range, Some(("1".to_owned(), "2.5".to_owned())));
        assert_eq!(
            s[2].range,
            Some(("1970-01-01".to_owned(), "1970-01-02 01:00".to_owned()))
        );
        assert_eq!(s[3].distinct, 2);
        assert_eq!(s[3].missing, 1);
    }
}
