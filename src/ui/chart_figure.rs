//! One chart on the page: drawn on a canvas at its displayed size (again
//! when the window resizes), titled with its finding, the same numbers in
//! a table for screen readers, and downloads as SVG and PNG.
//!
//! A chart is drawn while it is on screen or about to be: an edit redraws
//! the charts in view at once and the others when they scroll into view
//! (or before the page prints), so that an edit costs the charts one sees.
//! A canvas laid out at a new size is drawn again at that size.

use std::rc::Rc;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::download::{download_blob, download_text};
use super::in_view::InView;
use super::presenter::Presenter;
use super::timing::Step;
use crate::charts::spec::{ChartSpec, EXPORT_SIZE};

#[derive(Properties, PartialEq)]
pub struct ChartFigureProps {
    pub spec: Rc<ChartSpec>,
    /// `data-testid` of the figure; the table is `<testid>-table`.
    pub testid: AttrValue,
    /// The finding the chart shows, in words (also the chart's title).
    pub title: AttrValue,
    /// How to read the chart.
    pub caption: AttrValue,
    /// File name for downloads, without extension.
    pub file_name: AttrValue,
    /// The chart's numbers as table rows (`<thead>` and `<tbody>`).
    pub table: Html,
    /// Controls laid over or under the canvas, such as a slider.
    #[prop_or_default]
    pub children: Html,
    /// Its place among the charts the presenter view steps through.
    #[prop_or_default]
    pub presented_as: Option<usize>,
}

/// Draws `spec` onto `canvas` at the canvas's displayed size.
fn draw_on(canvas: &HtmlCanvasElement, spec: &ChartSpec, size: Option<(u32, u32)>) {
    let (width, height) = size.unwrap_or_else(|| {
        (
            canvas.client_width().max(320) as u32,
            canvas.client_height().max(240) as u32,
        )
    });
    canvas.set_width(width);
    canvas.set_height(height);
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        gloo::console::error!("a chart's canvas has no 2D context");
        return;
    };
    let step = Step::start("chart");
    if let Err(err) = spec.draw(&backend.into_drawing_area()) {
        gloo::console::error!(format!("drawing a chart failed: {err:?}"));
    }
    step.end();
}

/// Draws `spec` on a canvas of the export size and offers it as a PNG.
fn export_png(spec: &ChartSpec, name: String) {
    let Some(canvas) = gloo::utils::document()
        .create_element("canvas")
        .ok()
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    draw_on(&canvas, spec, Some(EXPORT_SIZE));
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| match blob {
        Some(blob) => download_blob(&name, &blob),
        None => gloo::console::error!("the browser could not encode the chart as PNG"),
    });
    if canvas
        .to_blob_with_type(done.unchecked_ref(), "image/png")
        .is_err()
    {
        gloo::console::error!("the browser could not encode the chart as PNG");
    }
}

/// How far beyond the viewport a chart counts as about to be seen.
const AHEAD: &str = "300px 0px";

/// What a canvas should show and what it shows.
struct Stage {
    canvas: NodeRef,
    /// The chart it should show.
    wanted: Option<Rc<ChartSpec>>,
    /// What was drawn last, and at which displayed size.
    drawn: Option<(Rc<ChartSpec>, (i32, i32))>,
    /// Whether the canvas is on screen or about to be.
    in_view: bool,
}

impl Stage {
    /// Draws what is wanted at the canvas's displayed size, unless that is
    /// what it shows, when in view (or whatever the view when `always`).
    /// The canvas's `data-drawn` says whether it shows what is wanted.
    fn refresh(&mut self, always: bool) {
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else {
            return;
        };
        let Some(spec) = self.wanted.clone() else {
            return;
        };
        let spec_drawn = |drawn: &Option<(Rc<ChartSpec>, (i32, i32))>| {
            drawn
                .as_ref()
                .is_some_and(|(drawn, _)| Rc::ptr_eq(drawn, &spec))
        };
        if self.in_view || always {
            let size = (canvas.client_width(), canvas.client_height());
            let current = self
                .drawn
                .as_ref()
                .is_some_and(|(drawn, at)| Rc::ptr_eq(drawn, &spec) && *at == size);
            if !current {
                draw_on(&canvas, &spec, None);
                self.drawn = Some((Rc::clone(&spec), size));
            }
        }
        let drawn = if spec_drawn(&self.drawn) {
            "true"
        } else {
            "false"
        };
        let _ = canvas.set_attribute("data-drawn", drawn);
    }
}

