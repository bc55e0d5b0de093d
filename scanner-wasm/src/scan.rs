//! Archive scanning for the page's Web Worker: `File`/`Blob` (random-access
//! reads through `FileReaderSync`) and `Uint8Array` inputs.
//!
//! The result is the same `Report` the CLI prints with `--format json`, as
//! plain JS objects and arrays (`null` for `None`). Other values cross with
//! `serde-wasm-bindgen`'s JSON-compatible serializer, so nothing comes out
//! as a `Map`.
use std::cell::RefCell;
use std::io;
use std::sync::Once;

use scanner_core::walk::{self, Limits, Progress};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

#[wasm_bindgen(typescript_custom_section)]
const TS_REPORT: &'static str = r#"
/** One CVE that applies to a finding. */
export interface CveRef { id: string; cvss: number; severity: "low" | "medium" | "high" | "critical"; }
/** One Log4j-family component found in the input. */
export interface Finding {
  file: string;
  /** Full nested path, levels joined with `!/`. */
  path: string;
  component: "log4j-core" | "log4j-1.x" | "reload4j" | "logback";
  version: string;
  version_source: "class-fingerprint" | "pom.properties" | "manifest" | "filename" | "none";
  status: "vulnerable" | "mitigated" | "fixed" | "unknown";
  cves: CveRef[];
  relocated: string | null;
  evidence: string[];
}
/** A per-entry error; the scan went on without that entry. */
export interface ScanError { path: string; kind: string; error: string; }
/** The whole result of a scan: the CLI's `--format json` shape. */
export interface Report {
  tool: { name: string; version: string };
  scanned: { files: number; archives: number; entries: number; bytes: number };
  findings: Finding[];
  errors: ScanError[];
}
/** Optional bounds; every field defaults to the engine's default. */
export interface ScanLimits {
  maxDepth?: number; maxEntryBytes?: number; maxScanBytes?: number; maxEntries?: number; maxRatio?: number;
}
/** Options of `scanBlob` / `scanBytes`. */
export interface ScanOptions {
  /** Called every few hundred entries and at the end. */
  onProgress?: (bytesDone: number, entriesDone: number) => void;
  limits?: ScanLimits;
}
"#;

/// Reads are served from aligned blocks of this size. Every
/// `FileReaderSync` call crosses to the browser process (the blob's bytes
/// live there): measured in headless Chromium on the benchmark machine,
/// about 1 ms per call plus about 4 ms per MB, so a 30-byte local header is
/// rounded up to 128 KiB (the neighbouring entries usually come next) but
/// no further.
const BLOCK: u64 = 128 << 10;
/// While misses land right after the last fetch (inflating a big entry,
/// reading a central directory), each fetch doubles, up to this.
const MAX_FETCH: u64 = 2 << 20;
/// Bytes kept in blocks, least recently used dropped first. This bounds the
/// reader's memory whatever the file size.
const CACHE_BYTES: u64 = 16 << 20;
/// Hinted ranges closer than this are fetched as one: reading the gap
/// costs less than a separate slice (each slice of a batch still costs
/// about 0.4 ms in the browser, 100 KB worth of reading).
const MERGE_GAP: u64 = 32 << 10;
/// Bytes fetched for one batch of hints at most; the rest is left to
/// on-demand reads.
const MAX_PREFETCH: u64 = 4 << 20;

struct Block {
    start: u64,
    data: Vec<u8>,
    /// Last use, for least-recently-used eviction.
    used: u64,
}

/// What the reader did, for the benchmark: `lastReadStats()`.
#[derive(Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadStats {
    /// `FileReaderSync` calls, and how many of them were hint batches.
    calls: u64,
    batches: u64,
    /// `Blob.slice` calls: each costs about 0.45 ms in Chromium (a new
    /// blob registered with the browser process), as much as a small read.
    slices: u64,
    /// Bytes the calls returned.
    bytes: u64,
    /// Time spent getting bytes from the browser (slicing, building batch
    /// blobs, reading), ms.
    ms: f64,
}

