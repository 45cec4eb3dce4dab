//! Component tests in a real browser (headless Chromium through
//! chromedriver): the app mounts on the sample data, shows its key figures
//! and chart, and reacts to edits the way a user makes them.
#![cfg(target_arch = "wasm32")]

use leadlens::core::metrics::{KeyFigures as Figures, Rate};
use leadlens::ui::key_figures::{KeyFigures, KeyFiguresProps};
use leadlens::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlInputElement, InputEvent,
    InputEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element to mount into, so tests do not see each other's DOM,
/// and no workspace kept by an earlier test.
fn mount_point() -> Element {
    let window = web_sys::window().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets yew's scheduler and any effects run.
async fn settle() {
    for _ in 0..3 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn data_value(root: &Element, testid: &str) -> String {
    find(root, &format!("[data-testid={testid}]"))
        .get_attribute("data-value")
        .unwrap()
}

/// Types `value` into an input the way a browser reports it: the value
/// changes, then a bubbling `input` event fires.
fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn app_opens_on_the_synthetic_sample_with_every_key_figure() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    // The sample's newest fifth is the check set, with a twin of each figure.
    assert_eq!(data_value(&root, "kpi-leads"), "4000");
    assert_eq!(data_value(&root, "kpi-check-leads"), "1000");
    let badge = find(&root, "[data-testid=data-badge]")
        .text_content()
        .unwrap();
    assert!(badge.contains("Synthetic"), "badge says {badge}");
    for id in [
        "kpi-sales-ready",
        "kpi-rate-in",
        "kpi-rate-out",
        "kpi-lift",
        "kpi-captured",
        "kpi-auc",
    ] {
        let value: f64 = data_value(&root, id)
            .parse()
            .unwrap_or_else(|_| panic!("{id} is a number"));
        assert!(value.is_finite() && value > 0.0, "{id} = {value}");
        let twin = id.replacen("kpi-", "kpi-check-", 1);
        let value: f64 = data_value(&root, &twin)
            .parse()
            .unwrap_or_else(|_| panic!("{twin} is a number"));
        assert!(value.is_finite() && value > 0.0, "{twin} = {value}");
    }
    let rate_in: f64 = data_value(&root, "kpi-rate-in").parse().unwrap();
    let rate_out: f64 = data_value(&root, "kpi-rate-out").parse().unwrap();
    assert!(
        rate_in > rate_out,
        "sales-ready leads convert better on the sample"
    );
}

#[wasm_bindgen_test]
async fn editing_points_updates_figures_and_chart_data() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let ready_before = data_value(&root, "kpi-sales-ready");
    let table_before = find(&root, "[data-testid=chart-score-distribution-table]").inner_html();

    // The first criterion (a demo request, worth 30) is raised to 45:
    // every demo request now reaches the threshold of 40 on its own.
    let points: HtmlInputElement = find(&root, "[data-testid=criterion-points]")
        .dyn_into()
        .unwrap();
    type_into(&points, "45");
    settle().await;

    let ready_after = data_value(&root, "kpi-sales-ready");
    let before: f64 = ready_before.parse().unwrap();
    let after: f64 = ready_after.parse().unwrap();
    assert!(after > before, "sales-ready went from {before} to {after}");
    let table_after = find(&root, "[data-testid=chart-score-distribution-table]").inner_html();
    assert_ne!(
        table_before, table_after,
        "the chart's data follows the points"
    );
}

#[wasm_bindgen_test]
async fn points_typed_beyond_the_bound_stop_at_it() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let points: HtmlInputElement = find(&root, "[data-testid=criterion-points]")
        .dyn_into()
        .unwrap();
    assert_eq!(points.get_attribute("max").as_deref(), Some("100000"));
    // Beyond i32 as well as beyond the bound: both stop at ±100,000.
    for (typed, kept) in [("99999999999", "100000"), ("-2147483648", "-100000")] {
        type_into(&points, typed);
        settle().await;
        let points: HtmlInputElement = find(&root, "[data-testid=criterion-points]")
            .dyn_into()
            .unwrap();
        assert_eq!(points.value(), kept, "typed {typed}");
    }
    let points: HtmlInputElement = find(&root, "[data-testid=criterion-points]")
        .dyn_into()
        .unwrap();
    type_into(&points, "0");
    settle().await;
    let threshold: HtmlInputElement = find(&root, "[data-testid=threshold]").dyn_into().unwrap();
    type_into(&threshold, "-3000000000");
    settle().await;
    let threshold: HtmlInputElement = find(&root, "[data-testid=threshold]").dyn_into().unwrap();
    assert_eq!(threshold.value(), "-100000");
    // With no criterion far below zero, every lead is sales-ready at the
    // lowest threshold there is.
    assert_eq!(
        data_value(&root, "kpi-sales-ready"),
        data_value(&root, "kpi-leads")
    );
}

#[wasm_bindgen_test]
async fn an_internal_error_leaves_a_message_and_two_ways_back() {
    leadlens::ui::show_failure("index out of bounds");
    let banner = find(&document().body().unwrap(), "[data-testid=panic-banner]");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(banner
        .text_content()
        .unwrap()
        .contains("index out of bounds"));
    let path = web_sys::window().unwrap().location().pathname().unwrap();
    let reload = find(&banner, "[data-testid=panic-reload]");
    assert_eq!(reload.get_attribute("href"), Some(path.clone()));
    let recover = find(&banner, "[data-testid=panic-recover]");
    assert_eq!(
        recover.get_attribute("href"),
        Some(format!("{path}?recover"))
    );
    banner.remove();
}

