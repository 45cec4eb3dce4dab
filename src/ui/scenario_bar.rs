//! The scenarios side by side: pick the active one, duplicate it (as the
//! "Sales view", say), rename or delete it; undo and redo every edit (also
//! with Ctrl+Z and Ctrl+Shift+Z); export the criteria as a file and import
//! one. Importing never destroys work silently: the file's scenarios are
//! added beside the current ones, or replace them on request (undoable).
//! The same goes for a share link: the bar always holds the link to the
//! current scenarios, and a link opened in the address bar is read here.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::charts::palette::{css, scenario_colour};

use super::download::download_text;
use super::loading::prepare_starting;
use super::panel_focus::use_dialog_focus;
use super::state::{use_workbench, Action, Workbench, WorkbenchHandle};
use crate::core::criteria_file::{CriteriaFile, DataMark};
use crate::core::sample::sample_scenario;
use crate::core::share::{decode_link, encode_link, is_share_fragment};

/// Where a set of scenarios waiting for "add or replace" came from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Arrived {
    File,
    Link,
}

/// The page's address without its fragment.
fn page_address() -> String {
    let location = gloo::utils::window().location();
    format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// Takes a share link from the address bar, if one is there, and removes
/// it from the address, so a reload does not open it a second time.
fn take_link_fragment() -> Option<String> {
    let window = gloo::utils::window();
    let hash = window.location().hash().ok()?;
    if !is_share_fragment(&hash) {
        return None;
    }
    if let Ok(history) = window.history() {
        let _ =
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&page_address()));
    }
    Some(hash)
}

/// Opens the share link in the address bar: with work of one's own, the
/// link's scenarios wait for "add beside" or "replace"; on a first visit
/// they are used at once. A link that cannot be read changes nothing and
/// says why.
fn open_link(
    workbench: &WorkbenchHandle,
    has_work: bool,
    pending: &UseStateHandle<Option<(CriteriaFile, Arrived)>>,
) {
    let Some(fragment) = take_link_fragment() else {
        return;
    };
    match decode_link(&fragment) {
        Ok(file) if has_work => pending.set(Some((file, Arrived::Link))),
        Ok(file) => {
            workbench.dispatch(Action::AddScenarios {
                scenarios: file.scenarios,
                active: file.active,
                replace: true,
            });
            workbench.dispatch(Action::MergeRecord {
                attendees: file.attendees,
                log: file.log,
            });
            workbench.dispatch(Action::ApplyMapping(file.mapping));
            workbench.dispatch(Action::NoteMadeOn(file.data));
            if let Some(check) = file.check {
                workbench.dispatch(Action::SetCheck(check));
            }
        }
        Err(error) => workbench.dispatch(Action::LoadFailed(format!(
            "This share link could not be opened: {error}"
        ))),
    }
}

/// The data a link or criteria file made now says it was made on: the
/// user's own file in use, or (on the sample) what the definition was
/// received with, so that passing a link on keeps its mark.
fn data_mark(state: &Workbench) -> Option<DataMark> {
    match &state.data.source {
        Some(_) => Some(DataMark::new(
            state.data.data.name(),
            state.data.leads(),
            &state.mapping,
            &state.definitions.scenarios,
        )),
        None => state.made_on.clone(),
    }
}

/// The name offered for a copy: the other team's view first.
fn copy_name(name: &str, taken: &[String]) -> String {
    let lower = name.to_lowercase();
    let base = if lower.contains("marketing") {
        name.replace("Marketing", "Sales")
            .replace("marketing", "sales")
    } else if lower.contains("sales") {
        "Agreed".to_owned()
    } else {
        format!("{name} (copy)")
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base} {n}");
        n += 1;
    }
    candidate
}

/// Whether a key event comes from a text field, where Ctrl+Z belongs to
/// the field.
fn in_text_field(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            tag == "textarea"
                || (tag == "input"
                    && el
                        .get_attribute("type")
                        .is_some_and(|t| matches!(t.as_str(), "text" | "search")))
        })
}

