//! Loading a file in the browser: read a few megabytes at a time from the
//! `Blob`, feed the core's streaming reader, type the columns one by one,
//! and report progress as workbench actions. Between chunks and columns the
//! page gets control back, so it stays responsive and a Cancel click is
//! seen; the previous data stays in use until the new data is confirmed.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::saved_data;
use super::state::{Action, DataSource, LoadedData, PendingLoad, WorkbenchHandle};
use super::timing::Step;

use crate::core::criteria::Scenario;
use crate::core::dataset::Dataset;
use crate::core::derive::with_derived;
use crate::core::engine::LeadFacts;
use crate::core::ingest::{Finish, LoadError, Loaded, Loader};
use crate::core::later::{append_later, later_options};
use crate::core::mapping::ColumnMapping;
use crate::core::split::CheckSplit;
use crate::core::starting::{fits, StartingPoint};
use crate::core::summary::{summarise_column, ColumnSummary};

/// Bytes read per step: large enough to parse efficiently, small enough
/// that a step takes well under a tenth of a second.
pub(crate) const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// Slices being read by the browser while one is parsed.
const READ_AHEAD: usize = 2;

/// How long work may run before the page gets control back, in ms.
const STEP_BUDGET_MS: f64 = 40.0;

thread_local! {
    /// The cancel flag of the load in progress; starting a load cancels
    /// the one before.
    static CURRENT: RefCell<Option<Rc<Cell<bool>>>> = const { RefCell::new(None) };
}

/// Stops the load in progress, if any.
pub fn cancel_current() {
    CURRENT.with(|current| {
        if let Some(flag) = current.borrow_mut().take() {
            flag.set(true);
        }
    });
}

/// Starts reading bytes `start..end` of `blob`; the browser reads while
/// the previous chunk is parsed.
pub(crate) fn request_slice(blob: &Blob, start: u64, end: u64) -> Result<JsFuture, LoadError> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| LoadError::ReadFailed(describe_js_error(&e)))?;
    Ok(JsFuture::from(slice.array_buffer()))
}

/// Waits for a requested slice and copies it into `into`, reusing its
/// allocation.
pub(crate) async fn receive_slice(request: JsFuture, into: &mut Vec<u8>) -> Result<(), LoadError> {
    let buffer = request
        .await
        .map_err(|e| LoadError::ReadFailed(describe_js_error(&e)))?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    into.resize(bytes.length() as usize, 0);
    bytes.copy_to(into);
    Ok(())
}

