//! The Log4Shell detection engine shared by the CLI, the web page and the
//! edge worker.
//!
//! The crate is `#![no_std]` with `alloc`. The default `std` feature adds the
//! archive walker; everything else (class-file fingerprints, the Log4j
//! knowledge tables, the lookup-payload evaluator and the report types) works
//! without it, so the same code runs natively, in a browser and at the edge.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod class;
pub mod detect;
pub mod knowledge;
pub mod lookup;
mod names;
pub mod report;
#[cfg(feature = "std")]
pub mod walk;

pub use report::{Component, CveRef, ErrorKind, Finding, Report, ScanError, Scanned, Severity, Status, ToolInfo, VersionSource};
