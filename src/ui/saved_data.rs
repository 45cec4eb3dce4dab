//! Keeping the loaded file across reloads, in this browser's IndexedDB.
//!
//! What is kept is the file itself (as a `Blob`, which IndexedDB stores
//! natively) with the settings it was read with and the confirmed column
//! roles, a second file joined to it for its outcomes, a later export in
//! use as the check set, and the row-level sample beside a pattern table;
//! on the next visit the files are read again.
//! Nothing leaves the browser, and "Forget data" deletes the record.

use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use super::state::DataSource;
use crate::core::ingest::LoadOptions;
use crate::core::mapping::ColumnMapping;

const DATABASE: &str = "leadlens";
const STORE: &str = "data";
const KEY: &str = "current";
/// Bumped when the stored settings change shape; older records are dropped.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Settings {
    format: u32,
    name: String,
    options: LoadOptions,
    mapping: ColumnMapping,
    /// The later export's file name, when one is kept (as `later`).
    #[serde(default)]
    later: Option<String>,
    /// The joined file's name and reading settings, when one is kept (as
    /// `join`).
    #[serde(default)]
    join: Option<(String, LoadOptions)>,
    /// For a pattern table, the row-level sample's name and reading
    /// settings (as `sample`).
    #[serde(default)]
    sample: Option<(String, LoadOptions)>,
}

/// What is kept: the leads' file with its roles, and the files that go
/// with it.
pub struct Saved {
    pub source: DataSource,
    pub mapping: ColumnMapping,
    /// The second file joined to the leads for their outcomes.
    pub join: Option<DataSource>,
    /// The later export in use as the check set.
    pub later: Option<DataSource>,
    /// The row-level sample kept with a pattern table.
    pub sample: Option<DataSource>,
}

fn js_error(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            value
                .dyn_ref::<web_sys::DomException>()
                .map(|e| e.message())
        })
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "IndexedDB failed".to_owned())
}

/// Resolves when `request` succeeds, with its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_success = Closure::once_into_js(move |event: web_sys::Event| {
            let result = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            let error = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.error().ok().flatten())
                .map(JsValue::from)
                .unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(js_error)
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(js_error)?
        .ok_or("this browser offers no IndexedDB")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1).map_err(js_error)?;
    let on_upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let database = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(database) = database {
            let _ = database.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    finished(&request)
        .await?
        .dyn_into::<IdbDatabase>()
        .map_err(js_error)
}

fn store(
    database: &IdbDatabase,
    mode: IdbTransactionMode,
) -> Result<web_sys::IdbObjectStore, String> {
    database
        .transaction_with_str_and_mode(STORE, mode)
        .and_then(|t| t.object_store(STORE))
        .map_err(js_error)
}

/// Keeps `source`, the file joined to it, the `later` export in use with
/// it and their roles for the next visit.
pub async fn save(
    source: &DataSource,
    join: Option<&DataSource>,
    later: Option<&DataSource>,
    sample: Option<&DataSource>,
    mapping: &ColumnMapping,
) -> Result<(), String> {
    let settings = Settings {
        format: FORMAT,
        name: source.name.clone(),
        options: source.options.clone(),
        mapping: mapping.clone(),
        later: later.map(|l| l.name.clone()),
        join: join.map(|j| (j.name.clone(), j.options.clone())),
        sample: sample.map(|s| (s.name.clone(), s.options.clone())),
    };
    let json = serde_json::to_string(&settings).map_err(|e| e.to_string())?;
    let record = js_sys::Object::new();
    js_sys::Reflect::set(&record, &"blob".into(), &source.blob).map_err(js_error)?;
    if let Some(later) = later {
        js_sys::Reflect::set(&record, &"later".into(), &later.blob).map_err(js_error)?;
    }
    if let Some(join) = join {
        js_sys::Reflect::set(&record, &"join".into(), &join.blob).map_err(js_error)?;
    }
    if let Some(sample) = sample {
        js_sys::Reflect::set(&record, &"sample".into(), &sample.blob).map_err(js_error)?;
    }
    js_sys::Reflect::set(&record, &"settings".into(), &json.into()).map_err(js_error)?;
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readwrite)?
        .put_with_key(&record, &KEY.into())
        .map_err(js_error)?;
    finished(&request).await.map(|_| ())
}

/// The kept file and roles, if any (and if readable by this version),
/// with the joined file and the later export kept with them (the later
/// export read with settings of its own).
pub async fn restore() -> Result<Option<Saved>, String> {
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readonly)?
        .get(&KEY.into())
        .map_err(js_error)?;
    let record = finished(&request).await?;
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    let blob_at = |key: &str| {
        js_sys::Reflect::get(&record, &key.into())
            .ok()
            .and_then(|b| b.dyn_into::<web_sys::Blob>().ok())
    };
    let settings = js_sys::Reflect::get(&record, &"settings".into())
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str::<Settings>(&s).ok())
        .filter(|s| s.format == FORMAT);
    match (blob_at("blob"), settings) {
        (Some(blob), Some(settings)) => {
            let later = settings
                .later
                .zip(blob_at("later"))
                .map(|(name, blob)| DataSource {
                    name,
                    blob,
                    options: LoadOptions::default(),
                });
            let source_at = |kept: Option<(String, LoadOptions)>, key: &str| {
                kept.zip(blob_at(key))
                    .map(|((name, options), blob)| DataSource {
                        name,
                        blob,
                        options,
                    })
            };
            let sample = source_at(settings.sample, "sample");
            let join = settings
                .join
                .zip(blob_at("join"))
                .map(|((name, options), blob)| DataSource {
                    name,
                    blob,
                    options,
                });
            Ok(Some(Saved {
                source: DataSource {
                    name: settings.name,
                    blob,
                    options: settings.options,
                },
                mapping: settings.mapping,
                join,
                later,
                sample,
            }))
        }
        _ => {
            forget().await?;
            Ok(None)
        }
    }
}

/// Deletes the kept file.
pub async fn forget() -> Result<(), String> {
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readwrite)?
        .delete(&KEY.into())
        .map_err(js_error)?;
    finished(&request).await.map(|_| ())
}
