//! A model of Log4j 2.x's `StrSubstitutor` + `Interpolator`, and of the
//! `MessagePatternConverter` loop that runs them over a formatted message.
//!
//! The scanning code follows the structure of `StrSubstitutor.substitute`
//! closely on purpose: the obfuscations that matter (defaults that rebuild a
//! `${`, escapes consumed in one pass and live in the next, names resolved
//! before use) are consequences of its exact order of operations, and a
//! cleaner grammar-based parser would disagree with it on exactly those.
//!
//! Positions are byte offsets into UTF-8 text. Java works on UTF-16 units,
//! but every character the algorithm matches (`$ { } : -`) is ASCII, and
//! ASCII bytes never occur inside a multi-byte UTF-8 sequence, so matches
//! land on the same characters.
//!
//! What the model cannot know (environment variables, system properties,
//! thread context, …) is an *opaque value*: a private-use character standing
//! for "some string the attacker does not choose". See [`Eval::opaque`].
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{Budgets, Reason, Technique, TechSet};

/// Behaviour switches for one range of Log4j versions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// Lookup prefixes are lowercased (`Locale.US`) before use (2.8+).
    pub lowercase_prefix: bool,
    /// `${` inside a variable name nests and the name is substituted before
    /// use (off before 2.8 in this model).
    pub subst_in_names: bool,
    /// `lower` and `upper` lookups exist (2.13+).
    pub case_lookups: bool,
    /// The message converter re-runs substitution when a `${` follows the
    /// place it last triggered (before 2.15). Without it the text is
    /// substituted once, as a pattern lookup's value is in 2.15.
    pub message_rescan: bool,
    /// Read the text as the attacker meant it, not as Log4j does: close
    /// unterminated lookups, ignore `$${` escapes, decode `base64`, take an
    /// unquoted `date` key literally. Only ever yields `attempt`.
    pub probe: bool,
}

/// Why an evaluation stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abort {
    Depth,
    Length,
    Steps,
    /// Log4j's own `checkCyclicSubstitution` fired: it throws, and the event
    /// is not logged (the CVE-2021-45105 shape).
    Cycle,
}

impl Abort {
    pub(crate) fn reason(self) -> Reason {
        match self {
            Abort::Depth => Reason::DepthBudget,
            Abort::Length => Reason::LengthBudget,
            Abort::Steps => Reason::StepBudget,
            Abort::Cycle => Reason::Recursion,
        }
    }
}

/// A JNDI name handed to `JndiLookup`.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The key, with opaque values still as private-use characters.
    pub name: String,
    /// Message-converter pass that reached it (1 = the first substitution).
    pub pass: u32,
    /// Byte range, in the evaluated text, of the top-level `${…}` being
    /// resolved when it was reached (first pass only).
    pub region: Option<(usize, usize)>,
}

/// What one evaluation found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub hits: Vec<Hit>,
    pub abort: Option<Abort>,
    /// Message-converter pass during which `abort` happened (0: before any).
    pub abort_pass: u32,
    /// The evaluation met something the probe reading treats differently
    /// (an escape, an invalid `date` pattern, a `base64` prefix); if not,
    /// the probe would retrace it exactly.
    pub probe_relevant: bool,
    /// A `lower` or `upper` prefix was resolved: the only point where
    /// 2.8-2.12 and 2.13-2.14 part ways.
    pub case_lookup_seen: bool,
    pub tech: TechSet,
    /// Rendered text of each opaque value, by index.
    pub opaque: Vec<String>,
}

/// First private-use code point of supplementary plane 15; opaque value `i`
/// is `OPAQUE_BASE + i`.
pub(crate) const OPAQUE_BASE: u32 = 0xF_0000;
const OPAQUE_MAX: usize = 0xFFFD;
/// Hits beyond this many add nothing to a verdict.
const MAX_HITS: usize = 32;

pub(crate) fn is_opaque(c: char) -> bool {
    (OPAQUE_BASE..OPAQUE_BASE + OPAQUE_MAX as u32).contains(&(c as u32))
}

