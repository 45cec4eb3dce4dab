//! The workshop summary: one printable page that records what sales and
//! marketing agreed — the active scenario's criteria with their rationale
//! and proposer, the key figures, the key charts, the date, and the data
//! they were judged on.
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
use super::state::Shared;
use crate::charts::curves::{gains_curve, gains_finding};
use crate::charts::palette::scenario_colour;
use crate::charts::rates::{conversion_by_band_chart, conversion_by_band_finding};
use crate::charts::score_distribution::{score_axis, score_distribution_finding};
use crate::charts::spec::ChartSpec;
use crate::core::criteria::{Criterion, RuleTest, Scenario};
use crate::core::engine::{GainsPoint, Replay, MAX_SCORE_BANDS};
use crate::core::format;

/// Printed charts are drawn smaller than exports, so that on a page
/// their text is large enough to read.
const PRINT_SIZE: (u32, u32) = (960, 500);

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
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let now = js_sys::Date::new_0();
    let month = MONTHS
        .get(now.get_month() as usize)
        .copied()
        .unwrap_or_default();
    format!("{} {month} {}", now.get_date(), now.get_full_year())
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

#[component]
pub fn WorkshopSummary(props: &WorkshopSummaryProps) -> Html {
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
                </dl>
            </header>
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
