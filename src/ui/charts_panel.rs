//! The charts that settle the argument: conversion by score band, the
//! cumulative gains, the ROC and the threshold sweep, with every scenario
//! overlaid in its own colour. Each chart is titled with its finding and
//! carries its numbers in a table.

use std::rc::Rc;

use yew::prelude::*;

use super::axis_slider::AxisSlider;
use super::chart_figure::ChartFigure;
use super::replays::Replays;
use super::state::Shared;
use crate::charts::curves::{gains_curve, gains_finding, roc_curve, roc_finding};
use crate::charts::palette::{check_colour, scenario_colour};
use crate::charts::rates::{
    band_label, band_series, conversion_by_band_chart, conversion_by_band_finding,
};
use crate::charts::spec::ChartSpec;
use crate::charts::sweep::{sweep_axis, sweep_finding, SweepCurve, SWEEP_PLOT_INSETS};
use crate::core::criteria::Scenario;
use crate::core::engine::{
    captured_at, BandRate, GainsPoint, LeadFacts, Replay, ReplaySettings, SweepPoint,
    MIN_EVIDENCE_LEADS,
};
use crate::core::format;

/// Bands in the conversion chart: fewer than the distribution's, so each
/// holds enough leads for a useful interval.
const CONVERSION_BANDS: usize = 10;

/// Rows in the sweep's table: every threshold when there are few,
/// otherwise an even selection.
const SWEEP_TABLE_ROWS: usize = 25;

#[derive(Properties, PartialEq)]
pub struct ChartsPanelProps {
    pub replays: Replays,
    pub scenarios: Vec<Scenario>,
    pub active: usize,
    pub facts: Shared<LeadFacts>,
    pub settings: ReplaySettings,
}

/// Where the sales-ready leads sit on a gains curve.
fn threshold_point(replay: &Replay) -> GainsPoint {
    GainsPoint {
        leads_share: replay.figures.sales_ready_share().unwrap_or(0.0),
        captured: replay.figures.captured().unwrap_or(0.0),
    }
}

/// Every chart's spec and what its table needs.
struct Charts {
    bands: Vec<BandRate>,
    /// The same bands over the check set, when one is kept.
    check_bands: Option<Vec<BandRate>>,
    /// The active scenario's gains over the check set.
    check_gains: Option<Vec<GainsPoint>>,
    check_sweep: Option<Vec<SweepPoint>>,
    by_band: Rc<ChartSpec>,
    gains: Vec<Vec<GainsPoint>>,
    gains_spec: Rc<ChartSpec>,
    roc_spec: Rc<ChartSpec>,
    sweep: Vec<SweepPoint>,
    sweep_axis: (i32, i32),
    sweep_spec: Rc<ChartSpec>,
}

/// The name of the active scenario's check-set twin in a legend.
fn check_name(name: &str) -> String {
    format!("{name}, check set")
}

fn charts(
    replays: &[&Replay],
    check: Option<&Replay>,
    names: &[String],
    active: usize,
    facts: &LeadFacts,
    settings: &ReplaySettings,
) -> Charts {
    let current = replays[active];
    let threshold = current.figures.threshold;
    let colour = scenario_colour(active);
    let bands = current.conversion_by_band(CONVERSION_BANDS);
    let check_bands = check.map(|c| c.conversion_in_bands(&bands));
    let mut by_band_chart =
        conversion_by_band_chart(&bands, current.figures.overall().value(), colour);
    if let Some(check_bands) = &check_bands {
        by_band_chart.series[0].name = "Tuning set".to_owned();
        by_band_chart
            .series
            .push(band_series("Check set", check_colour(active), check_bands));
    }
    let by_band = ChartSpec::rates(
        by_band_chart,
        &conversion_by_band_finding(&bands, threshold),
    );
    let gains: Vec<Vec<GainsPoint>> = replays.iter().map(|r| r.gains()).collect();
    let check_gains = check.map(Replay::gains);
    let mut gains_curves: Vec<_> = replays
        .iter()
        .enumerate()
        .map(|(i, r)| {
            gains_curve(
                &names[i],
                scenario_colour(i),
                &gains[i],
                Some(threshold_point(r)),
            )
        })
        .collect();
    let mut roc_curves: Vec<_> = replays
        .iter()
        .enumerate()
        .map(|(i, r)| roc_curve(&names[i], scenario_colour(i), &r.roc(), r.figures.auc))
        .collect();
    let mut curves: Vec<SweepCurve> = replays
        .iter()
        .enumerate()
        .map(|(i, r)| SweepCurve {
            name: names[i].clone(),
            colour: scenario_colour(i),
            points: r.sweep(facts, settings),
        })
        .collect();
    let sweep = curves[active].points.clone();
    let check_sweep = check.map(|c| c.sweep(facts, settings));
    if let (Some(c), Some(c_gains), Some(c_sweep)) = (check, &check_gains, &check_sweep) {
        let name = check_name(&names[active]);
        gains_curves.push(gains_curve(
            &name,
            check_colour(active),
            c_gains,
            Some(threshold_point(c)),
        ));
        roc_curves.push(roc_curve(
            &name,
            check_colour(active),
            &c.roc(),
            c.figures.auc,
        ));
        curves.push(SweepCurve {
            name,
            colour: check_colour(active),
            points: c_sweep.clone(),
        });
    }
    let gains_spec = ChartSpec::Gains {
        curves: gains_curves,
        title: gains_finding(&gains[active], Some(threshold_point(current))),
    };
    let roc_spec = ChartSpec::Roc {
        curves: roc_curves,
        title: roc_finding(current.figures.auc),
    };
    let axis = sweep_axis(&curves, threshold);
    let sweep_spec = ChartSpec::Sweep {
        title: sweep_finding(&sweep, threshold),
        threshold,
        curves,
    };
    Charts {
        bands,
        check_bands,
        check_gains,
        check_sweep,
        by_band: Rc::new(by_band),
        gains,
        gains_spec: Rc::new(gains_spec),
        roc_spec: Rc::new(roc_spec),
        sweep,
        sweep_axis: axis,
        sweep_spec: Rc::new(sweep_spec),
    }
}