/// Lookups whose values come from the host, the JVM or the application, not
/// from the request. Without a default they yield an opaque value; with one,
/// the attacker is betting that the key is unset, so the default is what the
/// model returns.
const UNCONTROLLED: &[&str] = &[
    "env", "sys", "ctx", "main", "map", "sd", "marker", "bundle", "web", "spring", "docker", "k8s",
    "kubernetes", "jvmrunargs", "java", "log4j", "event", "container",
];

/// System properties with one value on every Unix JVM. A payload that uses
/// them as punctuation (`${sys:file.separator}` for `/`) depends on it.
const SYS_CONSTANTS: &[(&str, &str)] = &[("file.separator", "/"), ("path.separator", ":"), ("line.separator", "\n")];

/// `SimpleDateFormat` pattern letters (JDK 8+). Any other ASCII letter
/// outside quotes makes the pattern invalid.
const DATE_LETTERS: &[u8] = b"GyYMLwWDdFEuaHkKhmsSzZX";

pub(crate) struct Eval<'b> {
    rules: Rules,
    budgets: &'b Budgets,
    steps: u64,
    depth: u32,
    pass: u32,
    region: Option<(usize, usize)>,
    out: Outcome,
}

/// Cheap identity for the cyclic-substitution stack: Log4j compares the
/// names themselves, but keeping every name alive at every depth would cost
/// depth × length memory. A 64-bit FNV-1a hash plus the length makes a false
/// "cycle" practically impossible.
fn name_id(s: &str) -> (usize, u64) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (s.len(), h)
}

fn is_prefix(b: &[u8], pos: usize, end: usize) -> bool {
    pos + 2 <= end && b[pos] == b'$' && b[pos + 1] == b'{'
}

impl<'b> Eval<'b> {
    pub(crate) fn new(rules: Rules, budgets: &'b Budgets) -> Self {
        Eval { rules, budgets, steps: 0, depth: 0, pass: 0, region: None, out: Outcome::default() }
    }

    fn step(&mut self, n: usize) -> Result<(), Abort> {
        self.steps += n as u64;
        if self.steps > self.budgets.max_steps {
            Err(Abort::Steps)
        } else {
            Ok(())
        }
    }

    /// Evaluate `text` as a logged message and report what was reached.
    pub(crate) fn run(mut self, text: &str) -> Outcome {
        if let Err(a) = self.message(text) {
            self.out.abort = Some(a);
            self.out.abort_pass = self.pass;
        }
        self.out
    }

    fn message(&mut self, text: &str) -> Result<(), Abort> {
        if text.len() > self.budgets.max_len {
            return Err(Abort::Length);
        }
        let mut buf = String::from(text);
        if self.rules.probe {
            self.close_unterminated(&mut buf);
        }
        if !self.rules.message_rescan {
            self.pass = 1;
            self.substitute(&mut buf, 0, None, true)?;
            return Ok(());
        }
        // MessagePatternConverter.format (2.0-beta9 to 2.14): for every
        // index i of the formatted text, if a `${` starts there, the whole
        // text is replaced by its substitution, and the scan goes on at i+1
        // *in the new text*. A `${` that substitution itself produced after
        // i (from an undone escape or a default) is therefore substituted
        // again. Substitution is deterministic, so once a pass changes
        // nothing every later pass would be the same: stop there.
        let mut i = 0;
        while i + 1 < buf.len() {
            let Some(k) = memchr::memmem::find(&buf.as_bytes()[i..], b"${") else { break };
            self.step(k)?;
            i += k;
            self.pass += 1;
            let mut work = buf.clone();
            self.step(work.len())?;
            let (_, altered) = self.substitute(&mut work, 0, None, self.pass == 1)?;
            if !altered {
                break;
            }
            buf = work;
            i += 1;
        }
        Ok(())
    }

    /// Probe reading: append the `}` an unterminated payload is missing.
    fn close_unterminated(&mut self, buf: &mut String) {
        let depth = unclosed(buf);
        if depth > 0 && buf.len() + depth <= self.budgets.max_len {
            self.out.tech.add(Technique::Unterminated);
            buf.extend(core::iter::repeat_n('}', depth));
        }
    }

