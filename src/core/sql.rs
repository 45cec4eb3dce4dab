//! A scenario written as SQL, so a data warehouse can score leads exactly
//! as leadlens does.
//!
//! [`export_scenario`] turns every enabled criterion into one term of a
//! plain ANSI SQL expression (`CASE`, `IN`, `LIKE … ESCAPE`, `TRIM`,
//! `UPPER`/`LOWER`, `CAST`, `FLOOR`, `IS NULL`; no vendor functions) and
//! wraps the sum in a `SELECT` that adds `lead_score` and `sales_ready` to
//! every row of the lead table. The SQL follows [`evaluate_rule`] case by
//! case, and the tests run it in SQLite against leadlens's own scores.
//!
//! Some decisions are taken when the SQL is written, from the loaded data
//! and the missing-value markers, rather than left to the warehouse:
//! `within_days` becomes a fixed cutoff counted back from the latest date
//! in the data, listed labels that are markers (and so can never match) are
//! dropped, and labels listed for a number, yes/no or date column become
//! typed comparisons.
//!
//! # Where the warehouse may still differ
//! The SQL is exact for the table the header comment describes, except in
//! corners plain SQL cannot express:
//! - `TRIM` removes spaces only; leadlens also trims tabs, no-break spaces
//!   and other Unicode white space around a cell.
//! - Case folding: leadlens compares markers and yes/no words ignoring ASCII
//!   case only, and lowers `contains` text with Unicode rules. `UPPER` and
//!   `LOWER` are ASCII-only in SQLite and Unicode-aware in most warehouses,
//!   so a cell with non-ASCII letters (`ſelect`, `İ`) may fold differently.
//!   A case-insensitive collation (the default in SQL Server and MySQL)
//!   also makes `=` and `IN` ignore case where leadlens does not.
//! - Scores: leadlens stops a score at ±2,147,483,647 as it adds points;
//!   the SQL sum does not (and may overflow an `INTEGER` instead).
//! - SQL Server's `LIKE` reads `[` as the start of a character class.
//! - Dates: only years 1 to 9999 can be written as SQL date literals.

use std::cmp::Ordering;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Timelike};

use super::criteria::{Criterion, Group, RuleTest, Scenario, MAX_POINTS};
use super::dataset::{Column, ColumnKind, ColumnValues, Dataset};
use super::grid::{quartiles_of_leads, Cuts, GridCuts, ENGAGEMENT_GRADES, FIT_GRADES, GRADES};
use super::ingest::values::MissingMarkers;
use super::scoring::{evaluate_rule, RuleProblem};

mod pattern;
pub use pattern::{export_pattern_query, PatternQuery, PatternQueryError};

const SECONDS_PER_DAY: i64 = 86_400;
/// 0001-01-01 00:00, in seconds since 1970: the earliest SQL date.
const YEAR_ONE: i64 = -62_135_596_800;
/// The character that escapes `%`, `_` and itself in a `LIKE` pattern. A
/// backslash would be the usual choice, but several warehouses (BigQuery,
/// Spark) read a backslash inside a string literal as an escape of their
/// own; `!` means nothing special anywhere.
const LIKE_ESCAPE: char = '!';
/// Text columns are cast to this type before yes/no words are read from
/// them, so that real `BOOLEAN` and 0/1 integer columns read too.
const TEXT_TYPE: &str = "VARCHAR(255)";
/// The words [`crate::core::scoring::parse_bool`] reads as yes and as no,
/// in upper case.
const TRUE_WORDS: [&str; 4] = ["YES", "TRUE", "Y", "1"];
const FALSE_WORDS: [&str; 4] = ["NO", "FALSE", "N", "0"];

/// A scenario written as SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlExport {
    /// One row's score as a single SQL expression over the table's columns:
    /// a sum of one `CASE` per applied criterion, each after a comment with
    /// its label, or `0` when no criterion applies.
    pub expression: String,
    /// A whole query: a header comment saying what the table must look like
    /// and what was left out, then every row of the table with its score
    /// and a 1/0 sales-ready flag added.
    pub statement: String,
    /// Enabled criteria left out because their rule cannot be applied to
    /// the data, in the scenario's order. (Disabled criteria are left out
    /// too, and only named in the header comment.)
    pub skipped: Vec<SkippedCriterion>,
}

/// An enabled criterion the SQL leaves out, and why; it adds nothing to
/// any score in leadlens either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedCriterion {
    pub label: String,
    pub problem: RuleProblem,
}

/// Writes `scenario` as SQL over a table named `table` (quoted as one
/// identifier) holding the columns of `data`. `missing_markers` are the
/// cell texts the data was loaded with as meaning "no value" (the user's
/// [`TypingOptions::missing_markers`]); the SQL treats them as missing too.
///
/// [`TypingOptions::missing_markers`]: crate::core::ingest::infer::TypingOptions::missing_markers
///
/// ```
/// use leadlens::core::criteria::*;
/// use leadlens::core::dataset::*;
/// use leadlens::core::sql::export_scenario;
///
/// let data = Dataset::new("leads.csv", DataOrigin::File, vec![Column::new(
///     "Demo requested",
///     ColumnValues::Boolean(vec![Some(true), None]),
/// )])
/// .unwrap();
/// let scenario = Scenario {
///     name: "Agreed".into(),
///     threshold: 30,
///     criteria: vec![Criterion {
///         label: "Asked for a demo".into(),
///         group: Group::Engagement,
///         proposed_by: Proposer::Sales,
///         points: 30,
///         enabled: true,
///         rationale: String::new(),
///         key: CriterionKey::default(),
///         sign_off: Default::default(),
///         rule: Rule { column: "Demo requested".into(), test: RuleTest::IsTrue },
///     }],
///     grid: Default::default(),
///     agreement: Default::default(),
/// };
/// let sql = export_scenario(&scenario, &data, &[], "leads");
/// assert!(sql.expression.contains("/* Asked for a demo */"));
/// assert!(sql.expression.contains("IN ('YES', 'TRUE', 'Y', '1') THEN 30 ELSE 0 END"));
/// assert!(sql.statement.ends_with("FROM \"leads\") \"parts\") \"scored\";\n"));
/// ```
pub fn export_scenario(
    scenario: &Scenario,
    data: &Dataset,
    missing_markers: &[String],
    table: &str,
) -> SqlExport {
    let markers = Markers::new(missing_markers);
    let mut terms = Vec::new();
    // The same terms by group, for the grid's sub-scores.
    let (mut fit_terms, mut engagement_terms) = (Vec::new(), Vec::new());
    let mut skipped = Vec::new();
    let mut disabled = Vec::new();
    let mut used_columns: Vec<&Column> = Vec::new();
    for (index, criterion) in scenario.criteria.iter().enumerate() {
        let label = if criterion.label.trim().is_empty() {
            format!("criterion {}", index + 1)
        } else {
            criterion.label.clone()
        };
        if !criterion.enabled {
            disabled.push(label);
            continue;
        }
        match criterion_sql(criterion, data, &markers) {
            Ok((column, sql)) => {
                let term = format!("{} {sql}", comment(&label));
                match criterion.group {
                    Group::Fit => fit_terms.push(term.clone()),
                    Group::Engagement => engagement_terms.push(term.clone()),
                }
                terms.push(term);
                if !used_columns.iter().any(|c| c.name == column.name) {
                    used_columns.push(column);
                }
            }
            Err(problem) => skipped.push(SkippedCriterion { label, problem }),
        }
    }

    let sum = |terms: &[String]| {
        if terms.is_empty() {
            "0".to_owned()
        } else {
            format!("(\n    {}\n)", terms.join("\n  + "))
        }
    };
    let expression = sum(&terms);
    let id = |base: &str| quote_identifier(&output_name(base, data));
    let (score, ready, grade) = (id("lead_score"), id("sales_ready"), id("grade"));
    let (fit, engagement) = (id("fit_score"), id("engagement_score"));
    let cuts = scenario.grid.cuts(
        if scenario.grid.fit_cuts.is_some() && scenario.grid.engagement_cuts.is_some() {
            GridCuts::default()
        } else {
            quartiles_of_leads(data, &scenario.criteria)
        },
    );
    let grade_case = |sub: &str, cuts: &Cuts, grades: &[char; GRADES]| {
        let whens: Vec<String> = cuts
            .iter()
            .zip(grades)
            .map(|(cut, g)| format!("WHEN \"parts\".{sub} >= {cut} THEN '{g}'"))
            .collect();
        format!("CASE {} ELSE '{}' END", whens.join(" "), grades[GRADES - 1])
    };
    let marked = if scenario.grid.ready_cells.is_empty() {
        String::new()
    } else {
        let cells: Vec<String> = scenario
            .grid
            .ready_cells
            .iter()
            .map(|c| format!("'{c}'"))
            .collect();
        format!(" OR \"scored\".{grade} IN ({})", cells.join(", "))
    };
    let table = quote_identifier(table);
    let mut statement = header(scenario, data, &markers, &used_columns, &disabled, &skipped);
    let _ = write!(
        statement,
        "SELECT \"scored\".*,\n       CASE WHEN \"scored\".{score} >= {threshold}{marked} \
         THEN 1 ELSE 0 END AS {ready}\n\
         FROM (SELECT \"parts\".*,\n       \"parts\".{fit} + \"parts\".{engagement} AS {score},\n       \
         {fit_grade}\n       || {engagement_grade} AS {grade}\n\
         FROM (SELECT {table}.*,\n{fit_sum} AS {fit},\n{engagement_sum} AS {engagement}\n\
         FROM {table}) \"parts\") \"scored\";\n",
        threshold = scenario.threshold,
        fit_grade = grade_case(&fit, &cuts.fit, &FIT_GRADES),
        engagement_grade = grade_case(&engagement, &cuts.engagement, &ENGAGEMENT_GRADES),
        fit_sum = sum(&fit_terms),
        engagement_sum = sum(&engagement_terms),
    );
    SqlExport {
        expression,
        statement,
        skipped,
    }
}

