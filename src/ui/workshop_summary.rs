//! The workshop summary, printed as the meeting's minutes: what sales and
//! marketing agreed — the active scenario's criteria with their rationale,
//! proposer and each side's sign-off, the agreement and its service terms,
//! the key figures, the key charts, every scenario compared and how each
//! differs from the agreed definition, the decision log, who attended,
//! the date, and the data they were judged on.
//!
//! It is laid out for paper by the print stylesheet and hidden on screen.
//! Its charts are drawn only when the page is about to print (the
//! `beforeprint` event, fired by the browser's own print command as well as
//! by the "Print workshop summary" button), so edits never pay for them.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlImageElement;
use yew::prelude::*;

use super::criteria_editor::RuleStatus;
use super::decision_log::local_offset_minutes;
use super::replays::Replays;
use super::state::{use_workbench, Shared};
use crate::charts::curves::{gains_curve, gains_finding};
use crate::charts::palette::scenario_colour;
use crate::charts::rates::{conversion_by_band_chart, conversion_by_band_finding};
use crate::charts::score_distribution::{score_axis, score_distribution_finding};
use crate::charts::spec::ChartSpec;
use crate::core::agreement::Standing;
use crate::core::criteria::{Criterion, RuleTest, Scenario};
use crate::core::diff::diff_scenarios;
use crate::core::engine::{GainsPoint, Replay, MAX_SCORE_BANDS};
use crate::core::format;

/// Printed charts are drawn smaller than exports, so that on a page
/// their text is large enough to read.
const PRINT_SIZE: (u32, u32) = (720, 400);

/// Bands in the printed conversion chart, as on screen.
const CONVERSION_BANDS: usize = 10;

#[derive(Properties, PartialEq)]
pub struct WorkshopSummaryProps {
    pub scenario: Scenario,
    /// Position of the scenario, for its colour.
    pub index: usize,
    pub replay: Shared<Replay>,
    /// What each criterion's rule did on the data.
    pub statuses: Rc<Vec<RuleStatus>>,
    pub data_name: AttrValue,
    pub rows: usize,
    pub reps: u32,
    /// The scenario on the check set, with which leads it holds in words.
    #[prop_or_default]
    pub check: Option<(Shared<Replay>, AttrValue)>,
    /// Every scenario's replay, for comparing them all.
    #[prop_or_default]
    pub replays: Option<Replays>,
}

/// What the charts are drawn from when the page prints.
#[derive(Clone)]
struct ChartInputs {
    scenario: Scenario,
    index: usize,
    replay: Rc<Replay>,
}

/// The charts printed with the summary: the score distribution with the
/// threshold, conversion by score band, and the cumulative gains.
fn summary_charts(inputs: &ChartInputs) -> [ChartSpec; 3] {
    let replay = &inputs.replay;
    let figures = &replay.figures;
    let colour = scenario_colour(inputs.index);
    let distribution = replay.distribution(MAX_SCORE_BANDS);
    let axis = score_axis(
        &distribution,
        figures.threshold,
        inputs.scenario.score_range(),
    );
    let score = ChartSpec::ScoreDistribution {
        title: score_distribution_finding(figures),
        distribution,
        threshold: figures.threshold,
        axis,
        accent: colour,
    };
    let bands = replay.conversion_by_band(CONVERSION_BANDS);
    let by_band = ChartSpec::rates(
        conversion_by_band_chart(&bands, figures.overall().value(), colour),
        &conversion_by_band_finding(&bands, figures.threshold),
    );
    let gains = replay.gains();
    let marker = GainsPoint {
        leads_share: figures.sales_ready_share().unwrap_or(0.0),
        captured: figures.captured().unwrap_or(0.0),
    };
    let gains_spec = ChartSpec::Gains {
        curves: vec![gains_curve(
            &inputs.scenario.name,
            colour,
            &gains,
            Some(marker),
        )],
        title: gains_finding(&gains, Some(marker)),
    };
    [score, by_band, gains_spec]
}

/// Today's date in words, e.g. "23 November 2026".
fn today() -> String {
    format::day_in_words(&super::agreement_panel::local_today())
}