    /// `StrSubstitutor.substitute(event, buf, offset, length, priorVariables)`
    /// over `buf[offset..]` (the region always runs to the end of `buf` here,
    /// because every caller passes either a whole buffer or a freshly
    /// inserted value followed by text that must not be scanned; the latter
    /// case is bounded by `len`). Returns the length change and whether
    /// anything was altered.
    fn substitute(
        &mut self,
        buf: &mut String,
        offset: usize,
        prior: Option<&mut Vec<(usize, u64)>>,
        top_level: bool,
    ) -> Result<(isize, bool), Abort> {
        let len = buf.len() - offset;
        self.substitute_range(buf, offset, len, prior, top_level)
    }

    fn substitute_range(
        &mut self,
        buf: &mut String,
        offset: usize,
        length: usize,
        prior: Option<&mut Vec<(usize, u64)>>,
        top_level: bool,
    ) -> Result<(isize, bool), Abort> {
        if self.depth >= self.budgets.max_depth {
            return Err(Abort::Depth);
        }
        self.depth += 1;
        let r = self.substitute_inner(buf, offset, length, prior, top_level);
        self.depth -= 1;
        r
    }

    fn substitute_inner(
        &mut self,
        buf: &mut String,
        offset: usize,
        length: usize,
        prior: Option<&mut Vec<(usize, u64)>>,
        top_level: bool,
    ) -> Result<(isize, bool), Abort> {
        let mut local = Vec::new();
        let prior: &mut Vec<(usize, u64)> = match prior {
            Some(p) => p,
            None => &mut local,
        };
        let nest = self.rules.subst_in_names;
        let mut altered = false;
        let mut change_total: isize = 0;
        let mut end = offset + length;
        let mut pos = offset;
        while pos < end {
            // Jump to the next `$`: every byte skipped is one Log4j would
            // look at and pass over, so it still counts as a step.
            match memchr::memchr(b'$', &buf.as_bytes()[pos..end]) {
                Some(off) => {
                    self.step(off + 1)?;
                    pos += off;
                }
                None => {
                    self.step(end - pos)?;
                    break;
                }
            }
            if !is_prefix(buf.as_bytes(), pos, end) {
                pos += 1;
                continue;
            }
            if pos > offset && buf.as_bytes()[pos - 1] == b'$' && !self.rules.probe {
                // `$${` → `${`, left for a later pass; `pos` now points at
                // the `{`, so this `${` is skipped in this pass.
                buf.remove(pos - 1);
                self.step(buf.len() - pos)?;
                change_total -= 1;
                altered = true;
                end -= 1;
                self.out.tech.add(Technique::EscapeUndone);
                self.out.probe_relevant = true;
                continue;
            }
            if pos > offset && buf.as_bytes()[pos - 1] == b'$' {
                self.out.tech.add(Technique::Escaped);
            }
            let start = pos;
            pos += 2;
            let mut nested = 0u32;
            while pos < end {
                let b = buf.as_bytes();
                let hay = &b[pos..end];
                let next = if nest { memchr::memchr2(b'$', b'}', hay) } else { memchr::memchr(b'}', hay) };
                match next {
                    Some(off) => {
                        self.step(off + 1)?;
                        pos += off;
                    }
                    None => {
                        self.step(end - pos)?;
                        pos = end;
                        break;
                    }
                }
                if nest && is_prefix(b, pos, end) {
                    nested += 1;
                    pos += 2;
                    continue;
                }
                if b[pos] != b'}' {
                    pos += 1;
                    continue;
                }
                if nested > 0 {
                    nested -= 1;
                    pos += 1;
                    continue;
                }
                // The matching `}`.
                let mut expr = buf[start + 2..pos].to_string();
                self.step(expr.len())?;
                if nest && memchr::memmem::find(expr.as_bytes(), b"${").is_some() {
                    let before = expr.len();
                    let (_, changed) = self.substitute(&mut expr, 0, None, false)?;
                    if changed || expr.len() != before {
                        self.out.tech.add(Technique::NestedName);
                    }
                }
                pos += 1;
                let end_pos = pos;
                let (name, default) = split_default(&expr, nest);
                let id = name_id(name);
                if prior.contains(&id) {
                    return Err(Abort::Cycle);
                }
                prior.push(id);
                let saved_region = self.region;
                if top_level {
                    let s = (start as isize - change_total) as usize;
                    let e = (end_pos as isize - change_total) as usize;
                    self.region = Some((s, e));
                }
                let mut value = self.resolve(name, default.is_some())?;
                if value.is_none() {
                    if let Some(d) = default {
                        self.out.tech.add(Technique::DefaultFallback);
                        value = Some(d.to_string());
                    }
                }
                if let Some(v) = value {
                    let var_len = v.len();
                    let old_len = end_pos - start;
                    if buf.len() - old_len + var_len > self.budgets.max_len {
                        return Err(Abort::Length);
                    }
                    buf.replace_range(start..end_pos, &v);
                    self.step(buf.len() - start)?;
                    altered = true;
                    // Resolved values are scanned again (only the value,
                    // not what follows it), with the same cycle stack.
                    let (inner, _) = self.substitute_range(buf, start, var_len, Some(prior), false)?;
                    let change = inner + var_len as isize - old_len as isize;
                    pos = (pos as isize + change) as usize;
                    end = (end as isize + change) as usize;
                    change_total += change;
                }
                self.region = saved_region;
                prior.pop();
                break;
            }
            // An unterminated `${` swallows the rest of the region: the
            // inner loop ran to `end`, so the outer one stops too.
        }
        Ok((change_total, altered))
    }