/// The header comment: what the query computes, what the table must hold,
/// and which criteria were left out. It names no date or time of export,
/// so the same scenario and data always give the same text.
fn header(
    scenario: &Scenario,
    data: &Dataset,
    markers: &Markers,
    used_columns: &[&Column],
    disabled: &[String],
    skipped: &[SkippedCriterion],
) -> String {
    let mut lines = vec![
        format!(
            "leadlens lead scores for the scenario \"{}\".",
            scenario.name
        ),
        format!(
            "Written for the data set \"{}\" ({} leads).",
            data.name(),
            data.row_count()
        ),
        if scenario.grid.ready_cells.is_empty() {
            format!(
                "A lead is sales-ready (1) at a score of {} or more.",
                scenario.threshold
            )
        } else {
            let cells: Vec<String> = scenario
                .grid
                .ready_cells
                .iter()
                .map(|c| c.to_string())
                .collect();
            format!(
                "A lead is sales-ready (1) at a score of {} or more, or in grid cell {}.",
                scenario.threshold,
                cells.join(", ")
            )
        },
        "The score is the fit criteria's points plus the engagement criteria's;".to_owned(),
        "grade is the fit grade (A best) and the engagement grade (1 best), e.g. 'B2'.".to_owned(),
        "It joins text with ||; SQL Server and some MySQL modes need CONCAT() instead.".to_owned(),
    ];
    lines.extend(quoting_note());
    lines.push(String::new());
    lines.extend(table_must_hold("data set's", markers));
    lines.push(
        "Text is trimmed of spaces and compared as written; 'contains' ignores case.".to_owned(),
    );
    lines.extend(columns_used("Columns used:", used_columns));
    if !disabled.is_empty() || !skipped.is_empty() {
        lines.push(String::new());
    }
    if !disabled.is_empty() {
        lines.push("Left out, switched off in leadlens:".to_owned());
        lines.extend(disabled.iter().map(|label| format!("- \"{label}\"")));
    }
    lines.extend(left_out_lines(skipped));
    comment_block(lines)
}

/// How the exports quote names and name types, and where a dialect
/// differs.
fn quoting_note() -> [String; 2] {
    [
        "Names are in double quotes (ANSI); BigQuery and Spark SQL read those as text:".to_owned(),
        "put the names in backticks there, and write STRING for VARCHAR(255) in BigQuery."
            .to_owned(),
    ]
}

/// What the table an export reads must hold: the columns of the `whose`
/// data under their names, each kind as the SQL reads it.
fn table_must_hold(whose: &str, markers: &Markers) -> Vec<String> {
    vec![
        format!("The table must hold the {whose} columns under the same names:"),
        "- number columns numeric, with NULL for a missing value;".to_owned(),
        "- date columns DATE or TIMESTAMP, or ISO text 'YYYY-MM-DD' or".to_owned(),
        "  'YYYY-MM-DD HH:MM:SS', with NULL for a missing value;".to_owned(),
        "- yes/no columns BOOLEAN, 0/1 integers, or the raw text (yes/no,".to_owned(),
        "  true/false, y/n, 1/0 in any case);".to_owned(),
        "- category and text columns the raw text, where NULL and the".to_owned(),
        "  missing-value markers count as missing:".to_owned(),
        format!("  {}.", markers.listed()),
    ]
}

/// The columns an export's rules read, with their kinds, under `heading`.
fn columns_used(heading: &str, columns: &[&Column]) -> Vec<String> {
    if columns.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading.to_owned()];
    lines.extend(
        columns
            .iter()
            .map(|c| format!("- {} ({})", quote_identifier(&c.name), c.kind().label())),
    );
    lines
}

/// The criteria an export leaves out because their rule cannot apply.
fn left_out_lines(skipped: &[SkippedCriterion]) -> Vec<String> {
    if skipped.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["Left out, their rule cannot be applied to this data:".to_owned()];
    lines.extend(
        skipped
            .iter()
            .map(|s| format!("- \"{}\": {}", s.label, s.problem)),
    );
    lines
}

/// `lines` as one `/* … */` comment, indented, that no line can close.
fn comment_block(lines: Vec<String>) -> String {
    let mut text = String::from("/*\n");
    for line in lines {
        let line = comment_text(&line);
        if !line.trim().is_empty() {
            text.push_str("   ");
            text.push_str(line.trim_end());
        }
        text.push('\n');
    }
    text.push_str("*/\n");
    text
}

/// The SQL giving one criterion's points, or why its rule cannot be
/// applied. [`evaluate_rule`] decides what can be applied, so the SQL
/// leaves out exactly what leadlens leaves out.
fn criterion_sql<'a>(
    criterion: &Criterion,
    data: &'a Dataset,
    markers: &Markers,
) -> Result<(&'a Column, String), RuleProblem> {
    rule_sql(criterion, data, |column| match criterion.rule.test {
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => per_unit_sql(column, points_per_unit, max_points),
        ref test => {
            match_condition(test, column, markers).map(|m| m.points(criterion.contribution(1)))
        }
    })
}

/// The column `criterion`'s rule reads and the SQL `write` gives for it,
/// where leadlens can apply the rule ([`evaluate_rule`] decides), else
/// why not: also where `write` has no SQL for the column's kind.
fn rule_sql<'a>(
    criterion: &Criterion,
    data: &'a Dataset,
    write: impl FnOnce(&Column) -> Option<String>,
) -> Result<(&'a Column, String), RuleProblem> {
    evaluate_rule(data, &criterion.rule)?;
    let column = data
        .column(&criterion.rule.column)
        .ok_or_else(|| RuleProblem::MissingColumn {
            column: criterion.rule.column.clone(),
        })?;
    write(column)
        .map(|sql| (column, sql))
        .ok_or_else(|| RuleProblem::WrongKind {
            column: column.name.clone(),
            op: criterion.rule.test.op_name(),
            found: column.kind(),
        })
}

/// When a rule that matches or not gives its points.
#[derive(Debug, Clone, PartialEq)]
enum Match {
    /// Where the condition is true.
    When(String),
    /// Unless the condition is true: also where it is NULL (unknown),
    /// which is how `none_of` and `empty` reach a missing value.
    Unless(String),
    Always,
    Never,
}

impl Match {
    /// `When` a condition, or `Never` where there is none.
    fn when(condition: Option<String>) -> Self {
        condition.map_or(Match::Never, Match::When)
    }

    /// `Unless` a condition, or `Always` where there is none.
    fn unless(condition: Option<String>) -> Self {
        condition.map_or(Match::Always, Match::Unless)
    }

    fn points(self, points: i32) -> String {
        match self {
            Match::When(condition) => format!("CASE WHEN {condition} THEN {points} ELSE 0 END"),
            Match::Unless(condition) => format!("CASE WHEN {condition} THEN 0 ELSE {points} END"),
            Match::Always => points.to_string(),
            Match::Never => "0".to_owned(),
        }
    }
}

/// The SQL form of a matching rule on `column`, following
/// [`evaluate_rule`]; `None` where leadlens cannot apply it.
fn match_condition(test: &RuleTest, column: &Column, markers: &Markers) -> Option<Match> {
    let name = quote_identifier(&column.name);
    let kind = column.kind();
    let is_text = matches!(kind, ColumnKind::Category | ColumnKind::Text);
    let found = match test {
        RuleTest::AnyOf { values } => Match::when(listed_condition(values, column, markers)),
        RuleTest::NoneOf { values } => Match::unless(listed_condition(values, column, markers)),
        RuleTest::Gte { value } if kind == ColumnKind::Number => {
            Match::when(at_least(&name, *value))
        }
        RuleTest::Lte { value } if kind == ColumnKind::Number => {
            Match::when(at_most(&name, *value))
        }
        RuleTest::Between { min, max } if kind == ColumnKind::Number => {
            Match::when(match (at_least(&name, *min), at_most(&name, *max)) {
                (Some(low), Some(high)) => Some(format!("({low} AND {high})")),
                _ => None,
            })
        }
        RuleTest::IsTrue | RuleTest::IsFalse
            if kind != ColumnKind::Date && kind != ColumnKind::Time =>
        {
            let want = matches!(test, RuleTest::IsTrue);
            Match::when(yes_no_condition(column, markers, Some(want)))
        }
        RuleTest::Contains { value } if is_text => {
            let present = markers.present_text(&name);
            let needle = value.to_lowercase();
            Match::When(if needle.is_empty() {
                present
            } else {
                format!(
                    "({present} AND LOWER(TRIM({name})) LIKE {} ESCAPE '{LIKE_ESCAPE}')",
                    quote_literal(&format!("%{}%", escape_like(&needle)))
                )
            })
        }
        RuleTest::Empty => match kind {
            ColumnKind::Number | ColumnKind::Date | ColumnKind::Time => {
                Match::When(format!("{name} IS NULL"))
            }
            ColumnKind::Boolean => Match::unless(yes_no_condition(column, markers, None)),
            ColumnKind::Category | ColumnKind::Text => Match::When(markers.missing_text(&name)),
        },
        RuleTest::NotEmpty => match kind {
            ColumnKind::Number | ColumnKind::Date | ColumnKind::Time => {
                Match::When(format!("{name} IS NOT NULL"))
            }
            ColumnKind::Boolean => Match::when(yes_no_condition(column, markers, None)),
            ColumnKind::Category | ColumnKind::Text => Match::When(markers.present_text(&name)),
        },
        RuleTest::WithinDays { days } => {
            let ColumnValues::Date(dates) = &column.values else {
                return None;
            };
            within_days(&name, dates, *days)
        }
        _ => return None,
    };
    Some(found)
}

