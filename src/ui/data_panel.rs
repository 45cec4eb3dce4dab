//! Bringing data in: a file picker, drag-and-drop anywhere on the page, or
//! pasted CSV text; progress with a Cancel button while a file loads; load
//! errors; and "Forget data" to return to the built-in sample.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DragEvent, File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::loading::{cancel_current, start_load, Then};
use super::panel_focus::use_dialog_focus;
use super::state::{use_workbench, Action, DataSource, LoadStatus, Workbench, WorkbenchHandle};
use super::workspace_store;
use crate::core::format;
use crate::core::ingest::LoadOptions;

fn load_file(workbench: &WorkbenchHandle, file: File) {
    let source = DataSource {
        name: file.name(),
        blob: file.into(),
        options: LoadOptions::default(),
    };
    let preferred = workbench.state().preferred_mapping.clone();
    start_load(
        workbench.clone(),
        source,
        preferred,
        Then::Review { join: None },
    );
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The load in progress: what is being read, how far, and a way to stop.
#[component]
fn LoadProgress() -> Html {
    let workbench = use_workbench();
    let (label, value, max) = match &workbench.state().load {
        LoadStatus::Reading {
            name,
            bytes_done,
            bytes_total,
            rows,
        } => (
            format!(
                "Reading {name}: {} of {}, {} rows",
                megabytes(*bytes_done),
                megabytes(*bytes_total),
                format::count(*rows)
            ),
            *bytes_done as f64,
            (*bytes_total).max(1) as f64,
        ),
        LoadStatus::Typing {
            name,
            columns_done,
            columns_total,
        } => (
            format!("Checking the columns of {name}: {columns_done} of {columns_total}"),
            *columns_done as f64,
            (*columns_total).max(1) as f64,
        ),
        _ => return Html::default(),
    };
    let on_cancel = Callback::from(|_| cancel_current());
    html! {
        <div class="load-progress" data-testid="load-progress" role="status">
            <progress max={max.to_string()} value={value.to_string()} aria-label="Loading progress" />
            <span>{ label }</span>
            <button type="button" onclick={on_cancel}>{ "Cancel" }</button>
        </div>
    }
}

#[component]
pub fn DataPanel() -> Html {
    let workbench = use_workbench();
    let dragging = use_state(|| false);
    let paste_open = use_state(|| false);
    let paste_ref = use_node_ref();

    // Dropping a file anywhere on the page loads it.
    {
        let workbench = workbench.clone();
        let dragging = dragging.clone();
        use_effect_with((), move |_| {
            let window = gloo::utils::window();
            let active = EventListenerOptions::enable_prevent_default();
            let over = {
                let dragging = dragging.clone();
                EventListener::new_with_options(&window, "dragover", active, move |event| {
                    event.prevent_default();
                    dragging.set(true);
                })
            };
            let leave = {
                let dragging = dragging.clone();
                EventListener::new(&window, "dragleave", move |event| {
                    let event: &DragEvent = event.unchecked_ref();
                    // Leaving the window, not moving between elements.
                    if event.related_target().is_none() {
                        dragging.set(false);
                    }
                })
            };
            let on_drop = EventListener::new_with_options(&window, "drop", active, move |event| {
                event.prevent_default();
                dragging.set(false);
                let event: &DragEvent = event.unchecked_ref();
                let file = event
                    .data_transfer()
                    .and_then(|t| t.files())
                    .and_then(|f| f.get(0));
                if let Some(file) = file {
                    load_file(&workbench, file);
                }
            });
            // Dropping the listeners removes them.
            move || {
                let _ = (over, leave, on_drop);
            }
        });
    }

    let on_file = {
        let workbench = workbench.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                load_file(&workbench, file);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
        })
    };
    let on_toggle_paste = {
        let paste_open = paste_open.clone();
        Callback::from(move |_| paste_open.set(!*paste_open))
    };
    let on_load_paste = {
        let workbench = workbench.clone();
        let paste_ref = paste_ref.clone();
        let paste_open = paste_open.clone();
        Callback::from(move |_| {
            let Some(area) = paste_ref.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let parts = js_sys::Array::of1(&area.value().into());
            let bag = BlobPropertyBag::new();
            bag.set_type("text/csv");
            let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &bag) else {
                return;
            };
            let source = DataSource {
                name: "Pasted text".into(),
                blob,
                options: LoadOptions::default(),
            };
            let preferred = workbench.state().preferred_mapping.clone();
            start_load(
                workbench.clone(),
                source,
                preferred,
                Then::Review { join: None },
            );
            paste_open.set(false);
        })
    };
    let on_forget = {
        let workbench = workbench.clone();
        Callback::from(move |_| workbench.forget_data())
    };
    // Resetting asks first: it removes every scenario and the kept data.
    let confirming_reset = use_state(|| false);
    let on_reset_ask = {
        let confirming_reset = confirming_reset.clone();
        Callback::from(move |_: MouseEvent| confirming_reset.set(true))
    };
    let on_reset_keep = {
        let confirming_reset = confirming_reset.clone();
        Callback::from(move |_: MouseEvent| confirming_reset.set(false))
    };
    // Focus goes to the safe answer when asked, back to the button when
    // kept, and to the fresh figures' headline after a reset.
    let reset_button = use_node_ref();
    let keep_button = use_node_ref();
    let was_reset = use_dialog_focus(
        *confirming_reset,
        keep_button.clone(),
        reset_button.clone(),
        "headline",
    );
    let on_reset = {
        let workbench = workbench.clone();
        let confirming_reset = confirming_reset.clone();
        let was_reset = was_reset.clone();
        Callback::from(move |_: MouseEvent| {
            cancel_current();
            workspace_store::clear();
            workbench.dispatch(Action::ResetWorkspace);
            *was_reset.borrow_mut() = true;
            confirming_reset.set(false);
        })
    };
    let on_dismiss = {
        let workbench = workbench.clone();
        Callback::from(move |_| workbench.dismiss_error())
    };

    let on_dismiss_notice = {
        let workbench = workbench.clone();
        Callback::from(move |_| workbench.dismiss_notice())
    };

    let state = workbench.state();
    let has_file = state.data.source.is_some();
    html! {
        <section class="data-panel" aria-label="Lead data">
            <div class="data-actions">
                <label class="button primary">
                    { "Load a CSV file…" }
                    <input type="file" class="visually-hidden" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
                        data-testid="upload-input" onchange={on_file} />
                </label>
                <button type="button" class="button" onclick={on_toggle_paste}
                    aria-expanded={paste_open.to_string()}>{ "Paste CSV text" }</button>
                if has_file {
                    <button type="button" class="button" data-testid="forget-data" onclick={on_forget}>
                        { "Forget data" }
                    </button>
                }
                <span class="drop-hint">{ "or drop a file anywhere on the page" }</span>
                <button type="button" class="button quiet" data-testid="reset-workspace" onclick={on_reset_ask} ref={reset_button}
                    aria-expanded={confirming_reset.to_string()}>{ "Reset workspace…" }</button>
            </div>
            if *confirming_reset {
                <div class="confirm-box" role="alertdialog" aria-label="Reset the workspace?" data-testid="reset-confirm">
                    <span>{ "Reset the workspace? Every scenario and the loaded data are removed from this browser, and the sample comes back. This cannot be undone." }</span>
                    <button type="button" class="button danger" data-testid="reset-confirm-yes" onclick={on_reset}>{ "Reset" }</button>
                    <button type="button" class="button" data-testid="reset-confirm-no" onclick={on_reset_keep} ref={keep_button}>{ "Keep my work" }</button>
                </div>
            }
            if *paste_open {
                <div class="paste-box">
                    <label for="paste-area">{ "CSV text, with a header row" }</label>
                    <textarea id="paste-area" ref={paste_ref} rows="6" data-testid="paste-input" />
                    <button type="button" class="button primary" data-testid="paste-load" onclick={on_load_paste}>
                        { "Load pasted text" }
                    </button>
                </div>
            }
            <LoadProgress />
            if let Some(message) = &state.error {
                <div class="load-error" role="alert" data-testid="load-error">
                    <span>{ message }</span>
                    <button type="button" class="button small" onclick={on_dismiss} aria-label="Dismiss message">{ "×" }</button>
                </div>
            }
            if let Some(note) = made_on_note(state) {
                <p class="made-on" role="note" data-testid="made-on">{ note }</p>
            }
            if let Some(message) = &state.notice {
                <div class="notice" role="status" data-testid="notice">
                    <span>{ message }</span>
                    <button type="button" class="button small" onclick={on_dismiss_notice} aria-label="Dismiss notice">{ "×" }</button>
                </div>
            }
            if *dragging {
                <div class="drop-overlay" aria-hidden="true">{ "Drop the CSV file to load it" }</div>
            }
        </section>
    }
}

/// Which data the scenarios were made on, when a link or criteria file
/// said so and other data (or the sample) is in use.
fn made_on_note(state: &Workbench) -> Option<String> {
    let mark = state.made_on.as_ref()?;
    let made_on = format!(
        "{} ({} leads)",
        mark.name,
        format::count(mark.rows as usize)
    );
    let data = &state.data.data;
    match &state.data.source {
        None => Some(format!(
            "Made on {made_on}: load that export to see the figures. The sample is shown until then."
        )),
        Some(_) if data.name() == mark.name && state.data.leads() as u64 == mark.rows => None,
        Some(_) => Some(format!(
            "These scenarios were made on {made_on}; the figures here are on {} ({} leads).",
            data.name(),
            format::count(state.data.leads())
        )),
    }
}
