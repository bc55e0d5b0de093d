//! JNDI lookup payloads: decoders plus a model of Log4j 2.x's
//! `StrSubstitutor` + `Interpolator`. Pure (`no_std` + `alloc`).
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

/// How the application decodes the text before it reaches the logger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Context {
    /// Headers, URI path: logged as received.
    Raw,
    /// Query and form values: one URL decode, `+` as space.
    Url,
    /// A JSON string value.
    Json,
    /// HTML entities decoded.
    Html,
    /// `Authorization: Basic` credentials.
    BasicAuth,
    /// Every decoding chain up to three deep (logs, tests).
    Any,
}

/// The outcome for one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No JNDI lookup would be reached.
    Clean,
    /// A JNDI lookup is reached but cannot connect, a budget was exceeded,
    /// or the text is a broken Log4Shell probe.
    Attempt,
    /// Some vulnerable Log4j version would make a network JNDI lookup.
    Live,
}

/// What the evaluator found in one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The verdict, worst over all profiles and decoding chains.
    pub verdict: Verdict,
    /// The JNDI name reached, if any.
    pub jndi: Option<String>,
    /// The decoding chain that produced the verdict (e.g. `["url"]`).
    pub chain: Vec<String>,
    /// Techniques seen.
    pub techniques: Vec<String>,
}

/// Inspect one input. Stub until the evaluator lands.
pub fn inspect(_text: &str, _context: Context) -> Inspection {
    Inspection { verdict: Verdict::Clean, jndi: None, chain: Vec::new(), techniques: Vec::new() }
}
