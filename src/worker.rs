//! The load worker: reads a file off the page's thread. The page posts it
//! a [`Blob`] (a `File`, handed over, not copied) with the reading
//! options; the worker reads the file a slice at a time, drives the
//! core's [`Loader`], summarises the columns and posts back the packed
//! result, its column buffers transferred rather than copied. Progress is
//! posted ten times a second. Cancelling is the page terminating it.
//!
//! Where cores allow, the page starts several workers and the file is
//! typed in parts. The first worker reads the file's start and posts the
//! plan its first rows fixed; each other worker types one byte range from
//! that plan, starting on the record after a line break ([`part_start`]),
//! and posts its part; the page hands the parts to the first worker, which
//! joins them ([`Loader::finish_with`]), copying each part's columns out
//! of the arrays they came in one at a time. Where that cannot stand for
//! the file (no plan before the first range ends, a range begun inside a
//! quoted field, a type the first rows misled), the first worker says
//! `alone` and reads the whole file itself.
//!
//! The page starts a load's first worker ahead of the file, while it
//! waits for one (`ui::loading`): the worker's `ready` is then already
//! said when the file is chosen.
//!
//! Messages, as plain objects with a `kind`:
//! - to the page: `ready`; `progress` (`bytes`, `rows`: this worker's
//!   share); `plan` (`plan`, JSON); `alone`; `part` (`index`, `head`,
//!   `buffers`); `done` (`head`, the JSON head of [`transfer::Packed`], and
//!   `buffers`, one typed array per part); `failed` (`error`, a
//!   [`LoadError`] as JSON);
//! - from the page: `load` (`file`, `name`, `options` as JSON, `parts`,
//!   `to`: where the second range nominally starts); `part` (`file`,
//!   `plan`, `index`, `from`, `to`: the range's nominal bounds; `last`);
//!   `joined` (a part from another worker, as that worker posted it).
//!
//! The same worker writes the scored-leads CSV (the file read again, see
//! [`crate::core::scored_csv`]): from the page `export` (`file`, `head`
//! and `buffers` of an [`ExportJob`]); to the page `progress` (`bytes`,
//! `rows`), then `exported` (`blob`, the CSV, and `summary` as JSON) or
//! `export-failed` (`reason`, in words).

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::core::ingest::transfer::{self, Buffer};
use crate::core::ingest::{
    part_start, Finish, LaterBuffer, LoadError, LoadOptions, Loaded, Loader, Part, PartLoader, Plan,
};
use crate::core::scored_csv::{ExportError, ExportJob};
use crate::core::summary::summarise;

/// Bytes read per slice.
const SLICE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// The first slices are small, so that the plan is posted early.
const FIRST_SLICE_BYTES: f64 = 512.0 * 1024.0;

/// The script the page starts the worker from (Trunk's loader shim).
pub const SCRIPT: &str = "load_worker_loader.js";

/// Sets a property of a plain message object.
pub fn set(message: &Object, key: &str, value: &JsValue) {
    Reflect::set(message, &JsValue::from_str(key), value)
        .expect("setting a property of a plain object");
}

/// A message with `kind`.
pub fn message(kind: &str) -> Object {
    let message = Object::new();
    set(&message, "kind", &JsValue::from_str(kind));
    message
}

