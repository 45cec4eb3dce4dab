//! The pattern query: one SQL statement over the whole lead table that
//! evaluates every criterion of every scenario once and counts the leads
//! per pattern of matches, so that a warehouse with tens of millions of
//! leads hands leadlens a table of a few thousand rows that gives exactly
//! the figures of the rows themselves ([`crate::core::patterns`]).
//!
//! The rules are written as the scoring SQL writes them ([`match_condition`],
//! the same missing-value markers, the same fixed `within_days` cutoff). The
//! rows are grouped by each rule's match (or capped units), and by what the
//! follow-up figures and the check set need: followed up or not, the
//! response-time bucket and the SLA bin of the what-if, and whether the lead
//! is in the check set.

use std::fmt;

use super::*;
use crate::core::followup::{ResponseTime, EDGE_SLACK, SLA_BINS, SLA_SEGMENTS};
use crate::core::mapping::{ColumnMapping, DEFAULT_CONVERTED_VALUES};
use crate::core::patterns::{
    rule_column, CHECK, CONVERTED, DEAL_VALUE, DEAL_VALUES, FIRST_CREATED, FOLLOWED_UP,
    LAST_CREATED, LEADS, RESPONSE_BIN, RESPONSE_TIME,
};
use crate::core::split::{check_rows, CheckSplit, SplitBy};

/// The pattern query, and what it could not include.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternQuery {
    pub statement: String,
    /// Rule columns the query computes.
    pub rules: usize,
    /// Criteria whose rule cannot be applied to the data, in scenario
    /// order (each once); they add nothing in leadlens either.
    pub skipped: Vec<SkippedCriterion>,
    /// Parts of the figures the query cannot give, in words.
    pub left_out: Vec<String>,
}

/// Why no pattern query can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternQueryError {
    /// No outcome column is chosen, or the data lacks it.
    NoOutcome,
}

impl fmt::Display for PatternQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternQueryError::NoOutcome => f.write_str(
                "the pattern query needs the outcome column: choose it in the column mapping first",
            ),
        }
    }
}

impl std::error::Error for PatternQueryError {}

/// Internal column names of the query's inner selects.
const OUTCOME: &str = "\"ll_outcome\"";
const DEAL: &str = "\"ll_deal\"";
const CREATED: &str = "\"ll_created\"";
const HOURS: &str = "\"ll_hours\"";