thread_local! {
    static LAST_STATS: RefCell<ReadStats> = RefCell::new(ReadStats::default());
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;
}

/// Random access over a `Blob` (a `File` is one), for use inside a Web
/// Worker: each miss reads one `blob.slice(a, b)` with `FileReaderSync`, so
/// only a few cached blocks of the file are ever in memory.
///
/// A few blocks rather than one window because the ZIP walker alternates
/// between places: a nested archive's central directory at its end, then
/// its entries near its start, then the next nested archive. The walker's
/// read-ahead hints (`Source::prefetch`) arrive as lists of small ranges,
/// fetched in one call as a `Blob` made of their slices.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    len: u64,
    blocks: Vec<Block>,
    cached: u64,
    clock: u64,
    /// End of the last fetch and its size, to spot sequential reading.
    last_end: u64,
    last_fetch: u64,
    stats: ReadStats,
}

impl BlobReader {
    /// Fails outside a worker: `FileReaderSync` exists only there, because a
    /// blocking read on the page's main thread would freeze it.
    pub fn new(blob: Blob) -> Result<Self, JsValue> {
        let reader = FileReaderSync::new()?;
        let len = blob.size() as u64;
        Ok(BlobReader {
            blob,
            reader,
            len,
            blocks: Vec::new(),
            cached: 0,
            clock: 0,
            last_end: u64::MAX,
            last_fetch: 0,
            stats: ReadStats::default(),
        })
    }

    /// One `FileReaderSync` call: the bytes of `blob`, which must be
    /// `want` long.
    fn read_blob(&mut self, blob: &Blob, want: u64, what: &dyn Fn() -> String) -> io::Result<js_sys::Uint8Array> {
        let ab = self.reader.read_as_array_buffer(blob).map_err(js_io_error)?;
        self.stats.calls += 1;
        let view = js_sys::Uint8Array::new(&ab);
        self.stats.bytes += view.length() as u64;
        if view.length() as u64 != want {
            // The file changed under us (truncated while scanning).
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                std::format!("asked {want} bytes {}, the browser gave {}", what(), view.length()),
            ));
        }
        Ok(view)
    }

    /// Read `dst.len()` bytes at `off` (the caller has clamped to the end).
    fn fetch(&mut self, off: u64, dst: &mut [u8]) -> io::Result<()> {
        let t0 = perf_now();
        // Blob offsets are doubles; exact up to 2^53, far beyond any file.
        let end = off + dst.len() as u64;
        let slice = self.blob.slice_with_f64_and_f64(off as f64, end as f64).map_err(js_io_error)?;
        self.stats.slices += 1;
        let view = self.read_blob(&slice, dst.len() as u64, &|| std::format!("at offset {off}"));
        self.stats.ms += perf_now() - t0;
        view?.copy_to(dst);
        Ok(())
    }

    fn find(&self, pos: u64) -> Option<usize> {
        self.blocks.iter().position(|b| b.start <= pos && pos < b.start + b.data.len() as u64)
    }

    /// The parts of `a..b` no cached block holds, appended to `out`.
    fn uncovered(&self, a: u64, b: u64, out: &mut Vec<(u64, u64)>) {
        let mut pos = a;
        while pos < b {
            match self.find(pos) {
                Some(i) => pos = self.blocks[i].start + self.blocks[i].data.len() as u64,
                None => {
                    // Up to the next cached block, if one starts before `b`.
                    let next = self.blocks.iter().map(|k| k.start).filter(|&s| s > pos && s < b).min().unwrap_or(b);
                    out.push((pos, next));
                    pos = next;
                }
            }
        }
    }

    /// Make room for `size` more cached bytes.
    fn evict_for(&mut self, size: u64) {
        while !self.blocks.is_empty() && self.cached + size > CACHE_BYTES {
            let lru = (0..self.blocks.len()).min_by_key(|&i| self.blocks[i].used).unwrap_or(0);
            self.cached -= self.blocks[lru].data.len() as u64;
            self.blocks.swap_remove(lru);
        }
    }

    fn keep(&mut self, start: u64, data: Vec<u8>) -> usize {
        self.cached += data.len() as u64;
        self.blocks.push(Block { start, data, used: self.clock });
        self.blocks.len() - 1
    }

    /// Fetch blocks covering `pos..pos + want` into the cache, in one call;
    /// return the new block's index.
    fn load(&mut self, pos: u64, want: u64) -> io::Result<usize> {
        let start = pos - pos % BLOCK;
        // The whole request in one fetch: a tail read (a nested archive's
        // end-record search) that straddles a block boundary would
        // otherwise cost two calls and look sequential.
        let end = (pos + want).div_ceil(BLOCK) * BLOCK;
        let needed = end - start;
        let size = if start == self.last_end { (self.last_fetch * 2).min(MAX_FETCH) } else { BLOCK };
        let size = size.max(needed).min(self.len - start);
        self.evict_for(size);
        let mut data = std::vec![0u8; size as usize];
        self.fetch(start, &mut data)?;
        self.last_end = start + size;
        self.last_fetch = size;
        Ok(self.keep(start, data))
    }
}

