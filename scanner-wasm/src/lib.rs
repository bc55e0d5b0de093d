//! JavaScript API over `scanner-core`, shared by the web page (in a Web
//! Worker) and the edge worker. Everything returned is plain JS data made by
//! `serde-wasm-bindgen` from the same Rust types the CLI prints as JSON.
use wasm_bindgen::prelude::*;

mod inspect;
mod logs;
mod scan;

/// Install the panic hook so a Rust panic shows as a readable console error.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version, to show on the page.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// Names of the entries of a ZIP archive, in central-directory order.
#[wasm_bindgen(js_name = zipEntryNames)]
pub fn zip_entry_names(bytes: &[u8]) -> Result<Vec<String>, JsError> {
    scanner_core::walk::zip_entry_names(bytes).map_err(|e| JsError::new(&e))
}