/// Writes the pattern query for `scenarios` over the table `table`, which
/// holds the columns of `data` (the sample the criteria were tuned on) as
/// the mapping names them. `split` decides the check set: the newest leads
/// by created date become a fixed cutoff taken from `data`.
pub fn export_pattern_query(
    scenarios: &[Scenario],
    data: &Dataset,
    mapping: &ColumnMapping,
    split: &CheckSplit,
    missing_markers: &[String],
    table: &str,
) -> Result<PatternQuery, PatternQueryError> {
    let markers = Markers::new(missing_markers);
    let outcome = mapping
        .outcome
        .as_deref()
        .and_then(|name| data.column(name))
        .ok_or(PatternQueryError::NoOutcome)?;
    let column_of = |name: &Option<String>| name.as_deref().and_then(|n| data.column(n));

    // One column per distinct rule; a per-unit rule at the highest cap any
    // criterion asks of it, which serves every lower cap.
    struct RuleSql {
        name: String,
        label: String,
        sql: String,
        /// For a per-unit rule, its name without the cap, and the cap.
        units: Option<(String, u32)>,
    }
    let mut rules: Vec<RuleSql> = Vec::new();
    let mut skipped: Vec<SkippedCriterion> = Vec::new();
    let mut used_columns: Vec<&Column> = Vec::new();
    for scenario in scenarios {
        for (index, criterion) in scenario.criteria.iter().enumerate() {
            let label = if criterion.label.trim().is_empty() {
                format!("criterion {}", index + 1)
            } else {
                criterion.label.clone()
            };
            let (column, sql) = match slot_sql(criterion, data, &markers) {
                Ok(found) => found,
                Err(problem) => {
                    if !skipped.iter().any(|s| s.label == label) {
                        skipped.push(SkippedCriterion { label, problem });
                    }
                    continue;
                }
            };
            if !used_columns.iter().any(|c| c.name == column.name) {
                used_columns.push(column);
            }
            let name = rule_column(&criterion.rule);
            let units = matches!(criterion.rule.test, RuleTest::PerUnit { .. }).then(|| {
                let stem = name.rsplit_once('_').map_or(&*name, |(stem, _)| stem);
                (stem.to_owned(), criterion.unit_cap())
            });
            let rule = RuleSql {
                name,
                label,
                sql,
                units,
            };
            let same = rules.iter_mut().find(|r| match (&r.units, &rule.units) {
                (Some((a, _)), Some((b, _))) => a == b,
                (None, None) => r.name == rule.name,
                _ => false,
            });
            match same {
                None => rules.push(rule),
                Some(existing) => {
                    let cap = |r: &RuleSql| r.units.as_ref().map_or(0, |u| u.1);
                    if cap(&rule) > cap(existing) {
                        *existing = rule;
                    }
                }
            }
        }
    }

    let mut inner: Vec<String> = Vec::new();
    let mut group: Vec<String> = Vec::new();
    for rule in &rules {
        let id = quote_identifier(&rule.name);
        inner.push(format!("{} {} AS {id}", comment(&rule.label), rule.sql));
        group.push(id);
    }
    let mut left_out = Vec::new();
    if let Some(join) = &mapping.join {
        left_out.push(format!(
            "The outcome was joined in leadlens from \"{}\" ({} = {}): join that table to the \
             leads first, so that the table holds the joined columns under their names.",
            join.file, join.lead_key, join.row_key
        ));
    }
    if !mapping.derived.is_empty() {
        let names: Vec<String> = mapping
            .derived
            .iter()
            .map(|d| format!("\"{}\"", d.name))
            .collect();
        left_out.push(format!(
            "Worked out in leadlens from two columns each, {} must be columns of the table too.",
            names.join(", ")
        ));
    }
    inner.push(format!(
        "{} AS {OUTCOME}",
        outcome_sql(outcome, mapping, &markers)
    ));

    let deal = column_of(&mapping.deal_value).filter(|c| c.kind() == ColumnKind::Number);
    if let Some(deal) = deal {
        inner.push(format!("{} AS {DEAL}", quote_identifier(&deal.name)));
    }
    let created = column_of(&mapping.created).filter(|c| c.kind() == ColumnKind::Date);
    if let Some(created) = created {
        inner.push(format!("{} AS {CREATED}", quote_identifier(&created.name)));
    }

    // Follow-up as [`crate::core::followup::FollowUpFacts::new`] reads it.
    let stated = column_of(&mapping.followed_up);
    let response = column_of(&mapping.response_hours).filter(|c| c.kind() == ColumnKind::Number);
    let first_touch = column_of(&mapping.first_touch).filter(|c| c.kind() == ColumnKind::Date);
    let followed = match stated {
        Some(column) => Some(followed_sql(column, &markers)),
        None => {
            let present: Vec<String> = response
                .iter()
                .chain(&first_touch)
                .map(|c| format!("{} IS NOT NULL", quote_identifier(&c.name)))
                .collect();
            (!present.is_empty())
                .then(|| format!("CASE WHEN {} THEN 1 ELSE 0 END", present.join(" OR ")))
        }
    };
    let followed_id = quote_identifier(FOLLOWED_UP);
    if let Some(followed) = &followed {
        inner.push(format!("{followed} AS {followed_id}"));
        group.push(followed_id.clone());
    }
    let hours = match (response, first_touch, created) {
        (Some(response), _, _) => {
            let name = quote_identifier(&response.name);
            Some(format!("CASE WHEN {name} >= 0 THEN {name} END"))
        }
        (None, Some(touched), Some(created)) => {
            let (t, c) = (
                quote_identifier(&touched.name),
                quote_identifier(&created.name),
            );
            left_out.push(
                "Response hours come from two dates with EXTRACT(EPOCH FROM …) (PostgreSQL, \
                 DuckDB); elsewhere write the seconds between them: TIMESTAMP_DIFF(t, c, SECOND) \
                 in BigQuery, DATEDIFF(second, c, t) in Snowflake, unix_timestamp(t) - \
                 unix_timestamp(c) in Spark."
                    .to_owned(),
            );
            Some(format!(
                "CASE WHEN {t} >= {c} THEN EXTRACT(EPOCH FROM ({t} - {c})) / 3600.0 END"
            ))
        }
        _ => None,
    };
    if let Some(hours) = &hours {
        inner.push(format!("{hours} AS {HOURS}"));
    }
    // The check set: the newest leads of the sample, as a cutoff date.
    let check_id = quote_identifier(CHECK);
    let mut check_line = None;
    if split.enabled {
        let created_dates = match created.map(|c| &c.values) {
            Some(ColumnValues::Date(dates)) => Some(dates.as_slice()),
            _ => None,
        };
        match (split.bounded().by, created, created_dates) {
            (SplitBy::Recent, Some(created), Some(dates)) => {
                let outcomes = mapping.outcomes(data).unwrap_or_default();
                let rows = check_rows(split, &outcomes, Some(dates));
                let cutoff = rows.ones().filter_map(|r| dates[r]).min();
                if let Some(text) = cutoff.and_then(date_text) {
                    inner.push(format!(
                        "CASE WHEN {} >= {} THEN 1 ELSE 0 END AS {check_id}",
                        quote_identifier(&created.name),
                        quote_literal(&text)
                    ));
                    group.push(check_id.clone());
                    check_line = Some(format!(
                        "The check set is the leads created on or after {text}: the newest {:.0}% \
                         of the sample's dated leads.",
                        split.bounded().share * 100.0
                    ));
                }
            }
            _ => left_out.push(
                "A random check set cannot be drawn the same way in a warehouse: the figures \
                 use every lead. Keep the check set by created date to have one."
                    .to_owned(),
            ),
        }
    }

    // The middle select puts response times into buckets and bins.
    let mut middle: Vec<String> = group
        .iter()
        .filter(|id| **id != check_id)
        .cloned()
        .collect();
    if hours.is_some() {
        let never = if followed.is_some() {
            format!(
                "WHEN {followed_id} = 0 THEN {} ",
                ResponseTime::Never as usize
            )
        } else {
            String::new()
        };
        middle.push(format!(
            "CASE {never}WHEN {HOURS} >= 72 THEN 4 WHEN {HOURS} >= 24 THEN 3 \
             WHEN {HOURS} >= 4 THEN 2 WHEN {HOURS} >= 1 THEN 1 WHEN {HOURS} >= 0 THEN 0 \
             ELSE {} END AS {}",
            ResponseTime::ALL.len(),
            quote_identifier(RESPONSE_TIME)
        ));
        let never_bin = if followed.is_some() {
            format!("WHEN {followed_id} = 0 THEN NULL ")
        } else {
            String::new()
        };
        middle.push(format!(
            "CASE {never_bin}WHEN {HOURS} IS NULL THEN NULL {} END AS {}",
            bin_cases(HOURS),
            quote_identifier(RESPONSE_BIN)
        ));
        group.push(quote_identifier(RESPONSE_TIME));
        group.push(quote_identifier(RESPONSE_BIN));
    }
    if check_line.is_some() {
        middle.push(check_id.clone());
    }
    middle.push(OUTCOME.to_owned());
    if deal.is_some() {
        middle.push(DEAL.to_owned());
    }
    if created.is_some() {
        middle.push(CREATED.to_owned());
    }

    let mut outer: Vec<String> = group.clone();
    outer.push(format!("COUNT(*) AS {}", quote_identifier(LEADS)));
    outer.push(format!("SUM({OUTCOME}) AS {}", quote_identifier(CONVERTED)));
    if deal.is_some() {
        outer.push(format!(
            "SUM(CASE WHEN {OUTCOME} = 1 THEN {DEAL} END) AS {}",
            quote_identifier(DEAL_VALUE)
        ));
        outer.push(format!(
            "COUNT(CASE WHEN {OUTCOME} = 1 THEN {DEAL} END) AS {}",
            quote_identifier(DEAL_VALUES)
        ));
    }
    if created.is_some() {
        outer.push(format!(
            "MIN({CREATED}) AS {}",
            quote_identifier(FIRST_CREATED)
        ));
        outer.push(format!(
            "MAX({CREATED}) AS {}",
            quote_identifier(LAST_CREATED)
        ));
    }

    let mut statement = pattern_header(
        scenarios,
        data,
        &markers,
        &used_columns,
        outcome,
        mapping,
        &skipped,
        check_line.as_deref(),
        &left_out,
    );
    let _ = write!(
        statement,
        "SELECT\n  {}\nFROM (\n  SELECT\n    {}\n  FROM (\n    SELECT\n      {}\n    FROM {}\n  ) \"lead_facts\"\n) \"lead_patterns\"\n",
        outer.join(",\n  "),
        middle.join(",\n    "),
        inner.join(",\n      "),
        quote_identifier(table),
    );
    if !group.is_empty() {
        let _ = writeln!(statement, "GROUP BY {}", group.join(", "));
    }
    statement.push_str(";\n");
    Ok(PatternQuery {
        statement,
        rules: rules.len(),
        skipped,
        left_out,
    })
}

