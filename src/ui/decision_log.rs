//! The decision log: every change made in the meeting with its time and
//! what it did to the key figures, who attended, and the log as CSV.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::download::download_text;
use super::panel_focus::use_details_open;
use super::state::{use_workbench, Action};
use crate::core::decisions::log_csv;
use crate::core::format;

/// The browser's time zone: local time minus UTC, in minutes.
pub fn local_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The attendees field, kept with the workspace and printed in the minutes.
#[component]
pub fn AttendeesField() -> Html {
    let workbench = use_workbench();
    let attendees = workbench.state().record.attendees.clone();
    let on_change = {
        let workbench = workbench.clone();
        Callback::from(move |e: Event| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            workbench.dispatch(Action::SetAttendees(area.value()));
        })
    };
    html! {
        <label class="attendees">{ "Who attended" }
            <textarea rows="2" maxlength="2000" value={attendees} onchange={on_change}
                placeholder="Names and teams, e.g. Ana (Sales), Bo (Marketing)"
                data-testid="attendees" />
        </label>
    }
}

#[component]
pub fn DecisionLog() -> Html {
    let workbench = use_workbench();
    let (open, on_toggle) = use_details_open();
    let log = workbench.state().record.log.clone();
    let offset = local_offset_minutes();
    let on_csv = {
        let log = log.clone();
        Callback::from(move |_: MouseEvent| {
            download_text(
                "leadlens-decision-log.csv",
                "text/csv;charset=utf-8",
                &log_csv(&log),
            )
        })
    };
    html! {
        <details class="decision-log" ontoggle={on_toggle} data-testid="decision-log">
            <summary>{ match log.len() {
                0 => "Decision log: nothing changed yet".to_owned(),
                1 => "Decision log: 1 change".to_owned(),
                n => format!("Decision log: {} changes", format::count(n)),
            } }</summary>
            if open {
                <div class="decision-log-body">
                    <AttendeesField />
                    if log.is_empty() {
                        <p>{ "Each change to points, rules, the threshold, sign-offs and the agreement is written here with what it did to the key figures." }</p>
                    } else {
                        <ol class="decisions" reversed=true>
                            // Newest first: what just happened is at the top.
                            { for log.iter().rev().map(|d| html! {
                                <li class="decision" data-testid="decision" data-at={d.at.clone()}>
                                    <span class="decision-time">{ format::logged_time_in_words(&d.at, offset) }</span>
                                    { " · " }<span class="decision-scenario">{ &d.scenario }</span>
                                    <p class="decision-change" data-testid="decision-change">{ &d.change }</p>
                                    <p class="decision-effect" data-testid="decision-effect">{ d.effect() }</p>
                                </li>
                            }) }
                        </ol>
                    }
                    <button type="button" class="button small" onclick={on_csv} disabled={log.is_empty()}
                        data-testid="decision-log-csv">{ "Download the log as CSV" }</button>
                </div>
            }
        </details>
    }
}
