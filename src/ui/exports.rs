//! Taking the agreed definition out of the browser: the user's own leads
//! scored under the active scenario, as CSV, and the scenario as SQL for a
//! warehouse or CRM.

use std::rc::Rc;

use web_sys::Blob;
use yew::prelude::*;

use super::download::{download_blob, download_text};
use super::loading::export_scored_in_worker;
use super::state::{DataSource, LoadedData};
use crate::core::criteria::Scenario;
use crate::core::format;
use crate::core::ingest::LoadReport;
use crate::core::mapping::ColumnMapping;
use crate::core::scored_csv::{ExportJob, ExportSummary};
use crate::core::scoring::evaluate_criteria;
use crate::core::split::CheckSplit;
use crate::core::sql::{export_pattern_query, export_scenario};

/// The table name the exported SQL reads from; the header comment says
/// what it must hold, and users rename it to theirs.
const SQL_TABLE: &str = "leads";

#[derive(Properties, PartialEq)]
pub struct SqlExportProps {
    pub scenario: Scenario,
    pub data: LoadedData,
}

/// Why a pattern table gives no SQL of its own: both queries are written
/// from row-level columns.
const NEEDS_SAMPLE: &str = "Load the row-level sample the pattern query was written from \
    to write SQL for these criteria";

/// Downloads the active scenario as a SQL `SELECT` that adds each lead's
/// score and sales-ready flag, exactly as leadlens computes them.
#[component]
pub fn SqlExportButton(props: &SqlExportProps) -> Html {
    let rows = props.data.rows_for_sql();
    let onclick = {
        let scenario = props.scenario.clone();
        let rows = rows.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(rows) = &rows else { return };
            let sql = export_scenario(&scenario, &rows.data, &rows.markers, SQL_TABLE);
            download_text("leadlens-scoring.sql", "application/sql", &sql.statement);
        })
    };
    let title = if rows.is_some() {
        "The scoring rules as a SQL CASE expression (ANSI SQL) that reproduces these scores in a warehouse or CRM"
    } else {
        NEEDS_SAMPLE
    };
    html! {
        <button type="button" class="button" data-testid="export-sql" {onclick}
            disabled={rows.is_none()} {title}>
            { "SQL for the warehouse" }
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct PatternSqlProps {
    pub scenarios: Vec<Scenario>,
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub check: CheckSplit,
}

/// Downloads the pattern query: the warehouse evaluates every scenario's
/// rules on every lead and counts the leads per pattern, and the result,
/// loaded here, gives the figures of all its leads.
#[component]
pub fn PatternSqlButton(props: &PatternSqlProps) -> Html {
    let message = use_state(|| None::<String>);
    let rows = props.data.rows_for_sql();
    let onclick = {
        let (scenarios, mapping, check) =
            (props.scenarios.clone(), props.mapping.clone(), props.check);
        let rows = rows.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(rows) = &rows else { return };
            match export_pattern_query(
                &scenarios,
                &rows.data,
                &mapping,
                &check,
                &rows.markers,
                SQL_TABLE,
            ) {
                Ok(query) => {
                    download_text("leadlens-patterns.sql", "application/sql", &query.statement);
                    let mut said = format!(
                        "The pattern query evaluates {} rules; run it on your whole lead table \
                         and load its result (CSV) here.",
                        query.rules
                    );
                    for note in &query.left_out {
                        said.push(' ');
                        said.push_str(note);
                    }
                    message.set(Some(said));
                }
                Err(why) => message.set(Some(format!("No pattern query can be written: {why}."))),
            }
        })
    };
    let title = if rows.is_some() {
        "One SQL query that counts your warehouse's leads per pattern of these rules; load its result to see the figures of every lead"
    } else {
        NEEDS_SAMPLE
    };
    html! {
        <>
            <button type="button" class="button" data-testid="export-pattern-sql" {onclick}
                disabled={rows.is_none()} {title}>
                { "Pattern query for the warehouse" }
            </button>
            if let Some(message) = &*message {
                <span class="export-status" role="status" data-testid="pattern-sql-status">{ message }</span>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct ScoredCsvProps {
    pub scenario: Scenario,
    pub data: LoadedData,
}

/// Where an export of scored leads stands.
#[derive(Clone, PartialEq)]
enum ExportStatus {
    Idle,
    Running { done: u64, total: u64 },
    Done(String),
    Failed(String),
}

/// The name of the scored copy of `name`: `leads.csv` gives
/// `leads-scored.csv`.
fn scored_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem).trim();
    let stem = if stem.is_empty() { "leads" } else { stem };
    format!("{stem}-scored.csv")
}

