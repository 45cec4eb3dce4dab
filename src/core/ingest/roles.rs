//! Guessing which columns play which role from common CRM header names:
//! "Converted", "Is Won", "Lifecycle Stage", "Create Date", "Amount",
//! "Lead Owner", "y", … The guess is only a starting point; the user
//! confirms it in the mapping step.

use std::collections::HashSet;

use crate::core::dataset::{ColumnKind, ColumnValues, Dataset};
use crate::core::hindsight::propose_known_after;
pub use crate::core::mapping::normalise_header;
use crate::core::mapping::{ColumnMapping, DEFAULT_CONVERTED_VALUES};

/// Names (lower case, letters and digits only) that suggest each role, most
/// telling first.
const OUTCOME_NAMES: &[&str] = &[
    "converted",
    "isconverted",
    "leadconverted",
    "conversion",
    "iswon",
    "won",
    "closedwon",
    "purchased",
    "bought",
    "subscribed",
    "outcome",
    "target",
    "y",
    "label",
    "result",
    "lifecyclestage",
    "leadstatus",
    "status",
    "dealstage",
    "opportunitystage",
    "stage",
];
const FOLLOWED_UP_NAMES: &[&str] = &[
    "followedup",
    "followup",
    "contacted",
    "wascontacted",
    "worked",
    "touched",
];
const RESPONSE_HOURS_NAMES: &[&str] = &[
    "responsehours",
    "responsetimehours",
    "responsetime",
    "hourstofirsttouch",
    "hourstorespond",
    "hourstocontact",
    "timetofirsttouch",
    "firstresponsehours",
    "speedtolead",
];
const FIRST_TOUCH_NAMES: &[&str] = &[
    "firsttouch",
    "firsttouchdate",
    "firsttouchedat",
    "firstcontacted",
    "firstcontactedat",
    "firstresponse",
    "firstresponsedate",
    "firstactivity",
    "firstactivitydate",
    "firstcalldate",
    "dateoffirstengagement",
    "firstoutreach",
];
const CREATED_NAMES: &[&str] = &[
    "createdate",
    "createddate",
    "created",
    "createdat",
    "createdon",
    "datecreated",
    "creationdate",
    "leadcreated",
    "leadcreatedate",
    "leaddate",
    "firstcontactdate",
    "signupdate",
];
const DEAL_VALUE_NAMES: &[&str] = &[
    "amount",
    "dealvalue",
    "dealamount",
    "dealsize",
    "opportunityamount",
    "closedwonamount",
    "contractvalue",
    "value",
    "revenue",
];
const OWNER_NAMES: &[&str] = &[
    "leadowner",
    "owner",
    "contactowner",
    "ownername",
    "hubspotowner",
    "accountowner",
    "salesrep",
    "rep",
    "assignedto",
    "salesperson",
    "sdrid",
    "sdr",
];
const LEAD_ID_NAMES: &[&str] = &[
    "leadid",
    "id",
    "recordid",
    "contactid",
    "prospectid",
    "leadnumber",
    "mqlid",
];

/// How many distinct present values a column has, counting at most `cap`.
fn distinct_values(data: &Dataset, name: &str, cap: usize) -> usize {
    let Some(column) = data.column(name) else {
        return 0;
    };
    match &column.values {
        ColumnValues::Category(c) => c.labels().len(),
        ColumnValues::Boolean(v) => {
            usize::from(v.contains(&Some(true))) + usize::from(v.contains(&Some(false)))
        }
        ColumnValues::Number(v) => {
            let mut seen = rustc_hash::FxHashSet::default();
            for x in v.iter().filter(|x| !x.is_nan()) {
                seen.insert(x.to_bits());
                if seen.len() >= cap {
                    break;
                }
            }
            seen.len()
        }
        _ => {
            let mut seen = HashSet::new();
            for row in 0..column.len() {
                if let Some(text) = column.text(row) {
                    seen.insert(text.into_owned());
                    if seen.len() >= cap {
                        break;
                    }
                }
            }
            seen.len()
        }
    }
}

