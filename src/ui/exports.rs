//! Taking the agreed definition out of the browser: the active scenario as
//! SQL for a warehouse or CRM.

use yew::prelude::*;

use super::download::download_text;
use super::state::LoadedData;
use crate::core::criteria::Scenario;
use crate::core::ingest::infer::TypingOptions;
use crate::core::sql::export_scenario;

/// The table name the exported SQL reads from; the header comment says
/// what it must hold, and users rename it to theirs.
const SQL_TABLE: &str = "leads";

#[derive(Properties, PartialEq)]
pub struct SqlExportProps {
    pub scenario: Scenario,
    pub data: LoadedData,
}

/// Downloads the active scenario as a SQL `SELECT` that adds each lead's
/// score and sales-ready flag, exactly as leadlens computes them.
#[component]
pub fn SqlExportButton(props: &SqlExportProps) -> Html {
    let onclick = {
        let scenario = props.scenario.clone();
        let data = props.data.clone();
        Callback::from(move |_: MouseEvent| {
            let markers = data.source.as_ref().map_or_else(
                || TypingOptions::default().missing_markers,
                |source| source.options.typing.missing_markers.clone(),
            );
            let sql = export_scenario(&scenario, &data.data, &markers, SQL_TABLE);
            download_text("leadlens-scoring.sql", "application/sql", &sql.statement);
        })
    };
    html! {
        <button type="button" class="button" data-testid="export-sql" {onclick}
            title="The scoring rules as a SQL CASE expression (ANSI SQL) that reproduces these scores in a warehouse or CRM">
            { "SQL for the warehouse" }
        </button>
    }
}