#[component]
pub fn ChartsPanel(props: &ChartsPanelProps) -> Html {
    let names: Vec<String> = props.scenarios.iter().map(|s| s.name.clone()).collect();
    let charts = use_memo(
        (
            props.replays.clone(),
            names.clone(),
            props.active,
            props.facts.clone(),
            props.settings,
        ),
        |(replays, names, active, facts, settings)| {
            let check = replays.all[*active].check.as_deref();
            let replays: Vec<&Replay> = replays.all.iter().map(|r| &*r.replay).collect();
            charts(&replays, check, names, *active, facts, settings)
        },
    );
    let replays = &props.replays.all;
    let current = &replays[props.active].replay;
    let threshold = current.figures.threshold;
    let per_rep = charts.sweep.iter().all(|p| p.per_rep_week.is_some());

    let band_table = html! {
        <>
            <thead><tr>
                <th scope="col">{ "Score band" }</th>
                <th scope="col">{ "Leads" }</th>
                <th scope="col">{ "Converted" }</th>
                <th scope="col">{ "Conversion" }</th>
                <th scope="col">{ "95% interval" }</th>
                if charts.check_bands.is_some() {
                    <th scope="col">{ "Check set: leads" }</th>
                    <th scope="col">{ "Check set: conversion" }</th>
                    <th scope="col">{ "Check set: 95% interval" }</th>
                }
            </tr></thead>
            <tbody>
                { for charts.bands.iter().enumerate().map(|(i, b)| html! {
                    <tr>
                        <th scope="row">{ band_label(b.low, b.high) }</th>
                        <td>{ format::count(b.rate.leads) }</td>
                        <td>{ format::count(b.rate.converted) }</td>
                        <td>{ format::percent(b.rate.value()) }
                            { if b.rate.leads < MIN_EVIDENCE_LEADS { " (few leads)" } else { "" } }</td>
                        <td>{ format::interval(&b.rate) }</td>
                        if let Some(c) = charts.check_bands.as_ref().and_then(|c| c.get(i)) {
                            <td>{ format::count(c.rate.leads) }</td>
                            <td>{ format::percent(c.rate.value()) }
                                { if c.rate.leads < MIN_EVIDENCE_LEADS { " (few leads)" } else { "" } }</td>
                            <td>{ format::interval(&c.rate) }</td>
                        }
                    </tr>
                }) }
            </tbody>
        </>
    };
    let gains_table = html! {
        <>
            <thead><tr>
                <th scope="col">{ "Top share of leads contacted" }</th>
                { for names.iter().map(|n| html! { <th scope="col">{ format!("{n}: conversions captured") }</th> }) }
                if charts.check_gains.is_some() {
                    <th scope="col">{ format!("{}: conversions captured", check_name(&names[props.active])) }</th>
                }
            </tr></thead>
            <tbody>
                { for (1..=10).map(|decile| {
                    let share = f64::from(decile) / 10.0;
                    html! {
                        <tr>
                            <th scope="row">{ format::whole_percent(Some(share)) }</th>
                            { for charts.gains.iter().chain(charts.check_gains.as_ref()).map(|g| html! {
                                <td>{ format::whole_percent(captured_at(g, share)) }</td>
                            }) }
                        </tr>
                    }
                }) }
            </tbody>
        </>
    };
    let roc_table = html! {
        <>
            <thead><tr>
                <th scope="col">{ "Scenario" }</th>
                <th scope="col">{ "AUC" }</th>
            </tr></thead>
            <tbody>
                { for replays.iter().zip(&names).map(|(r, name)| html! {
                    <tr>
                        <th scope="row">{ name }</th>
                        <td>{ format::decimal(r.replay.figures.auc, 3) }</td>
                    </tr>
                }) }
                if let Some(check) = &replays[props.active].check {
                    <tr>
                        <th scope="row">{ check_name(&names[props.active]) }</th>
                        <td>{ format::decimal(check.figures.auc, 3) }</td>
                    </tr>
                }
            </tbody>
        </>
    };
    let step = charts.sweep.len().div_ceil(SWEEP_TABLE_ROWS).max(1);
    let sweep_table = html! {
        <>
            <thead><tr>
                <th scope="col">{ "Threshold" }</th>
                <th scope="col">{ "Sales-ready leads" }</th>
                <th scope="col">{ "Per rep, per week" }</th>
                <th scope="col">{ "Conversions captured" }</th>
                <th scope="col">{ "Conversion, sales-ready" }</th>
                if charts.check_sweep.is_some() {
                    <th scope="col">{ "Check set: conversions captured" }</th>
                    <th scope="col">{ "Check set: conversion, sales-ready" }</th>
                }
            </tr></thead>
            <tbody>
                { for charts.sweep.iter().step_by(step).map(|p| {
                    // The check set's point at the same threshold: its
                    // lowest swept threshold at or above this one.
                    let twin = charts.check_sweep.as_ref().map(|c| {
                        c.iter().rev().find(|q| q.threshold >= p.threshold).copied()
                    });
                    html! {
                        <tr>
                            <th scope="row">{ format!("{}+", p.threshold) }</th>
                            <td>{ format::count(p.sales_ready) }</td>
                            <td>{ format::decimal(p.per_rep_week, 1) }</td>
                            <td>{ format::whole_percent(Some(p.captured)) }</td>
                            <td>{ format::percent(Some(p.rate)) }</td>
                            if let Some(twin) = twin {
                                <td>{ format::whole_percent(Some(twin.map_or(0.0, |q| q.captured))) }</td>
                                <td>{ format::percent(twin.map(|q| q.rate)) }</td>
                            }
                        </tr>
                    }
                }) }
            </tbody>
        </>
    };
    let overlay_note = match (names.len() > 1, charts.check_gains.is_some()) {
        (true, true) => " Every scenario is drawn in its own colour, the one its tab shows; the paler line is the active scenario on the check set.",
        (true, false) => " Every scenario is drawn in its own colour, the one its tab shows.",
        (false, true) => " The paler line is the same definition on the check set.",
        (false, false) => "",
    };
    html! {
        <section class="charts-panel" aria-labelledby="charts-title" data-testid="charts">
            <h2 id="charts-title" tabindex="-1">{ "What the definition would do" }</h2>
            <div class="chart-grid">
                <ChartFigure spec={Rc::clone(&charts.by_band)} testid="chart-conversion-by-band" presented_as={Some(1)}
                    title={charts.by_band.title().to_owned()}
                    caption={format!("Conversion by score band, with 95% intervals; hollow bars hold too few leads to trust. The dashed line is the overall rate.{}",
                        if charts.check_bands.is_some() { " Paler bars are the check set, on the same bands." } else { "" })}
                    file_name="leadlens-conversion-by-band" table={band_table} />
                <ChartFigure spec={Rc::clone(&charts.sweep_spec)} testid="chart-sweep" presented_as={Some(2)}
                    title={charts.sweep_spec.title().to_owned()}
                    caption={format!("The threshold sweep: solid lines are the workload ({}), dashed lines the share of conversions captured. The slider moves the threshold.{overlay_note}",
                        if per_rep { "leads per rep per week" } else { "sales-ready leads" })}
                    file_name="leadlens-threshold-sweep" table={sweep_table}>
                    <AxisSlider axis={charts.sweep_axis} {threshold} insets={SWEEP_PLOT_INSETS}
                        label="Sales-ready threshold on the sweep" testid="sweep-threshold" />
                </ChartFigure>
                <ChartFigure spec={Rc::clone(&charts.gains_spec)} testid="chart-gains" presented_as={Some(3)}
                    title={charts.gains_spec.title().to_owned()}
                    caption={format!("Cumulative gains: leads contacted from the highest score down against the conversions they hold; the dashed diagonal is a random order and the dots mark the threshold.{overlay_note}")}
                    file_name="leadlens-gains" table={gains_table} />
                <ChartFigure spec={Rc::clone(&charts.roc_spec)} testid="chart-roc" presented_as={Some(4)}
                    title={charts.roc_spec.title().to_owned()}
                    caption={format!("ROC curve: how well the score ranks converted leads above the rest at every threshold; the diagonal is chance.{overlay_note}")}
                    file_name="leadlens-roc" table={roc_table} />
            </div>
        </section>
    }
}
