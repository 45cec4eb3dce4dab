//! Follow-up effects: whether sales cherry-picks (follow-up rate by score
//! band), what following up did for conversion in each band, how response
//! time went with conversion, and a what-if on the share of sales-ready
//! leads followed up and on a response-time commitment. Worked out while
//! the panel is open. Small cells are pooled and drawn hollow; the panel
//! says plainly that these are historical associations.

use std::rc::Rc;

use yew::prelude::*;

use super::chart_figure::ChartFigure;
use super::panel_focus::use_details_open;
use super::replays::ScenarioReplay;
use super::state::{LoadedData, Shared};
use crate::charts::palette::MUTED;
use crate::charts::rates::{band_label, RateBar, RateSeries, RatesChart, THIN_LABEL};
use crate::charts::spec::ChartSpec;
use crate::core::agreement::ServiceTerms;
use crate::core::engine::LeadFacts;
use crate::core::followup::{
    FollowUpAnalysis, FollowUpFacts, PooledRate, ResponseTime, CAVEAT, REFERENCE_SHARES,
};
use crate::core::format;
use crate::core::mapping::ColumnMapping;
use crate::core::metrics::Rate;
use plotters::style::RGBColor;

/// Bands in the follow-up charts, like the conversion chart's.
const FOLLOW_UP_BANDS: usize = 10;

#[derive(Properties, PartialEq)]
pub struct FollowUpPanelProps {
    pub data: LoadedData,
    pub mapping: ColumnMapping,
    pub facts: Shared<LeadFacts>,
    pub grouping: Shared<crate::core::engine::Grouping>,
    pub replay: Shared<crate::core::engine::Replay>,
    pub accent: RGBColor,
    /// The active scenario's service terms: the what-if starts from them.
    #[prop_or_default]
    pub terms: ServiceTerms,
}

fn add(a: Rate, b: Rate) -> Rate {
    Rate {
        leads: a.leads + b.leads,
        converted: a.converted + b.converted,
    }
}

/// A pooled band's bar: hollow when pooled or still too small.
fn bar(low: i32, high: i32, rate: &PooledRate) -> RateBar {
    RateBar {
        label: band_label(low, high),
        rate: rate.pooled,
        thin: rate.thin || rate.is_pooled(),
    }
}

/// A table cell for a pooled rate: the figure, and where it is shared.
fn pooled_cell(rate: &PooledRate) -> Html {
    let note = if rate.thin {
        " (too few leads)".to_owned()
    } else if rate.is_pooled() {
        format!(
            " (pooled over {})",
            band_label(rate.pool_low, rate.pool_high)
        )
    } else {
        String::new()
    };
    html! { <td>{ format::percent(rate.value()) }{ note }</td> }
}

struct Pictures {
    rate: Rc<ChartSpec>,
    conversion: Rc<ChartSpec>,
    response: Option<Rc<ChartSpec>>,
}

