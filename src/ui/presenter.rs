//! Presenter view, for a projector in a room: large type, the criteria and
//! the key figures, and one chart at a time beside them, stepped through by
//! keyboard. A toggle (and the `P` key) switches it on and off; the normal
//! view is left as it was.

use std::rc::Rc;

use yew::prelude::*;

/// The charts presenter view steps through, in order: the score
/// distribution, conversion by band, the sweep, gains and ROC.
pub const PRESENTED_CHARTS: usize = 5;

/// Whether the presenter view is on, and which chart it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Presenter {
    pub on: bool,
    pub chart: usize,
}

/// What the presenter's keys and buttons do.
pub enum Step {
    Toggle,
    Next,
    Previous,
    Off,
}

impl Reducible for Presenter {
    type Action = Step;

    fn reduce(self: Rc<Self>, step: Step) -> Rc<Self> {
        let next = match step {
            Step::Toggle => Presenter {
                on: !self.on,
                ..*self
            },
            Step::Off => Presenter { on: false, ..*self },
            Step::Next if self.on => Presenter {
                chart: (self.chart + 1) % PRESENTED_CHARTS,
                ..*self
            },
            Step::Previous if self.on => Presenter {
                chart: (self.chart + PRESENTED_CHARTS - 1) % PRESENTED_CHARTS,
                ..*self
            },
            Step::Next | Step::Previous => return self,
        };
        Rc::new(next)
    }
}

/// Whether a key press is typing (in a field), not a command.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.is_content_editable()
        })
}

/// The presenter state, its keys (`P` toggles; with it on, the arrow and
/// page keys step through the charts and Escape ends it) and the class
/// on the page's root element that the stylesheet follows.
#[hook]
pub fn use_presenter() -> UseReducerHandle<Presenter> {
    let presenter = use_reducer(Presenter::default);
    {
        let dispatcher = presenter.dispatcher();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::document(), "keydown", move |e| {
                    use wasm_bindgen::JsCast;
                    let Some(event) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if typing(event) || event.ctrl_key() || event.meta_key() || event.alt_key() {
                        return;
                    }
                    let step = match event.key().as_str() {
                        "p" | "P" => Step::Toggle,
                        "ArrowRight" | "PageDown" => Step::Next,
                        "ArrowLeft" | "PageUp" => Step::Previous,
                        "Escape" => Step::Off,
                        _ => return,
                    };
                    dispatcher.dispatch(step);
                });
            move || drop(listener)
        });
    }
    {
        let on = presenter.on;
        use_effect_with(on, move |&on| {
            if let Some(root) = gloo::utils::document().document_element() {
                let _ = root.class_list().toggle_with_force("is-presenting", on);
            }
        });
    }
    presenter
}