/// Whether a column could say whether a lead converted: yes/no, or a
/// handful of distinct values.
pub fn can_be_outcome(data: &Dataset, name: &str) -> bool {
    match data.column(name).map(|c| c.kind()) {
        Some(ColumnKind::Boolean) => distinct_values(data, name, 3) >= 1,
        Some(ColumnKind::Category) => (2..=50).contains(&distinct_values(data, name, 51)),
        Some(ColumnKind::Number) => (2..=10).contains(&distinct_values(data, name, 11)),
        _ => false,
    }
}

/// The columns that could serve as the outcome, in data order.
pub fn outcome_candidates(data: &Dataset) -> Vec<String> {
    data.columns()
        .iter()
        .filter(|c| can_be_outcome(data, &c.name))
        .map(|c| c.name.clone())
        .collect()
}

/// The best column for a role: an exact name match first (in the order of
/// `names`), then a header containing a longer name; only columns `fits`
/// accepts and none already `taken`.
fn find_role(
    data: &Dataset,
    names: &[&str],
    taken: &mut Vec<String>,
    fits: impl Fn(&str) -> bool,
) -> Option<String> {
    let headers: Vec<(String, &str)> = data
        .columns()
        .iter()
        .map(|c| (normalise_header(&c.name), c.name.as_str()))
        .filter(|(_, name)| !taken.iter().any(|t| t == name))
        .collect();
    let exact = names
        .iter()
        .find_map(|wanted| headers.iter().find(|(n, name)| n == wanted && fits(name)));
    let found = exact.or_else(|| {
        names.iter().filter(|w| w.len() >= 5).find_map(|wanted| {
            headers
                .iter()
                .find(|(n, name)| n.contains(wanted) && fits(name))
        })
    })?;
    let name = found.1.to_owned();
    taken.push(name.clone());
    Some(name)
}

/// The distinct values of a possible outcome column, as text, sorted; at
/// most 50.
pub fn outcome_values(data: &Dataset, outcome: &str) -> Vec<String> {
    let Some(column) = data.column(outcome) else {
        return Vec::new();
    };
    let mut values: Vec<String> = match &column.values {
        ColumnValues::Category(c) => c.labels().to_vec(),
        ColumnValues::Number(v) => {
            // Distinct numbers first, written as text once each: formatting
            // every lead's value would cost far more at a million leads.
            let mut seen = rustc_hash::FxHashMap::default();
            for (row, x) in v.iter().enumerate().filter(|(_, x)| !x.is_nan()) {
                seen.entry(x.to_bits()).or_insert(row);
                if seen.len() > 50 {
                    break;
                }
            }
            let texts: HashSet<String> = seen
                .into_values()
                .filter_map(|row| column.text(row).map(|t| t.into_owned()))
                .collect();
            texts.into_iter().collect()
        }
        ColumnValues::Boolean(v) => [(true, "true"), (false, "false")]
            .into_iter()
            .filter(|(b, _)| v.contains(&Some(*b)))
            .map(|(_, label)| label.to_owned())
            .collect(),
        _ => {
            // A value is copied once, when first seen, not once per lead.
            let mut seen = HashSet::new();
            for row in 0..column.len() {
                if let Some(text) = column.text(row) {
                    if !seen.contains(text.as_ref()) {
                        seen.insert(text.into_owned());
                        if seen.len() > 50 {
                            break;
                        }
                    }
                }
            }
            seen.into_iter().collect()
        }
    };
    values.sort();
    values.truncate(50);
    values
}

/// The outcome values that count as converted by default: `true` for a
/// yes/no column, otherwise the labels among the usual ones (1, won,
/// closed won, customer, …).
pub fn default_converted_values(data: &Dataset, outcome: &str) -> Vec<String> {
    let Some(column) = data.column(outcome) else {
        return Vec::new();
    };
    let mut labels: Vec<String> = match &column.values {
        ColumnValues::Boolean(_) => return vec!["true".to_owned()],
        ColumnValues::Category(c) => c.labels().to_vec(),
        _ => {
            let mut seen: Vec<String> = Vec::new();
            for row in 0..column.len() {
                if let Some(text) = column.text(row) {
                    if !seen.iter().any(|s| *s == text) {
                        seen.push(text.into_owned());
                        if seen.len() > 50 {
                            break;
                        }
                    }
                }
            }
            seen
        }
    };
    labels.retain(|label| {
        DEFAULT_CONVERTED_VALUES
            .iter()
            .any(|v| v.eq_ignore_ascii_case(label.trim()))
    });
    labels.sort();
    labels
}