fn pictures(analysis: &FollowUpAnalysis, accent: RGBColor) -> Pictures {
    let categories: Vec<String> = analysis
        .bands
        .iter()
        .map(|b| band_label(b.low, b.high))
        .collect();
    // Sales-ready leads against the others, from the bands' own counts.
    let known = analysis
        .bands
        .iter()
        .fold(Rate::default(), |sum, b| add(sum, b.follow_up.own));
    let ready = analysis.sales_ready_follow_up;
    let others = Rate {
        leads: known.leads.saturating_sub(ready.leads),
        converted: known.converted.saturating_sub(ready.converted),
    };
    let rate_title = format!(
        "Sales followed up {} of sales-ready leads and {} of the others",
        format::whole_percent(ready.value()),
        format::whole_percent(others.value())
    );
    let rate = ChartSpec::rates(
        RatesChart {
            title: "",
            x_desc: "Score band (points)",
            y_desc: "Followed up (%)",
            categories: categories.clone(),
            series: vec![RateSeries {
                name: "Follow-up rate".into(),
                colour: accent,
                bars: analysis
                    .bands
                    .iter()
                    .map(|b| bar(b.low, b.high, &b.follow_up))
                    .collect(),
            }],
            reference: known
                .value()
                .map(|r| (format!("All leads {}", format::whole_percent(Some(r))), r)),
        },
        &rate_title,
    );
    let followed = analysis
        .bands
        .iter()
        .fold(Rate::default(), |sum, b| add(sum, b.when_followed.own));
    let not_followed = analysis
        .bands
        .iter()
        .fold(Rate::default(), |sum, b| add(sum, b.when_not_followed.own));
    let conversion_title = format!(
        "Followed-up leads converted at {}, the others at {}",
        format::percent(followed.value()),
        format::percent(not_followed.value())
    );
    let conversion = ChartSpec::rates(
        RatesChart {
            title: "",
            x_desc: "Score band (points)",
            y_desc: "Conversion (%)",
            categories,
            series: vec![
                RateSeries {
                    name: "Followed up".into(),
                    colour: accent,
                    bars: analysis
                        .bands
                        .iter()
                        .map(|b| bar(b.low, b.high, &b.when_followed))
                        .collect(),
                },
                RateSeries {
                    name: "Not followed up".into(),
                    colour: MUTED,
                    bars: analysis
                        .bands
                        .iter()
                        .map(|b| bar(b.low, b.high, &b.when_not_followed))
                        .collect(),
                },
            ],
            reference: None,
        },
        &conversion_title,
    );
    let response = analysis.has_response_time.then(|| {
        let shown: Vec<_> = analysis
            .response_times
            .iter()
            .filter(|b| b.rate.leads > 0 && !b.thin && b.bucket != ResponseTime::Never)
            .collect();
        let title = match (shown.first(), shown.last()) {
            (Some(fast), Some(slow)) if fast.bucket != slow.bucket => format!(
                "Leads answered {} converted at {}, those answered {} at {}",
                fast.bucket.label(),
                format::percent(fast.rate.value()),
                slow.bucket.label(),
                format::percent(slow.rate.value())
            ),
            _ => "Conversion by response time (too few answered leads to compare)".to_owned(),
        };
        Rc::new(ChartSpec::rates(
            RatesChart {
                title: "",
                x_desc: "First response",
                y_desc: "Conversion (%)",
                categories: ResponseTime::ALL
                    .iter()
                    .map(|b| b.label().to_owned())
                    .collect(),
                series: vec![RateSeries {
                    name: "Conversion".into(),
                    colour: accent,
                    bars: analysis
                        .response_times
                        .iter()
                        .map(|b| RateBar {
                            label: b.bucket.label().to_owned(),
                            rate: b.rate,
                            thin: b.thin,
                        })
                        .collect(),
                }],
                reference: None,
            },
            &title,
        ))
    });
    Pictures {
        rate: Rc::new(rate),
        conversion: Rc::new(conversion),
        response,
    }
}

