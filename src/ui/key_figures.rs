//! The key figures of the active scenario, large enough for a projector.
//!
//! Each figure carries a stable `data-testid` and a `data-value` with the
//! full-precision number (rates as fractions), so tests and users' own
//! scripts read exact values rather than rounded text.

use yew::prelude::*;

use crate::core::format;
use crate::core::metrics::KeyFigures as Figures;

#[derive(Properties, PartialEq)]
pub struct KeyFiguresProps {
    pub figures: Figures,
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
    html! {
        <section class="key-figures" aria-labelledby="key-figures-title">
            <h2 id="key-figures-title" class="visually-hidden">{ "Key figures" }</h2>
            <p class="headline" data-testid="headline" aria-live="polite">{ format::headline(f) }</p>
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
            </dl>
        </section>
    }
}