#[wasm_bindgen_test]
async fn disabling_a_criterion_lowers_scores() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let before: f64 = data_value(&root, "kpi-sales-ready").parse().unwrap();
    let checkbox: HtmlInputElement = find(&root, "[data-testid=criterion] input[type=checkbox]")
        .dyn_into()
        .unwrap();
    checkbox.click();
    settle().await;
    let after: f64 = data_value(&root, "kpi-sales-ready").parse().unwrap();
    assert!(after < before, "sales-ready went from {before} to {after}");
    let class = find(&root, "[data-testid=criterion]").class_name();
    assert!(
        class.split_whitespace().any(|c| c == "is-disabled"),
        "{class}"
    );
}

#[wasm_bindgen_test]
async fn score_chart_is_drawn_on_its_canvas() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let canvas: HtmlCanvasElement = find(&root, "[data-testid=chart-score-distribution] canvas")
        .dyn_into()
        .unwrap();
    // A chart is drawn once it is in view.
    canvas.scroll_into_view();
    for _ in 0..50 {
        if canvas.get_attribute("data-drawn").as_deref() == Some("true") {
            break;
        }
        settle().await;
    }
    assert_eq!(canvas.get_attribute("data-drawn").as_deref(), Some("true"));
    assert!(canvas.width() >= 320 && canvas.height() >= 240);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let pixels = context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .unwrap()
        .data();
    // The background is white; bars, axes and text are not.
    let inked = pixels
        .chunks_exact(4)
        .filter(|p| p[3] > 0 && (p[0] < 200 || p[1] < 200 || p[2] < 200))
        .count();
    assert!(inked > 2_000, "only {inked} non-white pixels");
    let label = canvas.get_attribute("aria-label").unwrap();
    assert!(label.contains("of converted leads score 40+"), "{label}");
}

#[wasm_bindgen_test]
async fn undefined_figures_show_a_dash_and_an_empty_data_value() {
    let root = mount_point();
    let figures = Figures {
        leads: 3,
        threshold: 10,
        sales_ready: Rate {
            converted: 0,
            leads: 0,
        },
        rest: Rate {
            converted: 0,
            leads: 3,
        },
        auc: None,
    };
    yew::Renderer::<KeyFigures>::with_root_and_props(
        root.clone(),
        yew::props!(KeyFiguresProps { figures }),
    )
    .render();
    settle().await;
    assert_eq!(data_value(&root, "kpi-rate-in"), "");
    assert_eq!(data_value(&root, "kpi-auc"), "");
    assert_eq!(data_value(&root, "kpi-rate-out"), "0");
    let text = find(&root, "[data-testid=kpi-rate-in] .figure-value")
        .text_content()
        .unwrap();
    assert_eq!(text, "—");
    let headline = find(&root, "[data-testid=headline]")
        .text_content()
        .unwrap();
    assert!(
        headline.contains("No lead reaches the threshold"),
        "{headline}"
    );
}

#[wasm_bindgen_test]
async fn data_summary_offers_a_type_change_for_every_column() {
    use leadlens::core::dataset::ColumnKind;
    use leadlens::core::ingest::{load_bytes, LoadOptions};
    use leadlens::core::summary::summarise;
    use leadlens::ui::data_summary::{DataSummary, DataSummaryProps};
    use std::cell::RefCell;
    use std::rc::Rc;
    use web_sys::{Event, HtmlSelectElement};
    use yew::Callback;

    let csv = "Industry,Amount,Won\nSoftware,\"$1,200\",yes\nRetail,80,no\n,95,no\n";
    let loaded = load_bytes("t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    type Choices = Rc<RefCell<Vec<(String, Option<ColumnKind>)>>>;
    let chosen: Choices = Rc::default();
    let props = DataSummaryProps {
        summaries: Rc::new(summarise(&loaded.dataset)),
        rows: loaded.dataset.row_count(),
        typings: Some(Rc::new(loaded.report.columns.clone())),
        on_kind: Some({
            let chosen = Rc::clone(&chosen);
            Callback::from(move |choice| chosen.borrow_mut().push(choice))
        }),
    };
    let root = mount_point();
    yew::Renderer::<DataSummary>::with_root_and_props(root.clone(), props).render();
    settle().await;

    let rows = root.query_selector_all("tbody tr").unwrap();
    assert_eq!(rows.length(), 3);
    let amount = find(&root, "tr[data-column='Amount']")
        .text_content()
        .unwrap();
    assert!(
        amount.contains("number (detected)") && amount.contains("80 to 1200"),
        "{amount}"
    );
    let industry = find(&root, "tr[data-column='Industry']")
        .text_content()
        .unwrap();
    assert!(
        industry.contains("33.3%"),
        "one of three is missing: {industry}"
    );

    let select: HtmlSelectElement = find(&root, "tr[data-column='Amount'] select")
        .dyn_into()
        .unwrap();
    select.set_value("text");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    assert_eq!(
        *chosen.borrow(),
        [("Amount".to_owned(), Some(ColumnKind::Text))]
    );
}

#[wasm_bindgen_test]
fn a_column_copied_where_it_is_needed_frees_its_memory_at_once() {
    use leadlens::core::ingest::transfer::Buffer;
    let array = leadlens::worker::typed_array(Buffer::F64(vec![1.5; 100_000]));
    let bytes = |array: &wasm_bindgen::JsValue| {
        js_sys::Reflect::get(array, &"byteLength".into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    assert_eq!(bytes(&array), 800_000.0);
    leadlens::worker::release(&array);
    // Detached: the array is empty, its memory given back.
    assert_eq!(bytes(&array), 0.0);
    let buffer = js_sys::Reflect::get(&array, &"buffer".into()).unwrap();
    assert_eq!(
        js_sys::Reflect::get(&buffer, &"detached".into()).unwrap(),
        wasm_bindgen::JsValue::TRUE
    );
}
