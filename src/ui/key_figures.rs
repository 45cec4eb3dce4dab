//! The key figures of the active scenario, large enough for a projector.
//!
//! Each figure carries a stable `data-testid` and a `data-value` with the
//! full-precision number (rates as fractions), so tests and users' own
//! scripts read exact values rather than rounded text.

use yew::prelude::*;

use super::in_view::InView;
use crate::core::engine::Workload;
use crate::core::format;
use crate::core::metrics::{KeyFigures as Figures, Rate};
use crate::core::split::{CheckSet, CheckSplit, SplitBy, SHARES};

/// The check set's figures, shown as a twin of each key figure.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckFigures {
    pub figures: Figures,
    pub workload: Option<Workload>,
    pub revenue_captured: Option<f64>,
}

/// How the check set stands for the loaded data.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckState {
    /// The settings in use.
    pub split: CheckSplit,
    /// Whether a created date is mapped, so "recent" means by date.
    pub by_date: bool,
    /// The check set's figures, when one is kept.
    pub figures: Option<CheckFigures>,
    /// Why none is kept although the check is on: its leads and
    /// conversions at this share.
    pub too_few: Option<(usize, usize)>,
    /// The later export in use as the check set, if any: its file name.
    pub later: Option<AttrValue>,
    /// On a pattern table the query fixed the check set: whether it has
    /// one (`None` on row-level data, where the settings choose it).
    pub fixed: Option<bool>,
}

impl CheckState {
    pub fn new(
        split: CheckSplit,
        by_date: bool,
        set: &CheckSet,
        figures: Option<CheckFigures>,
    ) -> Self {
        let too_few = match set {
            CheckSet::TooFew { leads, converted } => Some((*leads, *converted)),
            _ => None,
        };
        CheckState {
            split,
            by_date,
            figures,
            too_few,
            later: None,
            fixed: None,
        }
    }

    /// The check set in words: "the newest 20% of leads by created date",
    /// or "the later export “q2.csv”".
    pub fn set_words(&self) -> String {
        match (&self.later, self.fixed) {
            (Some(name), _) => format!("the later export “{name}”"),
            (None, Some(_)) => {
                "the pattern table's check set (the leads created from the query's cutoff on)"
                    .to_owned()
            }
            (None, None) => self.split.describe(self.by_date),
        }
    }
}

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
    /// The check set, where the page offers one.
    #[prop_or_default]
    pub check: Option<CheckState>,
    /// Called with new check set settings.
    #[prop_or_default]
    pub on_check: Option<Callback<CheckSplit>>,
    /// Called with a later export chosen as the check set.
    #[prop_or_default]
    pub on_later: Option<Callback<web_sys::File>>,
    /// Called to stop using the later export.
    #[prop_or_default]
    pub on_drop_later: Option<Callback<()>>,
}

/// A key figure's twin on the check set.
#[derive(Debug, Clone, PartialEq)]
struct Twin {
    value: Option<f64>,
    text: String,
}

impl Twin {
    fn rate(rate: &Rate) -> Twin {
        Twin {
            value: rate.value(),
            text: format!(
                "{} ({})",
                format::percent(rate.value()),
                format::interval(rate)
            ),
        }
    }
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
    /// The same figure on the check set; `None` when none is kept.
    #[prop_or_default]
    twin: Option<Twin>,
}

#[component]
fn Figure(props: &FigureProps) -> Html {
    let data_value = props.value.map(|v| v.to_string()).unwrap_or_default();
    let twin_id = format!("kpi-check-{}", props.testid.trim_start_matches("kpi-"));
    let (twin_value, twin_text) = match &props.twin {
        Some(twin) => (
            twin.value.map(|v| v.to_string()).unwrap_or_default(),
            format!("check set: {}", twin.text),
        ),
        None => (String::new(), String::new()),
    };
    html! {
        <div class="figure" data-testid={props.testid} data-value={data_value}>
            <dt class="figure-label">{ props.label }</dt>
            <dd class="figure-value">{ &props.text }</dd>
            if let Some(detail) = &props.detail {
                <dd class="figure-detail">{ detail }</dd>
            }
            <dd class={classes!("figure-check", props.twin.is_none().then_some("is-empty"))}
                data-testid={twin_id} data-value={twin_value}>{ twin_text }</dd>
        </div>
    }
}

