//! Throughput and latency of the lookup-payload detector.
//!
//! `cargo bench -p scanner-core --bench lookup` (plain `main`, no harness, so
//! it needs nothing beyond std). Reports MB/s on clean traffic (header
//! blocks and JSON bodies without `$`), on placeholder-heavy benign text and
//! on the labelled malicious set, and the time for one 2 KB header block.
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use scanner_core::lookup::{inspect, Context};

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (Linux).
/// The machine this runs on is shared, so wall-clock time mostly measures
/// the neighbours; time on CPU measures the code. `None` elsewhere.
fn cpu_now() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}

/// Elapsed time since `(wall, cpu)`, preferring CPU time.
fn since(start: (Instant, Option<Duration>)) -> f64 {
    match (start.1, cpu_now()) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => start.0.elapsed().as_secs_f64(),
    }
}

/// Run `f` over `inputs` repeatedly for about `budget`; MB/s and ns/input
/// per CPU-second.
fn measure(inputs: &[String], ctx: Context, budget: Duration) -> (f64, f64) {
    let bytes: usize = inputs.iter().map(String::len).sum();
    // Warm up caches and the allocator.
    for s in inputs {
        black_box(inspect(black_box(s), ctx));
    }
    let start = (Instant::now(), cpu_now());
    let mut rounds = 0u64;
    while start.0.elapsed() < budget {
        for s in inputs {
            black_box(inspect(black_box(s), ctx));
        }
        rounds += 1;
    }
    let secs = since(start);
    let mbps = (bytes as f64 * rounds as f64) / secs / 1e6;
    let per = secs * 1e9 / (rounds as f64 * inputs.len() as f64);
    (mbps, per)
}

fn header_block(i: usize) -> String {
    // A browser request as a reverse proxy logs it: about 2 KB, with query
    // strings, percent-escapes and cookies, and no `$`.
    let mut h = format!(
        "GET /api/v2/items/{i}?page=3&sort=desc&q=red%20shoes%2Fsale HTTP/1.1\r\n\
         Host: shop.example.com\r\n\
         User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
         Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n\
         Accept-Encoding: gzip, deflate, br\r\n\
         Referer: https://shop.example.com/search?q=red+shoes&ref=nav_{i}\r\n\
         X-Forwarded-For: 203.0.113.{}, 198.51.100.7\r\n\
         X-Request-Id: 7f3c9a2e-{i:08x}-4d1b-9c55-0e6a1b2c3d4e\r\n\
         Cookie: session=",
        i % 250
    );
    while h.len() < 1900 {
        h.push_str("aGVsbG8td29ybGQtc2Vzc2lvbi10b2tlbg");
    }
    h.push_str("; theme=dark; consent=1\r\nConnection: keep-alive\r\n\r\n");
    h
}

fn json_body(i: usize) -> String {
    let mut b = format!("{{\"order\":{i},\"customer\":{{\"name\":\"Ana María\",\"email\":\"ana{i}@example.com\"}},\"items\":[");
    for k in 0..12 {
        b.push_str(&format!(
            "{{\"sku\":\"SKU-{k:04}\",\"qty\":{},\"price\":{}.99,\"note\":\"gift wrap \\\"blue\\\" \\u00e9t\\u00e9\"}},",
            k % 3 + 1,
            k * 7
        ));
    }
    b.push_str("{}],\"tags\":[\"spring\",\"sale\"]}");
    b
}

fn tsv_texts(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/payloads").join(name);
    match std::fs::read_to_string(&path) {
        Ok(body) => body.lines().skip(1).filter_map(|l| l.split('\t').next()).map(|t| t.replace("\\n", "\n")).collect(),
        Err(e) => {
            eprintln!("{}: {e} (skipping)", path.display());
            Vec::new()
        }
    }
}

fn placeholders() -> Vec<String> {
    let mut v = tsv_texts("benign.tsv");
    for i in 0..200 {
        v.push(format!(
            "server.port=${{PORT:${{SERVER_PORT:80{i:02}}}}} db=${{DB_URL:jdbc:postgresql://db{i}:5432/app}} \
             home=${{HOME}}/bin:${{PATH}} const s = `Hello ${{user.name}}, ${{count}} items`; \
             cfg=${{XDG_CONFIG_HOME:-${{HOME}}/.config}} <version>${{project.version}}</version>"
        ));
    }
    v
}

fn main() {
    let budget = Duration::from_millis(700);
    let headers: Vec<String> = (0..64).map(header_block).collect();
    let bodies: Vec<String> = (0..64).map(json_body).collect();
    assert!(headers.iter().chain(&bodies).all(|s| !s.contains('$')));
    let benign = placeholders();
    let malicious = tsv_texts("malicious.tsv");

    let clock = if cpu_now().is_some() { "CPU time" } else { "wall clock" };
    println!("{:<52} {:>10} {:>12}   ({clock})", "set (context)", "MB/s", "ns/input");
    let rows: Vec<(&str, &[String], Context)> = vec![
        ("clean 2 KB header blocks (raw)", &headers, Context::Raw),
        ("clean JSON bodies (json)", &bodies, Context::Json),
        ("clean 2 KB header blocks (url)", &headers, Context::Url),
        ("clean 2 KB header blocks (any)", &headers, Context::Any),
        ("clean JSON bodies (any)", &bodies, Context::Any),
        ("placeholder-heavy benign (raw)", &benign, Context::Raw),
        ("placeholder-heavy benign (any)", &benign, Context::Any),
        ("malicious set (raw)", &malicious, Context::Raw),
        ("malicious set (any)", &malicious, Context::Any),
    ];
    // `cargo bench --bench lookup -- WORD` runs only the sets whose label
    // contains WORD (handy under a profiler).
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    for (label, set, ctx) in rows {
        if set.is_empty() || filter.as_deref().is_some_and(|f| !label.contains(f)) {
            continue;
        }
        let (mbps, per) = measure(set, ctx, budget);
        println!("{label:<52} {mbps:>10.1} {per:>12.0}");
    }

    if filter.is_some() {
        return;
    }
    // Latency of one 2 KB header block: mean CPU time over a batch, then
    // the wall-clock median and p99 of single calls (those include the
    // neighbours' interference).
    let block = &headers[0];
    for ctx in [Context::Raw, Context::Any] {
        let start = (Instant::now(), cpu_now());
        for _ in 0..100_000 {
            black_box(inspect(black_box(block), ctx));
        }
        println!("2 KB header block ({ctx:?}): mean {:.0} ns of CPU per call", since(start) * 1e9 / 100_000.0);
    }
    for ctx in [Context::Raw, Context::Any] {
        let mut samples: Vec<u128> = (0..20_001)
            .map(|_| {
                let t = Instant::now();
                black_box(inspect(black_box(block), ctx));
                t.elapsed().as_nanos()
            })
            .collect();
        samples.sort_unstable();
        println!(
            "2 KB header block ({} bytes, {:?}): median {} ns, p99 {} ns",
            block.len(),
            ctx,
            samples[samples.len() / 2],
            samples[samples.len() * 99 / 100]
        );
    }
}