#[component]
pub fn FollowUpPanel(props: &FollowUpPanelProps) -> Html {
    let (open, on_toggle) = use_details_open();
    let follow_facts = use_memo(
        (props.data.clone(), props.mapping.clone()),
        |(data, mapping)| match &data.aggregated {
            Some(aggregated) => aggregated.patterns.follow_up_facts(),
            None => FollowUpFacts::new(&data.data, mapping),
        },
    );
    let analysis: Rc<Option<FollowUpAnalysis>> = use_memo(
        (
            open,
            follow_facts.clone(),
            props.facts.clone(),
            props.grouping.clone(),
            props.replay.clone(),
        ),
        |(open, follow_facts, facts, grouping, replay)| {
            if !*open
                || !(follow_facts.followed_up.is_some() || follow_facts.response_hours.is_some())
            {
                return None;
            }
            let current = ScenarioReplay {
                grouping: Rc::clone(&grouping.0),
                replay: Rc::clone(&replay.0),
                check: None,
            };
            Some(FollowUpAnalysis::compute(
                follow_facts,
                &facts.outcomes,
                &current.scores(),
                replay.figures.threshold,
                FOLLOW_UP_BANDS,
                facts.deal_values.as_deref(),
            ))
        },
    );
    let pictures = use_memo((analysis.clone(), props.accent), |(analysis, accent)| {
        analysis.as_ref().as_ref().map(|a| pictures(a, *accent))
    });
    // What-if inputs: the share followed up and the response-time
    // commitment in hours (`Some(None)`: none), each `None` until chosen
    // here: then the service terms apply, else what was observed and no
    // commitment.
    let share = use_state(|| None::<f64>);
    let sla = use_state(|| None::<Option<f64>>);
    let terms = props.terms;
    let terms_share = terms.worked_percent.map(|p| f64::from(p) / 100.0);
    let terms_sla = terms.follow_up_hours.map(f64::from);
    let missing = follow_facts.missing_columns();

    let body = match (analysis.as_ref(), pictures.as_ref()) {
        (Some(analysis), Some(pictures)) => {
            let observed = analysis.observed_share();
            let chosen = share.or(terms_share).or(observed).unwrap_or(0.0);
            let sla_hours = sla.unwrap_or(terms_sla);
            let what_if = analysis.what_if(chosen, sla_hours);
            let from_terms = (share.is_none() && terms_share.is_some())
                || (sla.is_none() && terms_sla.is_some() && analysis.has_response_time);
            let on_share = {
                let share = share.clone();
                Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    if let Ok(percent) = input.value().parse::<f64>() {
                        share.set(Some((percent / 100.0).clamp(0.0, 1.0)));
                    }
                })
            };
            let set_share = |to: Option<f64>| {
                let share = share.clone();
                Callback::from(move |_: MouseEvent| share.set(to))
            };
            let on_sla = {
                let sla = sla.clone();
                Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    let hours = input.value().trim().parse::<f64>().ok();
                    sla.set(Some(hours.filter(|h| h.is_finite() && *h > 0.0)));
                })
            };
            let expected_text = match &what_if.expected {
                Some(e) => format!(
                    "{} conversions expected (range {} to {})",
                    format::decimal(Some(e.value), 0),
                    format::decimal(Some(e.low), 0),
                    format::decimal(Some(e.high), 0)
                ),
                None => "No estimate: some rate it needs has no leads at all".to_owned(),
            };
            let revenue_text = what_if.expected_revenue.map(|r| {
                let money = |x: f64| format::count(x.max(0.0).round() as usize);
                format!(
                    "Revenue: {} expected (range {} to {}), against {} in the data",
                    money(r.value),
                    money(r.low),
                    money(r.high),
                    what_if.historical_revenue.map_or("–".to_owned(), money)
                )
            });
            let band_table = html! {
                <>
                    <thead><tr>
                        <th scope="col">{ "Score band" }</th>
                        <th scope="col">{ "Leads" }</th>
                        <th scope="col">{ "Followed up" }</th>
                        <th scope="col">{ "Conversion, followed up" }</th>
                        <th scope="col">{ "Conversion, not followed up" }</th>
                    </tr></thead>
                    <tbody>
                        { for analysis.bands.iter().map(|b| html! {
                            <tr>
                                <th scope="row">{ band_label(b.low, b.high) }</th>
                                <td>{ format::count(b.leads) }</td>
                                { pooled_cell(&b.follow_up) }
                                { pooled_cell(&b.when_followed) }
                                { pooled_cell(&b.when_not_followed) }
                            </tr>
                        }) }
                    </tbody>
                </>
            };
            let response_table = html! {
                <>
                    <thead><tr>
                        <th scope="col">{ "First response" }</th>
                        <th scope="col">{ "Leads" }</th>
                        <th scope="col">{ "Conversion" }</th>
                        <th scope="col">{ "95% interval" }</th>
                    </tr></thead>
                    <tbody>
                        { for analysis.response_times.iter().map(|b| html! {
                            <tr>
                                <th scope="row">{ b.bucket.label() }</th>
                                <td>{ format::count(b.rate.leads) }</td>
                                <td>{ if b.thin { "too few leads".to_owned() } else { format::percent(b.rate.value()) } }</td>
                                <td>{ if b.thin { String::new() } else { format::interval(&b.rate) } }</td>
                            </tr>
                        }) }
                    </tbody>
                </>
            };
            html! {
                <>
                    <p class="caveat" data-testid="followup-caveat">{ CAVEAT }</p>
                    <div class="chart-grid">
                        <ChartFigure spec={Rc::clone(&pictures.rate)} testid="chart-followup-rate"
                            title={pictures.rate.title().to_owned()}
                            caption={format!("Share of leads sales followed up, by score band. Does sales cherry-pick? {THIN_LABEL} are drawn hollow.")}
                            file_name="leadlens-follow-up-rate" table={band_table.clone()} />
                        <ChartFigure spec={Rc::clone(&pictures.conversion)} testid="chart-followup-conversion"
                            title={pictures.conversion.title().to_owned()}
                            caption="Conversion of followed-up leads against the others, by score band, with 95% intervals; hollow bars are pooled with neighbouring bands or too small."
                            file_name="leadlens-follow-up-conversion" table={band_table} />
                        if let Some(response) = &pictures.response {
                            <ChartFigure spec={Rc::clone(response)} testid="chart-response-time"
                                title={response.title().to_owned()}
                                caption="Conversion by how soon a lead was first answered, with 95% intervals."
                                file_name="leadlens-response-time" table={response_table} />
                        }
                    </div>
                    <section class="what-if" aria-labelledby="what-if-title" data-testid="what-if">
                        <h3 id="what-if-title">{ "What if sales followed up differently?" }</h3>
                        <label class="what-if-share">
                            { format!("Share of the {} sales-ready leads followed up: ", format::count(what_if.sales_ready_leads)) }
                            <strong data-testid="whatif-share-value">{ format::whole_percent(Some(what_if.follow_share)) }</strong>
                            <input type="range" min="0" max="100" step="1" list="follow-share-marks"
                                value={format!("{:.0}", 100.0 * what_if.follow_share)} oninput={on_share}
                                data-testid="whatif-share" />
                            <datalist id="follow-share-marks">
                                { for REFERENCE_SHARES.iter().map(|s| html! { <option value={format!("{:.0}", 100.0 * s)} /> }) }
                                if let Some(o) = observed { <option value={format!("{:.0}", 100.0 * o)} /> }
                            </datalist>
                        </label>
                        <p class="what-if-marks">
                            <button type="button" class="button small" onclick={set_share(observed)} data-testid="whatif-observed">
                                { format!("As observed ({})", format::whole_percent(observed)) }</button>
                            { for REFERENCE_SHARES.iter().map(|&s| html! {
                                <button type="button" class="button small" onclick={set_share(Some(s))}>{ format::whole_percent(Some(s)) }</button>
                            }) }
                        </p>
                        if analysis.has_response_time {
                            <label class="what-if-sla">{ "Response-time commitment (hours; empty for none) " }
                                <input type="number" min="0" step="0.5" class="points-number" oninput={on_sla}
                                    value={sla_hours.map(|h| h.to_string()).unwrap_or_default()} data-testid="whatif-sla" />
                            </label>
                        }
                        if from_terms {
                            <p class="what-if-terms" data-testid="whatif-terms">
                                { format!("Starting from the agreed service terms: {}", terms.sentences().join(" ")) }
                            </p>
                        }
                        <p class="what-if-result" data-testid="whatif-expected"
                            data-value={what_if.expected.map(|e| e.value.to_string()).unwrap_or_default()}>
                            { expected_text }
                        </p>
                        <p data-testid="whatif-historical" data-value={what_if.historical_conversions.to_string()}>
                            { format!("In the data, these leads converted {} times.", format::count(what_if.historical_conversions)) }
                        </p>
                        if let Some(text) = revenue_text {
                            <p data-testid="whatif-revenue">{ text }</p>
                        }
                        <p class="caveat">{ "The range is built from the 95% intervals of every rate used, so it errs on the wide side." }</p>
                    </section>
                </>
            }
        }
        _ => html! {},
    };
    html! {
        <details class="followup" ontoggle={on_toggle} data-testid="followup">
            <summary>{ "Follow-up effects: cherry-picking, speed to lead, and what-if" }</summary>
            if !missing.is_empty() {
                <ul class="followup-missing" data-testid="followup-missing">
                    { for missing.iter().map(|m| html! { <li>{ m.to_string() }</li> }) }
                </ul>
            }
            { body }
        </details>
    }
}