/// Reads the original file again in a worker and writes it with the
/// score, sales-ready flag and fired rules of every lead, as one `Blob`.
async fn export_scored(
    source: &DataSource,
    report: &LoadReport,
    data: &LoadedData,
    scenario: &Scenario,
    progress: &dyn Fn(u64, u64),
) -> Result<(Blob, ExportSummary), String> {
    // The file read again is the first one: its leads, without a later
    // export's.
    let evaluations = evaluate_criteria(&data.then(), &scenario.criteria);
    let job = ExportJob::pack(report, scenario, &evaluations).map_err(|e| e.to_string())?;
    drop(evaluations);
    export_scored_in_worker(&source.blob, job, progress).await
}

/// What a finished export says about itself.
fn done_message(summary: &ExportSummary) -> String {
    let mut message = format!(
        "Exported {} scored leads with the columns {}.",
        format::count(summary.rows),
        summary
            .added_columns
            .iter()
            .map(|c| format!("“{c}”"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if summary.skipped_rows > 0 {
        message.push_str(&format!(
            " {} rows skipped on loading have no score and are left out.",
            format::count(summary.skipped_rows)
        ));
    }
    message
}

/// Downloads the user's file with every lead's score, whether it is
/// sales-ready, and the rules that fired, after the original columns.
#[component]
pub fn ScoredCsvButton(props: &ScoredCsvProps) -> Html {
    let status = use_state(|| ExportStatus::Idle);
    let aggregated = props.data.aggregated.is_some();
    let file = props
        .data
        .source
        .clone()
        .zip(props.data.report.clone())
        .filter(|_| !aggregated);
    let running = matches!(*status, ExportStatus::Running { .. });
    let onclick = {
        let status = status.clone();
        let scenario = props.scenario.clone();
        let data = props.data.clone();
        let file = file.clone();
        Callback::from(move |_: MouseEvent| {
            let Some((source, report)) = file.clone() else {
                return;
            };
            if matches!(*status, ExportStatus::Running { .. }) {
                return;
            }
            let (status, scenario, data) = (status.clone(), scenario.clone(), data.clone());
            let report: Rc<LoadReport> = report;
            status.set(ExportStatus::Running { done: 0, total: 1 });
            wasm_bindgen_futures::spawn_local(async move {
                let progress =
                    |done: u64, total: u64| status.set(ExportStatus::Running { done, total });
                match export_scored(&source, &report, &data, &scenario, &progress).await {
                    Ok((blob, summary)) => {
                        download_blob(&scored_name(&source.name), &blob);
                        status.set(ExportStatus::Done(done_message(&summary)));
                    }
                    Err(reason) => status.set(ExportStatus::Failed(format!(
                        "The scored leads could not be exported: {reason}"
                    ))),
                }
            });
        })
    };
    let title = if file.is_some() {
        "Your file with each lead's score, whether it is sales-ready and the rules that fired, after the original columns"
    } else if aggregated {
        "Scored leads need row-level data: a pattern table holds counts of leads, not the leads"
    } else {
        "Load your own lead export to download it scored; the sample has no file behind it"
    };
    html! {
        <>
            <button type="button" class="button" data-testid="export-scored" {onclick}
                disabled={file.is_none() || running} {title}>
                { "Scored leads (CSV)" }
            </button>
            { match &*status {
                ExportStatus::Idle => Html::default(),
                ExportStatus::Running { done, total } => html! {
                    <span class="export-status" role="status" data-testid="export-status">
                        { format!("Exporting… {}", format::whole_percent(Some(*done as f64 / (*total).max(1) as f64))) }
                    </span>
                },
                ExportStatus::Done(message) => html! {
                    <span class="export-status" role="status" data-testid="export-status">{ message }</span>
                },
                ExportStatus::Failed(message) => html! {
                    <span class="export-status is-error" role="alert" data-testid="export-status">{ message }</span>
                },
            } }
        </>
    }
}
