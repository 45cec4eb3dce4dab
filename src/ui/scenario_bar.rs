//! The scenarios side by side: pick the active one, duplicate it (as the
//! "Sales view", say), rename or delete it; undo and redo every edit (also
//! with Ctrl+Z and Ctrl+Shift+Z); export the criteria as a file and import
//! one. Importing never destroys work silently: the file's scenarios are
//! added beside the current ones, or replace them on request (undoable).

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::charts::palette::{css, scenario_colour};

use super::download::download_text;
use super::state::{use_workbench, Action};
use crate::core::criteria_file::CriteriaFile;

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
    let pending_import = use_state(|| None::<CriteriaFile>);

    // Ctrl+Z undoes, Ctrl+Shift+Z (or Ctrl+Y) redoes, anywhere on the page.
    {
        let workbench = workbench.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::document(), "keydown", move |event| {
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
            });
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
                    Ok(file) => pending_import.set(Some(file)),
                    Err(error) => {
                        workbench.dispatch(Action::LoadFailed(format!("{name} — {error}")))
                    }
                }
            });
        })
    };
    let import_choice = (*pending_import).clone().map(|file| {
        let count = file.scenarios.len();
        let choose = |replace: bool| {
            let workbench = workbench.clone();
            let pending_import = pending_import.clone();
            let file = file.clone();
            Callback::from(move |_: MouseEvent| {
                workbench.dispatch(Action::AddScenarios {
                    scenarios: file.scenarios.clone(),
                    active: file.active,
                    replace,
                });
                workbench.dispatch(Action::ApplyMapping(file.mapping.clone()));
                pending_import.set(None);
            })
        };
        let on_cancel = {
            let pending_import = pending_import.clone();
            Callback::from(move |_: MouseEvent| pending_import.set(None))
        };
        html! {
            <div class="import-choice" role="dialog" aria-label="Import criteria" data-testid="import-choice">
                <span>{ format!("The file holds {count} scenario{}.", if count == 1 { "" } else { "s" }) }</span>
                <button type="button" class="button primary" onclick={choose(false)} data-testid="import-add">
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
            <button type="button" class="button" onclick={on_duplicate} data-testid="scenario-duplicate">
                { format!("Duplicate as “{}”", copy_name(&names[active], &names)) }
            </button>
            <button type="button" class="button" onclick={on_delete} disabled={names.len() <= 1}
                data-testid="scenario-delete">{ "Delete scenario" }</button>
            <span class="toolbar-gap" />
            <button type="button" class="button" onclick={on_undo} disabled={!state.can_undo()}
                data-testid="undo" title="Ctrl+Z">{ "Undo" }</button>
            <button type="button" class="button" onclick={on_redo} disabled={!state.can_redo()}
                data-testid="redo" title="Ctrl+Shift+Z">{ "Redo" }</button>
            <button type="button" class="button" onclick={on_export} data-testid="criteria-export">{ "Export criteria" }</button>
            <label class="button">
                { "Import criteria…" }
                <input type="file" accept=".json,application/json" class="visually-hidden"
                    data-testid="criteria-import-input" onchange={on_import} />
            </label>
            { import_choice.unwrap_or_default() }
        </nav>
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