/// The outcome column to propose: among the columns named like an outcome
/// (in the order of [`OUTCOME_NAMES`]), a two-valued one first; without
/// such a name, a two-valued last column (as in "…, CarInsurance" or
/// "…, y" exports, where the last column says whether the lead bought).
/// A column that is mostly missing is never proposed.
fn suggest_outcome(data: &Dataset) -> Option<String> {
    let usable = |name: &str| {
        can_be_outcome(data, name)
            && data
                .column(name)
                .is_some_and(|c| c.missing_count() * 2 < c.len().max(1))
    };
    let two_valued = |name: &str| distinct_values(data, name, 3) == 2;
    let headers: Vec<(String, &str)> = data
        .columns()
        .iter()
        .map(|c| (normalise_header(&c.name), c.name.as_str()))
        .filter(|(_, name)| usable(name))
        .collect();
    let mut named: Vec<&str> = Vec::new();
    for wanted in OUTCOME_NAMES {
        for (normal, name) in &headers {
            let matches = normal == wanted || (wanted.len() >= 5 && normal.contains(wanted));
            if matches && !named.contains(name) {
                named.push(name);
            }
        }
    }
    let chosen = named
        .iter()
        .find(|name| two_valued(name))
        .or(named.first())
        .copied()
        .or_else(|| {
            let last = data.columns().last()?.name.as_str();
            (usable(last) && two_valued(last)).then_some(last)
        })?;
    Some(chosen.to_owned())
}