impl walk::Source for BlobReader {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, pos: u64, out: &mut [u8]) -> io::Result<usize> {
        if pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        self.clock += 1;
        let i = match self.find(pos) {
            Some(i) => i,
            None if out.len() as u64 >= MAX_FETCH => {
                // A read this big is a stream of its own: straight to the
                // caller, without evicting the cache for it.
                let n = (out.len() as u64).min(self.len - pos) as usize;
                self.fetch(pos, &mut out[..n])?;
                return Ok(n);
            }
            None => self.load(pos, out.len() as u64)?,
        };
        let b = &mut self.blocks[i];
        b.used = self.clock;
        let at = (pos - b.start) as usize;
        // A read crossing the block's end is short; the walker asks again
        // for the rest.
        let n = out.len().min(b.data.len() - at);
        out[..n].copy_from_slice(&b.data[at..at + n]);
        Ok(n)
    }

    /// Fetch the hinted ranges not cached yet in one call, as a `Blob` of
    /// their slices (nearby ranges merged), up to `MAX_PREFETCH` bytes.
    /// A failure is dropped: the reads that follow will report it.
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        let t0 = perf_now();
        self.fetch_hints(ranges);
        self.stats.ms += perf_now() - t0;
    }
}

impl BlobReader {
    fn fetch_hints(&mut self, ranges: &[(u64, u64)]) {
        let mut want: Vec<(u64, u64)> = Vec::new();
        for &(a, b) in ranges {
            self.uncovered(a, b.min(self.len), &mut want);
        }
        want.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::new();
        let mut total = 0;
        for (a, b) in want {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(MERGE_GAP) => {
                    let grow = b.saturating_sub(last.1);
                    if total + grow > MAX_PREFETCH {
                        break;
                    }
                    last.1 = last.1.max(b);
                    total += grow;
                }
                _ => {
                    if total + (b - a) > MAX_PREFETCH {
                        break;
                    }
                    merged.push((a, b));
                    total += b - a;
                }
            }
        }
        if merged.is_empty() {
            return;
        }
        let parts = js_sys::Array::new();
        for &(a, b) in &merged {
            match self.blob.slice_with_f64_and_f64(a as f64, b as f64) {
                Ok(s) => {
                    self.stats.slices += 1;
                    parts.push(&s);
                }
                Err(_) => return,
            }
        }
        let Ok(batch) = Blob::new_with_blob_sequence(&parts) else { return };
        let Ok(view) = self.read_blob(&batch, total, &|| std::string::String::from("in a read-ahead batch")) else { return };
        self.stats.batches += 1;
        self.evict_for(total);
        let mut at = 0u32;
        for (a, b) in merged {
            let n = (b - a) as u32;
            let mut data = std::vec![0u8; n as usize];
            view.subarray(at, at + n).copy_to(&mut data);
            at += n;
            self.keep(a, data);
        }
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        let stats = self.stats;
        LAST_STATS.with(|s| *s.borrow_mut() = stats);
    }
}

