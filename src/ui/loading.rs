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
use yew::Callback;

use super::saved_data;
use super::state::{
    Action, DataSource, JoinFile, LoadedData, PendingLoad, SampleRows, Shared, WorkbenchHandle,
};
use super::timing::Step;

use crate::core::criteria::Scenario;
use crate::core::dataset::Dataset;
use crate::core::derive::with_derived;
use crate::core::engine::LeadFacts;
use crate::core::ingest::transfer::{read_head, Buffer, BufferKind, Unpacker};
use crate::core::ingest::{nominal_starts, LoadError, Loaded, MAX_FILE_BYTES};
use crate::core::later::{append_later, later_options};
use crate::core::mapping::ColumnMapping;
use crate::core::patterns::is_pattern_table;
use crate::core::scored_csv::{ExportJob, ExportSummary};
use crate::core::split::CheckSplit;
use crate::core::starting::{fits, StartingPoint};
use crate::core::summary::{summarise_column, ColumnSummary};
use crate::worker;

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
pub(crate) async fn breathe() {
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
    /// A message from the worker with this index.
    Message(usize, JsValue),
    /// A worker failed outside the loader (its script did not load, or
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

/// The next thing a worker says.
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

/// A load worker started ahead of the next load, so that fetching and
/// compiling its module (tens of milliseconds) is off that load's path:
/// the next crew's first worker, which every other one waits for.
struct Spare {
    worker: LoadWorker,
    /// What it has said while it waited.
    heard: Rc<RefCell<Inbox>>,
}

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// How long after the page opens, or after a load ends, a spare is
/// started: the new worker's start then competes neither with the page's
/// first render nor with taking the columns in, and is over long before
/// a person has found and chosen the next file.
const SPARE_DELAY_MS: u32 = 1_000;

/// Starts a spare load worker in a moment, unless there is one by then.
pub(crate) fn start_spare_soon() {
    gloo::timers::callback::Timeout::new(SPARE_DELAY_MS, start_spare).forget();
}

fn start_spare() {
    if SPARE.with(|spare| spare.borrow().is_some()) {
        return;
    }
    let heard = Rc::new(RefCell::new(Inbox::default()));
    // Where it cannot start, the load will say why when it starts its own.
    if let Ok(worker) = LoadWorker::start(0, &heard) {
        SPARE.with(|spare| *spare.borrow_mut() = Some(Spare { worker, heard }));
    }
}

/// One load worker; dropping it stops the worker.
struct LoadWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// A worker's message and error handlers, posting to `inbox` as worker
/// `index`.
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

fn handlers(index: usize, inbox: &Rc<RefCell<Inbox>>) -> Handlers {
    let on_message = {
        let inbox = Rc::clone(inbox);
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            Inbox::deliver(&inbox, Posted::Message(index, event.data()));
        })
    };
    let on_error = {
        let inbox = Rc::clone(inbox);
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
    (on_message, on_error)
}