/// Where the value is one of the listed labels, compared the way
/// [`Column::text`] shows the value; `None` when no value can match.
fn listed_condition(values: &[String], column: &Column, markers: &Markers) -> Option<String> {
    let mut labels: Vec<&str> = Vec::new();
    for value in values {
        let label = value.trim();
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    let name = quote_identifier(&column.name);
    match column.kind() {
        ColumnKind::Category | ColumnKind::Text => {
            // A cell that is a marker is missing and never equals a label,
            // so labels that are markers are dropped; a cell equal to any
            // other label is then never a marker.
            let kept: Vec<String> = labels
                .iter()
                .filter(|label| !markers.matcher.matches(label))
                .map(|label| quote_literal(label))
                .collect();
            (!kept.is_empty()).then(|| format!("TRIM({name}) IN ({})", kept.join(", ")))
        }
        ColumnKind::Number => {
            let mut numbers: Vec<f64> = Vec::new();
            for label in labels {
                if let Some(x) = number_shown_as(label) {
                    if !numbers.iter().any(|n| n.to_bits() == x.to_bits()) {
                        numbers.push(x);
                    }
                }
            }
            let finite: Vec<String> = numbers.iter().filter_map(|&x| number_literal(x)).collect();
            let mut tests = Vec::new();
            match finite.as_slice() {
                [] => {}
                [one] => tests.push(format!("{name} = {one}")),
                many => tests.push(format!("{name} IN ({})", many.join(", "))),
            }
            for x in numbers.iter().filter(|x| x.is_infinite()) {
                tests.push(infinity(&name, *x > 0.0));
            }
            any_of_sql(tests)
        }
        ColumnKind::Boolean => {
            let wants_true = labels.contains(&"true");
            let wants_false = labels.contains(&"false");
            match (wants_true, wants_false) {
                (false, false) => None,
                (true, true) => yes_no_condition(column, markers, None),
                (true, false) => yes_no_condition(column, markers, Some(true)),
                (false, true) => yes_no_condition(column, markers, Some(false)),
            }
        }
        ColumnKind::Date => {
            let mut seconds: Vec<i64> = Vec::new();
            for label in labels {
                // A date shows as its seconds since 1970, written plainly.
                let Ok(s) = label.parse::<i64>() else {
                    continue;
                };
                if s.to_string() == label && !seconds.contains(&s) {
                    seconds.push(s);
                }
            }
            any_of_sql(
                seconds
                    .into_iter()
                    .filter_map(|s| date_equals(&name, s))
                    .collect(),
            )
        }
        // Listed values never apply to a time of day (the rule is inactive).
        ColumnKind::Time => None,
    }
}

/// The number a number column shows as exactly `label`, if any.
fn number_shown_as(label: &str) -> Option<f64> {
    let x: f64 = label.parse().ok()?;
    let shown = Column::new("", ColumnValues::Number(vec![x]));
    (shown.text(0)? == label).then_some(x)
}

/// Tests joined by `OR`; `None` for no tests.
fn any_of_sql(tests: Vec<String>) -> Option<String> {
    match tests.len() {
        0 => None,
        1 => tests.into_iter().next(),
        _ => Some(format!("({})", tests.join(" OR "))),
    }
}

/// Where a number column holds infinity: beyond the largest finite number.
fn infinity(name: &str, positive: bool) -> String {
    let largest = number_literal(f64::MAX).unwrap_or_default();
    if positive {
        format!("{name} > {largest}")
    } else {
        format!("{name} < -{largest}")
    }
}

/// Where a number is at least `x`; `None` when none is.
fn at_least(name: &str, x: f64) -> Option<String> {
    if x.is_nan() {
        None
    } else if x == f64::NEG_INFINITY {
        Some(format!("{name} IS NOT NULL"))
    } else if x == f64::INFINITY {
        Some(infinity(name, true))
    } else {
        Some(format!("{name} >= {}", number_literal(x)?))
    }
}

/// Where a number is at most `x`; `None` when none is.
fn at_most(name: &str, x: f64) -> Option<String> {
    if x.is_nan() {
        None
    } else if x == f64::INFINITY {
        Some(format!("{name} IS NOT NULL"))
    } else if x == f64::NEG_INFINITY {
        Some(infinity(name, false))
    } else {
        Some(format!("{name} <= {}", number_literal(x)?))
    }
}

/// Where the column reads as yes (`Some(true)`), as no (`Some(false)`) or
/// as either (`None`), as [`crate::core::scoring::parse_bool`] reads it:
/// a number column reads yes at 1 and no at 0; text is trimmed and
/// compared ignoring case; a yes/no column may also be a real `BOOLEAN`
/// or 0/1 integer, which the cast turns into text. `None` when nothing
/// can read so (every word is a missing-value marker).
fn yes_no_condition(column: &Column, markers: &Markers, want: Option<bool>) -> Option<String> {
    let name = quote_identifier(&column.name);
    let words: Vec<&str> = match want {
        Some(true) => TRUE_WORDS.to_vec(),
        Some(false) => FALSE_WORDS.to_vec(),
        None => TRUE_WORDS.iter().chain(&FALSE_WORDS).copied().collect(),
    };
    let text = match column.kind() {
        ColumnKind::Number => {
            return match want {
                Some(true) => Some(format!("{name} = 1")),
                Some(false) => Some(format!("{name} = 0")),
                None => Some(format!("{name} IN (1, 0)")),
            };
        }
        ColumnKind::Boolean => format!("CAST({name} AS {TEXT_TYPE})"),
        _ => name,
    };
    // A cell that is a marker is missing, even when it reads as yes or no.
    let kept: Vec<String> = words
        .into_iter()
        .filter(|word| !markers.matcher.matches(word))
        .map(quote_literal)
        .collect();
    (!kept.is_empty()).then(|| format!("UPPER(TRIM({text})) IN ({})", kept.join(", ")))
}

/// Where a date is no more than `days` days before the latest date in the
/// data: the cutoff is fixed now, from the data leadlens holds.
fn within_days(name: &str, dates: &[Option<i64>], days: u32) -> Match {
    let Some(&latest) = dates.iter().flatten().max() else {
        return Match::Never;
    };
    let cutoff = latest.saturating_sub(i64::from(days) * SECONDS_PER_DAY);
    let latest_text = date_text(latest).unwrap_or_else(|| latest.to_string());
    let why = format!("/* {days} days before {latest_text}, the latest date in the data */");
    match date_text(cutoff) {
        Some(text) => Match::When(format!("{name} >= {} {why}", quote_literal(&text))),
        // Before year 1: every date qualifies.
        None if cutoff < YEAR_ONE => Match::When(format!("{name} IS NOT NULL {why}")),
        // After year 9999, which no date literal can write.
        None => Match::Never,
    }
}

/// Where a date column holds the instant `seconds`. At midnight the test
/// is a range, so that a DATE, a TIMESTAMP and ISO text with or without
/// the time all compare right.
fn date_equals(name: &str, seconds: i64) -> Option<String> {
    let text = date_text(seconds)?;
    Some(if seconds.rem_euclid(SECONDS_PER_DAY) == 0 {
        format!(
            "({name} >= {} AND {name} <= {})",
            quote_literal(&text),
            quote_literal(&format!("{text} 00:00:00"))
        )
    } else {
        format!("{name} = {}", quote_literal(&text))
    })
}

/// An instant as ISO text: `YYYY-MM-DD` at midnight, else with the time to
/// the second; `None` outside the years 1 to 9999.
fn date_text(seconds: i64) -> Option<String> {
    let t = DateTime::from_timestamp(seconds, 0)?.naive_utc();
    if !(1..=9999).contains(&t.year()) {
        return None;
    }
    let day = format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
    Some(if seconds.rem_euclid(SECONDS_PER_DAY) == 0 {
        day
    } else {
        format!("{day} {:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    })
}

/// A per-unit criterion's points, as [`Criterion::contribution`] gives
/// them: nothing without a whole unit (a missing value, or one below 1),
/// otherwise `min(max_points, points_per_unit × floor(value))` held within
/// ±[`MAX_POINTS`]. The unit counts where the cap and the bound take over
/// are worked out here, so the SQL only ever multiplies numbers small
/// enough for an `INTEGER`. `None` unless the column holds numbers.
fn per_unit_sql(column: &Column, per_unit: i32, max_points: i32) -> Option<String> {
    if column.kind() != ColumnKind::Number {
        return None;
    }
    let name = quote_identifier(&column.name);
    let units = format!("CAST(FLOOR({name}) AS INTEGER)");
    let times_units = if per_unit == 1 {
        units
    } else {
        format!("{per_unit} * {units}")
    };
    let bound = i64::from(MAX_POINTS);
    let cap = i64::from(max_points).clamp(-bound, bound);
    let step = i64::from(per_unit).abs();
    // From this many units on, the points no longer change.
    let constant_from = |limit: i64| (limit.abs() + step - 1) / step;
    Some(match per_unit.cmp(&0) {
        // The same points for every whole unit count.
        Ordering::Equal => format!("CASE WHEN {name} >= 1 THEN {} ELSE 0 END", cap.min(0)),
        Ordering::Greater if cap <= 0 => format!("CASE WHEN {name} >= 1 THEN {cap} ELSE 0 END"),
        Ordering::Greater => format!(
            "CASE WHEN {name} >= {capped_from} THEN {cap} \
             WHEN {name} >= 1 THEN {times_units} ELSE 0 END",
            capped_from = constant_from(cap).max(1),
        ),
        Ordering::Less => {
            let bottom = format!(
                "WHEN {name} >= {} THEN {}",
                constant_from(bound).max(1),
                -bound
            );
            if cap >= 0 {
                format!("CASE {bottom} WHEN {name} >= 1 THEN {times_units} ELSE 0 END")
            } else {
                // Until the points per unit pass the negative cap, the cap
                // is the lesser.
                format!(
                    "CASE {bottom} WHEN {name} >= {below_cap_from} THEN {times_units} \
                     WHEN {name} >= 1 THEN {cap} ELSE 0 END",
                    below_cap_from = constant_from(cap).max(1),
                )
            }
        }
    })
}

/// The missing-value markers, for deciding at export time and for testing
/// in SQL.
struct Markers {
    matcher: MissingMarkers,
    /// Each marker once, trimmed, as the user wrote it.
    shown: Vec<String>,
    /// The same in ASCII upper case, as SQL compares them.
    upper: Vec<String>,
}

impl Markers {
    fn new(markers: &[String]) -> Self {
        let mut shown: Vec<String> = Vec::new();
        let mut upper: Vec<String> = Vec::new();
        for marker in markers {
            let marker = marker.trim();
            if !upper.contains(&marker.to_ascii_uppercase()) {
                shown.push(marker.to_owned());
                upper.push(marker.to_ascii_uppercase());
            }
        }
        Markers {
            matcher: MissingMarkers::new(markers),
            shown,
            upper,
        }
    }

    /// The markers in upper case as a list of SQL string literals.
    fn literals(&self) -> String {
        let quoted: Vec<String> = self.upper.iter().map(|m| quote_literal(m)).collect();
        quoted.join(", ")
    }

    /// The markers for the header comment.
    fn listed(&self) -> String {
        if self.shown.is_empty() {
            "none".to_owned()
        } else {
            let quoted: Vec<String> = self.shown.iter().map(|m| quote_literal(m)).collect();
            format!("{}, in any case", quoted.join(", "))
        }
    }

    /// Where a text column's value is missing: NULL or a marker.
    fn missing_text(&self, name: &str) -> String {
        if self.upper.is_empty() {
            format!("{name} IS NULL")
        } else {
            format!(
                "({name} IS NULL OR UPPER(TRIM({name})) IN ({}))",
                self.literals()
            )
        }
    }

    /// Where a text column holds a value: neither NULL nor a marker.
    fn present_text(&self, name: &str) -> String {
        if self.upper.is_empty() {
            format!("{name} IS NOT NULL")
        } else {
            format!(
                "({name} IS NOT NULL AND UPPER(TRIM({name})) NOT IN ({}))",
                self.literals()
            )
        }
    }
}

/// A name for an added column that no column of the data already has,
/// ignoring case: `base`, else `base_2`, `base_3`, …
fn output_name(base: &str, data: &Dataset) -> String {
    let taken = |name: &str| {
        data.columns()
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name))
    };
    if !taken(base) {
        return base.to_owned();
    }
    let mut n = 2u32;
    loop {
        let name = format!("{base}_{n}");
        if !taken(&name) {
            return name;
        }
        n += 1;
    }
}

/// A name as a SQL identifier: in double quotes, with any double quote
/// inside doubled.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Text as a SQL string literal: in single quotes, with any single quote
/// inside doubled.
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Text inside a `/* … */` comment: control characters (line breaks
/// included) become spaces, and a space is put between `/` and `*` so that
/// no comment can be closed, or opened (Postgres nests comments), by the
/// text.
fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = ' ';
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if (previous == '/' && c == '*') || (previous == '*' && c == '/') {
            out.push(' ');
        }
        out.push(c);
        previous = c;
    }
    out
}

fn comment(text: &str) -> String {
    format!("/* {} */", comment_text(text))
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE` pattern
/// with `ESCAPE '!'`.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '%' || c == '_' || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out
}

/// A number as a SQL literal that reads back as exactly the same `f64`:
/// the shortest such decimal, in exponent form (`1e-7`, `1e300`) when
/// very small or large. `None` for infinity and NaN, which SQL cannot
/// write.
fn number_literal(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        // Also for -0, which compares equal to 0 everywhere.
        return Some("0".to_owned());
    }
    Some(if (1e-5..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, DataOrigin, Texts};

    fn criterion(label: &str, column: &str, test: RuleTest, points: i32) -> Criterion {
        Criterion::new(label, points, column, test)
    }

    fn scenario(criteria: Vec<Criterion>, threshold: i32) -> Scenario {
        Scenario {
            name: "Test".into(),
            threshold,
            criteria,
            grid: Default::default(),
            agreement: Default::default(),
        }
    }

    fn default_markers() -> Vec<String> {
        crate::core::ingest::infer::TypingOptions::default().missing_markers
    }

    /// One column of every kind, three rows.
    fn small_data() -> Dataset {
        Dataset::new(
            "small.csv",
            DataOrigin::File,
            vec![
                Column::new(
                    "Industry",
                    ColumnValues::Category(Categories::from_values([
                        Some("Software"),
                        None,
                        Some("Retail"),
                    ])),
                ),
                Column::new(
                    "Employees",
                    ColumnValues::Number(vec![3.0, f64::NAN, 250.5]),
                ),
                Column::new(
                    "Demo",
                    ColumnValues::Boolean(vec![Some(true), None, Some(false)]),
                ),
                Column::new(
                    "Created",
                    ColumnValues::Date(vec![Some(19_800 * SECONDS_PER_DAY), None, Some(0)]),
                ),
                Column::new(
                    "Notes",
                    ColumnValues::Text(Texts::from_values([Some("call"), None, Some("x")])),
                ),
            ],
        )
        .unwrap()
    }

    /// Every rule test, with arguments that make sense on some kind.
    fn every_test() -> Vec<RuleTest> {
        vec![
            RuleTest::AnyOf {
                values: vec!["3".into()],
            },
            RuleTest::NoneOf {
                values: vec!["true".into()],
            },
            RuleTest::Gte { value: 1.0 },
            RuleTest::Lte { value: 1.0 },
            RuleTest::Between { min: 1.0, max: 2.0 },
            RuleTest::IsTrue,
            RuleTest::IsFalse,
            RuleTest::Contains { value: "a".into() },
            RuleTest::Empty,
            RuleTest::NotEmpty,
            RuleTest::WithinDays { days: 3 },
            RuleTest::PerUnit {
                points_per_unit: 2,
                max_points: 10,
            },
        ]
    }

    #[test]
    fn identifiers_literals_and_comments_cannot_be_broken_out_of() {
        assert_eq!(
            quote_identifier("Lead \"web\" source"),
            "\"Lead \"\"web\"\" source\""
        );
        assert_eq!(quote_identifier("\""), "\"\"\"\"");
        assert_eq!(quote_literal("O'Brien"), "'O''Brien'");
        assert_eq!(quote_literal("''"), "''''''");
        assert_eq!(
            quote_literal("a\\b"),
            "'a\\b'",
            "a backslash is plain text in ANSI SQL"
        );
        assert_eq!(comment("a */ b"), "/* a * / b */");
        assert_eq!(comment("*/*/"), "/* * / * / */");
        assert_eq!(comment("line\nbreak\r\0"), "/* line break   */");
        for nasty in [
            "*/", "/*", "*/*", "/*/", "**//", "x*/y/*z", "/", "*", "-- x\n*/",
        ] {
            let written = comment(nasty);
            let inside = &written[2..written.len() - 2];
            assert!(
                !inside.contains("*/") && !inside.contains("/*") && !inside.contains('\n'),
                "{nasty:?} became {written:?}"
            );
        }
        assert_eq!(escape_like("100%_a!b\\"), "100!%!_a!!b\\");
    }

    #[test]
    fn numbers_are_written_so_they_read_back_exactly() {
        let cases = [
            (0.1, "0.1"),
            (1e-7, "1e-7"),
            (-0.0, "0"),
            (0.0, "0"),
            (12345678.9, "12345678.9"),
            (1e300, "1e300"),
            (-2.5, "-2.5"),
            (3.0, "3"),
            (1e15, "1000000000000000"),
            (1e16, "1e16"),
            (0.00001, "0.00001"),
            (0.000001, "1e-6"),
            (f64::MAX, "1.7976931348623157e308"),
            (5e-324, "5e-324"),
        ];
        for (x, written) in cases {
            assert_eq!(number_literal(x).as_deref(), Some(written), "{x:e}");
            assert_eq!(written.parse::<f64>().unwrap(), x, "{written} reads back");
        }
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(number_literal(x), None);
        }
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..10_000 {
            let x = f64::from_bits(rng.u64(..));
            match number_literal(x) {
                Some(text) => {
                    assert_eq!(text.parse::<f64>().unwrap().to_bits(), (x + 0.0).to_bits());
                    assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
                }
                None => assert!(!x.is_finite()),
            }
        }
    }

    #[test]
    fn sql_applies_exactly_the_rules_leadlens_applies() {
        let data = small_data();
        let markers = Markers::new(&default_markers());
        let mut applied = 0;
        for column in data.columns() {
            for test in every_test() {
                let c = criterion("c", &column.name, test.clone(), 5);
                let leadlens = evaluate_rule(&data, &c.rule).is_ok();
                let direct = match &test {
                    RuleTest::PerUnit {
                        points_per_unit,
                        max_points,
                    } => per_unit_sql(column, *points_per_unit, *max_points).is_some(),
                    test => match_condition(test, column, &markers).is_some(),
                };
                assert_eq!(
                    direct,
                    leadlens,
                    "{} on a {} column",
                    test.op_name(),
                    column.kind()
                );
                assert_eq!(criterion_sql(&c, &data, &markers).is_ok(), leadlens);
                applied += usize::from(leadlens);
            }
        }
        // any_of, none_of, empty, not_empty on all five kinds; is_true and
        // is_false on four; gte, lte, between and per_unit on numbers;
        // contains on two; within_days on one.
        assert_eq!(applied, 4 * 5 + 2 * 4 + 4 + 2 + 1);
    }

    #[test]
    fn criteria_that_cannot_apply_are_reported_and_left_out() {
        let data = small_data();
        let mut off = criterion("Switched off", "Employees", RuleTest::NotEmpty, 7);
        off.enabled = false;
        let s = scenario(
            vec![
                criterion("Budget known", "Budget", RuleTest::NotEmpty, 10),
                criterion("Big", "Industry", RuleTest::Gte { value: 5.0 }, 10),
                criterion("Demo", "Demo", RuleTest::IsTrue, 20),
                off,
            ],
            20,
        );
        let sql = export_scenario(&s, &data, &default_markers(), "leads");
        assert_eq!(
            sql.skipped,
            [
                SkippedCriterion {
                    label: "Budget known".into(),
                    problem: RuleProblem::MissingColumn {
                        column: "Budget".into()
                    },
                },
                SkippedCriterion {
                    label: "Big".into(),
                    problem: RuleProblem::WrongKind {
                        column: "Industry".into(),
                        op: "gte",
                        found: ColumnKind::Category,
                    },
                },
            ]
        );
        assert!(sql
            .statement
            .contains("- \"Budget known\": the data has no column 'Budget'"));
        assert!(sql.statement.contains(
            "- \"Big\": 'gte' cannot be applied to 'Industry', which holds category values"
        ));
        assert!(sql
            .statement
            .contains("Left out, switched off in leadlens:\n   - \"Switched off\""));
        assert!(!sql.expression.contains("Budget") && !sql.expression.contains("Switched"));
        assert_eq!(
            sql.expression.matches("CASE WHEN").count(),
            1,
            "{}",
            sql.expression
        );
        assert!(sql.expression.contains("/* Demo */"));
    }

    #[test]
    fn a_scenario_with_nothing_to_apply_scores_zero() {
        let data = small_data();
        let sql = export_scenario(&scenario(vec![], 0), &data, &[], "leads");
        assert_eq!(sql.expression, "0");
        assert!(sql.skipped.is_empty());
        for sub in ["fit_score", "engagement_score"] {
            assert!(
                sql.statement.contains(&format!("0 AS \"{sub}\"")),
                "{}",
                sql.statement
            );
        }
    }

    #[test]
    fn added_columns_do_not_clash_with_the_data() {
        let data = Dataset::new(
            "t",
            DataOrigin::File,
            vec![
                Column::new("LEAD_SCORE", ColumnValues::Number(vec![1.0])),
                Column::new("lead_score_2", ColumnValues::Number(vec![1.0])),
                Column::new("sales_ready", ColumnValues::Number(vec![1.0])),
            ],
        )
        .unwrap();
        let sql = export_scenario(&scenario(vec![], 1), &data, &[], "t");
        assert!(
            sql.statement.contains("AS \"lead_score_3\""),
            "{}",
            sql.statement
        );
        assert!(
            sql.statement.contains("AS \"sales_ready_2\""),
            "{}",
            sql.statement
        );
        assert!(sql.statement.contains("\"scored\".\"lead_score_3\" >= 1"));
    }

    #[test]
    fn export_is_deterministic_and_writes_no_infinity() {
        let data = small_data();
        let criteria = vec![
            criterion("Up", "Employees", RuleTest::Gte { value: f64::NAN }, 1),
            criterion(
                "Down",
                "Employees",
                RuleTest::Lte {
                    value: f64::INFINITY,
                },
                2,
            ),
            criterion(
                "Across",
                "Employees",
                RuleTest::Between {
                    min: f64::NEG_INFINITY,
                    max: f64::INFINITY,
                },
                3,
            ),
            criterion(
                "Labels",
                "Employees",
                RuleTest::AnyOf {
                    values: vec!["inf".into(), "-inf".into(), "NaN".into(), "3".into()],
                },
                4,
            ),
            criterion("Recent", "Created", RuleTest::WithinDays { days: 30 }, 5),
        ];
        let s = scenario(criteria, 3);
        let first = export_scenario(&s, &data, &default_markers(), "leads");
        let second = export_scenario(&s, &data, &default_markers(), "leads");
        assert_eq!(first, second);
        for word in ["inf", "Inf", "NaN", "nan"] {
            assert!(
                !first.statement.contains(word),
                "{word} in {}",
                first.statement
            );
        }
        // NaN matches nothing; an infinite bound becomes IS NOT NULL or a
        // comparison past the largest number.
        assert!(first.expression.contains("/* Up */ 0\n"));
        assert!(first
            .expression
            .contains("\"Employees\" IS NOT NULL THEN 2"));
        assert!(first.expression.contains(
            "(\"Employees\" = 3 OR \"Employees\" > 1.7976931348623157e308 \
             OR \"Employees\" < -1.7976931348623157e308) THEN 4"
        ));
        // The latest date is 2024-03-18 (day 19,800); 30 days back is a
        // whole day, written without a time.
        assert!(
            first.expression.contains(
                "\"Created\" >= '2024-02-17' /* 30 days before 2024-03-18, \
                 the latest date in the data */"
            ),
            "{}",
            first.expression
        );
    }

    #[test]
    fn within_days_bakes_in_a_cutoff_with_its_time_of_day() {
        let latest = 19_800 * SECONDS_PER_DAY + 15 * 3600 + 30 * 60 + 45;
        let name = "\"d\"";
        let dates = [Some(0), Some(latest), None];
        assert_eq!(
            within_days(name, &dates, 2),
            Match::When(
                "\"d\" >= '2024-03-16 15:30:45' /* 2 days before 2024-03-18 15:30:45, \
                 the latest date in the data */"
                    .into()
            )
        );
        let Match::When(all) = within_days(name, &dates, u32::MAX) else {
            panic!("every date is within u32::MAX days")
        };
        assert!(all.starts_with("\"d\" IS NOT NULL /*"), "{all}");
        assert_eq!(within_days(name, &[None, None], 5), Match::Never);
    }
}

/// The exported SQL run in a real SQL engine (SQLite) on generated leads,
/// against leadlens's own scores.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod in_sqlite {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::Value;
    use rusqlite::Connection;

    use super::*;
    use crate::core::criteria::{CriterionKey, Group, Proposer, Rule};
    use crate::core::ingest::infer::TypingOptions;
    use crate::core::ingest::{load_bytes, LoadOptions};
    use crate::core::scoring::{evaluate_criteria, score_leads};

    const LEADS: usize = 400;
    pub(super) const TABLE: &str = "crm \"leads\" export";

    /// How the test stores a column in SQLite.
    #[derive(Clone, Copy, PartialEq)]
    enum Stored {
        /// REAL, NULL where missing.
        Real,
        /// ISO text with or without the time, NULL where missing.
        IsoDate,
        /// INTEGER 1/0, NULL where missing.
        ZeroOne,
        /// The raw text; a marker cell kept as text or turned into NULL,
        /// row by row.
        Text,
    }

    /// One generated column: its header, the CSV cell of each row, and
    /// how SQLite gets it.
    struct Generated {
        name: &'static str,
        stored: Stored,
        cells: Vec<String>,
        /// Per row, for `Text`: whether a marker cell becomes NULL; for
        /// `IsoDate`: whether a midnight is written with its time.
        flip: Vec<bool>,
        /// For `IsoDate`: the instant of each row's cell.
        seconds: Vec<Option<i64>>,
    }

    fn day(y: i32, m: u32, d: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn iso(seconds: i64, with_time: bool) -> String {
        let t = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
        if with_time || seconds % SECONDS_PER_DAY != 0 {
            t.format("%Y-%m-%d %H:%M:%S").to_string()
        } else {
            t.format("%Y-%m-%d").to_string()
        }
    }

    /// A column whose cells are picked from `choices`.
    fn pick(
        rng: &mut fastrand::Rng,
        name: &'static str,
        stored: Stored,
        choices: &[&str],
    ) -> Generated {
        let cells: Vec<String> = (0..LEADS)
            .map(|_| choices[rng.usize(..choices.len())].to_owned())
            .collect();
        let flip = (0..LEADS).map(|_| rng.bool()).collect();
        Generated {
            name,
            stored,
            cells,
            flip,
            seconds: vec![None; LEADS],
        }
    }

    /// A number column: whole numbers in `range` for about half the rows,
    /// else one of the `odd` cells.
    fn numbers(
        rng: &mut fastrand::Rng,
        name: &'static str,
        range: std::ops::Range<i64>,
        odd: &[&str],
    ) -> Generated {
        let mut column = pick(rng, name, Stored::Real, odd);
        for cell in &mut column.cells {
            if rng.bool() {
                *cell = rng.i64(range.clone()).to_string();
            }
        }
        column
    }

    /// Leads with every column kind, written in many ways, from a fixed
    /// seed.
    fn generate() -> Vec<Generated> {
        let mut rng = fastrand::Rng::with_seed(20_240_630);
        let rng = &mut rng;
        let mut ids = pick(rng, "Lead id", Stored::Text, &[""]);
        for (row, cell) in ids.cells.iter_mut().enumerate() {
            *cell = format!("L{row:04}");
        }
        let mut columns = vec![ids];
        columns.push(pick(rng, "Converted", Stored::Text, &["yes", "no", "no"]));
        columns.push(pick(
            rng,
            "Demo requested",
            Stored::Text,
            &[
                "yes", "No", "TRUE", "false", "Y", "n", "1", "0", " Yes ", "nO", "YES", "", "NA",
                "Select", "n/a", "null",
            ],
        ));
        columns.push(pick(rng, "Opted in", Stored::ZeroOne, &["1", "0", "1", ""]));
        columns.push(pick(
            rng,
            "Industry",
            Stored::Text,
            &[
                "Software",
                " Finance ",
                "Retail",
                "retail",
                "Health care",
                "100% Organic",
                "a_b",
                "O'Brien & Co",
                "Wow!",
                "C:\\temp",
                "true",
                "yes",
                "3",
                "N",
                "Tiny",
                "Select",
                "select",
                "NA",
                "",
                "  ",
                "Unknown",
                "n/a",
            ],
        ));
        columns.push(pick(
            rng,
            "Source \"web\" channel",
            Stored::Text,
            &["Ads", "Organic", "Referral", "Select", "", "partner's"],
        ));
        columns.push(numbers(
            rng,
            "Employees",
            -20..600,
            &[
                "2.5",
                "12.75",
                "-1.5",
                "0.1",
                "7.9999",
                "0.0000001",
                "-0",
                "3",
                "0",
                "1",
                "",
                "NA",
                " 42 ",
            ],
        ));
        columns.push(numbers(
            rng,
            "Page views",
            0..40,
            &["1.5", "-2", "0.999", "0", "1", "", "NA"],
        ));
        columns.push(numbers(
            rng,
            "Deal value",
            -1000..1_000_000,
            &[
                "3000000000",
                "2147483648",
                "2147483647",
                "4294967296",
                "10000000000",
                "-5",
                "0.5",
                "",
            ],
        ));

        // Dates: whole days, with the latest (row 1) a whole day too.
        let first = day(2023, 1, 1);
        let mut created = pick(rng, "Created", Stored::IsoDate, &[""]);
        for row in 0..LEADS {
            let s = match row {
                1 => Some(day(2024, 6, 30)),
                _ if rng.u8(..10) == 0 => None,
                _ => Some(first + rng.i64(0..545) * SECONDS_PER_DAY),
            };
            created.seconds[row] = s;
            created.cells[row] = match s {
                Some(s) => iso(s, rng.u8(..4) == 0),
                None => ["", "NA"][rng.usize(..2)].to_owned(),
            };
        }
        columns.push(created);
        // Visits: a time of day on most, the latest (row 0) in the
        // afternoon; row 2 at a midnight that any_of asks for.
        let mut visits = pick(rng, "Last visit", Stored::IsoDate, &[""]);
        for row in 0..LEADS {
            let s = match row {
                0 => Some(day(2024, 7, 1) + 15 * 3600 + 30 * 60 + 45),
                2 => Some(day(2024, 3, 1)),
                _ if rng.u8(..10) == 0 => None,
                _ => {
                    let time = if rng.u8(..3) == 0 {
                        0
                    } else {
                        rng.i64(0..SECONDS_PER_DAY)
                    };
                    Some(first + rng.i64(0..546) * SECONDS_PER_DAY + time)
                }
            };
            visits.seconds[row] = s;
            visits.cells[row] = match s {
                Some(s) => iso(s, rng.bool()),
                None => String::new(),
            };
        }
        columns.push(visits);

        let phrases = [
            "wants a DEMO",
            "asked about pricing",
            "50% discount?",
            "under_score user",
            "it's urgent",
            "path C:\\x",
        ];
        let mut notes = pick(
            rng,
            "Notes",
            Stored::Text,
            &["yes", "No", "TRUE", "NA", "", "null", "unknown"],
        );
        for (row, cell) in notes.cells.iter_mut().enumerate() {
            if rng.u8(..3) != 0 {
                *cell = format!("{} #{row}", phrases[rng.usize(..phrases.len())]);
            }
        }
        columns.push(notes);
        columns
    }

    fn csv(columns: &[Generated]) -> Vec<u8> {
        let field = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let mut out = String::new();
        let header: Vec<String> = columns.iter().map(|c| field(c.name)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for row in 0..LEADS {
            let cells: Vec<String> = columns.iter().map(|c| field(&c.cells[row])).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out.into_bytes()
    }

    /// What SQLite holds for one cell, given the markers the data was
    /// loaded with.
    fn stored_value(column: &Generated, row: usize, markers: &MissingMarkers) -> Value {
        let cell = &column.cells[row];
        let missing = markers.matches(cell.trim());
        match column.stored {
            _ if missing && column.stored != Stored::Text => Value::Null,
            Stored::Text if missing && column.flip[row] => Value::Null,
            Stored::Text => Value::Text(cell.clone()),
            Stored::Real => Value::Real(cell.trim().parse().unwrap()),
            Stored::ZeroOne => Value::Integer(cell.trim().parse().unwrap()),
            Stored::IsoDate => {
                let s = column.seconds[row].unwrap();
                Value::Text(iso(s, column.flip[row]))
            }
        }
    }

    /// SQLite has no FLOOR or CEIL unless built with its maths functions;
    /// these are the C library's, as theirs are.
    pub(super) fn connect() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for (name, f) in [("FLOOR", f64::floor as fn(f64) -> f64), ("CEIL", f64::ceil)] {
            conn.create_scalar_function(
                name,
                1,
                FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
                move |ctx| Ok(ctx.get::<Option<f64>>(0)?.map(f)),
            )
            .unwrap();
        }
        conn
    }

    /// The generated leads loaded into leadlens and into SQLite.
    pub(super) struct Leads {
        pub(super) data: Dataset,
        pub(super) conn: Connection,
        pub(super) markers: Vec<String>,
    }

    pub(super) fn leads(markers: Vec<String>) -> Leads {
        let columns = generate();
        let options = LoadOptions {
            typing: TypingOptions {
                missing_markers: markers.clone(),
                ..TypingOptions::default()
            },
            ..LoadOptions::default()
        };
        let data = load_bytes("generated.csv", &csv(&columns), &options)
            .unwrap()
            .dataset;
        assert_eq!(data.row_count(), LEADS);

        let matcher = MissingMarkers::new(&markers);
        let conn = connect();
        let definitions: Vec<String> = columns
            .iter()
            .map(|c| {
                let kind = match c.stored {
                    Stored::Real => "REAL",
                    Stored::ZeroOne => "INTEGER",
                    Stored::IsoDate | Stored::Text => "TEXT",
                };
                format!("{} {kind}", quote_identifier(c.name))
            })
            .collect();
        conn.execute(
            &format!(
                "CREATE TABLE {} ({})",
                quote_identifier(TABLE),
                definitions.join(", ")
            ),
            [],
        )
        .unwrap();
        let slots = vec!["?"; columns.len()].join(", ");
        let insert = format!("INSERT INTO {} VALUES ({slots})", quote_identifier(TABLE));
        for row in 0..LEADS {
            let values = columns.iter().map(|c| stored_value(c, row, &matcher));
            conn.execute(&insert, rusqlite::params_from_iter(values))
                .unwrap();
        }

        // The two sides hold the same numbers and dates.
        for column in &columns {
            let loaded = data.column(column.name).unwrap();
            for row in 0..LEADS {
                match (&loaded.values, stored_value(column, row, &matcher)) {
                    (ColumnValues::Number(xs), Value::Real(x)) => assert_eq!(xs[row], x),
                    (ColumnValues::Number(xs), Value::Null) => assert!(xs[row].is_nan()),
                    (ColumnValues::Date(ds), _) => assert_eq!(
                        ds[row],
                        column.seconds[row].filter(|_| !matcher.matches(column.cells[row].trim())),
                        "{} row {row}",
                        column.name
                    ),
                    _ => {}
                }
            }
        }
        Leads {
            data,
            conn,
            markers,
        }
    }

    /// Each lead's score and sales-ready flag, in leadlens.
    fn leadlens_scores(data: &Dataset, scenario: &Scenario) -> Vec<(i64, i64)> {
        let evaluations = evaluate_criteria(data, &scenario.criteria);
        score_leads(data.row_count(), &scenario.criteria, &evaluations)
            .into_iter()
            .map(|s| (i64::from(s), i64::from(s >= scenario.threshold)))
            .collect()
    }

    /// Each lead's score and sales-ready flag, from SQLite running the
    /// exported statement, in the data's row order.
    fn sql_scores(conn: &Connection, statement: &str) -> Vec<(i64, i64)> {
        let mut query = conn
            .prepare(statement)
            .unwrap_or_else(|e| panic!("{e}\n{statement}"));
        let rows = query
            .query_map([], |r| {
                let id: String = r.get("Lead id")?;
                Ok((
                    id,
                    r.get::<_, i64>("lead_score")?,
                    r.get::<_, i64>("sales_ready")?,
                ))
            })
            .unwrap();
        let mut scores = vec![(i64::MIN, i64::MIN); LEADS];
        let mut seen = 0;
        for row in rows {
            let (id, score, ready) = row.unwrap_or_else(|e| panic!("{e}\n{statement}"));
            let index: usize = id[1..].parse().unwrap();
            scores[index] = (score, ready);
            seen += 1;
        }
        assert_eq!(seen, LEADS);
        scores
    }

    pub(super) fn criterion(label: &str, column: &str, test: RuleTest, points: i32) -> Criterion {
        Criterion {
            label: label.into(),
            group: Group::Engagement,
            proposed_by: Proposer::Marketing,
            points,
            enabled: true,
            rationale: String::new(),
            key: CriterionKey::default(),
            rule: Rule {
                column: column.into(),
                test,
            },
            sign_off: Default::default(),
        }
    }

    fn any(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    /// Criteria using every rule on every kind it applies to, and some it
    /// does not. Labels starting `const:` give every lead the same points
    /// under the default markers; those starting `huge:` have points so
    /// large that their sum would leave the range of an i32.
    pub(super) fn every_rule() -> Vec<Criterion> {
        use RuleTest::*;
        let c = criterion;
        let created = day(2024, 6, 30).to_string();
        let visit = (day(2024, 7, 1) + 15 * 3600 + 30 * 60 + 45).to_string();
        let visit_midnight = day(2024, 3, 1).to_string();
        let per_unit = |points_per_unit, max_points| PerUnit {
            points_per_unit,
            max_points,
        };
        let mut off = c("const: switched off", "Industry", NotEmpty, 1_000);
        off.enabled = false;
        vec![
            // any_of and none_of on every kind.
            c(
                "Industry */ any of",
                "Industry",
                AnyOf {
                    values: any(&[
                        "Software",
                        " Finance ",
                        "Select",
                        "retail",
                        "100% Organic",
                        "NA",
                    ]),
                },
                15,
            ),
            c(
                "const: /* only markers",
                "Industry",
                AnyOf {
                    values: any(&["Select", "", "na", "Unknown"]),
                },
                9,
            ),
            c(
                "Industry none of",
                "Industry",
                NoneOf {
                    values: any(&["Software", "Select", "C:\\temp", "O'Brien & Co"]),
                },
                -7,
            ),
            c(
                "Notes any of",
                "Notes",
                AnyOf {
                    values: any(&["yes", "TRUE", "null", "it's urgent #3"]),
                },
                4,
            ),
            c(
                "Notes none of",
                "Notes",
                NoneOf {
                    values: any(&["No", "NA"]),
                },
                3,
            ),
            c(
                "Employees any of",
                "Employees",
                AnyOf {
                    values: any(&[
                        "3",
                        "2.5",
                        "3.0",
                        "-1.5",
                        "abc",
                        "0",
                        "inf",
                        "1e-7",
                        "0.0000001",
                        " 42",
                    ]),
                },
                11,
            ),
            c(
                "Employees none of",
                "Employees",
                NoneOf {
                    values: any(&["1", "-0", "12.75"]),
                },
                -2,
            ),
            c(
                "Demo any of",
                "Demo requested",
                AnyOf {
                    values: any(&["true", "yes"]),
                },
                8,
            ),
            c(
                "Demo none of",
                "Demo requested",
                NoneOf {
                    values: any(&["false"]),
                },
                5,
            ),
            c(
                "Opted in any of",
                "Opted in",
                AnyOf {
                    values: any(&["false", "true"]),
                },
                6,
            ),
            c(
                "Opted in none of",
                "Opted in",
                NoneOf {
                    values: any(&["true"]),
                },
                -6,
            ),
            c(
                "Created any of",
                "Created",
                AnyOf {
                    values: vec![created.clone(), "abc".into(), "+5".into()],
                },
                12,
            ),
            c(
                "Created none of",
                "Created",
                NoneOf {
                    values: vec![created],
                },
                2,
            ),
            c(
                "Visit any of",
                "Last visit",
                AnyOf {
                    values: vec![visit, visit_midnight.clone()],
                },
                13,
            ),
            c(
                "Visit none of",
                "Last visit",
                NoneOf {
                    values: vec![visit_midnight],
                },
                1,
            ),
            c(
                "Source 'any' of",
                "Source \"web\" channel",
                AnyOf {
                    values: any(&["Ads", "partner's"]),
                },
                7,
            ),
            c(
                "Source none of",
                "Source \"web\" channel",
                NoneOf {
                    values: any(&["Organic"]),
                },
                3,
            ),
            // Number comparisons.
            c("Employees >= 2.5", "Employees", Gte { value: 2.5 }, 10),
            c("Employees >= -0", "Employees", Gte { value: -0.0 }, 3),
            c("Employees <= -1.5", "Employees", Lte { value: -1.5 }, -4),
            c("Employees <= 0.1", "Employees", Lte { value: 0.1 }, 2),
            c(
                "Employees between",
                "Employees",
                Between {
                    min: 0.1,
                    max: 12.75,
                },
                6,
            ),
            c(
                "const: empty range",
                "Employees",
                Between { min: 5.0, max: 3.0 },
                6,
            ),
            c(
                "Employees any number",
                "Employees",
                Gte {
                    value: f64::NEG_INFINITY,
                },
                1,
            ),
            c("const: never NaN", "Employees", Gte { value: f64::NAN }, 1),
            c(
                "Page views between",
                "Page views",
                Between {
                    min: 1.0,
                    max: 10.0,
                },
                5,
            ),
            c(
                "Deal value big",
                "Deal value",
                Gte {
                    value: 2_147_483_648.0,
                },
                9,
            ),
            // Yes and no on every kind but dates.
            c("Demo yes", "Demo requested", IsTrue, 30),
            c("Demo no", "Demo requested", IsFalse, -10),
            c("Opted in yes", "Opted in", IsTrue, 4),
            c("Opted in no", "Opted in", IsFalse, -3),
            c("Converted", "Converted", IsTrue, 2),
            c("Industry reads yes", "Industry", IsTrue, 3),
            c("Industry reads no", "Industry", IsFalse, 3),
            c("Notes read yes", "Notes", IsTrue, 2),
            c("Notes read no", "Notes", IsFalse, 2),
            c("Employees one", "Employees", IsTrue, 2),
            c("Employees zero", "Employees", IsFalse, 2),
            c("Page views one", "Page views", IsTrue, 2),
            // Contains, with LIKE's special characters.
            c("Industry %", "Industry", Contains { value: "%".into() }, 3),
            c("Industry _", "Industry", Contains { value: "_".into() }, 3),
            c("Industry '", "Industry", Contains { value: "'".into() }, 3),
            c(
                "Industry o'b",
                "Industry",
                Contains {
                    value: "o'b".into(),
                },
                3,
            ),
            c("Industry !", "Industry", Contains { value: "!".into() }, 3),
            c(
                "Industry backslash",
                "Industry",
                Contains { value: "\\".into() },
                3,
            ),
            c(
                "Industry SOFT",
                "Industry",
                Contains {
                    value: "SOFT".into(),
                },
                3,
            ),
            c(
                "Industry n (not in markers)",
                "Industry",
                Contains { value: "n".into() },
                3,
            ),
            c(
                "Industry anything",
                "Industry",
                Contains { value: "".into() },
                3,
            ),
            c(
                "Notes demo",
                "Notes",
                Contains {
                    value: "demo".into(),
                },
                3,
            ),
            c(
                "Notes 50%",
                "Notes",
                Contains {
                    value: "50%".into(),
                },
                3,
            ),
            c(
                "Notes under_",
                "Notes",
                Contains {
                    value: "under_".into(),
                },
                3,
            ),
            c(
                "Notes it's",
                "Notes",
                Contains {
                    value: "IT'S".into(),
                },
                3,
            ),
            c("Notes a", "Notes", Contains { value: "a".into() }, 3),
            c(
                "Source '",
                "Source \"web\" channel",
                Contains { value: "'".into() },
                3,
            ),
            // Empty and not empty on every kind.
            c("Industry empty", "Industry", Empty, 2),
            c("Industry known", "Industry", NotEmpty, 2),
            c("Notes empty", "Notes", Empty, 2),
            c("Notes known", "Notes", NotEmpty, 2),
            c("Employees empty", "Employees", Empty, 2),
            c("Employees known", "Employees", NotEmpty, 2),
            c("Demo empty", "Demo requested", Empty, -2),
            c("Demo known", "Demo requested", NotEmpty, 2),
            c("Opted in empty", "Opted in", Empty, 2),
            c("Created empty", "Created", Empty, 2),
            c("Created known", "Created", NotEmpty, 2),
            c("Visit known", "Last visit", NotEmpty, 2),
            c("Source empty", "Source \"web\" channel", Empty, 2),
            // Within days, from a whole-day and an afternoon latest date.
            c("Created today", "Created", WithinDays { days: 0 }, 5),
            c("Created month", "Created", WithinDays { days: 30 }, 5),
            c("Created year", "Created", WithinDays { days: 365 }, 5),
            c("Created ever", "Created", WithinDays { days: u32::MAX }, 5),
            c("Visit today", "Last visit", WithinDays { days: 0 }, 5),
            c("Visit week", "Last visit", WithinDays { days: 7 }, 5),
            c("Visit quarter", "Last visit", WithinDays { days: 90 }, 5),
            // Per unit, its own points ignored.
            c("Views x2 up to 20", "Page views", per_unit(2, 20), 999),
            c("Views -3 down to ... 10", "Page views", per_unit(-3, 10), 0),
            c("Views -3 capped -10", "Page views", per_unit(-3, -10), 0),
            c(
                "Views 5 capped -5 (a unit or more)",
                "Page views",
                per_unit(5, -5),
                0,
            ),
            c("const: views 0", "Page views", per_unit(0, 7), 0),
            c(
                "Views 0 capped -7 (a unit or more)",
                "Page views",
                per_unit(0, -7),
                0,
            ),
            c("Views x1", "Page views", per_unit(1, 1_000), 0),
            c("Views x3 up to 10", "Page views", per_unit(3, 10), 0),
            c("const: views 3 capped 0", "Page views", per_unit(3, 0), 0),
            c("Employees x1", "Employees", per_unit(1, 100), 0),
            c("huge: deal -1", "Deal value", per_unit(-1, 0), 0),
            c("huge: deal +1", "Deal value", per_unit(1, i32::MAX), 0),
            c("huge: deal min", "Deal value", per_unit(i32::MIN, -5), 0),
            c(
                "huge: deal -1000",
                "Deal value",
                per_unit(-1_000, -1_000_000),
                0,
            ),
            c("huge: points", "Demo requested", IsTrue, i32::MIN),
            // Left out: switched off, or not applicable.
            off,
            c("const: gte on text", "Industry", Gte { value: 1.0 }, 50),
            c(
                "const: days on numbers",
                "Employees",
                WithinDays { days: 3 },
                50,
            ),
            c(
                "const: contains on yes/no",
                "Opted in",
                Contains { value: "1".into() },
                50,
            ),
            c("const: yes on dates", "Created", IsTrue, 50),
            c(
                "const: \"no\" column",
                "Budget \"*/ DROP TABLE x; --",
                NotEmpty,
                50,
            ),
            c("const: per unit on text", "Notes", per_unit(1, 5), 50),
        ]
    }

    /// Each criterion alone, then all together: SQLite's scores equal
    /// leadlens's for every lead.
    fn check_every_rule(markers: Vec<String>) -> Leads {
        let leads = leads(markers);
        let (data, conn) = (&leads.data, &leads.conn);
        for criterion in every_rule() {
            let alone = Scenario {
                name: criterion.label.clone(),
                threshold: criterion.points.max(1),
                criteria: vec![criterion.clone()],
                grid: Default::default(),
                agreement: Default::default(),
            };
            let sql = export_scenario(&alone, data, &leads.markers, TABLE);
            let expected = leadlens_scores(data, &alone);
            assert_eq!(
                sql_scores(conn, &sql.statement),
                expected,
                "{}\n{}",
                criterion.label,
                sql.statement
            );
        }
        let together: Vec<Criterion> = every_rule()
            .into_iter()
            .filter(|c| !c.label.starts_with("huge:"))
            .collect();
        let mut all = Scenario {
            name: "Everything */ at 'once'".into(),
            threshold: 0,
            criteria: together,
            grid: Default::default(),
            agreement: Default::default(),
        };
        let mut scores: Vec<i64> = leadlens_scores(data, &all).iter().map(|s| s.0).collect();
        scores.sort_unstable();
        all.threshold = scores[LEADS / 2] as i32;
        let sql = export_scenario(&all, data, &leads.markers, TABLE);
        let expected = leadlens_scores(data, &all);
        assert_eq!(
            sql_scores(conn, &sql.statement),
            expected,
            "{}",
            sql.statement
        );
        let ready = expected.iter().filter(|s| s.1 == 1).count();
        assert!(ready > 0 && ready < LEADS, "{ready} sales-ready");
        leads
    }

    #[test]
    fn sqlite_scores_equal_leadlens_scores_with_the_default_markers() {
        let leads = check_every_rule(TypingOptions::default().missing_markers);
        let kinds: Vec<(&str, ColumnKind)> = leads
            .data
            .columns()
            .iter()
            .map(|c| (c.name.as_str(), c.kind()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Lead id", ColumnKind::Text),
                ("Converted", ColumnKind::Boolean),
                ("Demo requested", ColumnKind::Boolean),
                ("Opted in", ColumnKind::Boolean),
                ("Industry", ColumnKind::Category),
                ("Source \"web\" channel", ColumnKind::Category),
                ("Employees", ColumnKind::Number),
                ("Page views", ColumnKind::Number),
                ("Deal value", ColumnKind::Number),
                ("Created", ColumnKind::Date),
                ("Last visit", ColumnKind::Date),
                ("Notes", ColumnKind::Text),
            ]
        );
        // The test means something only if the rules tell leads apart:
        // each does, except those meant to treat every lead alike.
        for criterion in every_rule() {
            let alone = Scenario {
                name: String::new(),
                threshold: 0,
                criteria: vec![criterion.clone()],
                grid: Default::default(),
                agreement: Default::default(),
            };
            let scores = leadlens_scores(&leads.data, &alone);
            let varies = scores.iter().any(|s| s.0 != scores[0].0);
            assert_eq!(
                varies,
                !criterion.label.starts_with("const:"),
                "{}",
                criterion.label
            );
        }
    }

    /// The grade and the marked cells in SQLite as in leadlens: each lead's
    /// cell from its fit and engagement points under the scenario's cuts,
    /// and sales-ready when the score reaches the threshold or the cell is
    /// marked; with cuts left open, the quartiles of the data's leads.
    #[test]
    fn sqlite_grades_and_marked_cells_equal_leadlens() {
        use crate::core::grid::{Cell, Grid};
        let leads = leads(TypingOptions::default().missing_markers);
        let (data, conn) = (&leads.data, &leads.conn);
        let mut criteria: Vec<Criterion> = every_rule()
            .into_iter()
            .filter(|c| !c.label.starts_with("huge:") && !c.label.starts_with("const:"))
            .collect();
        for (i, c) in criteria.iter_mut().enumerate() {
            c.group = if i % 2 == 0 {
                Group::Fit
            } else {
                Group::Engagement
            };
        }
        let open = Scenario {
            name: "Graded".into(),
            threshold: 10_000,
            criteria,
            grid: Grid::default(),
            agreement: Default::default(),
        };
        let quartiles = quartiles_of_leads(data, &open.criteria);
        assert_ne!(quartiles.fit, [0; 3], "the cuts tell leads apart");
        let marked = Scenario {
            grid: Grid {
                fit_cuts: Some(quartiles.fit),
                engagement_cuts: Some([
                    quartiles.engagement[0] + 1,
                    quartiles.engagement[1],
                    i32::MIN,
                ]),
                ready_cells: vec![Cell::parse("A1").unwrap(), Cell::parse("C2").unwrap()],
            },
            ..open.clone()
        };
        for scenario in [&open, &marked] {
            let sql = export_scenario(scenario, data, &leads.markers, TABLE);
            let evaluations = evaluate_criteria(data, &scenario.criteria);
            let only = |group: Group| -> Vec<i32> {
                let criteria: Vec<Criterion> = scenario
                    .criteria
                    .iter()
                    .map(|c| Criterion {
                        enabled: c.enabled && c.group == group,
                        ..c.clone()
                    })
                    .collect();
                score_leads(data.row_count(), &criteria, &evaluations)
            };
            let (fit, engagement) = (only(Group::Fit), only(Group::Engagement));
            let cuts = scenario.grid.cuts(quartiles);
            let marks = scenario.grid.marked();
            let mut query = conn
                .prepare(&sql.statement)
                .unwrap_or_else(|e| panic!("{e}\n{}", sql.statement));
            let rows = query
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>("Lead id")?,
                        r.get::<_, i64>("lead_score")?,
                        r.get::<_, i64>("sales_ready")?,
                        r.get::<_, String>("grade")?,
                    ))
                })
                .unwrap();
            let mut seen = 0;
            let mut marked_in = 0;
            for row in rows {
                let (id, score, ready, grade) = row.unwrap();
                let i: usize = id[1..].parse().unwrap();
                let cell = Cell::of(fit[i], engagement[i], &cuts);
                assert_eq!(grade, cell.to_string(), "{id}");
                assert_eq!(score, i64::from(fit[i]) + i64::from(engagement[i]), "{id}");
                let expected = score >= i64::from(scenario.threshold) || marks[cell.index()];
                assert_eq!(ready == 1, expected, "{id} in {grade}");
                marked_in += usize::from(marks[cell.index()]);
                seen += 1;
            }
            assert_eq!(seen, LEADS);
            if scenario.grid.ready_cells.is_empty() {
                assert_eq!(marked_in, 0);
            } else {
                assert!(
                    marked_in > 0 && marked_in < LEADS,
                    "{marked_in} leads in marked cells"
                );
            }
        }
    }

    #[test]
    fn sqlite_scores_equal_leadlens_scores_with_other_markers() {
        // "n" and "0" as markers hide some yes/no words; "null", "n/a"
        // and "unknown" become values.
        let markers = ["", "NA", "Select", "n", "-", "0"]
            .map(String::from)
            .to_vec();
        let leads = check_every_rule(markers);
        assert_eq!(
            leads.data.column("Demo requested").unwrap().kind(),
            ColumnKind::Category,
            "'n/a' and 'null' no longer read as missing"
        );
    }

    #[test]
    fn cutoffs_and_literals_read_the_same_in_sqlite() {
        let leads = leads(TypingOptions::default().missing_markers);
        let s = Scenario {
            name: "Dates".into(),
            threshold: 1,
            criteria: vec![
                criterion("a", "Created", RuleTest::WithinDays { days: 30 }, 1),
                criterion("b", "Last visit", RuleTest::WithinDays { days: 7 }, 1),
            ],
            grid: Default::default(),
            agreement: Default::default(),
        };
        let sql = export_scenario(&s, &leads.data, &leads.markers, TABLE);
        assert!(sql
            .expression
            .contains("\"Created\" >= '2024-05-31' /* 30 days before 2024-06-30, the latest date"));
        assert!(sql.expression.contains(
            "\"Last visit\" >= '2024-06-24 15:30:45' /* 7 days before 2024-07-01 15:30:45, \
             the latest date"
        ));
        assert!(sql.statement.starts_with("/*\n   leadlens lead scores"));
        assert!(sql
            .statement
            .contains(&format!("FROM {}", quote_identifier(TABLE))));

        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..2_000 {
            let x = f64::from_bits(rng.u64(..));
            let Some(text) = number_literal(x) else {
                continue;
            };
            let read: f64 = leads
                .conn
                .query_row(&format!("SELECT {text}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(read.to_bits(), (x + 0.0).to_bits(), "{text}");
        }
        for nasty in [
            "O'Brien",
            "''",
            "a\"b",
            "*/ x /*",
            "--",
            "\\'",
            "line\nbreak",
        ] {
            let read: String = leads
                .conn
                .query_row(
                    &format!("SELECT {} {}", comment(nasty), quote_literal(nasty)),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(read, nasty);
        }
    }
}
