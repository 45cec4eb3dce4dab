//! Loading a file in the browser. The file is read and typed in a worker
//! ([`crate::worker`]), off the page's thread: the page hands it the file,
//! follows its progress as workbench actions and takes the typed columns
//! back one at a time, giving the page a turn in between. Cancel stops the
//! worker at once; the previous data stays in use until the new data is
//! confirmed.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};

use super::saved_data;
use super::state::{Action, DataSource, LoadedData, PendingLoad, WorkbenchHandle};
use super::timing::Step;

use crate::core::criteria::Scenario;
use crate::core::dataset::Dataset;
use crate::core::derive::with_derived;
use crate::core::engine::LeadFacts;
use crate::core::ingest::transfer::{read_head, Buffer, BufferKind, Unpacker};
use crate::core::ingest::{LoadError, Loaded, MAX_FILE_BYTES};
use crate::core::later::{append_later, later_options};
use crate::core::mapping::ColumnMapping;
use crate::core::split::CheckSplit;
use crate::core::starting::{fits, StartingPoint};
use crate::core::summary::{summarise_column, ColumnSummary};
use crate::worker;

/// Bytes read per step of an export: large enough to work efficiently,
/// small enough that a step takes well under a tenth of a second.
pub(crate) const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// How long work may run before the page gets control back, in ms.
const STEP_BUDGET_MS: f64 = 40.0;

