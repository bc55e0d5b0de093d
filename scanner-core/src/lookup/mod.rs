//! JNDI lookup payloads: decoders plus a model of Log4j 2.x's
//! `StrSubstitutor` + `Interpolator`. Pure (`no_std` + `alloc`).
//!
//! A regular expression cannot say whether Log4j would reach JNDI: Log4j only
//! reacts to a raw `${`, resolves nested names before using them, falls back
//! to `:-` defaults, lowercases prefixes, has `lower`/`upper` lookups,
//! re-scans resolved values and, before 2.15, re-runs substitution over a
//! message whenever a `${` follows the place it last triggered. So
//! [`inspect`] evaluates the text under a model of that machinery, once per
//! range of versions whose behaviour differs ([`Profile`]), after decoding it
//! the way the application would ([`Context`]).
//!
//! # Verdicts
//! * [`Verdict::Live`]: some vulnerable profile hands `JndiLookup` a name
//!   with scheme `ldap`, `ldaps`, `rmi` or `dns` (case-sensitive, as the JDK
//!   is) followed by `//` and a host that can be resolved.
//! * [`Verdict::Attempt`]: a JNDI lookup is reached but cannot connect; or a
//!   budget ran out; or the text is a
//!   broken Log4Shell probe (it reaches JNDI only when read as its author
//!   meant: closed, unescaped, with a `base64` lookup Log4j 2 does not have,
//!   or with `${date:j}` taken as `j`); or it needs the same decoding twice,
//!   which no ordinary application does.
//! * [`Verdict::Clean`]: none of these.
//!
//! # Cost and limits
//! The prefilter is one `memchr` pass for text without `$` (or, for
//! contexts that decode, without an encoded `$`); almost all traffic stops
//! there. Beyond it, every evaluation is bounded by [`Budgets`]: nesting
//! depth, working-text length and a step count that grows with every byte
//! scanned or moved, so time is at most linear in `max_steps` and memory at
//! most about `max_depth × max_len` per evaluation, whatever the input.
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

mod decode;
mod eval;
mod jndi;

pub use decode::Decoder;

use eval::{Abort, Eval, Outcome, Rules};

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

impl Context {
    /// Parse the kebab-case name used on the command line and in JSON.
    pub fn from_name(name: &str) -> Option<Context> {
        Some(match name {
            "raw" | "none" => Context::Raw,
            "url" => Context::Url,
            "json" => Context::Json,
            "html" => Context::Html,
            "basic-auth" => Context::BasicAuth,
            "any" => Context::Any,
            _ => return None,
        })
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Raw => "raw",
            Context::Url => "url",
            Context::Json => "json",
            Context::Html => "html",
            Context::BasicAuth => "basic-auth",
            Context::Any => "any",
        }
    }

    fn decoder(self) -> Option<Decoder> {
        match self {
            Context::Url => Some(Decoder::Url),
            Context::Json => Some(Decoder::Json),
            Context::Html => Some(Decoder::Html),
            Context::BasicAuth => Some(Decoder::BasicAuth),
            Context::Raw | Context::Any => None,
        }
    }
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

impl Verdict {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Attempt => "attempt",
            Verdict::Live => "live",
        }
    }
}

/// A range of Log4j versions that substitute alike, or the probe reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Profile {
    /// 2.0-beta9 to 2.7: prefixes case-sensitive, no substitution inside
    /// variable names.
    #[serde(rename = "2.0-2.7")]
    V2_0,
    /// 2.8 to 2.12: prefixes lowercased, names substituted before use.
    #[serde(rename = "2.8-2.12")]
    V2_8,
    /// 2.13 to 2.14.1: adds the `lower` and `upper` lookups.
    #[serde(rename = "2.13-2.14")]
    V2_13,
    /// 2.15.0: no lookups in messages; text reaching a pattern lookup (for
    /// example a thread-context value) is still substituted, and JNDI is
    /// limited to local LDAP hosts, which `#` in the host gets past.
    #[serde(rename = "2.15")]
    V2_15,
    /// Not a version: the text read as its author meant it (see
    /// [`Verdict::Attempt`]). Only ever gives `attempt`.
    #[serde(rename = "probe")]
    Probe,
}