/// A first guess at every role, from header names and column types.
pub fn suggest_mapping(data: &Dataset) -> ColumnMapping {
    let kind_of = |name: &str| data.column(name).map(|c| c.kind());
    let mut taken = Vec::new();
    let outcome = suggest_outcome(data);
    taken.extend(outcome.clone());
    let followed_up = find_role(data, FOLLOWED_UP_NAMES, &mut taken, |n| {
        kind_of(n) == Some(ColumnKind::Boolean)
            || (kind_of(n) == Some(ColumnKind::Category) && distinct_values(data, n, 4) <= 3)
    });
    let response_hours = find_role(data, RESPONSE_HOURS_NAMES, &mut taken, |n| {
        kind_of(n) == Some(ColumnKind::Number)
    });
    let is_date = |n: &str| kind_of(n) == Some(ColumnKind::Date);
    let first_touch = find_role(data, FIRST_TOUCH_NAMES, &mut taken, is_date);
    let created = find_role(data, CREATED_NAMES, &mut taken, is_date);
    // "Annual Revenue" describes the company, not the deal.
    let deal_value = find_role(data, DEAL_VALUE_NAMES, &mut taken, |n| {
        kind_of(n) == Some(ColumnKind::Number) && !normalise_header(n).contains("annual")
    });
    let owner = find_role(data, OWNER_NAMES, &mut taken, |n| {
        matches!(kind_of(n), Some(ColumnKind::Category | ColumnKind::Text))
    });
    let lead_id = find_role(data, LEAD_ID_NAMES, &mut taken, |_| true);
    let converted_values = outcome
        .as_deref()
        .map(|o| default_converted_values(data, o))
        .unwrap_or_default();
    let mut mapping = ColumnMapping {
        outcome,
        converted_values,
        followed_up,
        response_hours,
        first_touch,
        created,
        deal_value,
        owner,
        lead_id,
        known_after: Vec::new(),
        derived: Vec::new(),
        join: None,
    };
    let outcomes = mapping.outcomes(data).ok();
    mapping.known_after = propose_known_after(data, &mapping, outcomes.as_deref())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    mapping
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin, Texts};

    fn category(name: &str, values: &[&str]) -> Column {
        Column::new(
            name,
            ColumnValues::Category(Categories::from_values(values.iter().map(|v| Some(*v)))),
        )
    }

    fn data(columns: Vec<Column>) -> Dataset {
        Dataset::new("t", DataOrigin::File, columns).unwrap()
    }

    #[test]
    fn the_outcome_proposed_is_two_valued_and_mostly_present() {
        // "Outcome" names three stages; "Target" is the yes/no one.
        let d = data(vec![
            category("Outcome", &["won", "lost", "open", "won"]),
            category("Target", &["1", "0", "0", "1"]),
        ]);
        assert_eq!(suggest_mapping(&d).outcome.as_deref(), Some("Target"));
        // A "Converted" column that is mostly empty is not the outcome.
        let mostly_missing = Column::new(
            "Converted",
            ColumnValues::Category(Categories::from_values(
                [Some("yes"), None, None, Some("no")]
                    .into_iter()
                    .chain([None]),
            )),
        );
        let d = data(vec![
            mostly_missing,
            category("Purchased", &["no", "yes", "no", "no", "yes"]),
        ]);
        assert_eq!(suggest_mapping(&d).outcome.as_deref(), Some("Purchased"));
        // No outcome name at all: a two-valued last column ("bought X").
        let d = data(vec![
            category("Job", &["admin", "student", "retired", "admin"]),
            category("CarInsurance", &["0", "1", "1", "0"]),
        ]);
        assert_eq!(suggest_mapping(&d).outcome.as_deref(), Some("CarInsurance"));
        let d = data(vec![
            category("CarInsurance", &["0", "1", "1", "0"]),
            category("Job", &["admin", "student", "retired", "admin"]),
        ]);
        assert_eq!(
            suggest_mapping(&d).outcome,
            None,
            "only the last column is taken unnamed"
        );
    }

    #[test]
    fn hubspot_style_headers_map_to_roles() {
        let d = data(vec![
            Column::new("Record ID", ColumnValues::Number(vec![1.0, 2.0, 3.0])),
            Column::new(
                "Create Date",
                ColumnValues::Date(vec![Some(0), Some(1), None]),
            ),
            category("Lifecycle Stage", &["Lead", "Customer", "Lead"]),
            category("Contact owner", &["Ann", "Bo", "Ann"]),
            Column::new(
                "Amount",
                ColumnValues::Number(vec![f64::NAN, 5000.0, f64::NAN]),
            ),
        ]);
        let m = suggest_mapping(&d);
        assert_eq!(m.outcome.as_deref(), Some("Lifecycle Stage"));
        assert_eq!(m.converted_values, ["Customer"]);
        assert_eq!(m.created.as_deref(), Some("Create Date"));
        assert_eq!(m.owner.as_deref(), Some("Contact owner"));
        assert_eq!(m.deal_value.as_deref(), Some("Amount"));
        assert_eq!(m.lead_id.as_deref(), Some("Record ID"));
        assert_eq!(m.followed_up, None);
    }

    #[test]
    fn a_y_column_of_zeros_and_ones_is_the_outcome() {
        let d = data(vec![
            Column::new("age", ColumnValues::Number(vec![30.0, 41.0, 52.0])),
            Column::new(
                "y",
                ColumnValues::Boolean(vec![Some(true), Some(false), None]),
            ),
        ]);
        let m = suggest_mapping(&d);
        assert_eq!(m.outcome.as_deref(), Some("y"));
        assert_eq!(m.converted_values, ["true"]);
    }

    #[test]
    fn names_containing_a_role_match_when_nothing_matches_exactly() {
        let d = data(vec![
            category("Lead Converted?", &["Yes", "No"]),
            Column::new(
                "Hours to first touch (h)",
                ColumnValues::Number(vec![1.0, 2.0]),
            ),
        ]);
        let m = suggest_mapping(&d);
        assert_eq!(m.outcome.as_deref(), Some("Lead Converted?"));
        assert_eq!(
            m.response_hours.as_deref(),
            Some("Hours to first touch (h)")
        );
    }

    #[test]
    fn outcome_values_are_listed_sorted() {
        let d = data(vec![
            category("Stage", &["Lead", "Customer", "Lead", "Lost"]),
            Column::new(
                "Won",
                ColumnValues::Boolean(vec![Some(true), Some(false), None, None]),
            ),
        ]);
        assert_eq!(outcome_values(&d, "Stage"), ["Customer", "Lead", "Lost"]);
        assert_eq!(outcome_values(&d, "Won"), ["false", "true"]);
    }

    #[test]
    fn free_text_is_never_an_outcome() {
        let d = data(vec![Column::new(
            "Status",
            ColumnValues::Text(Texts::from_values([Some("a"), Some("b")])),
        )]);
        assert_eq!(suggest_mapping(&d).outcome, None);
        assert!(outcome_candidates(&d).is_empty());
    }
}