/// Whether a load was cancelled, and what to stop when it is.
#[derive(Default)]
pub(crate) struct Cancel {
    cancelled: Cell<bool>,
    on_cancel: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl Cancel {
    pub(crate) fn get(&self) -> bool {
        self.cancelled.get()
    }

    fn cancel(&self) {
        self.cancelled.set(true);
        let stops = std::mem::take(&mut *self.on_cancel.borrow_mut());
        for stop in stops {
            stop();
        }
    }

    /// Runs `stop` when the load is cancelled (at once if it already is).
    fn on_cancel(&self, stop: impl FnOnce() + 'static) {
        if self.get() {
            stop();
        } else {
            self.on_cancel.borrow_mut().push(Box::new(stop));
        }
    }
}

thread_local! {
    /// The cancel flag of the load in progress; starting a load cancels
    /// the one before.
    static CURRENT: RefCell<Option<Rc<Cancel>>> = const { RefCell::new(None) };
}

/// Stops the load in progress, if any.
pub fn cancel_current() {
    let current = CURRENT.with(|current| current.borrow_mut().take());
    if let Some(flag) = current {
        flag.cancel();
    }
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

/// What a load worker has said.
enum Posted {
    Message(JsValue),
    /// The worker failed outside the loader (its script did not load, or
    /// it stopped on an error).
    Broke(String),
    Cancelled,
}

#[derive(Default)]
struct Inbox {
    posted: VecDeque<Posted>,
    waker: Option<Waker>,
}

impl Inbox {
    fn deliver(inbox: &RefCell<Inbox>, posted: Posted) {
        let waker = {
            let mut inbox = inbox.borrow_mut();
            inbox.posted.push_back(posted);
            inbox.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The next thing the worker says.
struct Next<'a>(&'a RefCell<Inbox>);

impl Future for Next<'_> {
    type Output = Posted;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Posted> {
        let mut inbox = self.0.borrow_mut();
        match inbox.posted.pop_front() {
            Some(posted) => Poll::Ready(posted),
            None => {
                inbox.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A load worker and what it has said; dropping it stops the worker.
struct LoadWorker {
    worker: Worker,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl LoadWorker {
    fn start() -> Result<LoadWorker, LoadError> {
        let worker = Worker::new(worker::SCRIPT).map_err(|e| {
            LoadError::ReadFailed(format!(
                "the file reader did not start ({})",
                describe_js_error(&e)
            ))
        })?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let on_message = {
            let inbox = Rc::clone(&inbox);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                Inbox::deliver(&inbox, Posted::Message(event.data()));
            })
        };
        let on_error = {
            let inbox = Rc::clone(&inbox);
            Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
                event.prevent_default();
                let message = event.message();
                let why = if message.is_empty() {
                    "the file reader could not be started".to_owned()
                } else {
                    format!("the file reader stopped: {message}")
                };
                Inbox::deliver(&inbox, Posted::Broke(why));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(LoadWorker {
            worker,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn next(&self) -> Next<'_> {
        Next(&self.inbox)
    }

    /// Stops the worker and wakes whoever waits on it, when `cancel` fires.
    fn stop_on(&self, cancel: &Cancel) {
        let worker = self.worker.clone();
        let inbox = Rc::clone(&self.inbox);
        cancel.on_cancel(move || {
            worker.terminate();
            Inbox::deliver(&inbox, Posted::Cancelled);
        });
    }
}

impl Drop for LoadWorker {
    fn drop(&mut self) {
        self.worker.terminate();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

/// Copies one transferred part into the module's memory.
fn received(array: &JsValue, kind: BufferKind, len: usize) -> Result<Buffer, LoadError> {
    let unexpected =
        || LoadError::ReadFailed("the file was read, but a column arrived damaged".to_owned());
    let buffer = match kind {
        BufferKind::Bytes => {
            let a = array
                .dyn_ref::<js_sys::Uint8Array>()
                .ok_or_else(unexpected)?;
            (a.length() as usize == len).then(|| Buffer::Bytes(a.to_vec()))
        }
        BufferKind::U32 => {
            let a = array
                .dyn_ref::<js_sys::Uint32Array>()
                .ok_or_else(unexpected)?;
            (a.length() as usize == len).then(|| Buffer::U32(a.to_vec()))
        }
        BufferKind::I64 => {
            let a = array
                .dyn_ref::<js_sys::BigInt64Array>()
                .ok_or_else(unexpected)?;
            (a.length() as usize == len).then(|| Buffer::I64(a.to_vec()))
        }
        BufferKind::F64 => {
            let a = array
                .dyn_ref::<js_sys::Float64Array>()
                .ok_or_else(unexpected)?;
            (a.length() as usize == len).then(|| Buffer::F64(a.to_vec()))
        }
    };
    buffer.ok_or_else(unexpected)
}

/// Takes the worker's packed result in, a column per step.
async fn receive(
    done: &JsValue,
    cancelled: &Cancel,
) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
    let head = worker::get(done, "head").as_string().unwrap_or_default();
    let mut unpacker = Unpacker::new(read_head(&head)?);
    let arrays: js_sys::Array = worker::get(done, "buffers").dyn_into().map_err(|_| {
        LoadError::ReadFailed("the file was read, but its columns did not arrive".to_owned())
    })?;
    let mut next = 0u32;
    let mut pacer = Pacer::new();
    while let Some(parts) = unpacker.next_parts() {
        let mut buffers = Vec::with_capacity(parts.len());
        for &(kind, len) in parts {
            buffers.push(received(&arrays.get(next), kind, len)?);
            // The worker's copy is not needed any more.
            arrays.set(next, JsValue::UNDEFINED);
            next += 1;
        }
        unpacker.push_column(buffers)?;
        pacer.breathe_if_due().await;
        if cancelled.get() {
            return Err(LoadError::Cancelled);
        }
    }
    unpacker.finish()
}

/// Reads and types `source` in a worker, reporting progress to
/// `workbench`.
async fn read_source(
    source: &DataSource,
    cancelled: &Cancel,
    workbench: &WorkbenchHandle,
) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
    let size = source.blob.size() as u64;
    // Refuses a file too large for the browser before starting anything.
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            bytes: size,
            limit: MAX_FILE_BYTES,
        });
    }
    let reading = Step::start("read in the worker");
    let job = LoadWorker::start()?;
    job.stop_on(cancelled);
    let done = loop {
        match job.next().await {
            Posted::Cancelled => return Err(LoadError::Cancelled),
            Posted::Broke(why) => return Err(LoadError::ReadFailed(why)),
            Posted::Message(message) => {
                match worker::get(&message, "kind").as_string().as_deref() {
                    Some("ready") => {
                        let load = worker::message("load");
                        worker::set(&load, "file", &source.blob);
                        worker::set(&load, "name", &JsValue::from_str(&source.name));
                        let options = serde_json::to_string(&source.options)
                            .expect("reading options are plain data");
                        worker::set(&load, "options", &JsValue::from_str(&options));
                        job.worker
                            .post_message(&load)
                            .map_err(|e| LoadError::ReadFailed(describe_js_error(&e)))?;
                    }
                    Some("progress") => workbench.dispatch(Action::LoadProgress {
                        bytes_done: worker::get(&message, "bytes").as_f64().unwrap_or(0.0) as u64,
                        rows: worker::get(&message, "rows").as_f64().unwrap_or(0.0) as usize,
                    }),
                    Some("failed") => {
                        let error = worker::get(&message, "error")
                            .as_string()
                            .unwrap_or_default();
                        return Err(serde_json::from_str(&error).unwrap_or_else(|_| {
                            LoadError::ReadFailed("the file reader failed".to_owned())
                        }));
                    }
                    Some("done") => break message,
                    _ => {}
                }
            }
        }
    };
    // Everything it had to say is said.
    drop(job);
    reading.end();
    let receiving = Step::start("receive the columns");
    let received = receive(&done, cancelled).await;
    receiving.end();
    received
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
fn begin(workbench: &WorkbenchHandle, source: &DataSource) -> Rc<Cancel> {
    cancel_current();
    let cancelled = Rc::new(Cancel::default());
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
fn stopped(cancelled: &Rc<Cancel>, workbench: &WorkbenchHandle) -> bool {
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
fn done(cancelled: &Rc<Cancel>) {
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