/// One figure of the pinned strip, with its check-set twin.
fn strip_item(
    key: &str,
    label: &str,
    value: Option<f64>,
    text: String,
    twin: Option<String>,
) -> Html {
    html! {
        <div class="strip-figure" data-testid={format!("strip-{key}")}
            data-value={value.map(|v| v.to_string()).unwrap_or_default()}>
            <dt>{ label }</dt>
            <dd>{ text }
                if let Some(twin) = twin {
                    <span class="strip-check">{ format!(" (check {twin})") }</span>
                }
            </dd>
        </div>
    }
}

#[component]
pub fn KeyFigures(props: &KeyFiguresProps) -> Html {
    let f = &props.figures;
    let ready = f.sales_ready;
    // When the figures scroll out of sight (editing the criteria far down
    // the page), a compact strip of them stays pinned to the top.
    let section = use_node_ref(); // the figures themselves
    let docked = use_state(|| false);
    {
        let section = section.clone();
        let docked = docked.clone();
        use_effect_with((), move |_| {
            let watcher = section.cast::<web_sys::Element>().and_then(|element| {
                InView::watch(&element, "0px", move |in_view| docked.set(!in_view))
            });
            move || drop(watcher)
        });
    }
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
    let check = props.check.as_ref();
    let twins = check.and_then(|c| c.figures.as_ref());
    let twin = |pick: &dyn Fn(&CheckFigures) -> Twin| twins.map(pick);
    let set_words = check.map(CheckState::set_words).unwrap_or_default();
    let note = twins.and_then(|c| format::check_note(f, &c.figures, &set_words));
    let later = check.is_some_and(|c| c.later.is_some());
    let tuned_on = twins.map(|c| {
        if later {
            format!(
                "Figures on the first file's {} leads (then); the check set is {} ({} leads, now): how the definition does on leads that came after it was agreed.",
                format::count(f.leads),
                set_words,
                format::count(c.figures.leads)
            )
        } else {
            format!(
                "Figures on the tuning set ({} leads); the check set is {} ({} leads), kept aside to see whether the definition holds on leads it was not tuned on.",
                format::count(f.leads),
                set_words,
                format::count(c.figures.leads)
            )
        }
    });
    let strip = html! {
        <div class={classes!("figure-strip", (*docked).then_some("is-docked"))} data-testid="figure-strip"
            aria-hidden={(!*docked).then_some("true")}>
            <p class="strip-headline" title={format::headline(f, props.workload.as_ref())}>
                { format::headline(f, props.workload.as_ref()) }</p>
            <dl class="strip-figures">
                { strip_item("sales-ready", "Sales-ready", Some(ready.leads as f64), format::count(ready.leads),
                    twins.map(|c| format::count(c.figures.sales_ready.leads))) }
                { strip_item("rate-in", "Converting, in", ready.value(), format::percent(ready.value()),
                    twins.map(|c| format::percent(c.figures.sales_ready.value()))) }
                { strip_item("rate-out", "Out", f.rest.value(), format::percent(f.rest.value()),
                    twins.map(|c| format::percent(c.figures.rest.value()))) }
                { strip_item("lift", "Lift", f.lift(), format::multiple(f.lift()),
                    twins.map(|c| format::multiple(c.figures.lift()))) }
                { strip_item("captured", "Captured", f.captured(), format::whole_percent(f.captured()),
                    twins.map(|c| format::whole_percent(c.figures.captured()))) }
                if let Some(w) = props.workload {
                    { strip_item("per-rep-week", "Per rep a week", Some(w.per_rep_week), format::decimal(Some(w.per_rep_week), 1),
                        twins.and_then(|c| c.workload).map(|w| format::decimal(Some(w.per_rep_week), 1))) }
                }
            </dl>
        </div>
    };
    html! {
        <section class="key-figures" aria-labelledby="key-figures-title">
            { strip }
            <h2 id="key-figures-title" class="visually-hidden">{ "Key figures" }</h2>
            <p class="headline" id="headline" tabindex="-1" data-testid="headline" aria-live="polite">{ format::headline(f, props.workload.as_ref()) }</p>
            if let Some(note) = note {
                <p class="check-note" role="status" data-testid="check-note">{ note }</p>
            }
            if let Some(tuned_on) = tuned_on {
                <p class="tuned-on" data-testid="tuned-on">{ tuned_on }</p>
            }
            <dl class="figures" ref={section}>
                <Figure testid="kpi-leads" label="Leads" value={Some(f.leads as f64)}
                    text={format::count(f.leads)}
                    twin={twin(&|c| Twin { value: Some(c.figures.leads as f64), text: format::count(c.figures.leads) })} />
                <Figure testid="kpi-sales-ready" label="Sales-ready"
                    value={Some(ready.leads as f64)} text={format::count(ready.leads)}
                    detail={format!("{} of leads · score {}+", format::percent(f.sales_ready_share()), f.threshold)}
                    twin={twin(&|c| Twin {
                        value: Some(c.figures.sales_ready.leads as f64),
                        text: format!("{} ({})", format::count(c.figures.sales_ready.leads), format::percent(c.figures.sales_ready_share())),
                    })} />
                <Figure testid="kpi-rate-in" label="Conversion, sales-ready"
                    value={ready.value()} text={format::percent(ready.value())}
                    detail={format!("95% interval {}", format::interval(&ready))}
                    twin={twin(&|c| Twin::rate(&c.figures.sales_ready))} />
                <Figure testid="kpi-rate-out" label="Conversion, the rest"
                    value={f.rest.value()} text={format::percent(f.rest.value())}
                    detail={format!("95% interval {}", format::interval(&f.rest))}
                    twin={twin(&|c| Twin::rate(&c.figures.rest))} />
                <Figure testid="kpi-lift" label="Lift" value={f.lift()}
                    text={format::multiple(f.lift())}
                    detail={format!("overall conversion {}", format::percent(f.overall().value()))}
                    twin={twin(&|c| Twin { value: c.figures.lift(), text: format::multiple(c.figures.lift()) })} />
                <Figure testid="kpi-captured" label="Conversions captured" value={f.captured()}
                    text={format::whole_percent(f.captured())}
                    detail={format!("{} of {}", format::count(ready.converted), format::count(f.overall().converted))}
                    twin={twin(&|c| {
                        let rate = c.figures.captured_rate();
                        Twin { value: c.figures.captured(), text: format!("{} ({})", format::whole_percent(c.figures.captured()), format::interval(&rate)) }
                    })} />
                <Figure testid="kpi-auc" label="AUC" value={f.auc}
                    text={format::decimal(f.auc, 3)}
                    detail={"0.5 = coin toss, 1 = perfect ranking".to_owned()}
                    twin={twin(&|c| Twin { value: c.figures.auc, text: format::decimal(c.figures.auc, 3) })} />
                if let Some(w) = props.workload {
                    <Figure testid="kpi-per-rep-week" label="Per rep, per week" value={Some(w.per_rep_week)}
                        text={format::decimal(Some(w.per_rep_week), 1)}
                        detail={format!("{} a week across {} reps", format::decimal(Some(w.per_week), 0), props.reps)}
                        twin={twins.and_then(|c| c.workload).map(|w| Twin { value: Some(w.per_rep_week), text: format::decimal(Some(w.per_rep_week), 1) })} />
                }
                if props.revenue_captured.is_some() {
                    <Figure testid="kpi-revenue" label="Revenue captured" value={props.revenue_captured}
                        text={format::whole_percent(props.revenue_captured)}
                        detail={"of converted deal value".to_owned()}
                        twin={twins.map(|c| Twin { value: c.revenue_captured, text: format::whole_percent(c.revenue_captured) })} />
                }
            </dl>
            if let (Some(check), Some(on_check)) = (check, props.on_check.clone()) {
                <CheckControls state={check.clone()} {on_check} on_later={props.on_later.clone()}
                    on_drop_later={props.on_drop_later.clone()} />
            }
            if let Some(on_reps) = on_reps {
                <label class="reps">{ "Sales reps sharing the leads " }
                    <input type="number" min="1" step="1" value={props.reps.to_string()} oninput={on_reps}
                        data-testid="reps" />
                </label>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CheckControlsProps {
    state: CheckState,
    on_check: Callback<CheckSplit>,
    on_later: Option<Callback<web_sys::File>>,
    on_drop_later: Option<Callback<()>>,
}

/// Whether a check set is kept, how large, and how it is drawn.
#[component]
fn CheckControls(props: &CheckControlsProps) -> Html {
    let split = props.state.split;
    let on_enabled = {
        let on_check = props.on_check.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            on_check.emit(CheckSplit {
                enabled: input.checked(),
                ..split
            });
        })
    };
    let on_share = {
        let on_check = props.on_check.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(percent) = input.value().trim().parse::<f64>() {
                if percent.is_finite() {
                    on_check.emit(CheckSplit {
                        share: percent / 100.0,
                        ..split
                    });
                }
            }
        })
    };
    let on_by = {
        let on_check = props.on_check.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let by = if select.value() == "random" {
                SplitBy::Random
            } else {
                SplitBy::Recent
            };
            on_check.emit(CheckSplit { by, ..split });
        })
    };
    let on_redraw = {
        let on_check = props.on_check.clone();
        Callback::from(move |_: MouseEvent| {
            on_check.emit(CheckSplit {
                seed: split.seed.wrapping_add(1),
                ..split
            })
        })
    };
    let random = split.by == SplitBy::Random || !props.state.by_date;
    let percent = format!("{:.0}", 100.0 * split.share);
    let later_input = props.on_later.clone().map(|on_later| {
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_later.emit(file);
            }
            input.set_value("");
        })
    });
    if let Some(name) = &props.state.later {
        let on_drop = props
            .on_drop_later
            .clone()
            .map(|cb| Callback::from(move |_: MouseEvent| cb.emit(())));
        return html! {
            <fieldset class="check-controls" data-testid="check-controls">
                <legend>{ "Check set" }</legend>
                <p data-testid="later-in-use">{ format!(
                    "Checking on the later export “{name}”: the first file's leads are then, the later file's now."
                ) }</p>
                if let Some(on_drop) = on_drop {
                    <button type="button" class="button" onclick={on_drop} data-testid="later-remove">
                        { "Stop using the later export" }</button>
                }
            </fieldset>
        };
    }
    // On a pattern table the query fixed the check set; elsewhere the
    // settings choose it.
    let choice = match props.state.fixed {
        Some(has_check) => html! {
            <p data-testid="check-fixed">{ if has_check {
                "The pattern query fixed the check set: the leads created from its cutoff date on. \
                 Write the query again to change it."
            } else {
                "This pattern table keeps no check set: write the query again with the check set \
                 drawn by created date to have one."
            } }</p>
        },
        None if split.enabled => html! {
            <>
                <label>{ "Share " }
                    <input type="number" min={format!("{:.0}", 100.0 * SHARES.start())} max={format!("{:.0}", 100.0 * SHARES.end())}
                        step="1" value={percent} onchange={on_share} data-testid="check-share" />
                    { " %" }
                </label>
                <label>{ "Drawn " }
                    <select onchange={on_by} data-testid="check-by">
                        <option value="recent" selected={split.by == SplitBy::Recent} disabled={!props.state.by_date}>
                            { if props.state.by_date { "the newest by created date" } else { "the newest (needs a created date)" } }
                        </option>
                        <option value="random" selected={split.by == SplitBy::Random || !props.state.by_date}>
                            { "at random, keeping the base rate" }
                        </option>
                    </select>
                </label>
                if random {
                    <button type="button" class="button" onclick={on_redraw} data-testid="check-redraw">{ "Draw again" }</button>
                }
            </>
        },
        None => Html::default(),
    };
    let kept_aside = match props.state.fixed {
        Some(_) => "the pattern table's check set".to_owned(),
        None => props.state.split.describe(props.state.by_date),
    };
    html! {
        <fieldset class="check-controls" data-testid="check-controls">
            <legend>{ "Check set" }</legend>
            <label>
                <input type="checkbox" checked={split.enabled} onchange={on_enabled} data-testid="check-enabled" />
                { " Keep leads aside to check the definition on" }
            </label>
            { choice }
            if let Some((leads, converted)) = props.state.too_few {
                <p class="check-too-few" data-testid="check-too-few">{ format!(
                    "Too few leads to keep a check set: {kept_aside} would hold {} leads with {} converted \
                     (at least {} leads and {} of each outcome are needed). Every figure uses every lead.",
                    format::count(leads), format::count(converted),
                    crate::core::split::MIN_CHECK_LEADS, crate::core::split::MIN_CHECK_CONVERTED) }</p>
            }
            if let Some(on_change) = later_input {
                <label class="later-export">{ "Or check on a later export of the same columns: " }
                    <input type="file" accept=".csv,.tsv,.txt,text/csv" onchange={on_change} data-testid="later-input" />
                </label>
            }
        </fieldset>
    }
}