impl LoadWorker {
    fn start(index: usize, inbox: &Rc<RefCell<Inbox>>) -> Result<LoadWorker, LoadError> {
        let worker = Worker::new(worker::SCRIPT).map_err(|e| {
            LoadError::ReadFailed(format!(
                "the file reader did not start ({})",
                describe_js_error(&e)
            ))
        })?;
        let (on_message, on_error) = handlers(index, inbox);
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(LoadWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The spare worker, unless there is none or it failed, as worker
    /// `index` posting to `inbox`; what it said while it waited (that it
    /// is ready) is delivered there first.
    fn adopt(index: usize, inbox: &Rc<RefCell<Inbox>>) -> Option<LoadWorker> {
        let Spare { mut worker, heard } = SPARE.with(|spare| spare.borrow_mut().take())?;
        let heard = std::mem::take(&mut heard.borrow_mut().posted);
        if heard.iter().any(|p| matches!(p, Posted::Broke(_))) {
            return None;
        }
        let (on_message, on_error) = handlers(index, inbox);
        worker
            .worker
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker
            .worker
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker._on_message = on_message;
        worker._on_error = on_error;
        for posted in heard {
            if let Posted::Message(_, data) = posted {
                Inbox::deliver(inbox, Posted::Message(index, data));
            }
        }
        Some(worker)
    }

    fn post(&self, message: &JsValue) -> Result<(), LoadError> {
        self.worker
            .post_message(message)
            .map_err(|e| LoadError::ReadFailed(describe_js_error(&e)))
    }
}

impl Drop for LoadWorker {
    fn drop(&mut self) {
        self.worker.terminate();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

/// The workers reading one file: the first reads its start (and joins
/// the parts), each other one range.
struct Crew {
    workers: Vec<Option<LoadWorker>>,
    inbox: Rc<RefCell<Inbox>>,
}

impl Crew {
    /// Starts `count` workers, the first of them the spare if there is
    /// one.
    fn start(count: usize) -> Result<Crew, LoadError> {
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let workers = (0..count)
            .map(|i| {
                let adopted = if i == 0 {
                    LoadWorker::adopt(i, &inbox)
                } else {
                    None
                };
                adopted
                    .map_or_else(|| LoadWorker::start(i, &inbox), Ok)
                    .map(Some)
            })
            .collect::<Result<_, _>>()?;
        Ok(Crew { workers, inbox })
    }

    fn next(&self) -> Next<'_> {
        Next(&self.inbox)
    }

    fn worker(&self, index: usize) -> Option<&LoadWorker> {
        self.workers.get(index).and_then(Option::as_ref)
    }

    /// Stops every worker but the first.
    fn keep_first_only(&mut self) {
        for worker in self.workers.iter_mut().skip(1) {
            *worker = None;
        }
    }

    /// Stops every worker and wakes whoever waits on them, when `cancel`
    /// fires.
    fn stop_on(&self, cancel: &Cancel) {
        let workers: Vec<Worker> = self
            .workers
            .iter()
            .flatten()
            .map(|w| w.worker.clone())
            .collect();
        let inbox = Rc::clone(&self.inbox);
        cancel.on_cancel(move || {
            for worker in workers {
                worker.terminate();
            }
            Inbox::deliver(&inbox, Posted::Cancelled);
        });
    }
}

impl Drop for Crew {
    /// Its workers stop; a spare is made ready for the next load.
    fn drop(&mut self) {
        start_spare_soon();
    }
}

/// Below this many bytes a range is not worth a worker of its own.
const MIN_PART_BYTES: u64 = 8 * 1024 * 1024;

/// At most this many workers read one file.
const MAX_WORKERS: usize = 8;

/// How many workers read a file of `size` bytes: one per core the
/// browser reports, unless the page's address asks for a number
/// (`?workers=1`, to compare), and never ranges under
/// [`MIN_PART_BYTES`].
fn workers_for(size: u64) -> usize {
    let window = web_sys::window();
    let asked = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| {
            web_sys::UrlSearchParams::new_with_str(&search)
                .ok()?
                .get("workers")?
                .parse::<usize>()
                .ok()
        });
    let cores = window
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(1);
    let by_size = (size / MIN_PART_BYTES).max(1) as usize;
    asked.unwrap_or(cores).min(by_size).clamp(1, MAX_WORKERS)
}

/// Bytes of a transferred array copied into the module's memory in one
/// task: a large column's (say 26 MB of e-mail addresses) would take tens
/// of milliseconds at once, most of it faulting in the memory it fills.
const COPY_SLICE_BYTES: usize = 8 << 20;

/// Copies `array`, a typed array of `len` elements, into a new vector a
/// slice per task; `None` when it is not of that type and length.
macro_rules! copy_in_slices {
    ($array:expr, $typed:ty, $element:ty, $len:expr) => {{
        match $array.dyn_ref::<$typed>() {
            Some(a) if a.length() as usize == $len => {
                let step = (COPY_SLICE_BYTES / std::mem::size_of::<$element>()).max(1);
                let mut out: Vec<$element> = vec![<$element>::default(); $len];
                let mut from = 0;
                while from < $len {
                    if from > 0 {
                        breathe().await;
                    }
                    let to = (from + step).min($len);
                    a.subarray(from as u32, to as u32)
                        .copy_to(&mut out[from..to]);
                    from = to;
                }
                Some(out)
            }
            _ => None,
        }
    }};
}

/// Copies one transferred part into the module's memory, giving the page
/// a turn between slices of a large one.
async fn received(array: &JsValue, kind: BufferKind, len: usize) -> Result<Buffer, LoadError> {
    let buffer = match kind {
        BufferKind::Bytes => copy_in_slices!(array, js_sys::Uint8Array, u8, len).map(Buffer::Bytes),
        BufferKind::U32 => copy_in_slices!(array, js_sys::Uint32Array, u32, len).map(Buffer::U32),
        BufferKind::I64 => copy_in_slices!(array, js_sys::BigInt64Array, i64, len).map(Buffer::I64),
        BufferKind::F64 => copy_in_slices!(array, js_sys::Float64Array, f64, len).map(Buffer::F64),
    };
    buffer.ok_or_else(|| {
        LoadError::ReadFailed("the file was read, but a column arrived damaged".to_owned())
    })
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
    // A large column takes tens of milliseconds to take in: the page gets
    // a turn before the first, after each column, between a column's
    // buffers and slices of a large one, and before the column is
    // assembled (a text column's characters alone can take 30 ms).
    breathe().await;
    let mut next = 0u32;
    while let Some(parts) = unpacker.next_parts() {
        let parts = parts.to_vec();
        let mut buffers = Vec::with_capacity(parts.len());
        for (at, (kind, len)) in parts.iter().enumerate() {
            if at > 0 {
                breathe().await;
            }
            let array = arrays.get(next);
            buffers.push(received(&array, *kind, *len).await?);
            // The worker's copy is not needed any more.
            worker::release(&array);
            arrays.set(next, JsValue::UNDEFINED);
            next += 1;
        }
        // Assembling the column checks its text: a task of its own.
        breathe().await;
        unpacker.push_column(buffers)?;
        breathe().await;
        if cancelled.get() {
            return Err(LoadError::Cancelled);
        }
    }
    let received = unpacker.finish();
    breathe().await;
    received
}

/// Reads and types `source` in workers, reporting the bytes and rows read
/// so far to `report`.
async fn read_source(
    source: &DataSource,
    cancelled: &Cancel,
    report: &dyn Fn(u64, usize),
) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
    let size = source.blob.size() as u64;
    // Refuses a file too large for the browser before starting anything.
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            bytes: size,
            limit: MAX_FILE_BYTES,
        });
    }
    let reading = Step::start("read in the workers");
    let count = workers_for(size);
    let starts = nominal_starts(size, count);
    let mut crew = Crew::start(count)?;
    crew.stop_on(cancelled);
    let mut ready = vec![false; count];
    let mut plan: Option<JsValue> = None;
    let mut progress = vec![(0u64, 0usize); count];
    // Sends range `index` to its worker, once both it and the plan are.
    let send_part = |crew: &Crew, index: usize, plan: &JsValue| -> Result<(), LoadError> {
        let Some(worker) = crew.worker(index) else {
            return Ok(());
        };
        let part = worker::message("part");
        worker::set(&part, "file", &source.blob);
        worker::set(&part, "plan", plan);
        worker::set(&part, "index", &JsValue::from_f64(index as f64));
        worker::set(&part, "from", &JsValue::from_f64(starts[index] as f64));
        let last = index + 1 == count;
        let to = starts.get(index + 1).copied().unwrap_or(size);
        worker::set(&part, "to", &JsValue::from_f64(to as f64));
        worker::set(&part, "last", &JsValue::from_bool(last));
        worker.post(&part)
    };
    let done = loop {
        let (index, message) = match crew.next().await {
            Posted::Cancelled => return Err(LoadError::Cancelled),
            Posted::Broke(why) => return Err(LoadError::ReadFailed(why)),
            Posted::Message(index, message) => (index, message),
        };
        match worker::get(&message, "kind").as_string().as_deref() {
            Some("ready") => {
                ready[index] = true;
                if index == 0 {
                    let load = worker::message("load");
                    worker::set(&load, "file", &source.blob);
                    worker::set(&load, "name", &JsValue::from_str(&source.name));
                    let options = serde_json::to_string(&source.options)
                        .expect("reading options are plain data");
                    worker::set(&load, "options", &JsValue::from_str(&options));
                    worker::set(&load, "parts", &JsValue::from_f64(count as f64));
                    let to = starts.get(1).copied().unwrap_or(size);
                    worker::set(&load, "to", &JsValue::from_f64(to as f64));
                    if let Some(first) = crew.worker(0) {
                        first.post(&load)?;
                    }
                } else if let Some(plan) = &plan {
                    send_part(&crew, index, plan)?;
                }
            }
            Some("plan") => {
                let json = worker::get(&message, "plan");
                for (other, _) in ready.iter().enumerate().skip(1).filter(|(_, r)| **r) {
                    send_part(&crew, other, &json)?;
                }
                plan = Some(json);
            }
            Some("alone") => {
                // The first worker reads the whole file after all.
                crew.keep_first_only();
                for share in progress.iter_mut().skip(1) {
                    *share = (0, 0);
                }
            }
            Some("progress") => {
                progress[index] = (
                    worker::get(&message, "bytes").as_f64().unwrap_or(0.0) as u64,
                    worker::get(&message, "rows").as_f64().unwrap_or(0.0) as usize,
                );
                report(
                    progress.iter().map(|p| p.0).sum::<u64>().min(size),
                    progress.iter().map(|p| p.1).sum(),
                );
            }
            Some("part") => {
                // Handed on to the first worker, its buffers moved again.
                let Some(first) = crew.worker(0) else {
                    continue;
                };
                worker::set(
                    message.unchecked_ref(),
                    "kind",
                    &JsValue::from_str("joined"),
                );
                let arrays: js_sys::Array = worker::get(&message, "buffers").unchecked_into();
                let transferred: js_sys::Array =
                    arrays.iter().map(|a| worker::get(&a, "buffer")).collect();
                first
                    .worker
                    .post_message_with_transfer(&message, &transferred)
                    .map_err(|e| LoadError::ReadFailed(describe_js_error(&e)))?;
                // Its worker is done.
                if let Some(slot) = crew.workers.get_mut(index) {
                    *slot = None;
                }
            }
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
    };
    // Everything the workers had to say is said.
    drop(crew);
    reading.end();
    let receiving = Step::start("receive the columns");
    let received = receive(&done, cancelled).await;
    receiving.end();
    received
}

