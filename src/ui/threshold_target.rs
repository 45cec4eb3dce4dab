//! The threshold from a target: "sales can take N leads per rep per
//! week", "N sales-ready leads in all" or "capture X% of conversions"
//! sets the threshold that just meets it, on the sweep as in the editor.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::use_workbench;
use crate::core::engine::{threshold_for, SweepPoint, Target};
use crate::core::format;

#[derive(Properties, PartialEq)]
pub struct ThresholdTargetProps {
    /// The active scenario's sweep on the tuning set, highest threshold
    /// first.
    pub sweep: Rc<Vec<SweepPoint>>,
    /// Whether created dates give a workload per rep per week.
    pub per_week: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    PerRepWeek,
    SalesReady,
    Captured,
}

impl Kind {
    fn parse(value: &str) -> Kind {
        match value {
            "sales-ready" => Kind::SalesReady,
            "captured" => Kind::Captured,
            _ => Kind::PerRepWeek,
        }
    }

    fn target(self, amount: f64) -> Option<Target> {
        if !amount.is_finite() || amount < 0.0 {
            return None;
        }
        Some(match self {
            Kind::PerRepWeek => Target::PerRepWeek(amount),
            Kind::SalesReady => Target::SalesReady(amount.floor() as usize),
            Kind::Captured => Target::Captured((amount / 100.0).min(1.0)),
        })
    }

    /// Why no threshold meets the target, in words.
    fn unmet(self, amount: f64) -> String {
        match self {
            Kind::PerRepWeek => format!(
                "Even the highest score gives each rep more than {} leads a week.",
                format::decimal(Some(amount), 1)
            ),
            Kind::SalesReady => format!(
                "Even the highest score makes more than {} leads sales-ready.",
                format::decimal(Some(amount), 0)
            ),
            Kind::Captured => "No threshold captures that share: no lead converted.".to_owned(),
        }
    }
}

#[component]
pub fn ThresholdTarget(props: &ThresholdTargetProps) -> Html {
    let workbench = use_workbench();
    let kind = use_state(|| None::<Kind>);
    let kind_now = kind.unwrap_or(if props.per_week {
        Kind::PerRepWeek
    } else {
        Kind::SalesReady
    });
    let message = use_state(|| None::<String>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            kind.set(Some(Kind::parse(&select.value())));
        })
    };
    let on_amount = {
        let sweep = Rc::clone(&props.sweep);
        let message = message.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Ok(amount) = input.value().trim().parse::<f64>() else {
                return;
            };
            let Some(target) = kind_now.target(amount) else {
                message.set(Some("Give a number of zero or more.".to_owned()));
                return;
            };
            match threshold_for(&sweep, target) {
                Some(threshold) => {
                    message.set(None);
                    workbench.set_threshold(threshold);
                }
                None => message.set(Some(kind_now.unmet(amount))),
            }
        })
    };
    html! {
        <div class="threshold-target">
            <label for="threshold-target-kind">{ "Or set it from a target:" }</label>
            <select id="threshold-target-kind" onchange={on_kind} data-testid="threshold-target-kind">
                if props.per_week {
                    <option value="per-rep-week" selected={kind_now == Kind::PerRepWeek}>{ "leads per rep per week sales can take" }</option>
                }
                <option value="sales-ready" selected={kind_now == Kind::SalesReady}>{ "sales-ready leads sales can take in all" }</option>
                <option value="captured" selected={kind_now == Kind::Captured}>{ "% of conversions to capture" }</option>
            </select>
            <input type="number" min="0" step="any" class="points-number" onchange={on_amount}
                aria-label="Target" data-testid="threshold-target" />
            if let Some(message) = &*message {
                <p class="threshold-target-unmet" role="status" data-testid="threshold-target-unmet">{ message }</p>
            }
        </div>
    }
}