/// Draws the summary's charts into its images and dates it: called just
/// before the page prints.
fn prepare_for_print(inputs: &ChartInputs, images: &[NodeRef; 3], date: &NodeRef) {
    for (spec, image) in summary_charts(inputs).iter().zip(images) {
        if let Some(image) = image.cast::<HtmlImageElement>() {
            let svg = spec.svg(PRINT_SIZE);
            let url = format!(
                "data:image/svg+xml;charset=utf-8,{}",
                js_sys::encode_uri_component(&svg)
            );
            image.set_src(&url);
            image.set_alt(&format!("Chart: {}", spec.title()));
        }
    }
    if let Some(date) = date.get() {
        date.set_text_content(Some(&today()));
    }
}

/// The points a criterion gives, in words.
fn points_text(criterion: &Criterion) -> String {
    match criterion.rule.test {
        RuleTest::PerUnit { .. } => criterion.rule.test.describe(),
        _ => format!("{:+}", criterion.points),
    }
}

/// The rule in words: the column and the test.
fn rule_text(criterion: &Criterion) -> String {
    match criterion.rule.test {
        // The points column says how much each unit adds.
        RuleTest::PerUnit { .. } => format!("{}, per whole unit", criterion.rule.column),
        _ => format!(
            "{} {}",
            criterion.rule.column,
            criterion.rule.test.describe()
        ),
    }
}