/// Writes the scored-leads CSV of `file` in a worker (which decodes and
/// parses the file again there, off the page's thread), reporting the
/// bytes read so far to `progress`.
pub(crate) async fn export_scored_in_worker(
    file: &Blob,
    job: ExportJob,
    progress: &dyn Fn(u64, u64),
) -> Result<(Blob, ExportSummary), String> {
    let size = file.size() as u64;
    let crew = Crew::start(1).map_err(|e| e.to_string())?;
    let mut job = Some(job);
    loop {
        let message = match crew.next().await {
            Posted::Cancelled => return Err("the export was stopped".to_owned()),
            Posted::Broke(why) => return Err(why),
            Posted::Message(_, message) => message,
        };
        match worker::get(&message, "kind").as_string().as_deref() {
            Some("ready") => {
                let Some(job) = job.take() else { continue };
                let export = worker::message("export");
                worker::set(&export, "file", file);
                worker::set(&export, "head", &JsValue::from_str(&job.head));
                let arrays = js_sys::Array::new();
                let transferred = js_sys::Array::new();
                for buffer in job.buffers {
                    let array = worker::typed_array(buffer);
                    transferred.push(&worker::get(&array, "buffer"));
                    arrays.push(&array);
                }
                worker::set(&export, "buffers", &arrays);
                if let Some(worker) = crew.worker(0) {
                    worker
                        .worker
                        .post_message_with_transfer(&export, &transferred)
                        .map_err(|e| describe_js_error(&e))?;
                }
            }
            Some("progress") => {
                let bytes = worker::get(&message, "bytes").as_f64().unwrap_or(0.0) as u64;
                progress(bytes.min(size), size);
            }
            Some("exported") => {
                let blob: Blob = worker::get(&message, "blob")
                    .dyn_into()
                    .map_err(|_| "the scored file did not arrive".to_owned())?;
                let summary = worker::get(&message, "summary")
                    .as_string()
                    .unwrap_or_default();
                let summary = serde_json::from_str(&summary)
                    .map_err(|_| "the scored file arrived without its summary".to_owned())?;
                return Ok((blob, summary));
            }
            Some("export-failed") => {
                return Err(worker::get(&message, "reason")
                    .as_string()
                    .unwrap_or_else(|| "the file reader failed".to_owned()));
            }
            _ => {}
        }
    }
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
    /// Show the mapping step, with the second file joined to the leads
    /// before, if any.
    Review { join: Option<Rc<JoinFile>> },
    /// Use the data with the given mapping at once (restoring saved work),
    /// joined to the second file kept with it, then read the later export
    /// kept with it, if any.
    Restore {
        join: Option<DataSource>,
        later: Option<DataSource>,
        /// The row-level sample kept beside a pattern table.
        sample: Option<DataSource>,
    },
}