impl Profile {
    /// Every profile, in the order ties are reported.
    pub const ALL: [Profile; 5] = [Profile::V2_13, Profile::V2_8, Profile::V2_0, Profile::V2_15, Profile::Probe];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::V2_0 => "2.0-2.7",
            Profile::V2_8 => "2.8-2.12",
            Profile::V2_13 => "2.13-2.14",
            Profile::V2_15 => "2.15",
            Profile::Probe => "probe",
        }
    }

    fn rules(self) -> Rules {
        let r = Rules { lowercase_prefix: true, subst_in_names: true, case_lookups: true, message_rescan: true, probe: false };
        match self {
            Profile::V2_0 => Rules { lowercase_prefix: false, subst_in_names: false, case_lookups: false, ..r },
            Profile::V2_8 => Rules { case_lookups: false, ..r },
            Profile::V2_13 => r,
            Profile::V2_15 => Rules { message_rescan: false, ..r },
            Profile::Probe => Rules { probe: true, ..r },
        }
    }
}

/// Something the payload does to get past naive matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Technique {
    /// Percent-encoded.
    UrlEncoded,
    /// JSON string escapes.
    JsonEscaped,
    /// HTML character references.
    HtmlEntities,
    /// Hidden in base64 `Basic` credentials.
    Base64Credentials,
    /// Needs the same decoding twice.
    DoubleEncoded,
    /// A `lower` lookup.
    NestedLower,
    /// An `upper` lookup.
    NestedUpper,
    /// `ı` upper-cased to `I` (or `İ` lower-cased).
    DotlessI,
    /// Other non-ASCII case mapping in `lower`/`upper`.
    UnicodeCase,
    /// A `:-` default used because the lookup was unknown or null.
    DefaultFallback,
    /// A lookup inside a variable name.
    NestedName,
    /// A prefix in mixed case (`jNdI`, `EnV`).
    PrefixCase,
    /// Quoted literal text in a `date` pattern.
    DateLiteral,
    /// A `$${` escape consumed on the way to JNDI.
    EscapeUndone,
    /// JNDI reached only because the message converter substituted again.
    MessageRescan,
    /// The JNDI name carries environment values (exfiltration).
    Exfiltration,
    /// A `#` in the host (the 2.15.0 allowed-host bypass).
    HashHost,
    /// Probe: a `${` never closed.
    Unterminated,
    /// Probe: a `base64` lookup (absent in Log4j 2).
    Base64Lookup,
    /// Probe: a `date` pattern that is not valid, used as if literal.
    DateUnquoted,
    /// Probe: the payload is escaped with `$${`.
    Escaped,
}

impl Technique {
    const ALL: [Technique; 21] = [
        Technique::UrlEncoded,
        Technique::JsonEscaped,
        Technique::HtmlEntities,
        Technique::Base64Credentials,
        Technique::DoubleEncoded,
        Technique::NestedLower,
        Technique::NestedUpper,
        Technique::DotlessI,
        Technique::UnicodeCase,
        Technique::DefaultFallback,
        Technique::NestedName,
        Technique::PrefixCase,
        Technique::DateLiteral,
        Technique::EscapeUndone,
        Technique::MessageRescan,
        Technique::Exfiltration,
        Technique::HashHost,
        Technique::Unterminated,
        Technique::Base64Lookup,
        Technique::DateUnquoted,
        Technique::Escaped,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::UrlEncoded => "url-encoded",
            Technique::JsonEscaped => "json-escaped",
            Technique::HtmlEntities => "html-entities",
            Technique::Base64Credentials => "base64-credentials",
            Technique::DoubleEncoded => "double-encoded",
            Technique::NestedLower => "nested-lower",
            Technique::NestedUpper => "nested-upper",
            Technique::DotlessI => "dotless-i",
            Technique::UnicodeCase => "unicode-case",
            Technique::DefaultFallback => "default-fallback",
            Technique::NestedName => "nested-name",
            Technique::PrefixCase => "prefix-case",
            Technique::DateLiteral => "date-literal",
            Technique::EscapeUndone => "escape-undone",
            Technique::MessageRescan => "message-rescan",
            Technique::Exfiltration => "exfiltration",
            Technique::HashHost => "hash-host",
            Technique::Unterminated => "unterminated",
            Technique::Base64Lookup => "base64-lookup",
            Technique::DateUnquoted => "date-unquoted",
            Technique::Escaped => "escaped",
        }
    }

    fn of(d: Decoder) -> Technique {
        match d {
            Decoder::Url => Technique::UrlEncoded,
            Decoder::Json => Technique::JsonEscaped,
            Decoder::Html => Technique::HtmlEntities,
            Decoder::BasicAuth => Technique::Base64Credentials,
        }
    }
}

