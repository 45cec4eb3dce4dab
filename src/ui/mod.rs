//! The browser shell: yew components around one reducer.
//!
//! `state` holds the workbench and its reducer; each other module is one
//! component area of the page.

pub mod agreement_panel;
pub mod app;
pub mod axis_slider;
pub mod chart_figure;
pub mod charts_panel;
pub mod compare;
pub mod criteria_editor;
pub mod data_panel;
pub mod data_summary;
pub mod decision_log;
pub mod download;
pub mod exports;
pub mod followup_panel;
pub mod grid_panel;
pub mod in_view;
pub mod join_step;
pub mod key_figures;
pub mod lead_table;
pub mod loading;
pub mod mapping_step;
pub mod panel_focus;
pub mod pattern_step;
pub mod presenter;
pub mod reading_settings;
pub mod replays;
pub mod rule_editor;
pub mod saved_data;
pub mod scenario_bar;
pub mod score_chart;
pub mod state;
pub mod suggestions;
pub mod then_now;
pub mod threshold_target;
pub mod timing;
pub mod workshop_summary;
pub mod workspace_store;

pub use app::App;

/// Shows an internal failure on the page, so a panic is never a silently
/// frozen screen, and logs it to the console.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    show_failure(&info.to_string());
}

/// The banner of an internal failure: what happened, and two ways back
/// that work without the stopped app, as plain links: reload with the
/// work kept in this browser, or reload with it set aside (should the
/// failure come back with it).
pub fn show_failure(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_class_name("panic-banner");
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute("data-testid", "panic-banner");
    let text = document.create_element("p");
    if let Ok(text) = &text {
        text.set_text_content(Some(&format!(
            "leadlens hit an internal error and stopped ({message}). \
             Nothing has left this browser, and your scenarios are kept."
        )));
        let _ = banner.append_child(text);
    }
    let page = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "./".to_owned());
    for (label, href, testid) in [
        ("Reload leadlens", page.clone(), "panic-reload"),
        (
            "Reload with the kept work set aside",
            format!("{page}?{}", workspace_store::RECOVER_QUERY),
            "panic-recover",
        ),
    ] {
        if let Ok(link) = document.create_element("a") {
            link.set_text_content(Some(label));
            let _ = link.set_attribute("href", &href);
            let _ = link.set_attribute("class", "button");
            let _ = link.set_attribute("data-testid", testid);
            let _ = banner.append_child(&link);
        }
    }
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}

/// Installs the panic hook and mounts the app on `<body>`.
pub fn start() {
    yew::set_custom_panic_hook(Box::new(show_panic));
    yew::Renderer::<App>::new().render();
    keep_for_offline();
}

/// Registers the service worker that keeps the built app in this browser,
/// so that it opens without a network after the first visit. Where the
/// browser offers none (or the page is not served securely) the app works
/// as before, online.
fn keep_for_offline() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !window.is_secure_context() {
        return;
    }
    let registering = window
        .navigator()
        .service_worker()
        .register("service-worker.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(registering).await {
            gloo::console::warn!("leadlens will not work offline here:", error);
        }
    });
}
