//! Keeps the workspace (scenarios, active scenario, settings) in the
//! browser's localStorage, so work survives a reload. A copy that cannot
//! be read is set aside under another key rather than thrown away.

use crate::core::workspace::SavedWorkspace;

const KEY: &str = "leadlens.workspace";
const SET_ASIDE_KEY: &str = "leadlens.workspace.unreadable";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The workspace kept from an earlier visit: `Ok(None)` when there is none,
/// `Err` with the reason when the kept copy could not be read (it is then
/// set aside).
pub fn restore() -> Result<Option<SavedWorkspace>, String> {
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