/// Property `key` of `message` (undefined when absent).
pub fn get(message: &JsValue, key: &str) -> JsValue {
    Reflect::get(message, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn number(message: &JsValue, key: &str) -> f64 {
    get(message, key).as_f64().unwrap_or(0.0)
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &Object) {
    // Posting a plain object to the page cannot fail.
    let _ = scope().post_message(message);
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn read_failed(error: JsValue) -> LoadError {
    LoadError::ReadFailed(describe(&error))
}

/// Reads a file's bytes synchronously, as a worker may.
struct Reading {
    file: Blob,
    reader: FileReaderSync,
    chunk: Vec<u8>,
    reported: f64,
}

impl Reading {
    fn new(file: Blob) -> Result<Reading, LoadError> {
        Ok(Reading {
            file,
            reader: FileReaderSync::new().map_err(read_failed)?,
            chunk: Vec::new(),
            reported: 0.0,
        })
    }

    fn size(&self) -> f64 {
        self.file.size()
    }

    /// Bytes `start..end` of the file, in the reused chunk.
    fn read(&mut self, start: f64, end: f64) -> Result<&[u8], LoadError> {
        let slice = self
            .file
            .slice_with_f64_and_f64(start, end)
            .map_err(read_failed)?;
        let buffer = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(read_failed)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        self.chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut self.chunk);
        Ok(&self.chunk)
    }

    /// Where the range nominally starting at `at` really starts.
    fn part_start(&mut self, at: f64) -> Result<f64, LoadError> {
        let size = self.size();
        if at <= 0.0 {
            return Ok(0.0);
        }
        let mut from = at - 1.0;
        while from < size {
            let end = (from + FIRST_SLICE_BYTES).min(size);
            let window = self.read(from, end)?;
            if let Some(start) = part_start(from as u64 + 1, window) {
                return Ok(start as f64);
            }
            from = end;
        }
        Ok(size)
    }

    /// Posts progress at most ten times a second.
    fn progress(&mut self, bytes: u64, rows: usize) {
        let now = js_sys::Date::now();
        if now - self.reported > 100.0 {
            self.reported = now;
            let progress = message("progress");
            set(&progress, "bytes", &JsValue::from_f64(bytes as f64));
            set(&progress, "rows", &JsValue::from_f64(rows as f64));
            post(&progress);
        }
    }
}

/// The first worker, waiting for the other parts.
struct Joining {
    reading: Reading,
    loader: Loader,
    parts: Vec<Option<Part>>,
}

thread_local! {
    static JOINING: RefCell<Option<Joining>> = const { RefCell::new(None) };
}

/// Pushes bytes `from..to` of the file into `loader`; `on_chunk` runs
/// after each slice (and may stop the reading by returning false).
fn push_range(
    reading: &mut Reading,
    loader: &mut Loader,
    from: f64,
    to: f64,
    mut on_chunk: impl FnMut(&Loader) -> bool,
) -> Result<(), LoadError> {
    let mut start = from;
    while start < to && loader.wants_more() {
        let step = if start < SLICE_BYTES {
            FIRST_SLICE_BYTES
        } else {
            SLICE_BYTES
        };
        let end = (start + step).min(to);
        let chunk = reading.read(start, end)?;
        loader.push(chunk)?;
        start = end;
        reading.progress(loader.bytes_read(), loader.rows_read());
        if !on_chunk(loader) {
            break;
        }
    }
    Ok(())
}

/// Reads the whole file with `loader` alone, again while a type misled.
fn load_alone(reading: &mut Reading, loader: &mut Loader) -> Result<Loaded, LoadError> {
    loop {
        push_range(reading, loader, 0.0, reading.size(), |_| true)?;
        if let Finish::Done(loaded) = loader.finish()? {
            return Ok(loaded);
        }
    }
}

/// Where the first worker stands after reading its range.
// One is made per load: the size of the loaded variant costs nothing.
#[allow(clippy::large_enum_variant)]
enum First {
    Loaded(Loaded),
    /// The plan was posted; the other parts are awaited.
    Waiting(Joining),
}

/// The first worker: reads the file's start, posting the plan when the
/// load is split, and then the rest alone or waits for the parts.
fn load_first(data: &JsValue, file: Blob) -> Result<First, LoadError> {
    let name = get(data, "name").as_string().unwrap_or_default();
    let options = get(data, "options")
        .as_string()
        .and_then(|o| serde_json::from_str::<LoadOptions>(&o).ok())
        .unwrap_or_default();
    let parts = number(data, "parts").max(1.0) as usize;
    let mut reading = Reading::new(file)?;
    let size = reading.size();
    let mut loader = Loader::new(&name, size as u64, &options)?;
    if parts > 1 {
        let end = reading.part_start(number(data, "to"))?;
        let mut planned = false;
        push_range(&mut reading, &mut loader, 0.0, end, |loader| {
            if !planned {
                if let Some(plan) = loader.plan() {
                    let message = message("plan");
                    let json = serde_json::to_string(&plan).expect("a plan is plain data");
                    set(&message, "plan", &JsValue::from_str(&json));
                    post(&message);
                    planned = true;
                }
            }
            true
        })?;
        if planned && loader.wants_more() && !loader.mid_record() {
            return Ok(First::Waiting(Joining {
                reading,
                loader,
                parts: (1..parts).map(|_| None).collect(),
            }));
        }
        // Not split after all (no plan yet, a type misled, or the range
        // ended inside a quoted field): read on to the end alone.
        post(&message("alone"));
        push_range(&mut reading, &mut loader, end, size, |_| true)?;
        if let Finish::Done(loaded) = loader.finish()? {
            return Ok(First::Loaded(loaded));
        }
    }
    load_alone(&mut reading, &mut loader).map(First::Loaded)
}

/// A part as its worker posted it, its columns left in the arrays they
/// came in until the join takes them, one at a time.
fn part_from(data: &JsValue) -> Result<(usize, Part), LoadError> {
    let index = number(data, "index") as usize;
    let head = get(data, "head").as_string().unwrap_or_default();
    let arrays: Array = get(data, "buffers").dyn_into().map_err(|_| {
        LoadError::ReadFailed("a part of the file arrived without its columns".to_owned())
    })?;
    let buffers = arrays
        .iter()
        .map(|array| Box::new(move || buffer_from(&array)) as LaterBuffer)
        .collect();
    Ok((index, Part::from_later_buffers(&head, buffers)?))
}

/// Takes a part in; once every part is in, joins them (or reads the
/// whole file alone where they cannot stand for it).
fn join(data: &JsValue) -> Result<Option<Loaded>, LoadError> {
    let (index, part) = part_from(data)?;
    let Some(mut joining) = JOINING.with(|j| j.borrow_mut().take()) else {
        return Ok(None);
    };
    if let Some(slot) = index.checked_sub(1).and_then(|i| joining.parts.get_mut(i)) {
        *slot = Some(part);
    }
    if joining.parts.iter().any(Option::is_none) {
        JOINING.with(|j| *j.borrow_mut() = Some(joining));
        return Ok(None);
    }
    let parts = joining.parts.drain(..).flatten().collect();
    match joining.loader.finish_with(parts)? {
        Finish::Done(loaded) => Ok(Some(loaded)),
        Finish::ReadAgain => {
            post(&message("alone"));
            load_alone(&mut joining.reading, &mut joining.loader).map(Some)
        }
    }
}

/// Types one range of the file from the first worker's plan.
fn load_part(data: &JsValue, file: Blob) -> Result<(), LoadError> {
    let plan: Plan = get(data, "plan")
        .as_string()
        .and_then(|p| serde_json::from_str(&p).ok())
        .ok_or_else(|| LoadError::ReadFailed("a part was sent without its plan".to_owned()))?;
    let mut reading = Reading::new(file)?;
    let size = reading.size();
    let start = reading.part_start(number(data, "from"))?;
    let end = if get(data, "last").is_truthy() {
        size
    } else {
        reading.part_start(number(data, "to"))?
    };
    let mut part = PartLoader::new(&plan);
    part.expect_bytes((end - start) as u64);
    let mut at = start;
    while at < end && part.wants_more() {
        let next = (at + SLICE_BYTES).min(end);
        let chunk = reading.read(at, next)?;
        part.push(chunk);
        at = next;
        reading.progress((at - start) as u64, part.rows_read());
    }
    let (head, buffers) = part.finish().into_buffers();
    let done = message("part");
    set(&done, "index", &get(data, "index"));
    set(&done, "head", &JsValue::from_str(&head));
    post_buffers(done, buffers);
    Ok(())
}

/// Frees the memory behind a typed array that has been copied where it
/// is needed, at once rather than at the next garbage collection: its
/// buffer is detached (`ArrayBuffer.prototype.transfer(0)`). Where the
/// browser cannot, the memory waits for the collector as before.
pub fn release(array: &JsValue) {
    let buffer = get(array, "buffer");
    if let Ok(transfer) = Reflect::get(&buffer, &JsValue::from_str("transfer")) {
        if let Some(transfer) = transfer.dyn_ref::<js_sys::Function>() {
            let _ = transfer.call1(&buffer, &JsValue::from_f64(0.0));
        }
    }
}

/// One part as a JavaScript typed array, copied out of the module's
/// memory (which cannot be transferred) and dropped here at once.
pub fn typed_array(buffer: Buffer) -> JsValue {
    match buffer {
        Buffer::Bytes(v) => js_sys::Uint8Array::from(&v[..]).into(),
        Buffer::U32(v) => js_sys::Uint32Array::from(&v[..]).into(),
        Buffer::I64(v) => js_sys::BigInt64Array::from(&v[..]).into(),
        Buffer::F64(v) => js_sys::Float64Array::from(&v[..]).into(),
    }
}

/// A typed array back as a buffer of its kind, its memory then freed.
fn buffer_from(array: &JsValue) -> Option<Buffer> {
    let buffer = copied(array);
    release(array);
    buffer
}

fn copied(array: &JsValue) -> Option<Buffer> {
    if let Some(a) = array.dyn_ref::<js_sys::Uint8Array>() {
        Some(Buffer::Bytes(a.to_vec()))
    } else if let Some(a) = array.dyn_ref::<js_sys::Uint32Array>() {
        Some(Buffer::U32(a.to_vec()))
    } else if let Some(a) = array.dyn_ref::<js_sys::BigInt64Array>() {
        Some(Buffer::I64(a.to_vec()))
    } else {
        array
            .dyn_ref::<js_sys::Float64Array>()
            .map(|a| Buffer::F64(a.to_vec()))
    }
}

/// Posts `message` with `buffers` as typed arrays, transferred.
fn post_buffers(message: Object, buffers: Vec<Buffer>) {
    let arrays = Array::new();
    let transferred = Array::new();
    for buffer in buffers {
        let array = typed_array(buffer);
        transferred.push(&get(&array, "buffer"));
        arrays.push(&array);
    }
    set(&message, "buffers", &arrays);
    if let Err(error) = scope().post_message_with_transfer(&message, &transferred) {
        fail(&read_failed(error));
    }
}

fn deliver(loaded: Loaded) {
    let summaries = summarise(&loaded.dataset);
    let packed = transfer::pack(loaded, summaries);
    let done = message("done");
    set(&done, "head", &JsValue::from_str(&packed.head));
    post_buffers(done, packed.buffers);
}

fn fail(error: &LoadError) {
    let failed = message("failed");
    let json = serde_json::to_string(error).expect("an error is plain data");
    set(&failed, "error", &JsValue::from_str(&json));
    post(&failed);
}

fn file_of(data: &JsValue) -> Result<Blob, LoadError> {
    get(data, "file")
        .dyn_into::<Blob>()
        .map_err(|_| LoadError::ReadFailed("no file was given to read".to_owned()))
}

/// Writes the scored leads: the file read again under the job, as one
/// `Blob` built from a part per slice, so that no single buffer holds it.
fn export(data: &JsValue) -> Result<(), String> {
    let damaged = || ExportError::Damaged.to_string();
    let file = file_of(data).map_err(|e| e.to_string())?;
    let arrays: Array = get(data, "buffers").dyn_into().map_err(|_| damaged())?;
    let buffers = arrays
        .iter()
        .map(|array| buffer_from(&array).ok_or_else(damaged))
        .collect::<Result<Vec<_>, _>>()?;
    let head = get(data, "head").as_string().ok_or_else(damaged)?;
    let job = ExportJob { head, buffers }
        .unpack()
        .map_err(|e| e.to_string())?;
    let mut export = job.export().map_err(|e| e.to_string())?;
    let mut reading = Reading::new(file).map_err(|e| e.to_string())?;
    let size = reading.size();
    let parts = Array::new();
    let mut out = Vec::new();
    let mut start = 0.0;
    while start < size {
        let end = (start + SLICE_BYTES).min(size);
        let chunk = reading.read(start, end).map_err(|e| e.to_string())?;
        let result = export.push(chunk, &mut out);
        result.map_err(|e| e.to_string())?;
        parts.push(&js_sys::Uint8Array::from(out.as_slice()));
        out.clear();
        start = end;
        reading.progress(end as u64, 0);
    }
    let summary = export.finish(&mut out).map_err(|e| e.to_string())?;
    parts.push(&js_sys::Uint8Array::from(out.as_slice()));
    let bag = BlobPropertyBag::new();
    bag.set_type("text/csv;charset=utf-8");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &bag)
        .map_err(|_| "the browser could not assemble the file".to_owned())?;
    let exported = message("exported");
    set(&exported, "blob", &blob);
    let summary = serde_json::to_string(&summary).expect("a summary is plain data");
    set(&exported, "summary", &JsValue::from_str(&summary));
    post(&exported);
    Ok(())
}

fn answer(data: &JsValue) {
    let kind = get(data, "kind").as_string().unwrap_or_default();
    if kind == "export" {
        if let Err(reason) = export(data) {
            let failed = message("export-failed");
            set(&failed, "reason", &JsValue::from_str(&reason));
            post(&failed);
        }
        return;
    }
    let outcome = match kind.as_str() {
        "load" => file_of(data)
            .and_then(|file| load_first(data, file))
            .map(|first| match first {
                First::Loaded(loaded) => Some(loaded),
                First::Waiting(joining) => {
                    JOINING.with(|j| *j.borrow_mut() = Some(joining));
                    None
                }
            }),
        "joined" => join(data),
        "part" => file_of(data)
            .and_then(|file| load_part(data, file))
            .map(|()| None),
        _ => Ok(None),
    };
    match outcome {
        Ok(Some(loaded)) => deliver(loaded),
        Ok(None) => {}
        Err(error) => fail(&error),
    }
}

/// Runs the worker: answers each message, then says it is ready.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        answer(&event.data());
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&message("ready"));
}