fn describe_js_error(error: &wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// Lets the browser render and handle input before the next step. A
/// message to ourselves queues a task at once, where a zero timeout may be
/// held back by several milliseconds.
async fn breathe() {
    let posted = js_sys::Promise::new(&mut |resolve, _reject| {
        let Ok(channel) = web_sys::MessageChannel::new() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            return;
        };
        channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
        if channel
            .port2()
            .post_message(&wasm_bindgen::JsValue::NULL)
            .is_err()
        {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    if JsFuture::from(posted).await.is_err() {
        TimeoutFuture::new(0).await;
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Gives the page control back once work has run for [`STEP_BUDGET_MS`]:
/// short steps run back to back instead of each waiting for a timer.
pub(crate) struct Pacer {
    since: f64,
}

impl Pacer {
    pub(crate) fn new() -> Self {
        Pacer { since: now_ms() }
    }

    pub(crate) async fn breathe_if_due(&mut self) {
        if now_ms() - self.since >= STEP_BUDGET_MS {
            breathe().await;
            self.since = now_ms();
        }
    }
}

/// Reads and types `source`, reporting progress to `workbench`.
async fn read_source(
    source: &DataSource,
    cancelled: &Cell<bool>,
    workbench: &WorkbenchHandle,
) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
    let size = source.blob.size() as u64;
    // Refuses a file too large for the browser before reading any of it.
    let mut loader = Loader::new(&source.name, size, &source.options)?;
    let loaded = loop {
        let reading = Step::start("read");
        let mut requested = 0u64;
        let mut pending = VecDeque::with_capacity(READ_AHEAD);
        let mut chunk = Vec::new();
        let mut reported = 0.0;
        let mut pacer = Pacer::new();
        // Slices are asked for a few ahead, and the loop ends early when the
        // loader wants the file again.
        while loader.wants_more() {
            while pending.len() < READ_AHEAD && requested < size {
                let end = (requested + CHUNK_BYTES).min(size);
                pending.push_back(request_slice(&source.blob, requested, end)?);
                requested = end;
            }
            let Some(request) = pending.pop_front() else {
                break;
            };
            if cancelled.get() {
                return Err(LoadError::Cancelled);
            }
            receive_slice(request, &mut chunk).await?;
            loader.push(&chunk)?;
            pacer.breathe_if_due().await;
            // Progress redraws the page: ten times a second is plenty.
            let now = js_sys::Date::now();
            let offset = loader.bytes_read();
            if now - reported > 100.0 || offset == size {
                reported = now;
                workbench.dispatch(Action::LoadProgress {
                    bytes_done: offset,
                    rows: loader.rows_read(),
                });
            }
        }
        let finishing = Step::start("finish columns and assemble");
        let finished = loader.finish()?;
        finishing.end();
        reading.end();
        match finished {
            Finish::Done(loaded) => break loaded,
            // A column's first rows misled about its type: read the file
            // again keeping it as text (at most once for each column).
            Finish::ReadAgain => breathe().await,
        }
    };
    let total = loaded.dataset.columns().len();
    breathe().await;
    let mut summaries = Vec::with_capacity(total);
    let mut pacer = Pacer::new();
    for column in loaded.dataset.columns() {
        pacer.breathe_if_due().await;
        if cancelled.get() {
            return Err(LoadError::Cancelled);
        }
        let summarising = Step::start(&format!("summarise {}", column.name));
        summaries.push(summarise_column(column));
        summarising.end();
    }
    Ok((loaded, summaries))
}

/// Builds the starting scenario for `data` a column at a time, letting the
/// page breathe in between; `None` when the outcome cannot be read. Only
/// the tuning set's outcomes are looked at: the check set `check` keeps
/// aside stays unseen, so that it can check the start too.
pub async fn prepare_starting(
    data: &Dataset,
    mapping: &ColumnMapping,
    check: &CheckSplit,
    file: &str,
) -> Option<Scenario> {
    let facts = LeadFacts::new(data, mapping)
        .ok()?
        .with_check(data, mapping, check);
    let outcomes = &facts.outcomes;
    let step = Step::start("starting point");
    let mut start = StartingPoint::leaving_out(mapping, outcomes, facts.check.rows().cloned());
    let mut pacer = Pacer::new();
    for index in 0..data.columns().len() {
        pacer.breathe_if_due().await;
        start.consider(data, index, outcomes);
    }
    pacer.breathe_if_due().await;
    let scenario = start.finish(data, &format!("Starting point (from {file})"));
    step.end();
    Some(scenario)
}

/// The starting scenario for `pending`, unless scenarios already made for
/// this data (from a link, a file or earlier work) fit it: those are kept
/// as they are.
pub async fn starting_unless_one_fits(
    workbench: &WorkbenchHandle,
    pending: &PendingLoad,
) -> Option<Scenario> {
    let fitting = workbench
        .state()
        .definitions
        .scenarios
        .iter()
        .any(|s| fits(s, &pending.dataset));
    if fitting {
        return None;
    }
    let check = workbench.state().check;
    prepare_starting(
        &pending.dataset,
        &pending.mapping,
        &check,
        &pending.source.name,
    )
    .await
}

/// The roles of `mapping` whose columns the new data has. With `suggest`,
/// a role it leaves open (or names a column the data lacks) takes the one
/// suggested from the data's headers; without, it stays open, as the user
/// left it. The outcome is always suggested when `mapping` has none.
fn carried_over(mapping: &ColumnMapping, loaded: &Loaded, suggest: bool) -> ColumnMapping {
    let suggested = &loaded.suggested;
    let fallback = if suggest {
        suggested.clone()
    } else {
        ColumnMapping {
            outcome: suggested.outcome.clone(),
            converted_values: suggested.converted_values.clone(),
            ..ColumnMapping::default()
        }
    };
    mapping.onto(&loaded.dataset, &fallback)
}

/// How a load ends.
#[derive(Debug, Clone)]
pub enum Then {
    /// Show the mapping step.
    Review,
    /// Use the data with the given mapping at once (restoring saved work),
    /// then read the later export kept with it, if any.
    Restore { later: Option<DataSource> },
}

/// Begins a load of `source`: the one in progress is cancelled and the
/// workbench told. Returns the new load's cancel flag.
fn begin(workbench: &WorkbenchHandle, source: &DataSource) -> Rc<Cell<bool>> {
    cancel_current();
    let cancelled = Rc::new(Cell::new(false));
    CURRENT.with(|current| *current.borrow_mut() = Some(Rc::clone(&cancelled)));
    workbench.dispatch(Action::LoadStarted {
        name: source.name.clone(),
        bytes_total: source.blob.size() as u64,
    });
    cancelled
}

/// Whether the load with flag `cancelled` was stopped: a newer load took
/// over (it reports for itself), or the user pressed Cancel, perhaps as
/// the last column was typed, which the workbench is told.
fn stopped(cancelled: &Rc<Cell<bool>>, workbench: &WorkbenchHandle) -> bool {
    if !cancelled.get() {
        return false;
    }
    let superseded = CURRENT.with(|current| {
        current
            .borrow()
            .as_ref()
            .is_some_and(|c| !Rc::ptr_eq(c, cancelled))
    });
    if !superseded {
        workbench.dispatch(Action::CancelLoad);
    }
    true
}

/// Forgets the finished load with flag `cancelled`, unless a newer one
/// took over.
fn done(cancelled: &Rc<Cell<bool>>) {
    CURRENT.with(|current| {
        let mut current = current.borrow_mut();
        if current.as_ref().is_some_and(|c| Rc::ptr_eq(c, cancelled)) {
            *current = None;
        }
    });
}

/// Starts loading `source` in the background; the workbench follows its
/// progress. `mapping` pre-fills the mapping step (or, with
/// [`Then::Restore`], is applied directly).
pub fn start_load(
    workbench: WorkbenchHandle,
    source: DataSource,
    mapping: Option<ColumnMapping>,
    then: Then,
) {
    let cancelled = begin(&workbench, &source);
    wasm_bindgen_futures::spawn_local(async move {
        let result = read_source(&source, &cancelled, &workbench).await;
        if stopped(&cancelled, &workbench) {
            return;
        }
        match result {
            Ok((loaded, summaries)) => {
                let mapping =
                    mapping.map(|m| carried_over(&m, &loaded, matches!(then, Then::Review)));
                let pending = PendingLoad::new(loaded, summaries, source, mapping);
                match then {
                    Then::Review => workbench.dispatch(Action::LoadParsed(pending)),
                    Then::Restore { later } => {
                        let starting = starting_unless_one_fits(&workbench, &pending).await;
                        let data = pending.to_data();
                        let mapping = pending.mapping.clone();
                        workbench.dispatch(Action::Restore { pending, starting });
                        if let Some(later) = later {
                            start_later_load(
                                workbench.clone(),
                                later.name,
                                later.blob,
                                data,
                                mapping,
                            );
                        }
                    }
                }
            }
            Err(LoadError::Cancelled) => workbench.dispatch(Action::CancelLoad),
            Err(error) => {
                let message = match then {
                    Then::Review => format!("{} — {error}", source.name),
                    Then::Restore { .. } => {
                        wasm_bindgen_futures::spawn_local(async {
                            let _ = saved_data::forget().await;
                        });
                        format!(
                            "Your saved data ({}) could not be read again and was removed: {error}",
                            source.name
                        )
                    }
                };
                workbench.dispatch(Action::LoadFailed(message));
            }
        }
        done(&cancelled);
    });
}

/// Reads `file` as a later export of the data in use (`data`, read with
/// `mapping`): typed as the first file was, its leads appended as the
/// check set. The workbench follows its progress; a file that does not fit
/// (other columns, no leads, unreadable) gives a message and changes
/// nothing.
pub fn start_later_load(
    workbench: WorkbenchHandle,
    name: String,
    blob: Blob,
    data: LoadedData,
    mapping: ColumnMapping,
) {
    let then = data.then();
    let first_options = data
        .source
        .as_ref()
        .map(|s| s.options.clone())
        .unwrap_or_default();
    let source = DataSource {
        name,
        blob,
        options: later_options(&first_options, &then, data.report.as_deref()),
    };
    let cancelled = begin(&workbench, &source);
    wasm_bindgen_futures::spawn_local(async move {
        let result = read_source(&source, &cancelled, &workbench).await;
        if stopped(&cancelled, &workbench) {
            return;
        }
        let failed = |why: String| {
            Action::LoadFailed(format!(
                "{} cannot be the later export — {why}",
                source.name
            ))
        };
        let appended = match result {
            Ok((loaded, _)) => {
                let (later, _) = with_derived(&loaded.dataset, &mapping.derived);
                append_later(&then, &later).map_err(|e| failed(e.to_string()))
            }
            Err(LoadError::Cancelled) => Err(Action::CancelLoad),
            Err(error) => Err(failed(error.to_string())),
        };
        match appended {
            Ok((combined, export)) => {
                let mut summaries = Vec::with_capacity(combined.columns().len());
                let mut pacer = Pacer::new();
                for column in combined.columns() {
                    pacer.breathe_if_due().await;
                    summaries.push(summarise_column(column));
                }
                workbench.dispatch(Action::UseLater {
                    data: Rc::new(combined),
                    summaries,
                    export,
                    source: source.clone(),
                });
            }
            Err(action) => workbench.dispatch(action),
        }
        done(&cancelled);
    });
}