#[component]
pub fn ScenarioBar() -> Html {
    let workbench = use_workbench();
    let pending_import = use_state(|| None::<(CriteriaFile, Arrived)>);
    // Whether there is work a link must not replace unasked: anything but
    // the untouched sample scenario. Kept current for the listener below.
    let has_work = {
        let state = workbench.state();
        state.can_undo() || state.definitions.scenarios != [sample_scenario()]
    };
    let has_work_now = use_mut_ref(|| has_work);
    *has_work_now.borrow_mut() = has_work;
    {
        let workbench = workbench.clone();
        let pending_import = pending_import.clone();
        use_effect_with((), move |_| {
            open_link(&workbench, *has_work_now.borrow(), &pending_import);
            let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                open_link(&workbench, *has_work_now.borrow(), &pending_import);
            });
            move || drop(listener)
        });
    }

    // Ctrl+Z undoes, Ctrl+Shift+Z (or Ctrl+Y) redoes, anywhere on the page.
    {
        let workbench = workbench.clone();
        use_effect_with((), move |_| {
            // Not passive: the shortcut takes the key from the browser.
            let options = EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                options,
                move |event| {
                    let event: &KeyboardEvent = event.unchecked_ref();
                    if !(event.ctrl_key() || event.meta_key()) || in_text_field(event) {
                        return;
                    }
                    match event.key().to_ascii_lowercase().as_str() {
                        "z" if event.shift_key() => workbench.redo(),
                        "z" => workbench.undo(),
                        "y" => workbench.redo(),
                        _ => return,
                    }
                    event.prevent_default();
                },
            );
            move || drop(listener)
        });
    }

    let state = workbench.state();
    let definitions = &state.definitions;
    let active = definitions.active;
    let names: Vec<String> = definitions
        .scenarios
        .iter()
        .map(|s| s.name.clone())
        .collect();

    let on_duplicate = {
        let workbench = workbench.clone();
        let name = copy_name(&names[active], &names);
        Callback::from(move |_: MouseEvent| {
            workbench.dispatch(Action::DuplicateScenario {
                scenario: active,
                name: name.clone(),
            })
        })
    };
    let on_rename = {
        let workbench = workbench.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let name = input.value().trim().to_owned();
            if !name.is_empty() {
                workbench.dispatch(Action::RenameScenario {
                    scenario: active,
                    name,
                });
            }
        })
    };
    let on_delete = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| workbench.dispatch(Action::DeleteScenario(active)))
    };
    // A starting point from the data in use, on request (loading data for
    // which scenarios exist adds none).
    let suggesting = use_state(|| false);
    // A pattern table has counts, not the leads' columns to build one from.
    let can_suggest = state.data.source.is_some()
        && state.mapping.outcome.is_some()
        && state.data.aggregated.is_none();
    let on_suggest = {
        let workbench = workbench.clone();
        let suggesting = suggesting.clone();
        Callback::from(move |_: MouseEvent| {
            let state = workbench.state();
            let data = std::rc::Rc::clone(&state.data.data);
            let mapping = state.mapping.clone();
            let check = state.check;
            let workbench = workbench.clone();
            let suggesting = suggesting.clone();
            suggesting.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(scenario) = prepare_starting(&data, &mapping, &check, data.name()).await
                {
                    workbench.dispatch(Action::AddStarting(scenario));
                }
                suggesting.set(false);
            });
        })
    };
    let on_undo = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| workbench.undo())
    };
    let on_redo = {
        let workbench = workbench.clone();
        Callback::from(move |_: MouseEvent| workbench.redo())
    };
    let on_export = {
        let file = CriteriaFile::new(
            state.mapping.clone(),
            definitions.scenarios.clone(),
            definitions.active,
        )
        .made_on(data_mark(state))
        .with_check(Some(state.check))
        .with_record(
            state.record.attendees.clone(),
            state.record.log.as_ref().clone(),
        );
        Callback::from(move |_: MouseEvent| {
            download_text(
                "leadlens-criteria.json",
                "application/json",
                &file.to_json(),
            );
        })
    };
    let on_import = {
        let workbench = workbench.clone();
        let pending_import = pending_import.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let workbench = workbench.clone();
            let pending_import = pending_import.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => text.as_string().unwrap_or_default(),
                    Err(_) => {
                        workbench.dispatch(Action::LoadFailed(format!(
                            "{name} — the browser could not read it."
                        )));
                        return;
                    }
                };
                match CriteriaFile::parse(&text) {
                    Ok(file) => pending_import.set(Some((file, Arrived::File))),
                    Err(error) => {
                        workbench.dispatch(Action::LoadFailed(format!("{name} — {error}")))
                    }
                }
            });
        })
    };
    // Focus goes to the first answer when asked, to the criteria once
    // scenarios came in, and back to the import input when cancelled.
    let first_answer = use_node_ref();
    let import_input = use_node_ref();
    let imported = use_dialog_focus(
        pending_import.is_some(),
        first_answer.clone(),
        import_input.clone(),
        "criteria-title",
    );
    let import_choice = (*pending_import).clone().map(|(file, arrived)| {
        let count = file.scenarios.len();
        let holder = match arrived {
            Arrived::File => "The file",
            Arrived::Link => "The link you opened",
        };
        let choose = |replace: bool| {
            let workbench = workbench.clone();
            let pending_import = pending_import.clone();
            let file = file.clone();
            let imported = imported.clone();
            Callback::from(move |_: MouseEvent| {
                workbench.dispatch(Action::AddScenarios {
                    scenarios: file.scenarios.clone(),
                    active: file.active,
                    replace,
                });
                workbench.dispatch(Action::MergeRecord {
                    attendees: file.attendees.clone(),
                    log: file.log.clone(),
                });
                workbench.dispatch(Action::ApplyMapping(file.mapping.clone()));
                workbench.dispatch(Action::NoteMadeOn(file.data.clone()));
                if let Some(check) = file.check {
                    workbench.dispatch(Action::SetCheck(check));
                }
                *imported.borrow_mut() = true;
                pending_import.set(None);
            })
        };
        let on_cancel = {
            let pending_import = pending_import.clone();
            Callback::from(move |_: MouseEvent| pending_import.set(None))
        };
        html! {
            <div class="import-choice" role="dialog" aria-label="Import criteria" data-testid="import-choice">
                <span>{ format!("{holder} holds {count} scenario{}.", if count == 1 { "" } else { "s" }) }</span>
                <button type="button" class="button primary" onclick={choose(false)} data-testid="import-add"
                    ref={first_answer.clone()}>
                    { "Add beside mine" }
                </button>
                <button type="button" class="button" onclick={choose(true)} data-testid="import-replace">
                    { "Replace mine (can be undone)" }
                </button>
                <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        }
    });

    html! {
        <nav class="scenario-bar" aria-label="Scenarios">
            <div class="scenario-tabs" role="group" aria-label="Active scenario">
                { for names.iter().enumerate().map(|(i, name)| {
                    let workbench = workbench.clone();
                    let onclick = Callback::from(move |_: MouseEvent| workbench.dispatch(Action::SelectScenario(i)));
                    html! {
                        <button type="button" class={classes!("scenario-tab", (i == active).then_some("is-active"))}
                            style={format!("--scenario: {}", css(scenario_colour(i)))}
                            aria-pressed={(i == active).to_string()} {onclick} data-testid="scenario-tab">
                            { name }
                        </button>
                    }
                }) }
            </div>
            <label class="scenario-name">{ "Name " }
                <input type="text" value={names[active].clone()} onchange={on_rename} data-testid="scenario-name"
                    aria-label="Name of the active scenario" />
            </label>
            <button type="button" class="button" onclick={on_duplicate} data-testid="scenario-duplicate"
                title={format!("Copy as “{copy}”", copy = copy_name(&names[active], &names))}>
                { if names[active].to_lowercase().contains("marketing") || names[active].to_lowercase().contains("sales") {
                    "Duplicate as other team's view"
                } else {
                    "Duplicate"
                } }
            </button>
            <button type="button" class="button" onclick={on_delete} disabled={names.len() <= 1}
                data-testid="scenario-delete">{ "Delete scenario" }</button>
            <button type="button" class="button" onclick={on_suggest} disabled={!can_suggest || *suggesting}
                data-testid="suggest-start"
                title={if state.data.aggregated.is_some() {
                    "A starting point is built from the leads' own columns: it needs row-level data, not a pattern table"
                } else {
                    "Adds a scenario built from this file's columns: the values and ranges that converted best"
                }}>
                { if *suggesting { "Suggesting…" } else { "Suggest a starting point" } }
            </button>
            <span class="toolbar-gap" />
            <button type="button" class="button" onclick={on_undo} disabled={!state.can_undo()}
                data-testid="undo" title="Ctrl+Z">{ "Undo" }</button>
            <button type="button" class="button" onclick={on_redo} disabled={!state.can_redo()}
                data-testid="redo" title="Ctrl+Shift+Z">{ "Redo" }</button>
            <button type="button" class="button" onclick={on_export} data-testid="criteria-export">{ "Export criteria" }</button>
            <label class="button">
                { "Import criteria…" }
                <input type="file" accept=".json,application/json" class="visually-hidden"
                    data-testid="criteria-import-input" onchange={on_import} ref={import_input.clone()} />
            </label>
            <ShareLink />
            { import_choice.unwrap_or_default() }
        </nav>
    }
}