    /// `Interpolator.lookup`: `prefix:key` goes to the prefix's lookup; when
    /// there is no such lookup or it returns null, the key alone goes to the
    /// configuration's properties.
    fn resolve(&mut self, var: &str, has_default: bool) -> Result<Option<String>, Abort> {
        self.step(var.len() + 8)?;
        let mut var = var;
        if let Some(colon) = var.find(':') {
            let raw = &var[..colon];
            let key = &var[colon + 1..];
            let folded;
            let prefix = if self.rules.lowercase_prefix && raw.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
                folded = raw.to_lowercase();
                if folded != raw {
                    self.out.tech.add(Technique::PrefixCase);
                }
                folded.as_str()
            } else {
                raw
            };
            match prefix {
                "base64" => self.out.probe_relevant = true,
                "lower" | "upper" => self.out.case_lookup_seen = true,
                _ => {}
            }
            let value = match prefix {
                "jndi" => {
                    self.hit(key);
                    None
                }
                "lower" if self.rules.case_lookups => {
                    self.out.tech.add(Technique::NestedLower);
                    if !key.is_ascii() {
                        self.note_unicode_case(key);
                    }
                    Some(key.to_lowercase())
                }
                "upper" if self.rules.case_lookups => {
                    self.out.tech.add(Technique::NestedUpper);
                    if !key.is_ascii() {
                        self.note_unicode_case(key);
                    }
                    Some(key.to_uppercase())
                }
                "date" => Some(self.date(key)),
                "base64" if self.rules.probe => super::decode::base64(key.as_bytes()).map(|bytes| {
                    self.out.tech.add(Technique::Base64Lookup);
                    String::from_utf8_lossy(&bytes).into_owned()
                }),
                "sys" if SYS_CONSTANTS.iter().any(|(k, _)| *k == key) => {
                    SYS_CONSTANTS.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
                }
                p if UNCONTROLLED.contains(&p) => {
                    if has_default {
                        None
                    } else {
                        Some(self.opaque(var))
                    }
                }
                _ => None,
            };
            if value.is_some() {
                return Ok(value);
            }
            var = key;
        }
        // The configuration's properties: Log4j defines `hostName` and
        // `contextName` itself; anything else is the application's.
        Ok(match var {
            "hostName" | "contextName" => Some(self.opaque(var)),
            _ => None,
        })
    }

    fn note_unicode_case(&mut self, key: &str) {
        // U+0131 (dotless i) upper-cases to ASCII `I` and U+212A (Kelvin) /
        // U+0130 lower-case to ASCII: the classic way past ASCII-only rules.
        if key.contains('\u{131}') || key.contains('\u{130}') {
            self.out.tech.add(Technique::DotlessI);
        } else {
            self.out.tech.add(Technique::UnicodeCase);
        }
    }

    fn hit(&mut self, key: &str) {
        if self.out.hits.len() < MAX_HITS {
            self.out.hits.push(Hit { name: key.to_string(), pass: self.pass, region: self.region });
        }
    }

    /// A value the attacker does not choose, rendered back as the lookup it
    /// came from.
    fn opaque(&mut self, var: &str) -> String {
        let idx = self.out.opaque.len().min(OPAQUE_MAX - 1);
        if self.out.opaque.len() < OPAQUE_MAX - 1 {
            let mut shown = String::with_capacity(var.len() + 3);
            shown.push_str("${");
            shown.push_str(var);
            shown.push('}');
            self.out.opaque.push(shown);
        }
        let c = char::from_u32(OPAQUE_BASE + idx as u32).unwrap_or('\u{FFFD}');
        let mut s = String::new();
        s.push(c);
        s
    }

    /// `DateLookup`: a valid `SimpleDateFormat` pattern formats the event
    /// time, so only its quoted literals are attacker text; an invalid one
    /// is caught and replaced by the locale's default format, so nothing of
    /// the key survives.
    fn date(&mut self, key: &str) -> String {
        let b = key.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        let mut valid = true;
        let mut lit_start = 0;
        while i < b.len() {
            match b[i] {
                b'\'' => {
                    out.push_str(&key[lit_start..i]);
                    if b.get(i + 1) == Some(&b'\'') {
                        out.push('\'');
                        i += 2;
                        lit_start = i;
                        continue;
                    }
                    // Quoted text up to the closing quote; `''` inside is a quote.
                    let mut j = i + 1;
                    let mut closed = false;
                    let mut seg = j;
                    while j < b.len() {
                        if b[j] == b'\'' {
                            out.push_str(&key[seg..j]);
                            if b.get(j + 1) == Some(&b'\'') {
                                out.push('\'');
                                j += 2;
                                seg = j;
                                continue;
                            }
                            closed = true;
                            break;
                        }
                        j += 1;
                    }
                    if !closed {
                        valid = false;
                        break;
                    }
                    i = j + 1;
                    lit_start = i;
                }
                c if c.is_ascii_alphabetic() => {
                    out.push_str(&key[lit_start..i]);
                    if !DATE_LETTERS.contains(&c) {
                        valid = false;
                        break;
                    }
                    while i < b.len() && b[i] == c {
                        i += 1;
                    }
                    let field = self.opaque("date-field");
                    out.push_str(&field);
                    lit_start = i;
                }
                _ => i += 1,
            }
        }
        if valid {
            out.push_str(&key[lit_start..]);
            if key.contains('\'') {
                self.out.tech.add(Technique::DateLiteral);
            }
            return out;
        }
        self.out.probe_relevant = true;
        if self.rules.probe {
            // What the payload's author expected `${date:j}` to give.
            self.out.tech.add(Technique::DateUnquoted);
            return key.replace('\'', "");
        }
        self.opaque("date")
    }
}

/// How many `${` are still open at the end of `text`.
pub(crate) fn unclosed(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while let Some(off) = memchr::memchr2(b'$', b'}', &b[i..]) {
        i += off;
        if is_prefix(b, i, b.len()) {
            depth += 1;
            i += 2;
            continue;
        }
        if b[i] == b'}' && depth > 0 {
            depth -= 1;
        }
        i += 1;
    }
    depth
}

/// The first `:-` splits name and default. When names are not substituted
/// (before 2.8), the search stops at a `${` inside the name, as Log4j's does.
fn split_default(expr: &str, nest: bool) -> (&str, Option<&str>) {
    let b = expr.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if !nest && b[i] == b'$' && b[i + 1] == b'{' {
            break;
        }
        if b[i] == b':' && b[i + 1] == b'-' {
            return (&expr[..i], Some(&expr[i + 2..]));
        }
        i += 1;
    }
    (expr, None)
}
