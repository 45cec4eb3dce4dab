//! Two small behaviours shared by the page's panels and dialogs: whether a
//! `<details>` panel is open (its contents are worked out only then), and
//! where the focus goes when a dialog is asked and answered.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

/// Whether a `<details>` panel is open, and the `ontoggle` that keeps it
/// so.
#[hook]
pub fn use_details_open() -> (bool, Callback<Event>) {
    let open = use_state(|| false);
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(details.open());
        })
    };
    (*open, on_toggle)
}

/// Moves the focus with a dialog: to `answer` when it is asked (`asking`
/// turns true); when it closes, to the element with id `after_taken` if
/// the returned flag was set (the dialog's action was taken), otherwise
/// back to `back`.
#[hook]
pub fn use_dialog_focus(
    asking: bool,
    answer: NodeRef,
    back: NodeRef,
    after_taken: &'static str,
) -> Rc<RefCell<bool>> {
    let taken = use_mut_ref(|| false);
    let asked = use_mut_ref(|| false);
    {
        let taken = taken.clone();
        use_effect_with(asking, move |&asking| {
            let focus = |element: Option<web_sys::HtmlElement>| {
                if let Some(element) = element {
                    let _ = element.focus();
                }
            };
            if asking {
                *asked.borrow_mut() = true;
                focus(answer.cast());
            } else if std::mem::take(&mut *asked.borrow_mut()) {
                if std::mem::take(&mut *taken.borrow_mut()) {
                    focus(
                        gloo::utils::document()
                            .get_element_by_id(after_taken)
                            .and_then(|e| wasm_bindgen::JsCast::dyn_into(e).ok()),
                    );
                } else {
                    focus(back.cast());
                }
            }
        });
    }
    taken
}
