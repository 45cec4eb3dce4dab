//! The active scenario as an agreement: how far both sides agree to its
//! criteria, marking it as the agreed definition with a date, and the
//! service terms that come with it (with what the definition delivers a
//! week beside marketing's commitment).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::{use_workbench, Action};
use crate::core::agreement::{ServiceTerms, Standing};
use crate::core::format;

/// Today in the browser's time zone, as `YYYY-MM-DD`.
pub fn local_today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

#[derive(Properties, PartialEq)]
pub struct AgreementPanelProps {
    /// Sales-ready leads a week under the active scenario, where the data
    /// has creation dates.
    #[prop_or_default]
    pub ready_per_week: Option<f64>,
}

/// A whole number typed into a terms field: empty is no term; anything
/// else that is not a whole number is `Err`.
fn term(text: &str) -> Result<Option<u32>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>().map(Some).map_err(|_| ())
}

#[component]
pub fn AgreementPanel(props: &AgreementPanelProps) -> Html {
    let workbench = use_workbench();
    let scenario = workbench.state().scenario().clone();
    let standing = Standing::of(&scenario);
    let day = use_state(local_today);
    let problem = use_state(|| None::<String>);
    let terms = scenario.agreement.terms;

    let on_day = {
        let day = day.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            day.set(input.value());
        })
    };
    let on_mark = {
        let workbench = workbench.clone();
        let day = day.clone();
        Callback::from(move |_: MouseEvent| {
            workbench.dispatch(Action::MarkAgreed(Some((*day).clone())))
        })
    };
    let on_withdraw = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| workbench.dispatch(Action::MarkAgreed(None)))
    };
    // One field of the terms: read, checked, and the whole set sent.
    let on_term = |set: fn(&mut ServiceTerms, Option<u32>) -> bool| {
        let workbench = workbench.clone();
        let problem = problem.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut terms = workbench.state().scenario().agreement.terms;
            let fits = term(&input.value()).is_ok_and(|value| set(&mut terms, value));
            match terms.problem() {
                Some(why) if fits => problem.set(Some(format!("Not kept: {why}."))),
                _ if !fits => problem.set(Some(
                    "Not kept: type a whole number, or leave the field empty.".into(),
                )),
                _ => {
                    problem.set(None);
                    workbench.dispatch(Action::SetTerms(terms));
                }
            }
        })
    };
    let on_hours = on_term(|t, v| {
        t.follow_up_hours = v;
        true
    });
    let on_worked = on_term(|t, v| match v.map(u8::try_from) {
        None => {
            t.worked_percent = None;
            true
        }
        Some(Ok(p)) => {
            t.worked_percent = Some(p);
            true
        }
        Some(Err(_)) => false,
    });
    let on_volume = on_term(|t, v| {
        t.weekly_volume = v;
        true
    });
    let value = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
    let delivered = match (terms.weekly_volume, props.ready_per_week) {
        (Some(volume), Some(per_week)) => Some(format!(
            "This definition gives {} sales-ready leads a week in the data: {} the commitment of {}.",
            format::decimal(Some(per_week), 1),
            if per_week >= f64::from(volume) { "meeting" } else { "short of" },
            format::count(volume as usize)
        )),
        _ => None,
    };
    html! {
        <section class="agreement-panel" aria-labelledby="agreement-title" data-testid="agreement-panel">
            <h3 id="agreement-title">{ "Agreement" }</h3>
            <p class={classes!("agreement-standing", standing.agreed_by_both().then_some("is-agreed"))}
                data-testid="agreement-standing" data-agreed={standing.agreed_by_both().to_string()}>
                { standing.describe() }
            </p>
            { match &scenario.agreement.agreed_on {
                Some(on) => html! {
                    <p class="agreed-definition" data-testid="agreed-definition" data-day={on.clone()}>
                        { format!("“{}” is the agreed definition, since {}.", scenario.name, format::day_in_words(on)) }
                        { " " }
                        <button type="button" class="button small" onclick={on_withdraw}
                            data-testid="withdraw-agreed">{ "Withdraw" }</button>
                    </p>
                },
                None => html! {
                    <p class="mark-agreed">
                        <label>{ "Agreed on " }
                            <input type="date" value={(*day).clone()} onchange={on_day} data-testid="agreed-date" />
                        </label>
                        { " " }
                        <button type="button" class="button small" onclick={on_mark}
                            disabled={!standing.agreed_by_both()} data-testid="mark-agreed"
                            aria-describedby="mark-agreed-why">
                            { "Mark as the agreed definition" }
                        </button>
                        if !standing.agreed_by_both() {
                            <span id="mark-agreed-why" class="hint">
                                { " Both sides first agree to every criterion that counts." }
                            </span>
                        }
                    </p>
                },
            } }
            <fieldset class="service-terms">
                <legend>{ "Service terms" }</legend>
                <label>{ "Sales follows up sales-ready leads within " }
                    <input type="number" min="1" max="8760" step="1" value={value(terms.follow_up_hours)}
                        onchange={on_hours} data-testid="terms-hours" class="term-number" />
                    { " hours" }</label>
                <label>{ "and works at least " }
                    <input type="number" min="1" max="100" step="1" value={value(terms.worked_percent.map(u32::from))}
                        onchange={on_worked} data-testid="terms-worked" class="term-number" />
                    { "% of them." }</label>
                <label>{ "Marketing delivers at least " }
                    <input type="number" min="0" step="1" value={value(terms.weekly_volume)}
                        onchange={on_volume} data-testid="terms-volume" class="term-number" />
                    { " sales-ready leads a week." }</label>
                if let Some(why) = &*problem {
                    <p class="load-error" role="alert" data-testid="terms-problem">{ why }</p>
                }
                if let Some(text) = delivered {
                    <p class="terms-delivered" data-testid="terms-delivered">{ text }</p>
                }
            </fieldset>
        </section>
    }
}