/// One criterion's rule as its column of the pattern table: 1 where it
/// matches and 0 elsewhere, or the units a per-unit rule counts, capped.
fn slot_sql<'a>(
    criterion: &Criterion,
    data: &'a Dataset,
    markers: &Markers,
) -> Result<(&'a Column, String), RuleProblem> {
    rule_sql(criterion, data, |column| match criterion.rule.test {
        RuleTest::PerUnit { .. } if column.kind() == ColumnKind::Number => {
            let name = quote_identifier(&column.name);
            let cap = criterion.unit_cap();
            Some(format!(
                "CASE WHEN {name} >= {cap} THEN {cap} \
                 WHEN {name} >= 1 THEN CAST(FLOOR({name}) AS INTEGER) ELSE 0 END"
            ))
        }
        RuleTest::PerUnit { .. } => None,
        ref test => match_condition(test, column, markers).map(|m| m.points(1)),
    })
}

/// 1 for a converted lead, 0 otherwise, as [`ColumnMapping::outcomes`]
/// reads the outcome column.
fn outcome_sql(column: &Column, mapping: &ColumnMapping, markers: &Markers) -> String {
    let values: Vec<String> = if mapping.converted_values.is_empty() {
        DEFAULT_CONVERTED_VALUES
            .iter()
            .map(|v| v.to_string())
            .collect()
    } else {
        mapping.converted_values.clone()
    };
    let condition = match column.kind() {
        ColumnKind::Boolean => {
            let side = |side: bool| {
                if mapping.converted_values.is_empty() {
                    side
                } else {
                    mapping
                        .converted_values
                        .iter()
                        .any(|v| crate::core::scoring::parse_bool(v) == Some(side))
                }
            };
            match (side(true), side(false)) {
                (true, true) => yes_no_condition(column, markers, None),
                (true, false) => yes_no_condition(column, markers, Some(true)),
                (false, true) => yes_no_condition(column, markers, Some(false)),
                (false, false) => None,
            }
        }
        ColumnKind::Category | ColumnKind::Text => {
            let name = quote_identifier(&column.name);
            let mut kept: Vec<String> = Vec::new();
            for value in &values {
                let value = value.trim();
                if markers.matcher.matches(value) {
                    continue;
                }
                let literal = quote_literal(&value.to_ascii_uppercase());
                if !kept.contains(&literal) {
                    kept.push(literal);
                }
            }
            (!kept.is_empty()).then(|| format!("UPPER(TRIM({name})) IN ({})", kept.join(", ")))
        }
        _ => listed_condition(&values, column, markers),
    };
    match condition {
        Some(condition) => format!("CASE WHEN {condition} THEN 1 ELSE 0 END"),
        None => "0".to_owned(),
    }
}