/// How the last `scanBlob` read its file: `FileReaderSync` calls (of which
/// `batches` were read-ahead batches), `Blob.slice` calls, bytes returned,
/// and ms spent getting them.
#[wasm_bindgen(js_name = lastReadStats)]
pub fn last_read_stats() -> Result<JsValue, JsError> {
    to_js(&LAST_STATS.with(|s| *s.borrow()))
}

/// A thrown JS value (a `DOMException` such as `NotReadableError` when the
/// file was moved or deleted) as an `io::Error` with its message.
fn js_io_error(e: JsValue) -> io::Error {
    io::Error::other(js_message(&e))
}

/// The human-readable text of a thrown JS value.
pub(crate) fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let name: String = err.name().into();
        let msg: String = err.message().into();
        return if name.is_empty() || name == "Error" { msg } else { std::format!("{name}: {msg}") };
    }
    e.as_string().unwrap_or_else(|| std::format!("{e:?}"))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsLimits {
    max_depth: Option<u32>,
    max_entry_bytes: Option<f64>,
    max_scan_bytes: Option<f64>,
    max_entries: Option<f64>,
    max_ratio: Option<f64>,
}

/// Read `{ onProgress?, limits? }`. Unknown keys are ignored; a wrong type
/// is an error naming the option, not a silent default.
fn read_options(options: &JsValue) -> Result<(Limits, Option<js_sys::Function>), JsError> {
    let mut limits = Limits::default();
    if options.is_undefined() || options.is_null() {
        return Ok((limits, None));
    }
    let get = |key: &str| js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let progress = get("onProgress");
    let progress = if progress.is_undefined() || progress.is_null() {
        None
    } else {
        Some(progress.dyn_into::<js_sys::Function>().map_err(|_| JsError::new("options.onProgress must be a function"))?)
    };
    let js_limits = get("limits");
    if !js_limits.is_undefined() && !js_limits.is_null() {
        let l: JsLimits =
            serde_wasm_bindgen::from_value(js_limits).map_err(|e| JsError::new(&std::format!("options.limits: {e}")))?;
        // Numbers arrive as doubles; negative or fractional values are a
        // caller's mistake, so they are refused rather than wrapped.
        let whole = |name: &str, v: f64| -> Result<u64, JsError> {
            if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 {
                Ok(v as u64)
            } else {
                Err(JsError::new(&std::format!("options.limits.{name} must be a whole number >= 0, got {v}")))
            }
        };
        if let Some(v) = l.max_depth {
            limits.max_depth = v;
        }
        if let Some(v) = l.max_entry_bytes {
            limits.max_entry_bytes = whole("maxEntryBytes", v)?;
        }
        if let Some(v) = l.max_scan_bytes {
            limits.max_scan_bytes = whole("maxScanBytes", v)?;
        }
        if let Some(v) = l.max_entries {
            limits.max_entries = whole("maxEntries", v)?;
        }
        if let Some(v) = l.max_ratio {
            limits.max_ratio = whole("maxRatio", v)?;
        }
    }
    Ok((limits, progress))
}

/// Forwards the walker's progress to a JS callback. An exception thrown by
/// the callback is logged, not propagated: a failing progress bar is no
/// reason to lose the findings.
struct JsProgress(Option<js_sys::Function>);

