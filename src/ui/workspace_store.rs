//! Keeps the workspace (scenarios, active scenario, settings) in the
//! browser's localStorage, so work survives a reload. A copy that cannot
//! be read is set aside under another key rather than thrown away.

use crate::core::workspace::SavedWorkspace;

const KEY: &str = "leadlens.workspace";
const SET_ASIDE_KEY: &str = "leadlens.workspace.unreadable";
/// Where the workspace in use when the app stopped is kept after a
/// recovery reload.
const BEFORE_FAILURE_KEY: &str = "leadlens.workspace.before-error";
/// The query of the page address that asks for a recovery reload (the
/// internal-error banner links to it).
pub const RECOVER_QUERY: &str = "recover";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether this page was opened to recover from an internal error: then
/// the kept workspace is set aside (under its own key, not deleted), the
/// kept data is not opened automatically, and the query is taken off the
/// address so that a later reload is an ordinary one. Answers the same
/// for the whole life of the page.
pub fn recovering() -> bool {
    thread_local! {
        static RECOVERING: bool = take_recover_query();
    }
    RECOVERING.with(|r| *r)
}

fn take_recover_query() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let location = window.location();
    let asked = location.search().is_ok_and(|q| {
        q.trim_start_matches('?')
            .split('&')
            .any(|p| p == RECOVER_QUERY)
    });
    if !asked {
        return false;
    }
    if let Some(storage) = storage() {
        if let Ok(Some(text)) = storage.get_item(KEY) {
            let _ = storage.set_item(BEFORE_FAILURE_KEY, &text);
            let _ = storage.remove_item(KEY);
        }
    }
    if let (Ok(history), Ok(path), Ok(hash)) =
        (window.history(), location.pathname(), location.hash())
    {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{hash}")),
        );
    }
    true
}

/// The workspace kept from an earlier visit: `Ok(None)` when there is none,
/// `Err` with the reason when the kept copy could not be read (it is then
/// set aside).
pub fn restore() -> Result<Option<SavedWorkspace>, String> {
    if recovering() {
        return Err("leadlens was reloaded after an internal error: the scenarios in use then were \
                    set aside in this browser and your kept data was not opened. The sample is shown; \
                    load your file again to go on."
            .to_owned());
    }
    let Some(storage) = storage() else {
        return Ok(None);
    };
    let Ok(Some(text)) = storage.get_item(KEY) else {
        return Ok(None);
    };
    SavedWorkspace::parse(&text).map(Some).map_err(|error| {
        let _ = storage.set_item(SET_ASIDE_KEY, &text);
        let _ = storage.remove_item(KEY);
        format!("The workspace saved on an earlier visit could not be restored ({error}); it was set aside and the sample is shown.")
    })
}

/// Keeps `workspace` for the next visit.
pub fn save(workspace: &SavedWorkspace) -> Result<(), String> {
    let storage = storage().ok_or("the browser offers no local storage")?;
    storage
        .set_item(KEY, &workspace.to_json())
        .map_err(|_| "the browser's storage is full or disabled".to_owned())
}

/// Forgets the kept workspace.
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