/// A small set of [`Technique`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TechSet(u32);

impl TechSet {
    pub(crate) fn add(&mut self, t: Technique) {
        self.0 |= 1 << t as u32;
    }
    fn remove(&mut self, t: Technique) {
        self.0 &= !(1 << t as u32);
    }
    fn has(self, t: Technique) -> bool {
        self.0 & (1 << t as u32) != 0
    }
    fn to_vec(self) -> Vec<Technique> {
        Technique::ALL.iter().copied().filter(|&t| self.has(t)).collect()
    }
}

/// Why a verdict is `attempt` (or what stopped an evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reason {
    /// JNDI is reached but the name makes no network connection.
    NoNetwork,
    /// Nesting deeper than [`Budgets::max_depth`].
    DepthBudget,
    /// Working text longer than [`Budgets::max_len`].
    LengthBudget,
    /// More than [`Budgets::max_steps`] steps.
    StepBudget,
    /// Log4j's cyclic-substitution check fires (CVE-2021-45105 shape). On
    /// its own this is not a lookup: it appears on a profile, the verdict
    /// stays `clean`.
    Recursion,
    /// Reaches JNDI only when read as its author meant (see [`Profile::Probe`]).
    BrokenProbe,
    /// Reaches JNDI only after the same decoding twice.
    DoubleEncoded,
}

/// Hard limits on one evaluation (one decoded text under one profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Deepest nesting of substitutions (names and re-scanned values).
    /// Log4j has no limit; real payloads stay under 10.
    pub max_depth: u32,
    /// Longest working text, in bytes. Longer inputs containing `${` are
    /// not evaluated and give `attempt`.
    pub max_len: usize,
    /// Bytes scanned, copied or moved, summed over the evaluation.
    pub max_steps: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets { max_depth: 64, max_len: 128 * 1024, max_steps: 8 * 1024 * 1024 }
    }
}

/// The result under one profile, for the reported decoding chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileOutcome {
    /// Which profile.
    pub profile: Profile,
    /// Its verdict.
    pub verdict: Verdict,
    /// The JNDI name it reached (the networked one if any).
    pub jndi: Option<String>,
    /// Why `attempt`, or what stopped the evaluation.
    pub reason: Option<Reason>,
}

/// What the evaluator found in one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The verdict, worst over all profiles and decoding chains.
    pub verdict: Verdict,
    /// The JNDI name reached, if any. Values the model cannot know are shown
    /// as the lookup that produces them (`${env:USER}`).
    pub jndi: Option<String>,
    /// The host the JNDI name would contact (the callback to look for in
    /// DNS and proxy logs), if it has one.
    pub host: Option<String>,
    /// The decoding chain that produced the verdict (`[]` for raw text).
    pub chain: Vec<Decoder>,
    /// The profile that produced the verdict (`None` when clean).
    pub profile: Option<Profile>,
    /// Techniques behind the verdict (empty when clean).
    pub techniques: Vec<Technique>,
    /// Byte range `[start, end)` of the payload in the input.
    pub span: Option<(usize, usize)>,
    /// Why the verdict is `attempt`.
    pub reason: Option<Reason>,
    /// Every profile's result for `chain`. Empty when no evaluation was
    /// needed: the prefilter, the absence of `${`, or of any `j` to spell
    /// `jndi` with, decided.
    pub profiles: Vec<ProfileOutcome>,
}

impl Inspection {
    fn clean(chain: Vec<Decoder>) -> Self {
        Inspection {
            verdict: Verdict::Clean,
            jndi: None,
            host: None,
            chain,
            profile: None,
            techniques: Vec::new(),
            span: None,
            reason: None,
            profiles: Vec::new(),
        }
    }
}

/// Inspect one input with the default [`Budgets`].
pub fn inspect(text: &str, context: Context) -> Inspection {
    inspect_with(text, context, &Budgets::default())
}