/// The link to the current scenarios and mapping (never lead data), and a
/// button that copies it.
#[component]
fn ShareLink() -> Html {
    let workbench = use_workbench();
    let state = workbench.state();
    let link = use_memo(
        (
            state.mapping.clone(),
            state.definitions.clone(),
            data_mark(state),
            state.check,
            state.record.attendees.clone(),
            Rc::clone(&state.record.log),
        ),
        |(mapping, definitions, mark, check, attendees, log)| {
            let file = CriteriaFile::new(
                mapping.clone(),
                definitions.scenarios.clone(),
                definitions.active,
            )
            .made_on(mark.clone())
            .with_check(Some(*check));
            // The record goes with the link; a log too long for one stays
            // behind (the criteria file carries it), and the page says so.
            let with_record = file.clone().with_record(attendees.clone(), log.to_vec());
            match encode_link(&with_record) {
                Ok(fragment) => Ok((format!("{}#{fragment}", page_address()), false)),
                Err(_) if !log.is_empty() => {
                    encode_link(&file.with_record(attendees.clone(), Vec::new()))
                        .map(|fragment| (format!("{}#{fragment}", page_address()), true))
                }
                Err(e) => Err(e),
            }
            .map_err(|e| e.to_string())
        },
    );
    let copied = use_state(|| None::<bool>);
    let on_copy = {
        let link = link.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let Ok((link, _)) = &*link else { return };
            let clipboard = gloo::utils::window().navigator().clipboard();
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(link));
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(written.await.is_ok()));
            });
        })
    };
    let on_focus = Callback::from(|e: FocusEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    html! {
        <div class="share">
            <button type="button" class="button" onclick={on_copy} data-testid="copy-link"
                disabled={link.is_err()}>{ "Copy link" }</button>
            <input type="text" readonly=true class="share-link" value={link.as_ref().clone().map(|(l, _)| l).unwrap_or_default()}
                onfocus={on_focus} aria-label="Link to these scenarios (no lead data)" data-testid="share-link" />
            <span class="copy-status" role="status" data-testid="copy-status">
                { match (&*link, *copied) {
                    (Err(too_large), _) => too_large.as_str(),
                    (Ok((_, true)), _) => "The decision log is too long for a link and stays out of it: Export criteria to pass it on.",
                    (Ok((_, false)), Some(true)) => "Link copied: it holds the scenarios and column names, no lead data.",
                    (Ok(_), Some(false)) => "The browser did not allow copying: select the link and copy it.",
                    (Ok(_), None) => "",
                } }
            </span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::copy_name;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn copies_are_named_for_the_other_team() {
        assert_eq!(copy_name("Marketing view", &[]), "Sales view");
        assert_eq!(copy_name("Sales view", &[]), "Agreed");
        assert_eq!(copy_name("Q3", &[]), "Q3 (copy)");
        assert_eq!(
            copy_name("Marketing view", &["Sales view".into()]),
            "Sales view 2"
        );
    }
}