/// Reports a load's progress to the workbench.
fn reporting(workbench: &WorkbenchHandle) -> impl Fn(u64, usize) + '_ {
    move |bytes_done, rows| workbench.dispatch(Action::LoadProgress { bytes_done, rows })
}

/// Reads `source` as a second file to join to the leads.
async fn read_join_file(
    source: DataSource,
    cancelled: &Cancel,
    progress: &dyn Fn(u64, usize),
) -> Result<JoinFile, LoadError> {
    let (loaded, summaries) = read_source(&source, cancelled, progress).await?;
    Ok(JoinFile {
        source,
        data: Rc::new(loaded.dataset),
        report: Rc::new(loaded.report),
        summaries: Rc::new(summaries),
        suggested: loaded.suggested,
    })
}

/// How reading a second file to join goes, for the join step to show.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinReading {
    Reading { name: String, done: u64, total: u64 },
    Failed(String),
    Done,
}

/// Reads `source` as the second file of the pending leads, telling
/// `status` how it goes; the pending leads stay in the mapping step
/// meanwhile. Cancelling the load (or starting another) stops it.
pub fn start_join_load(
    workbench: WorkbenchHandle,
    source: DataSource,
    status: Callback<JoinReading>,
) {
    cancel_current();
    let cancelled = Rc::new(Cancel::default());
    CURRENT.with(|current| *current.borrow_mut() = Some(Rc::clone(&cancelled)));
    let total = source.blob.size() as u64;
    let name = source.name.clone();
    status.emit(JoinReading::Reading {
        name: name.clone(),
        done: 0,
        total,
    });
    wasm_bindgen_futures::spawn_local(async move {
        let progress = |done, _rows| {
            status.emit(JoinReading::Reading {
                name: name.clone(),
                done,
                total,
            })
        };
        let result = read_join_file(source, &cancelled, &progress).await;
        if !cancelled.get() {
            match result {
                Ok(file) => {
                    workbench.dispatch(Action::JoinFileRead(Shared(Rc::new(file))));
                    status.emit(JoinReading::Done);
                }
                Err(LoadError::Cancelled) => status.emit(JoinReading::Done),
                Err(error) => status.emit(JoinReading::Failed(format!("{name} — {error}"))),
            }
        }
        done(&cancelled);
    });
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
        let result = read_source(&source, &cancelled, &reporting(&workbench)).await;
        if stopped(&cancelled, &workbench) {
            return;
        }
        match result {
            Ok((loaded, summaries)) => {
                // A pattern table keeps the mapping its query was written
                // for: its own columns are counts, not the leads' columns.
                let mapping = if is_pattern_table(&loaded.dataset) {
                    mapping
                } else {
                    mapping.map(|m| carried_over(&m, &loaded, matches!(then, Then::Review { .. })))
                };
                let mut pending = PendingLoad::new(loaded, summaries, source, mapping);
                match then {
                    Then::Review { join } => {
                        if let Some(join) = join {
                            pending.set_join_file(join);
                        }
                        super::mapping_step::prepare_review(&pending).await;
                        if stopped(&cancelled, &workbench) {
                            return;
                        }
                        workbench.dispatch(Action::LoadParsed(pending))
                    }
                    Then::Restore {
                        join,
                        later,
                        sample,
                    } => {
                        if let (Some(sample), true) = (sample, pending.patterns.is_some()) {
                            match read_source(&sample, &cancelled, &reporting(&workbench)).await {
                                Ok((loaded, summaries)) => {
                                    pending.sample = Some(SampleRows {
                                        data: Rc::new(loaded.dataset),
                                        summaries: Rc::new(summaries),
                                        markers: sample.options.typing.missing_markers.clone(),
                                        source: Some(sample),
                                    })
                                }
                                Err(error) => gloo::console::warn!(format!(
                                    "the sample kept with the pattern table could not be read again: {error}"
                                )),
                            }
                            if stopped(&cancelled, &workbench) {
                                return;
                            }
                        }
                        if let Some(join) = join {
                            let name = join.name.clone();
                            match read_join_file(join, &cancelled, &reporting(&workbench)).await {
                                Ok(file) => pending.set_join_file(Rc::new(file)),
                                Err(error) => {
                                    if !stopped(&cancelled, &workbench) {
                                        wasm_bindgen_futures::spawn_local(async {
                                            let _ = saved_data::forget().await;
                                        });
                                        workbench.dispatch(Action::LoadFailed(format!(
                                            "Your saved data's joined file ({name}) could not be read again, so the data was removed: {error}"
                                        )));
                                    }
                                    done(&cancelled);
                                    return;
                                }
                            }
                            if stopped(&cancelled, &workbench) {
                                return;
                            }
                        }
                        let starting = if pending.patterns.is_some() {
                            None
                        } else {
                            starting_unless_one_fits(&workbench, &pending).await
                        };
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
                    Then::Review { .. } => format!("{} — {error}", source.name),
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
        let result = read_source(&source, &cancelled, &reporting(&workbench)).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    async fn a_large_array_is_copied_in_whole_a_slice_at_a_time() {
        // Two slices and a few elements more.
        let len = COPY_SLICE_BYTES / 8 * 2 + 3;
        let values: Vec<f64> = (0..len).map(|i| i as f64 * 0.5).collect();
        let array: JsValue = js_sys::Float64Array::from(values.as_slice()).into();
        match received(&array, BufferKind::F64, len).await {
            Ok(Buffer::F64(copied)) => assert!(copied == values),
            _ => panic!("the numbers did not arrive"),
        }
        let bytes: Vec<u8> = (0..COPY_SLICE_BYTES + 1).map(|i| (i % 251) as u8).collect();
        let array: JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
        match received(&array, BufferKind::Bytes, bytes.len()).await {
            Ok(Buffer::Bytes(copied)) => assert!(copied == bytes),
            _ => panic!("the bytes did not arrive"),
        }
    }

    #[test]
    async fn an_array_of_another_length_or_kind_is_refused() {
        let array: JsValue = js_sys::Uint32Array::from(&[1u32, 2, 3][..]).into();
        assert!(received(&array, BufferKind::U32, 4).await.is_err());
        assert!(received(&array, BufferKind::F64, 3).await.is_err());
        match received(&array, BufferKind::U32, 3).await {
            Ok(Buffer::U32(copied)) => assert_eq!(copied, [1, 2, 3]),
            _ => panic!("the array did not arrive"),
        }
    }
}