/// Inspect one input.
pub fn inspect_with(text: &str, context: Context, budgets: &Budgets) -> Inspection {
    let single: Vec<Decoder> = context.decoder().into_iter().collect();
    if !prefilter(text.as_bytes(), context) {
        return Inspection::clean(single);
    }
    let best = match context {
        Context::Raw => evaluate(text, &[], budgets),
        Context::Any => {
            let mut search = Search { budgets, best: None };
            search.run(text);
            search.best
        }
        _ => {
            let d = single[0];
            match d.apply(text) {
                Some(decoded) => evaluate(&decoded, &single, budgets),
                None => evaluate(text, &[], budgets).map(|mut r| {
                    r.chain = single.clone();
                    r.decoded = false;
                    r
                }),
            }
        }
    };
    match best {
        Some(r) if r.verdict > Verdict::Clean => r.into_inspection(text),
        Some(r) => Inspection { profiles: r.profiles, ..Inspection::clean(r.chain) },
        None => Inspection::clean(single),
    }
}

/// Could decoding under `context` give a `${`? False positives are fine;
/// false negatives are not.
fn prefilter(b: &[u8], context: Context) -> bool {
    let dollar = || memchr::memchr(b'$', b).is_some();
    match context {
        Context::Raw => dollar(),
        Context::Url => dollar() || has_after(b, b'%', |r| r.starts_with(b"24")),
        // `\u0024` is the only JSON escape for `$` (its hex digits have no case).
        Context::Json => dollar() || memchr::memmem::find(b, b"\\u0024").is_some(),
        Context::Html => dollar() || has_after(b, b'&', |r| r.starts_with(b"#") || r.starts_with(b"dollar;")),
        Context::BasicAuth => true,
        // A `$` can come out of decoding only from `%24`, or one level
        // further down from something that decodes to `$`, `%`, `&` or `\`
        // (`%25`, `%26`, `%5C`, `\u0024`-`\u0026`, a numeric reference,
        // `&dollar;`, `&percnt;`, `&bsol;`), or from base64 credentials.
        // Everyday `%20`, `%2F`, `&a=b` and `\u00e9` do not pass.
        Context::Any => {
            dollar()
                || has_after(b, b'%', |r| {
                    matches!(r, [b'2', b'4' | b'5' | b'6', ..] | [b'5', b'c' | b'C', ..])
                })
                || memchr::memmem::find_iter(b, b"\\u002").any(|i| matches!(b.get(i + 5), Some(b'4' | b'5' | b'6')))
                || has_after(b, b'&', |r| {
                    r.starts_with(b"#") || r.starts_with(b"dollar;") || r.starts_with(b"percnt;") || r.starts_with(b"bsol;")
                })
                || memchr::memmem::find(b, b"asic ").is_some()
        }
    }
}

fn has_after(b: &[u8], needle: u8, ok: impl Fn(&[u8]) -> bool) -> bool {
    memchr::memchr_iter(needle, b).any(|i| ok(&b[i + 1..]))
}

/// Breadth-first walk of decoding chains for the `any` context, so that
/// the shortest chain giving the worst verdict is the one reported.
struct Search<'b> {
    budgets: &'b Budgets,
    best: Option<ChainResult>,
}

const MAX_CHAIN: usize = 3;

impl Search<'_> {
    fn run(&mut self, text: &str) {
        // Texts already evaluated, by hash and by whether the chain repeats
        // a decoder (a repeat caps the verdict, so the same text reached
        // without one must still be evaluated).
        let mut seen: Vec<(u64, bool)> = Vec::new();
        let mut level: Vec<(String, Vec<Decoder>)> = alloc::vec![(String::from(text), Vec::new())];
        for depth in 0..=MAX_CHAIN {
            let mut next = Vec::new();
            for (t, chain) in &level {
                let repeated = chain.iter().enumerate().any(|(i, d)| chain[..i].contains(d));
                let key = (eval_hash(t), repeated);
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                if let Some(r) = evaluate(t, chain, self.budgets) {
                    if self.best.as_ref().is_none_or(|b| r.verdict > b.verdict) {
                        self.best = Some(r);
                    }
                }
                if depth < MAX_CHAIN {
                    for d in Decoder::ALL {
                        if let Some(n) = d.apply(t) {
                            let mut c = chain.clone();
                            c.push(d);
                            next.push((n, c));
                        }
                    }
                }
            }
            // A longer chain can only win with a strictly worse verdict.
            if next.is_empty() || self.best.as_ref().is_some_and(|b| b.verdict == Verdict::Live) {
                break;
            }
            level = next;
        }
    }
}

fn eval_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ s.len() as u64
}

