//! The key figures of the active scenario, large enough for a projector.
//!
//! Each figure carries a stable `data-testid` and a `data-value` with the
//! full-precision number (rates as fractions), so tests and users' own
//! scripts read exact values rather than rounded text.

use yew::prelude::*;

use crate::core::engine::Workload;
use crate::core::format;
use crate::core::metrics::KeyFigures as Figures;

#[derive(Properties, PartialEq)]
pub struct KeyFiguresProps {
    pub figures: Figures,
    /// Sales-ready leads over time, where created dates are mapped.
    #[prop_or_default]
    pub workload: Option<Workload>,
    /// Share of converted revenue from sales-ready leads, where deal
    /// values are mapped.
    #[prop_or_default]
    pub revenue_captured: Option<f64>,
    #[prop_or(5)]
    pub reps: u32,
    /// Called with a new number of reps.
    #[prop_or_default]
    pub on_reps: Option<Callback<u32>>,
}

#[derive(Properties, PartialEq)]
struct FigureProps {
    testid: &'static str,
    label: &'static str,
    /// Full precision; `None` when the figure is undefined.
    value: Option<f64>,
    text: String,
    #[prop_or_default]
    detail: Option<String>,
}

#[component]
fn Figure(props: &FigureProps) -> Html {
    let data_value = props.value.map(|v| v.to_string()).unwrap_or_default();
    html! {
        <div class="figure" data-testid={props.testid} data-value={data_value}>
            <dt class="figure-label">{ props.label }</dt>
            <dd class="figure-value">{ &props.text }</dd>
            if let Some(detail) = &props.detail {
                <dd class="figure-detail">{ detail }</dd>
            }
        </div>
    }
}

#[component]
pub fn KeyFigures(props: &KeyFiguresProps) -> Html {
    let f = &props.figures;
    let ready = f.sales_ready;
    let on_reps = props.on_reps.clone().map(|cb| {
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(reps) = input.value().trim().parse::<u32>() {
                if reps > 0 {
                    cb.emit(reps);
                }
            }
        })
    });
    html! {
        <section class="key-figures" aria-labelledby="key-figures-title">
            <h2 id="key-figures-title" class="visually-hidden">{ "Key figures" }</h2>
            <p class="headline" id="headline" tabindex="-1" data-testid="headline" aria-live="polite">{ format::headline(f, props.workload.as_ref()) }</p>
            <dl class="figures">
                <Figure testid="kpi-leads" label="Leads" value={Some(f.leads as f64)}
                    text={format::count(f.leads)} />
                <Figure testid="kpi-sales-ready" label="Sales-ready"
                    value={Some(ready.leads as f64)} text={format::count(ready.leads)}
                    detail={format!("{} of leads · score {}+", format::percent(f.sales_ready_share()), f.threshold)} />
                <Figure testid="kpi-rate-in" label="Conversion, sales-ready"
                    value={ready.value()} text={format::percent(ready.value())}
                    detail={format!("95% interval {}", format::interval(&ready))} />
                <Figure testid="kpi-rate-out" label="Conversion, the rest"
                    value={f.rest.value()} text={format::percent(f.rest.value())}
                    detail={format!("95% interval {}", format::interval(&f.rest))} />
                <Figure testid="kpi-lift" label="Lift" value={f.lift()}
                    text={format::multiple(f.lift())}
                    detail={format!("overall conversion {}", format::percent(f.overall().value()))} />
                <Figure testid="kpi-captured" label="Conversions captured" value={f.captured()}
                    text={format::whole_percent(f.captured())}
                    detail={format!("{} of {}", format::count(ready.converted), format::count(f.overall().converted))} />
                <Figure testid="kpi-auc" label="AUC" value={f.auc}
                    text={format::decimal(f.auc, 3)}
                    detail={"0.5 = coin toss, 1 = perfect ranking".to_owned()} />
                if let Some(w) = props.workload {
                    <Figure testid="kpi-per-rep-week" label="Per rep, per week" value={Some(w.per_rep_week)}
                        text={format::decimal(Some(w.per_rep_week), 1)}
                        detail={format!("{} a week across {} reps", format::decimal(Some(w.per_week), 0), props.reps)} />
                }
                if props.revenue_captured.is_some() {
                    <Figure testid="kpi-revenue" label="Revenue captured" value={props.revenue_captured}
                        text={format::whole_percent(props.revenue_captured)}
                        detail={"of converted deal value".to_owned()} />
                }
            </dl>
            if let Some(on_reps) = on_reps {
                <label class="reps">{ "Sales reps sharing the leads " }
                    <input type="number" min="1" step="1" value={props.reps.to_string()} oninput={on_reps}
                        data-testid="reps" />
                </label>
            }
        </section>
    }
}