/// Followed up (1), not (0) or unknown (-1), from a column of any kind, as
/// [`crate::core::followup::FollowUpFacts::new`] reads it.
fn followed_sql(column: &Column, markers: &Markers) -> String {
    let name = quote_identifier(&column.name);
    match column.kind() {
        ColumnKind::Date | ColumnKind::Time => {
            format!("CASE WHEN {name} IS NOT NULL THEN 1 ELSE 0 END")
        }
        ColumnKind::Number => format!("CASE WHEN {name} > 0 THEN 1 ELSE 0 END"),
        _ => {
            let yes = yes_no_condition(column, markers, Some(true));
            let no = yes_no_condition(column, markers, Some(false));
            let mut cases = String::from("CASE");
            if let Some(yes) = yes {
                let _ = write!(cases, " WHEN {yes} THEN 1");
            }
            if let Some(no) = no {
                let _ = write!(cases, " WHEN {no} THEN 0");
            }
            cases.push_str(" ELSE -1 END");
            cases
        }
    }
}

/// The `WHEN … THEN` cases putting a known response time `hours` (≥ 0) into
/// its SLA bin, with the arithmetic of the what-if's own binning so that a
/// time on a bin's edge falls the same way.
fn bin_cases(hours: &str) -> String {
    let mut cases = String::new();
    let last = SLA_SEGMENTS.len() - 1;
    let _ = write!(
        cases,
        "WHEN {hours} > {} THEN {}",
        number_literal(SLA_SEGMENTS[last].1).unwrap_or_default(),
        SLA_BINS - 1
    );
    for (i, &(start, _, per_hour, first, _)) in SLA_SEGMENTS.iter().enumerate().rev() {
        let x = format!(
            "({hours} - {}) * {} - {}",
            number_literal(start).unwrap_or_default(),
            number_literal(per_hour).unwrap_or_default(),
            number_literal(EDGE_SLACK).unwrap_or_default()
        );
        let bin = format!(
            "CASE WHEN CEIL({x}) < 1 THEN {first} ELSE {} + CAST(CEIL({x}) AS INTEGER) END",
            first as i64 - 1
        );
        if i == 0 {
            let _ = write!(cases, " ELSE {bin}");
        } else {
            let _ = write!(
                cases,
                " WHEN {hours} > {} THEN {bin}",
                number_literal(start).unwrap_or_default()
            );
        }
    }
    cases
}