/// The best result for one decoded text.
#[derive(Debug, Clone)]
struct ChainResult {
    verdict: Verdict,
    chain: Vec<Decoder>,
    /// Whether the last decoder changed anything (single-decoder contexts).
    decoded: bool,
    profile: Option<Profile>,
    jndi: Option<String>,
    host: Option<String>,
    tech: TechSet,
    reason: Option<Reason>,
    /// Span in the decoded text.
    span: Option<(usize, usize)>,
    profiles: Vec<ProfileOutcome>,
}

impl ChainResult {
    fn into_inspection(self, input: &str) -> Inspection {
        let span = match (self.span, self.decoded && !self.chain.is_empty()) {
            (Some(s), true) => map_span(input, &self.chain, s),
            (s, _) => s,
        };
        Inspection {
            verdict: self.verdict,
            jndi: self.jndi,
            host: self.host,
            chain: self.chain,
            profile: self.profile,
            techniques: self.tech.to_vec(),
            span,
            reason: self.reason,
            profiles: self.profiles,
        }
    }
}

/// Carry a span in the fully decoded text back to the input, one decoder
/// at a time, by re-running the chain with offset maps.
fn map_span(input: &str, chain: &[Decoder], span: (usize, usize)) -> Option<(usize, usize)> {
    let mut texts: Vec<String> = Vec::with_capacity(chain.len());
    let mut maps: Vec<Vec<(usize, usize)>> = Vec::with_capacity(chain.len());
    let mut cur = String::from(input);
    for d in chain {
        let mut map = Vec::new();
        let next = d.apply_mapped(&cur, &mut map)?;
        texts.push(core::mem::replace(&mut cur, next));
        maps.push(map);
    }
    let (mut s, mut e) = span;
    for map in maps.iter().rev() {
        if map.is_empty() {
            return None;
        }
        let e_idx = e.clamp(1, map.len()) - 1;
        let s_idx = s.min(e_idx);
        s = map[s_idx].0;
        e = map[e_idx].1;
    }
    Some((s, e))
}

/// Run every profile over one decoded text.
fn evaluate(text: &str, chain: &[Decoder], budgets: &Budgets) -> Option<ChainResult> {
    let b = text.as_bytes();
    memchr::memmem::find(b, b"${")?;
    // Evaluation only rearranges, case-maps and deletes the attacker's own
    // characters (other values are opaque), and only `j`/`J` case-map to
    // `j`: without one, no profile can spell `jndi`. The one exception is
    // the probe's `base64` lookup, which needs a `6` and a `4` to be named.
    let no_j = memchr::memchr2(b'j', b'J', b).is_none();
    if no_j && (memchr::memchr(b'6', b).is_none() || memchr::memchr(b'4', b).is_none()) {
        return None;
    }
    let repeated = chain.iter().enumerate().any(|(i, d)| chain[..i].contains(d));
    let mut best: Option<ChainResult> = None;
    let mut profiles = Vec::with_capacity(Profile::ALL.len());
    // Three profiles can usually be read off `2.13-2.14` instead of being
    // run: `2.8-2.12` retraces it exactly unless it resolved a `lower` or
    // `upper` prefix; `2.15` is its first message-converter pass alone (same
    // rules, same whole-text substitution); and the probe retraces it
    // unless it met an escape, a bad `date`, a `base64` prefix or an
    // unclosed `${`. Both are cheap to check, and benign text with many
    // placeholders is where the time goes.
    let mut v2_13: Option<Outcome> = None;
    for p in Profile::ALL {
        if no_j && p != Profile::Probe {
            continue;
        }
        let derived = match (p, &v2_13) {
            (Profile::V2_8, Some(o)) if !o.case_lookup_seen => Some(o.clone()),
            (Profile::V2_15, Some(o)) => Some(first_pass(o)),
            (Profile::Probe, Some(o)) if !o.probe_relevant && eval::unclosed(text) == 0 => Some(o.clone()),
            _ => None,
        };
        let out = derived.unwrap_or_else(|| Eval::new(p.rules(), budgets).run(text));
        let r = judge(p, &out, text);
        if p == Profile::V2_13 {
            v2_13 = Some(out);
        }
        profiles.push(ProfileOutcome { profile: p, verdict: r.verdict, jndi: r.jndi.clone(), reason: r.reason });
        if best.as_ref().is_none_or(|b| r.verdict > b.verdict) {
            best = Some(r);
        }
    }
    let mut best = best?;
    for d in chain {
        best.tech.add(Technique::of(*d));
    }
    if repeated && best.verdict == Verdict::Live {
        best.verdict = Verdict::Attempt;
        best.reason = Some(Reason::DoubleEncoded);
        best.tech.add(Technique::DoubleEncoded);
    }
    best.chain = chain.to_vec();
    best.decoded = true;
    best.profiles = profiles;
    Some(best)
}