/// Every scenario side by side: its threshold, counted criteria and key
/// figures, and which is the agreed definition.
fn scenarios_table(scenarios: &[Scenario], replays: &Replays, active: usize) -> Html {
    html! {
        <table class="summary-scenarios" data-testid="summary-scenarios">
            <thead><tr>
                <th scope="col">{ "Scenario" }</th>
                <th scope="col">{ "Sales-ready at" }</th>
                <th scope="col">{ "Criteria" }</th>
                <th scope="col">{ "Sales-ready" }</th>
                <th scope="col">{ "Conversion in" }</th>
                <th scope="col">{ "Captured" }</th>
                <th scope="col">{ "Lift" }</th>
                <th scope="col">{ "AUC" }</th>
                <th scope="col">{ "Standing" }</th>
            </tr></thead>
            <tbody>
                { for scenarios.iter().zip(replays.all.iter()).enumerate().map(|(i, (s, r))| {
                    let f = &r.replay.figures;
                    let standing = match &s.agreement.agreed_on {
                        Some(day) => format!("Agreed definition, {}", format::day_in_words(day)),
                        None => Standing::of(s).describe(),
                    };
                    html! {
                        <tr data-testid="summary-scenario" data-name={s.name.clone()}>
                            <th scope="row">{ &s.name }{ if i == active { " (shown)" } else { "" } }</th>
                            <td>{ format!("{}+", f.threshold) }</td>
                            <td>{ s.criteria.iter().filter(|c| c.enabled).count() }</td>
                            <td data-testid="summary-scenario-ready">{ format::count(f.sales_ready.leads) }</td>
                            <td>{ format::percent(f.sales_ready.value()) }</td>
                            <td>{ format::whole_percent(f.captured()) }</td>
                            <td>{ format::multiple(f.lift()) }</td>
                            <td>{ format::decimal(f.auc, 3) }</td>
                            <td>{ standing }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// How each other scenario differs from `base`, criterion by criterion.
fn differences(scenarios: &[Scenario], base: usize) -> Html {
    let Some(from) = scenarios.get(base) else {
        return Html::default();
    };
    html! {
        <div class="summary-diffs" data-testid="summary-diffs">
            { for scenarios.iter().enumerate().filter(|(i, _)| *i != base).map(|(_, to)| {
                let changes = diff_scenarios(from, to);
                html! {
                    <div class="summary-diff" data-testid="summary-diff" data-name={to.name.clone()}>
                        <h3>{ format!("“{}” against “{}”", to.name, from.name) }</h3>
                        if changes.is_empty() {
                            <p>{ "The same criteria, points and threshold." }</p>
                        } else {
                            <ul>{ for changes.iter().map(|c| html! { <li>{ c.describe() }</li> }) }</ul>
                        }
                    </div>
                }
            }) }
        </div>
    }
}

#[component]
pub fn WorkshopSummary(props: &WorkshopSummaryProps) -> Html {
    let workbench = use_workbench();
    let state = workbench.state();
    let scenarios = &state.definitions.scenarios;
    let record = &state.record;
    // The others are compared with the agreed definition, or else with
    // the scenario shown.
    let base = scenarios
        .iter()
        .position(|s| s.agreement.agreed_on.is_some())
        .unwrap_or(state.definitions.active);
    let standing = Standing::of(&props.scenario);
    let agreement = &props.scenario.agreement;
    let offset = local_offset_minutes();
    let images = use_memo((), |_| {
        [NodeRef::default(), NodeRef::default(), NodeRef::default()]
    });
    let date = use_node_ref();
    let inputs = use_mut_ref(|| None::<ChartInputs>);
    *inputs.borrow_mut() = Some(ChartInputs {
        scenario: props.scenario.clone(),
        index: props.index,
        replay: Rc::clone(&props.replay.0),
    });
    {
        let (images, date) = (images.clone(), date.clone());
        let inputs: Rc<RefCell<Option<ChartInputs>>> = inputs.clone();
        use_effect_with((), move |_| {
            let listener = gloo::events::EventListener::new(
                &gloo::utils::window(),
                "beforeprint",
                move |_| {
                    if let Some(inputs) = inputs.borrow().as_ref() {
                        prepare_for_print(inputs, &images, &date);
                    }
                },
            );
            move || drop(listener)
        });
    }

    let replay = &props.replay.0;
    let f = &replay.figures;
    let ready = f.sales_ready;
    let (counted, set_aside): (Vec<_>, Vec<_>) = props
        .scenario
        .criteria
        .iter()
        .enumerate()
        .partition(|(_, c)| c.enabled);
    let workload = replay.workload.map(|w| {
        format!(
            "{} sales-ready leads a week, {} per rep across {} reps",
            format::decimal(Some(w.per_week), 0),
            format::decimal(Some(w.per_rep_week), 1),
            props.reps
        )
    });
    let figure_rows: Vec<(&str, String, String)> = [
        Some((
            "Sales-ready",
            format::count(ready.leads),
            format!(
                "{} of {} leads · score {}+",
                format::percent(f.sales_ready_share()),
                format::count(f.leads),
                f.threshold
            ),
        )),
        Some((
            "Conversion, sales-ready",
            format::percent(ready.value()),
            format!("95% interval {}", format::interval(&ready)),
        )),
        Some((
            "Conversion, the rest",
            format::percent(f.rest.value()),
            format!("95% interval {}", format::interval(&f.rest)),
        )),
        Some((
            "Lift",
            format::multiple(f.lift()),
            format!(
                "overall conversion {}",
                format::percent(f.overall().value())
            ),
        )),
        Some((
            "Conversions captured",
            format::whole_percent(f.captured()),
            format!(
                "{} of {}",
                format::count(ready.converted),
                format::count(f.overall().converted)
            ),
        )),
        replay.revenue_captured.map(|share| {
            (
                "Revenue captured",
                format::whole_percent(Some(share)),
                "of converted deal value".to_owned(),
            )
        }),
        workload.map(|text| {
            (
                "Per rep, per week",
                replay
                    .workload
                    .map(|w| format::decimal(Some(w.per_rep_week), 1))
                    .unwrap_or_default(),
                text,
            )
        }),
        Some((
            "AUC",
            format::decimal(f.auc, 3),
            "0.5 = coin toss, 1 = perfect ranking".to_owned(),
        )),
    ]
    .into_iter()
    .flatten()
    .collect();

    let criterion_row = |(i, criterion): (usize, &Criterion)| {
        let inactive = match props.statuses.get(i) {
            Some(RuleStatus::Inactive(reason)) => Some(reason.clone()),
            _ => None,
        };
        let evidence = replay.evidence.get(i).and_then(|e| {
            let (matched, unmatched) = (e.matched?, e.unmatched?);
            Some(format!(
                "{} when it fires ({} leads), {} otherwise{}",
                format::percent(matched.value()),
                format::count(matched.leads),
                format::percent(unmatched.value()),
                if e.too_thin() {
                    "; too few leads to judge"
                } else {
                    ""
                }
            ))
        });
        html! {
            <tr data-testid="summary-criterion">
                <th scope="row">{ &criterion.label }</th>
                <td>{ rule_text(criterion) }
                    if let Some(reason) = inactive {
                        <span class="summary-note">{ format!(" (not applied: {reason})") }</span>
                    }
                </td>
                <td class="summary-points">{ points_text(criterion) }</td>
                <td>{ criterion.group.label() }</td>
                <td>{ criterion.proposed_by.label() }</td>
                <td>{ &criterion.rationale }</td>
                <td>{ evidence.unwrap_or_default() }</td>
                <td data-testid="summary-signoff">{ criterion.sign_off.describe() }
                    if !criterion.sign_off.note.trim().is_empty() {
                        <span class="summary-note">{ format!(" — {}", criterion.sign_off.note.trim()) }</span>
                    }
                </td>
            </tr>
        }
    };

    let titles = [
        "Score distribution",
        "Conversion by score band",
        "Cumulative gains",
    ];
    let chart_ids = [
        "summary-chart-distribution",
        "summary-chart-bands",
        "summary-chart-gains",
    ];
    html! {
        <article class="workshop-summary" data-testid="workshop-summary">
            <header class="summary-header">
                <p class="summary-kicker">{ "leadlens · workshop summary" }</p>
                <h1>{ format!("Lead definition: {}", props.scenario.name) }</h1>
                <dl class="summary-meta">
                    <div><dt>{ "Date" }</dt><dd><time ref={date} data-testid="summary-date" /></dd></div>
                    <div><dt>{ "Data" }</dt><dd data-testid="summary-data">{ props.data_name.clone() }</dd></div>
                    <div><dt>{ "Leads" }</dt>
                        <dd data-testid="summary-rows" data-value={props.rows.to_string()}>{ format::count(props.rows) }</dd></div>
                    <div><dt>{ "Sales-ready at" }</dt><dd>{ format!("a score of {} or more", f.threshold) }</dd></div>
                    <div class="summary-attendees"><dt>{ "Attended" }</dt>
                        <dd data-testid="summary-attendees">{ if record.attendees.trim().is_empty() { "—".to_owned() } else { record.attendees.clone() } }</dd></div>
                </dl>
            </header>
            <section class="summary-agreement" data-testid="summary-agreement">
                <h2>{ "The agreement" }</h2>
                <p data-testid="summary-standing">
                    { match &agreement.agreed_on {
                        Some(day) => format!("“{}” is the agreed definition, since {}. {}.", props.scenario.name, format::day_in_words(day), standing.describe()),
                        None => match scenarios.iter().find(|s| s.agreement.agreed_on.is_some()) {
                            Some(agreed) => format!("Not the agreed definition: that is “{}”. {}.", agreed.name, standing.describe()),
                            None => format!("Not yet marked as the agreed definition. {}.", standing.describe()),
                        },
                    } }
                </p>
                if !agreement.terms.is_empty() {
                    <ul class="summary-terms" data-testid="summary-terms">
                        { for agreement.terms.sentences().into_iter().map(|t| html! { <li>{ t }</li> }) }
                    </ul>
                }
            </section>
            <p class="summary-headline">{ format::headline(f, replay.workload.as_ref()) }</p>
            if let Some((check, set)) = &props.check {
                <p class="summary-check" data-testid="summary-check">{ format!(
                    "Tuned on {} leads; checked on {} ({} leads), where sales-ready leads convert at {} ({}), {} of conversions are captured ({}) and AUC is {}.",
                    format::count(f.leads), set, format::count(check.figures.leads),
                    format::percent(check.figures.sales_ready.value()), format::interval(&check.figures.sales_ready),
                    format::whole_percent(check.figures.captured()), format::interval(&check.figures.captured_rate()),
                    format::decimal(check.figures.auc, 3)) }
                    if let Some(note) = format::check_note(f, &check.figures, set) {
                        { " " }{ note }
                    }
                </p>
            }
            <section>
                <h2>{ "Key figures" }</h2>
                <table class="summary-figures" data-testid="summary-figures">
                    <tbody>
                        { for figure_rows.into_iter().map(|(label, value, detail)| html! {
                            <tr><th scope="row">{ label }</th><td class="summary-value">{ value }</td><td>{ detail }</td></tr>
                        }) }
                    </tbody>
                </table>
            </section>
            <section>
                <h2>{ format!("The criteria ({})", counted.len()) }</h2>
                <table class="summary-criteria">
                    <thead><tr>
                        <th scope="col">{ "Criterion" }</th>
                        <th scope="col">{ "Rule" }</th>
                        <th scope="col">{ "Points" }</th>
                        <th scope="col">{ "Group" }</th>
                        <th scope="col">{ "Proposed by" }</th>
                        <th scope="col">{ "Rationale" }</th>
                        <th scope="col">{ "Conversion" }</th>
                        <th scope="col">{ "Sign-off" }</th>
                    </tr></thead>
                    <tbody>{ for counted.into_iter().map(criterion_row) }</tbody>
                </table>
                if !set_aside.is_empty() {
                    <h3>{ "Considered, not counted" }</h3>
                    <ul class="summary-set-aside" data-testid="summary-set-aside">
                        { for set_aside.iter().map(|(_, c)| html! {
                            <li>{ format!("{} — {} ({}", c.label, rule_text(c), points_text(c)) }
                                { if c.rationale.is_empty() { ")".to_owned() } else { format!("; {})", c.rationale) } }</li>
                        }) }
                    </ul>
                }
            </section>
            <section class="summary-charts">
                <h2>{ "Key charts" }</h2>
                { for images.iter().zip(titles).zip(chart_ids).map(|((image, title), id)| html! {
                    <figure>
                        <img ref={image.clone()} data-testid={id} alt={title} />
                    </figure>
                }) }
            </section>
            if let Some(replays) = &props.replays {
                if replays.all.len() == scenarios.len() {
                    <section class="summary-compared">
                        <h2>{ format!("Every scenario compared ({})", scenarios.len()) }</h2>
                        { scenarios_table(scenarios, replays, state.definitions.active) }
                        if scenarios.len() > 1 {
                            { differences(scenarios, base) }
                        }
                    </section>
                }
            }
            <section class="summary-log-section">
                <h2>{ format!("Decision log ({})", record.log.len()) }</h2>
                if record.log.is_empty() {
                    <p>{ "No change was made." }</p>
                } else {
                    <table class="summary-log" data-testid="summary-log">
                        <thead><tr>
                            <th scope="col">{ "Time" }</th>
                            <th scope="col">{ "Scenario" }</th>
                            <th scope="col">{ "Change" }</th>
                            <th scope="col">{ "Effect" }</th>
                        </tr></thead>
                        <tbody>
                            { for record.log.iter().map(|d| html! {
                                <tr data-testid="summary-decision">
                                    <td>{ format::logged_time_in_words(&d.at, offset) }</td>
                                    <td>{ &d.scenario }</td>
                                    <td>{ &d.change }</td>
                                    <td>{ d.effect() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
            </section>
            <p class="summary-footer">{ "Replayed on historical leads in the browser with leadlens; no lead data left the browser." }</p>
        </article>
    }
}

/// Prints the workshop summary: the page's print layout shows only it.
#[component]
pub fn PrintSummaryButton() -> Html {
    let onclick = Callback::from(|_: MouseEvent| {
        if let Err(err) = gloo::utils::window().print() {
            gloo::console::error!("printing failed", err);
        }
    });
    html! {
        <button type="button" class="button" data-testid="print-summary" {onclick}
            title="A one-page record of the agreed criteria, key figures and charts, ready to print or save as PDF">
            { "Print workshop summary" }
        </button>
    }
}