/// The pattern query's header comment: what the table must hold, what the
/// result holds, and what could not be included.
#[allow(clippy::too_many_arguments)]
fn pattern_header(
    scenarios: &[Scenario],
    data: &Dataset,
    markers: &Markers,
    used_columns: &[&Column],
    outcome: &Column,
    mapping: &ColumnMapping,
    skipped: &[SkippedCriterion],
    check: Option<&str>,
    left_out: &[String],
) -> String {
    let names: Vec<String> = scenarios
        .iter()
        .map(|s| format!("\"{}\"", s.name))
        .collect();
    let mut lines = vec![
        format!(
            "leadlens pattern table for the scenarios {}.",
            names.join(", ")
        ),
        format!(
            "Written from the sample \"{}\" ({} leads); run it on the whole lead table.",
            data.name(),
            data.row_count()
        ),
        "It evaluates every criterion's rule once per lead and counts the leads per".to_owned(),
        "pattern of matches. Export the result as CSV, with its header, and load".to_owned(),
        "that file in leadlens: every points and threshold edit stays live on it;".to_owned(),
        "a rule edit needs the query written again and re-run.".to_owned(),
        String::new(),
    ];
    lines.extend(table_must_hold("sample's", markers));
    lines.push(format!(
        "The outcome is {} ({}): converted is {}.",
        quote_identifier(&outcome.name),
        outcome.kind().label(),
        if mapping.converted_values.is_empty() {
            "yes, won, converted and the like".to_owned()
        } else {
            mapping.converted_values.join(", ")
        }
    ));
    lines.extend(columns_used("Columns the rules use:", used_columns));
    lines.push(String::new());
    lines.push(
        "Result: one row per pattern; ll_rule_* is 1 where a rule matches, ll_units_*".to_owned(),
    );
    lines.push(
        "the units a per-unit rule counts; ll_leads and ll_converted count leads.".to_owned(),
    );
    if let Some(check) = check {
        lines.push(check.to_owned());
    }
    lines.extend(quoting_note());
    lines.push("CEIL is CEILING in SQL Server; SQLite needs its maths functions.".to_owned());
    lines.extend(left_out.iter().cloned());
    lines.extend(left_out_lines(skipped));
    comment_block(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::criteria::Criterion;
    use crate::core::derive::{DerivedDuration, DurationUnit};
    use crate::core::ingest::{load_bytes, LoadOptions};
    use crate::core::join::{JoinOutcome, JoinSpec};

    fn data() -> Dataset {
        let csv = "id,stage,created,touched\nA,won,2024-01-01,2024-01-03\nB,lost,2024-01-02,\n";
        load_bytes("leads.csv", csv.as_bytes(), &LoadOptions::default())
            .unwrap()
            .dataset
    }

    fn scenario() -> Scenario {
        Scenario {
            name: "Agreed".into(),
            threshold: 10,
            criteria: vec![Criterion::new("Won", 10, "stage", RuleTest::NotEmpty)],
            grid: Default::default(),
            agreement: Default::default(),
        }
    }

    #[test]
    fn what_the_warehouse_must_add_is_said_and_a_missing_outcome_refused() {
        let mut mapping = ColumnMapping {
            outcome: Some("stage".into()),
            converted_values: vec!["won".into()],
            ..ColumnMapping::default()
        };
        let off = CheckSplit {
            enabled: false,
            ..CheckSplit::default()
        };
        let plain =
            export_pattern_query(&[scenario()], &data(), &mapping, &off, &[], "leads").unwrap();
        assert!(plain.left_out.is_empty(), "{:?}", plain.left_out);
        assert_eq!(plain.rules, 1);
        assert!(plain.statement.contains("GROUP BY \"ll_rule_"));

        mapping.derived = vec![DerivedDuration {
            name: "days to touch".into(),
            from: "created".into(),
            to: "touched".into(),
            unit: DurationUnit::Days,
        }];
        mapping.join = Some(JoinSpec {
            file: "deals.csv".into(),
            lead_key: "id".into(),
            row_key: "lead".into(),
            outcome: JoinOutcome::Matched,
            deal_value: None,
            close_date: None,
            owner: None,
        });
        let noted =
            export_pattern_query(&[scenario()], &data(), &mapping, &off, &[], "leads").unwrap();
        assert_eq!(noted.left_out.len(), 2, "{:?}", noted.left_out);
        assert!(noted.left_out[0].contains("joined in leadlens from \"deals.csv\" (id = lead)"));
        assert!(noted.left_out[1].contains("\"days to touch\" must be columns of the table"));
        assert!(
            noted.statement.contains("days to touch"),
            "the notes are in the header"
        );

        // A random check set cannot be drawn in SQL: said, and left out.
        let random = CheckSplit {
            by: SplitBy::Random,
            ..CheckSplit::default()
        };
        mapping.join = None;
        mapping.derived.clear();
        let drawn =
            export_pattern_query(&[scenario()], &data(), &mapping, &random, &[], "leads").unwrap();
        assert!(drawn.left_out[0].starts_with("A random check set cannot be drawn"));
        assert!(!drawn.statement.contains("\"ll_check\""));

        mapping.outcome = Some("nowhere".into());
        assert_eq!(
            export_pattern_query(&[scenario()], &data(), &mapping, &off, &[], "leads"),
            Err(PatternQueryError::NoOutcome)
        );
    }
}

/// Running the pattern query in SQLite, loading its result back as a
/// pattern table, and comparing its figures with those of the rows.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod in_sqlite_support {
    use rusqlite::types::ValueRef;
    use rusqlite::Connection;

    use super::*;
    use crate::core::engine::{GroupingCache, LeadFacts, Replay, ReplaySettings, MAX_SCORE_BANDS};
    use crate::core::followup::{FollowUpAnalysis, FollowUpFacts};
    use crate::core::ingest::{load_bytes, LoadOptions};
    use crate::core::patterns::{is_pattern_table, PatternData};

    /// The result of `statement` as a warehouse console exports it: a
    /// header, then one CSV line per row, NULL as an empty cell.
    pub(super) fn result_csv(conn: &Connection, statement: &str) -> Vec<u8> {
        let mut query = conn
            .prepare(statement)
            .unwrap_or_else(|e| panic!("{e}\n{statement}"));
        let names: Vec<String> = query.column_names().iter().map(|n| n.to_string()).collect();
        let mut out = names.join(",");
        out.push('\n');
        let mut result = query.query([]).unwrap();
        while let Some(row) = result.next().unwrap() {
            let cells: Vec<String> = (0..names.len())
                .map(|i| match row.get_ref(i).unwrap() {
                    ValueRef::Null => String::new(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => format!("{x:?}"),
                    ValueRef::Text(t) => {
                        format!("\"{}\"", String::from_utf8_lossy(t).replace('"', "\"\""))
                    }
                    ValueRef::Blob(_) => panic!("no blobs"),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out.into_bytes()
    }

    /// The pattern table the query gives in SQLite, read back.
    pub(super) fn pattern_table(conn: &Connection, statement: &str) -> (Dataset, PatternData) {
        let csv = result_csv(conn, statement);
        let table = load_bytes("patterns.csv", &csv, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&csv)))
            .dataset;
        assert!(is_pattern_table(&table));
        let data = PatternData::read(&table).unwrap_or_else(|e| panic!("{e}"));
        (table, data)
    }

    pub(super) fn scenario(name: &str, criteria: Vec<Criterion>, threshold: i32) -> Scenario {
        Scenario {
            name: name.into(),
            threshold,
            criteria,
            grid: Default::default(),
            agreement: Default::default(),
        }
    }

    /// Every figure of `scenario` on the rows and on the pattern table,
    /// compared.
    pub(super) fn assert_same_figures(
        data: &Dataset,
        mapping: &ColumnMapping,
        split: &CheckSplit,
        patterns: &PatternData,
        scenario: &Scenario,
    ) {
        let settings = ReplaySettings::default();
        let facts = LeadFacts::new(data, mapping)
            .unwrap()
            .with_check(data, mapping, split);
        let grouping = GroupingCache::default().grouping(data, &facts, scenario);
        let replay = Replay::run(scenario, &grouping, &facts, &settings);
        let pattern_facts = patterns.facts(split);
        let pattern_grouping = GroupingCache::default().grouping_with(
            &|rule| patterns.evaluate(rule),
            &pattern_facts,
            scenario,
        );
        let aggregated = Replay::run(scenario, &pattern_grouping, &pattern_facts, &settings);
        let name = &scenario.name;
        assert_eq!(facts.leads(), pattern_facts.leads(), "{name}: leads");
        assert_eq!(facts.weeks, pattern_facts.weeks, "{name}: weeks");
        assert_eq!(aggregated.figures, replay.figures, "{name}: key figures");
        assert_eq!(aggregated.by_score, replay.by_score, "{name}: scores");
        assert_eq!(aggregated.evidence, replay.evidence, "{name}: evidence");
        assert_eq!(
            aggregated.revenue_captured, replay.revenue_captured,
            "{name}"
        );
        assert_eq!(aggregated.workload, replay.workload, "{name}: workload");
        assert_eq!(aggregated.cuts, replay.cuts, "{name}: grid cuts");
        assert_eq!(
            aggregated.grid(&pattern_grouping),
            replay.grid(&grouping),
            "{name}: grid"
        );
        assert_eq!(
            aggregated.sweep(&pattern_facts, &settings),
            replay.sweep(&facts, &settings),
            "{name}: sweep"
        );
        assert_eq!(aggregated.gains(), replay.gains(), "{name}: gains");
        assert_eq!(aggregated.roc(), replay.roc(), "{name}: ROC");
        let check = replay.check_of(scenario, &grouping, &facts, &settings);
        let pattern_check =
            aggregated.check_of(scenario, &pattern_grouping, &pattern_facts, &settings);
        assert_eq!(
            check.is_some(),
            pattern_check.is_some(),
            "{name}: check set"
        );
        if let (Some(check), Some(pattern_check)) = (check, pattern_check) {
            assert_eq!(
                pattern_check.figures, check.figures,
                "{name}: check figures"
            );
            assert_eq!(
                pattern_check.evidence, check.evidence,
                "{name}: check evidence"
            );
        }

        // Follow-up, by band and response time, and its what-ifs.
        let scores: Vec<i32> = grouping
            .lead_pattern()
            .iter()
            .map(|&p| replay.pattern_scores[p as usize])
            .collect();
        let pattern_scores: Vec<i32> = pattern_grouping
            .lead_pattern()
            .iter()
            .map(|&p| aggregated.pattern_scores[p as usize])
            .collect();
        let follow = FollowUpAnalysis::compute(
            &FollowUpFacts::new(data, mapping),
            &facts.outcomes,
            &scores,
            scenario.threshold,
            MAX_SCORE_BANDS,
            facts.deal_values.as_deref(),
        );
        let pattern_follow = FollowUpAnalysis::compute(
            &patterns.follow_up_facts(),
            &pattern_facts.outcomes,
            &pattern_scores,
            scenario.threshold,
            MAX_SCORE_BANDS,
            pattern_facts.deal_values.as_deref(),
        );
        assert!(follow.has_follow_up && follow.has_response_time, "{name}");
        assert_eq!(pattern_follow, follow, "{name}: follow-up");
        for (share, sla) in [
            (f64::NAN, None),
            (0.5, Some(1.0)),
            (1.0, Some(4.0)),
            (0.2, Some(30.0)),
        ] {
            assert_eq!(
                pattern_follow.what_if(share, sla),
                follow.what_if(share, sla),
                "{name}: what-if {share} {sla:?}"
            );
        }
    }
}

/// The pattern query of every rule on every column kind, in SQLite.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod in_sqlite {
    use super::in_sqlite_support::*;
    use super::*;
    use crate::core::criteria::{Criterion, Rule};
    use crate::core::ingest::infer::TypingOptions;
    use crate::core::scoring::RuleProblem;
    use crate::core::sql::in_sqlite::{self as rows, every_rule, Leads, TABLE};

    /// The generated table's columns in every role the pattern table feeds.
    fn generated_mapping() -> ColumnMapping {
        ColumnMapping {
            outcome: Some("Converted".into()),
            followed_up: Some("Demo requested".into()),
            response_hours: Some("Page views".into()),
            created: Some("Created".into()),
            deal_value: Some("Deal value".into()),
            ..ColumnMapping::default()
        }
    }

    #[test]
    fn every_rule_on_every_kind_gives_the_figures_of_the_rows() {
        let Leads {
            data,
            conn,
            markers,
        } = rows::leads(TypingOptions::default().missing_markers);
        let mapping = generated_mapping();
        let split = CheckSplit {
            enabled: false,
            ..CheckSplit::default()
        };
        let all = every_rule();
        let half: Vec<Criterion> = all.iter().step_by(2).cloned().collect();
        let scenarios = vec![scenario("Every rule", all, 10), scenario("Half", half, 25)];
        let query =
            export_pattern_query(&scenarios, &data, &mapping, &split, &markers, TABLE).unwrap();
        assert!(query.rules > 20, "{}", query.rules);
        let (table, patterns) = pattern_table(&conn, &query.statement);
        assert!(table.row_count() <= data.row_count());
        assert_eq!(patterns.leads, data.row_count());
        for scenario in &scenarios {
            assert_same_figures(&data, &mapping, &split, &patterns, scenario);
        }

        // Points, switches and the threshold change nothing the table
        // holds: the figures stay exact.
        let mut edited = scenarios[0].clone();
        for (i, c) in edited.criteria.iter_mut().enumerate() {
            c.points = (i as i32 * 7) % 23 - 9;
            c.enabled = i % 5 != 0;
            if let RuleTest::PerUnit {
                points_per_unit, ..
            } = &mut c.rule.test
            {
                // A smaller cap than the query's is read from its units.
                *points_per_unit = points_per_unit
                    .saturating_mul(2)
                    .clamp(-MAX_POINTS, MAX_POINTS);
            }
        }
        edited.threshold = 3;
        assert_same_figures(&data, &mapping, &split, &patterns, &edited);

        // A rule edited since the query ran has no column, and says so.
        let rule = Rule {
            column: "Industry".into(),
            test: RuleTest::AnyOf {
                values: vec!["Nowhere".into()],
            },
        };
        assert!(matches!(
            patterns.evaluate(&rule),
            Err(RuleProblem::NotInPatternTable { .. })
        ));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod check_in_sqlite {
    use rusqlite::types::Value;

    use super::in_sqlite_support::*;
    use super::*;
    use crate::core::criteria::Criterion;
    use crate::core::ingest::{load_bytes, LoadOptions};
    use crate::core::sql::in_sqlite::connect;

    const LEADS: usize = 2_500;

    /// Leads with distinct created times (so the newest fifth is exactly
    /// the leads from a cutoff on), a stage as the outcome, follow-up as
    /// first-touch dates, and response times on and around every bucket
    /// edge.
    fn generated() -> (Vec<&'static str>, Vec<Vec<Option<String>>>) {
        let header = vec![
            "Lead id",
            "Stage",
            "Segment",
            "Employees",
            "First touch",
            "Hours",
            "Created",
            "Deal",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let edges = [
            0.0, 0.05, 1.0, 1.25, 4.0, 23.99, 24.0, 72.0, 168.0, 170.5, 720.0, 900.0,
        ];
        let start = 1_672_531_200i64; // 2023-01-01
        let mut order: Vec<usize> = (0..LEADS).collect();
        for i in (1..LEADS).rev() {
            order.swap(i, next(i as u64 + 1) as usize);
        }
        let rows = (0..LEADS)
            .map(|row| {
                let created = start + order[row] as i64 * 3_600 * 5 + 60;
                let segment = ["SMB", "Mid-market", "Enterprise", "Public"][next(4) as usize];
                let employees = next(400) as f64 / 2.0;
                let touched = next(3) != 0;
                let won = next(10) < if segment == "Enterprise" { 4 } else { 2 };
                let stage = if won {
                    "Won"
                } else {
                    ["Lost", "Open"][next(2) as usize]
                };
                let hours = match next(4) {
                    0 => None,
                    1 => Some(edges[next(edges.len() as u64) as usize]),
                    _ => Some(next(200_000) as f64 / 97.0),
                };
                let iso = |t: i64| {
                    chrono::DateTime::from_timestamp(t, 0)
                        .unwrap()
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                };
                vec![
                    Some(format!("L{row}")),
                    Some(stage.to_owned()),
                    Some(segment.to_owned()),
                    (next(20) != 0).then(|| format!("{employees}")),
                    touched.then(|| iso(created + 3_600)),
                    hours.map(|h| format!("{h}")),
                    Some(iso(created)),
                    (won && next(5) != 0).then(|| format!("{}", next(90_000) as f64 + 0.25)),
                ]
            })
            .collect();
        (header, rows)
    }

    #[test]
    fn the_newest_leads_as_a_check_set_give_the_figures_of_the_rows() {
        let (header, rows) = generated();
        let mut csv = header.join(",");
        csv.push('\n');
        for row in &rows {
            let cells: Vec<String> = row.iter().map(|c| c.clone().unwrap_or_default()).collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        let data = load_bytes("leads.csv", csv.as_bytes(), &LoadOptions::default())
            .unwrap()
            .dataset;
        let kinds: Vec<ColumnKind> = data.columns().iter().map(Column::kind).collect();
        use ColumnKind::*;
        assert_eq!(
            kinds,
            [Text, Category, Category, Number, Date, Number, Date, Number]
        );

        let conn = connect();
        let columns: Vec<String> = header
            .iter()
            .zip(&kinds)
            .map(|(name, kind)| {
                let kind = if *kind == Number { "REAL" } else { "TEXT" };
                format!("{} {kind}", quote_identifier(name))
            })
            .collect();
        conn.execute(&format!("CREATE TABLE leads ({})", columns.join(", ")), [])
            .unwrap();
        let slots = vec!["?"; header.len()].join(", ");
        for row in &rows {
            let values = row
                .iter()
                .zip(&kinds)
                .map(|(cell, kind)| match (cell, kind) {
                    (None, _) => Value::Null,
                    (Some(x), Number) => Value::Real(x.parse().unwrap()),
                    (Some(text), _) => Value::Text(text.clone()),
                });
            conn.execute(
                &format!("INSERT INTO leads VALUES ({slots})"),
                rusqlite::params_from_iter(values),
            )
            .unwrap();
        }

        let mapping = ColumnMapping {
            outcome: Some("Stage".into()),
            converted_values: vec!["won".into()],
            followed_up: Some("First touch".into()),
            response_hours: Some("Hours".into()),
            created: Some("Created".into()),
            deal_value: Some("Deal".into()),
            ..ColumnMapping::default()
        };
        let split = CheckSplit::default();
        let criteria = vec![
            Criterion::new(
                "Enterprise",
                30,
                "Segment",
                RuleTest::AnyOf {
                    values: vec!["Enterprise".into(), "Public".into()],
                },
            ),
            Criterion::new("Big", 15, "Employees", RuleTest::Gte { value: 100.0 }),
            Criterion::new(
                "Per head",
                0,
                "Employees",
                RuleTest::PerUnit {
                    points_per_unit: 1,
                    max_points: 25,
                },
            ),
            Criterion::new("Touched", 10, "First touch", RuleTest::NotEmpty),
            Criterion::new("Recent", 5, "Created", RuleTest::WithinDays { days: 120 }),
        ];
        let scenarios = vec![scenario("Agreed", criteria, 40)];
        let query =
            export_pattern_query(&scenarios, &data, &mapping, &split, &[], "leads").unwrap();
        assert!(
            query.statement.contains("\"ll_check\""),
            "{}",
            query.statement
        );
        assert!(query.left_out.is_empty(), "{:?}", query.left_out);
        let (table, patterns) = pattern_table(&conn, &query.statement);
        assert!(table.row_count() < 2_000, "{} patterns", table.row_count());
        assert!(patterns.has_check());
        let facts = crate::core::engine::LeadFacts::new(&data, &mapping)
            .unwrap()
            .with_check(&data, &mapping, &split);
        assert!(facts.check.rows().is_some(), "the rows keep a check set");
        assert_same_figures(&data, &mapping, &split, &patterns, &scenarios[0]);
        let mut edited = scenarios[0].clone();
        edited.criteria[0].points = -5;
        edited.criteria[3].enabled = false;
        edited.threshold = 12;
        assert_same_figures(&data, &mapping, &split, &patterns, &edited);
    }
}