/// What a single substitution pass (2.15) gives, from a 2.13-2.14 run.
fn first_pass(o: &Outcome) -> Outcome {
    Outcome {
        hits: o.hits.iter().filter(|h| h.pass <= 1).cloned().collect(),
        abort: o.abort.filter(|_| o.abort_pass <= 1),
        abort_pass: o.abort_pass,
        probe_relevant: o.probe_relevant,
        case_lookup_seen: o.case_lookup_seen,
        tech: o.tech,
        opaque: o.opaque.clone(),
    }
}

/// Turn one profile's raw outcome into a verdict.
fn judge(p: Profile, out: &Outcome, text: &str) -> ChainResult {
    let reach = |name: &str| match p {
        Profile::V2_15 => jndi::reach_215(name),
        _ => jndi::reach_pre_215(name),
    };
    let hit = out.hits.iter().find(|h| reach(&h.name) == jndi::Reach::Network).or(out.hits.first());
    let networked = hit.is_some_and(|h| reach(&h.name) == jndi::Reach::Network);
    let mut tech = out.tech;
    let (verdict, reason) = match (p, hit, networked, out.abort) {
        (Profile::Probe, Some(_), _, _) => (Verdict::Attempt, Some(Reason::BrokenProbe)),
        (Profile::Probe, None, _, _) => (Verdict::Clean, None),
        (_, Some(_), true, _) => (Verdict::Live, None),
        // Log4j's cycle check throws before any lookup happens: the event is
        // lost, but nothing reaches JNDI, and benign self-references such as
        // `${PORT:-${PORT}}` do the same. Only the profile records it.
        (_, None, _, Some(Abort::Cycle)) => (Verdict::Clean, Some(Reason::Recursion)),
        (_, _, _, Some(a)) => (Verdict::Attempt, Some(a.reason())),
        (_, Some(_), false, None) => (Verdict::Attempt, Some(Reason::NoNetwork)),
        (_, None, _, None) => (Verdict::Clean, None),
    };
    if hit.is_none() {
        tech.remove(Technique::EscapeUndone);
    }
    if p != Profile::Probe {
        for t in [Technique::Unterminated, Technique::Base64Lookup, Technique::DateUnquoted, Technique::Escaped] {
            tech.remove(t);
        }
    }
    let mut jndi_name = None;
    let mut host = None;
    let mut span = None;
    if let Some(h) = hit {
        if h.pass >= 2 {
            tech.add(Technique::MessageRescan);
        }
        if h.name.chars().any(eval::is_opaque) {
            tech.add(Technique::Exfiltration);
        }
        if let Some(hs) = jndi::jdk_host(&h.name).filter(|s| !s.is_empty()) {
            if hs.contains('#') {
                tech.add(Technique::HashHost);
            }
            host = Some(render(hs, &out.opaque));
        }
        jndi_name = Some(render(&h.name, &out.opaque));
        span = Some(match h.region {
            Some((s, e)) => (s.min(text.len()), e.min(text.len())),
            None => fallback_span(text),
        });
    } else if verdict != Verdict::Clean {
        span = Some(fallback_span(text));
    }
    if verdict == Verdict::Clean {
        tech = TechSet::default();
    }
    ChainResult {
        verdict,
        chain: Vec::new(),
        decoded: true,
        profile: (verdict != Verdict::Clean).then_some(p),
        jndi: jndi_name,
        host,
        tech,
        reason,
        span,
        profiles: Vec::new(),
    }
}

/// From the first `${` (with an escaping `$` before it) to the last `}`, or
/// to the end when there is none after it.
fn fallback_span(text: &str) -> (usize, usize) {
    let b = text.as_bytes();
    let mut s = memchr::memmem::find(b, b"${").unwrap_or(0);
    while s > 0 && b[s - 1] == b'$' {
        s -= 1;
    }
    let e = memchr::memrchr(b'}', b).map_or(b.len(), |p| p + 1).max(s);
    (s, e)
}

/// Show opaque values as the lookups that produced them.
fn render(s: &str, opaque: &[String]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if eval::is_opaque(c) {
            match opaque.get((c as u32 - eval::OPAQUE_BASE) as usize) {
                Some(shown) => out.push_str(shown),
                None => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
