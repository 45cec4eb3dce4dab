//! The browser shell: yew components around one reducer.
//!
//! `state` holds the workbench and its reducer; each other module is one
//! component area of the page.

pub mod app;
pub mod axis_slider;
pub mod chart_figure;
pub mod charts_panel;
pub mod compare;
pub mod criteria_editor;
pub mod data_panel;
pub mod data_summary;
pub mod download;
pub mod exports;
pub mod followup_panel;
pub mod key_figures;
pub mod lead_table;
pub mod loading;
pub mod mapping_step;
pub mod replays;
pub mod rule_editor;
pub mod saved_data;
pub mod scenario_bar;
pub mod score_chart;
pub mod state;
pub mod timing;
pub mod workshop_summary;
pub mod workspace_store;

pub use app::App;

/// Shows an internal failure on the page, so a panic is never a silently
/// frozen screen, and logs it to the console.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_class_name("panic-banner");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some(&format!(
        "leadlens hit an internal error and stopped: {info}. Reload the page to continue; \
         nothing has left this browser."
    )));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}

/// Installs the panic hook and mounts the app on `<body>`.
pub fn start() {
    yew::set_custom_panic_hook(Box::new(show_panic));
    yew::Renderer::<App>::new().render();
}