#[component]
pub fn ChartFigure(props: &ChartFigureProps) -> Html {
    let canvas_ref = use_node_ref();
    let presenter = use_context::<Presenter>().unwrap_or_default();
    let offstage = presenter.on && props.presented_as != Some(presenter.chart);
    let stage = {
        let canvas = canvas_ref.clone();
        use_mut_ref(move || Stage {
            canvas,
            wanted: None,
            drawn: None,
            in_view: false,
        })
    };
    {
        // A canvas laid out at another size (the window resized, the
        // presenter view) is drawn again at its new size.
        let stage = stage.clone();
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let watcher = canvas_ref.cast::<web_sys::Element>().and_then(|canvas| {
                let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
                    stage.borrow_mut().refresh(false);
                });
                let observer =
                    web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&canvas);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = watcher {
                    observer.disconnect();
                }
            }
        });
    }
    {
        // Watch whether the canvas is in view; draw what is due when it
        // comes into view, and everything before printing.
        let stage = stage.clone();
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let observer = canvas_ref.cast::<web_sys::Element>().and_then(|canvas| {
                let stage = Rc::clone(&stage);
                InView::watch(&canvas, AHEAD, move |in_view| {
                    let mut stage = stage.borrow_mut();
                    stage.in_view = in_view;
                    stage.refresh(false);
                })
            });
            let printing = {
                let stage = Rc::clone(&stage);
                gloo::events::EventListener::new(&gloo::utils::window(), "beforeprint", move |_| {
                    stage.borrow_mut().refresh(true);
                })
            };
            if observer.is_none() {
                // Without an observer every chart counts as in view.
                let mut stage = stage.borrow_mut();
                stage.in_view = true;
                stage.refresh(false);
            }
            move || {
                drop(observer);
                drop(printing);
            }
        });
    }
    {
        let stage = stage.clone();
        use_effect_with(props.spec.clone(), move |spec| {
            let mut stage = stage.borrow_mut();
            stage.wanted = Some(Rc::clone(spec));
            stage.refresh(false);
        });
    }
    let on_svg = {
        let spec = props.spec.clone();
        let name = format!("{}.svg", props.file_name);
        Callback::from(move |_: MouseEvent| {
            download_text(&name, "image/svg+xml", &spec.svg(EXPORT_SIZE));
        })
    };
    let on_png = {
        let spec = props.spec.clone();
        let name = format!("{}.png", props.file_name);
        Callback::from(move |_: MouseEvent| export_png(&spec, name.clone()))
    };
    let testid = &props.testid;
    html! {
        <figure class={classes!("chart", offstage.then_some("is-offstage"))} data-testid={testid.clone()}>
            <div class="chart-stage">
                <canvas ref={canvas_ref} class="chart-canvas" role="img"
                    aria-label={format!("Chart: {}", props.title)} />
                { props.children.clone() }
            </div>
            <figcaption>
                <span>{ props.caption.clone() }</span>
                <span class="chart-exports">
                    <button type="button" class="button small" onclick={on_svg}
                        data-testid={format!("{testid}-svg")}
                        aria-label={format!("Download “{}” as SVG", props.title)}>{ "SVG" }</button>
                    <button type="button" class="button small" onclick={on_png}
                        data-testid={format!("{testid}-png")}
                        aria-label={format!("Download “{}” as PNG", props.title)}>{ "PNG" }</button>
                </span>
            </figcaption>
            // A table lays out at its content's width whatever its own width
            // says: the box that hides it must be a block.
            <div class="visually-hidden">
                <table data-testid={format!("{testid}-table")}>
                    <caption>{ props.title.clone() }</caption>
                    { props.table.clone() }
                </table>
            </div>
        </figure>
    }
}