impl Progress for JsProgress {
    fn progress(&mut self, bytes: u64, entries: u64) {
        if let Some(f) = &self.0 {
            if let Err(e) = f.call2(&JsValue::NULL, &JsValue::from_f64(bytes as f64), &JsValue::from_f64(entries as f64)) {
                web_sys_console_error(&std::format!("onProgress threw: {}", js_message(&e)));
            }
        }
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_sys_console_error(s: &str);
}

/// Plain JSON-shaped JS data (objects and arrays, `null` for `None`).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&std::format!("could not convert the result for JavaScript: {e}")))
}

/// A `Report` as JS data, made from exactly the JSON text the CLI prints.
///
/// Not through serde-wasm-bindgen like the rest: it widens `f32` to `f64`,
/// so a CVSS of 5.9 would arrive as 5.900000095367432, and the page's
/// export would no longer equal `log4j-scan --format json`. serde_json
/// writes the shortest decimal (`5.9`), and `JSON.parse` reads it back.
fn report_to_js(report: &scanner_core::Report) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(report).map_err(|e| JsError::new(&std::format!("could not encode the report: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|e| JsError::new(&std::format!("could not decode the report: {}", js_message(&e))))
}

thread_local! {
    /// The message of the last panic, for `lastPanic()`.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}
static PANIC_HOOK: Once = Once::new();

/// Keep the panic message where JS can read it. With `panic = "abort"` a
/// panic ends as a `RuntimeError: unreachable` trap that says nothing; the
/// caller can then ask `lastPanic()` what happened and show it. The previous
/// hook (console_error_panic_hook, set by `start`) still runs.
pub(crate) fn remember_panics() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(std::boxed::Box::new(move |info| {
            let text = info.to_string();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            previous(info);
        }));
    });
}

/// The message of the last Rust panic in this module instance, if any. After
/// a panic the instance must not be used again: restart the worker.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// Scan a `File` or `Blob` by random access. Call it inside a Web Worker
/// (it uses `FileReaderSync`); the file is never copied into memory whole.
/// `name` is the path shown in the report (e.g. the file's relative path in
/// a dropped folder).
#[wasm_bindgen(js_name = scanBlob, unchecked_return_type = "Report")]
pub fn scan_blob(
    blob: &Blob,
    name: &str,
    #[wasm_bindgen(unchecked_param_type = "ScanOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    remember_panics();
    let (limits, progress) = read_options(&options)?;
    let reader = BlobReader::new(blob.clone()).map_err(|e| {
        JsError::new(&std::format!(
            "cannot read files here ({}); scanBlob must run in a Web Worker",
            js_message(&e)
        ))
    })?;
    let mut reader = reader;
    let report = walk::scan_source(name, &mut reader, &limits, &mut JsProgress(progress));
    drop(reader);
    report_to_js(&report)
}

/// Scan bytes already in memory (a `Uint8Array`), e.g. a small upload or a
/// test vector. Works on any thread.
#[wasm_bindgen(js_name = scanBytes, unchecked_return_type = "Report")]
pub fn scan_bytes(
    bytes: &[u8],
    name: &str,
    #[wasm_bindgen(unchecked_param_type = "ScanOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    remember_panics();
    let (limits, progress) = read_options(&options)?;
    let mut progress = JsProgress(progress);
    // Through the reader path, so progress callbacks fire as for a file.
    let report = walk::scan_reader(name, io::Cursor::new(bytes), bytes.len() as u64, &limits, &mut progress);
    report_to_js(&report)
}

/// The CLI's default limits, for display.
#[wasm_bindgen(js_name = defaultLimits, unchecked_return_type = "Required<ScanLimits>")]
pub fn default_limits() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out {
        max_depth: u32,
        max_entry_bytes: u64,
        max_scan_bytes: u64,
        max_entries: u64,
        max_ratio: u64,
    }
    let l = Limits::default();
    to_js(&Out {
        max_depth: l.max_depth,
        max_entry_bytes: l.max_entry_bytes,
        max_scan_bytes: l.max_scan_bytes,
        max_entries: l.max_entries,
        max_ratio: l.max_ratio,
    })
}
