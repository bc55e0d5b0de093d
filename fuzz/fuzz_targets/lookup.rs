//! The lookup evaluator on arbitrary text: it must return (no panic, no
//! hang) within its budgets, and any span it reports must lie in the input.
//! The first byte picks the context so every decoder gets fuzzed too.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scanner_core::lookup::{inspect, Context};

const CONTEXTS: [Context; 6] = [Context::Raw, Context::Url, Context::Json, Context::Html, Context::BasicAuth, Context::Any];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let found = inspect(&text, CONTEXTS[usize::from(pick) % CONTEXTS.len()]);
    if let Some((start, end)) = found.span {
        assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes", text.len());
    }
});
