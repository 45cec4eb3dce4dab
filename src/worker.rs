//! The load worker: reads a file off the page's thread. The page posts it
//! a [`Blob`] (a `File`, handed over, not copied) with the reading options; the
//! worker reads the file a slice at a time, drives the core's [`Loader`],
//! summarises the columns and posts back the packed result, its column
//! buffers transferred rather than copied. Progress is posted ten times a
//! second. Cancelling is the page terminating the worker.
//!
//! Messages, as plain objects with a `kind`:
//! - to the page: `ready`; `progress` (`bytes`, `rows`); `done` (`head`,
//!   the JSON head of [`transfer::Packed`], and `buffers`, one typed array
//!   per part); `failed` (`error`, a [`LoadError`] as JSON);
//! - from the page: `load` (`file`, `name`, `options` as JSON).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::core::ingest::transfer::{self, Buffer};
use crate::core::ingest::{Finish, LoadError, LoadOptions, Loaded, Loader};
use crate::core::summary::summarise;

/// Bytes read per slice.
const SLICE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

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

/// Reads and loads `file` as `options` say, posting progress.
fn load(file: &Blob, name: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let size = file.size();
    let mut loader = Loader::new(name, size as u64, options)?;
    let reader = FileReaderSync::new().map_err(|e| LoadError::ReadFailed(describe(&e)))?;
    let mut chunk = Vec::new();
    let mut reported = 0.0;
    loop {
        let mut start = 0.0;
        while start < size && loader.wants_more() {
            let end = (start + SLICE_BYTES).min(size);
            let slice = file
                .slice_with_f64_and_f64(start, end)
                .map_err(|e| LoadError::ReadFailed(describe(&e)))?;
            let buffer = reader
                .read_as_array_buffer(&slice)
                .map_err(|e| LoadError::ReadFailed(describe(&e)))?;
            let bytes = js_sys::Uint8Array::new(&buffer);
            chunk.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut chunk);
            loader.push(&chunk)?;
            start = end;
            let now = js_sys::Date::now();
            if now - reported > 100.0 {
                reported = now;
                let progress = message("progress");
                set(
                    &progress,
                    "bytes",
                    &JsValue::from_f64(loader.bytes_read() as f64),
                );
                set(
                    &progress,
                    "rows",
                    &JsValue::from_f64(loader.rows_read() as f64),
                );
                post(&progress);
            }
        }
        match loader.finish()? {
            Finish::Done(loaded) => return Ok(loaded),
            // A column's first rows misled about its type: read again.
            Finish::ReadAgain => {}
        }
    }
}

/// One part as a JavaScript typed array, copied out of the module's
/// memory (which cannot be transferred) and dropped here at once.
fn typed_array(buffer: Buffer) -> JsValue {
    match buffer {
        Buffer::Bytes(v) => js_sys::Uint8Array::from(&v[..]).into(),
        Buffer::U32(v) => js_sys::Uint32Array::from(&v[..]).into(),
        Buffer::I64(v) => js_sys::BigInt64Array::from(&v[..]).into(),
        Buffer::F64(v) => js_sys::Float64Array::from(&v[..]).into(),
    }
}

fn answer(data: &JsValue) {
    let name = get(data, "name").as_string().unwrap_or_default();
    let options = get(data, "options")
        .as_string()
        .and_then(|o| serde_json::from_str::<LoadOptions>(&o).ok())
        .unwrap_or_default();
    let loaded = match get(data, "file").dyn_into::<Blob>() {
        Ok(file) => load(&file, &name, &options),
        Err(_) => Err(LoadError::ReadFailed(
            "no file was given to read".to_owned(),
        )),
    };
    match loaded {
        Ok(loaded) => {
            let summaries = summarise(&loaded.dataset);
            let packed = transfer::pack(loaded, summaries);
            let parts = Array::new();
            let transferred = Array::new();
            for buffer in packed.buffers {
                let array = typed_array(buffer);
                transferred.push(&get(&array, "buffer"));
                parts.push(&array);
            }
            let done = message("done");
            set(&done, "head", &JsValue::from_str(&packed.head));
            set(&done, "buffers", &parts);
            if let Err(error) = scope().post_message_with_transfer(&done, &transferred) {
                fail(&LoadError::ReadFailed(describe(&error)));
            }
        }
        Err(error) => fail(&error),
    }
}

fn fail(error: &LoadError) {
    let failed = message("failed");
    let json = serde_json::to_string(error).expect("an error is plain data");
    set(&failed, "error", &JsValue::from_str(&json));
    post(&failed);
}

/// Runs the worker: answers each `load` message, then says it is ready.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        if get(&data, "kind").as_string().as_deref() == Some("load") {
            answer(&data);
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&message("ready"));
}
