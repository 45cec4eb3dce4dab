//! Whether an element is on screen (or within a margin of it), through an
//! `IntersectionObserver`: charts draw when they come into view, the key
//! figures dock to the top of the screen when they scroll out of it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Watches an element for as long as it is kept; dropping it stops.
pub struct InView {
    observer: web_sys::IntersectionObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl InView {
    /// Calls `seen` with whether `element` is within `margin` (CSS, such
    /// as "300px 0px") of the viewport: once at the start, then on every
    /// change. `None` where the browser offers no observer.
    pub fn watch(
        element: &web_sys::Element,
        margin: &str,
        mut seen: impl FnMut(bool) + 'static,
    ) -> Option<InView> {
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(entry) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            {
                seen(entry.is_intersecting());
            }
        });
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin(margin);
        let observer = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
        observer.observe(element);
        Some(InView {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for InView {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
