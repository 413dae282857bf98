//! `cargo xtask bench-cold`: how long each Lambda binary takes to initialise, measured the way Lambda sees it.
//!
//! Every function binary (`functions/src/bin/*.rs`) and a hello-world `lambda_runtime` binary
//! (`functions/examples/hello_runtime.rs`, same crate, profile and features) are built in release. Each is spawned with
//! the environment Lambda gives a function (runtime API address, function name, region, session credentials) and the
//! `VIGIL_*` settings, against a stand-in for the Lambda Runtime API on 127.0.0.1; init time is spawn → the first
//! `GET /2018-06-01/runtime/invocation/next`. Runs are interleaved (one of each binary per round) so that load from
//! other processes falls on all binaries alike, and one unrecorded round first warms the page cache.
//!
//! Prints per binary min/median/max init ms, the ratio of its median to hello-world's, and its size stripped.
//! A measurement, not a test: nothing here fails on a slow figure.
//!
//! Options: `--runs N` (15), `--only a,b` (some functions), `--bin-dir DIR` (measure binaries already built there
//! instead of building, e.g. copies kept from an earlier commit; `hello_runtime` must be in it too).

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const HELLO: &str = "hello_runtime";
const NEXT_PATH: &str = "/2018-06-01/runtime/invocation/next";
/// How long one binary may take to ask for its first event before the run counts as failed.
const DEADLINE: Duration = Duration::from_secs(20);

struct Options {
    runs: usize,
    only: Option<Vec<String>>,
    bin_dir: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options { runs: 15, only: None, bin_dir: None };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--runs" => {
                o.runs = value()?.parse().map_err(|_| "--runs takes a positive number".to_owned())?;
                if o.runs == 0 {
                    return Err("--runs takes a positive number".into());
                }
            }
            "--only" => o.only = Some(value()?.split(',').map(str::to_owned).collect()),
            "--bin-dir" => o.bin_dir = Some(PathBuf::from(value()?)),
            other => return Err(format!("bench-cold: unknown option {other}")),
        }
    }
    Ok(o)
}

pub fn bench_cold(root: &Path, args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let mut functions = function_names(root)?;
    if let Some(only) = &opts.only {
        if let Some(unknown) = only.iter().find(|n| !functions.contains(n)) {
            return Err(format!("bench-cold: no function binary named {unknown}"));
        }
        functions.retain(|f| only.contains(f));
    }
    let (dir, hello) = match &opts.bin_dir {
        Some(d) => (d.clone(), d.join(HELLO)),
        None => {
            build(root, &functions)?;
            let release = target_dir(root).join("release");
            let hello = release.join("examples").join(HELLO);
            (release, hello)
        }
    };
    let mut binaries = vec![hello];
    binaries.extend(functions.iter().map(|n| dir.join(n)));
    let mut names = vec![HELLO.to_owned()];
    names.extend(functions);
    if let Some(missing) = binaries.iter().find(|b| !b.is_file()) {
        return Err(format!("bench-cold: {} is missing", missing.display()));
    }

    let sizes = names
        .iter()
        .zip(&binaries)
        .map(|(n, b)| stripped_size(b, n).map(|s| (std::fs::metadata(b).map(|m| m.len()).unwrap_or(0), s)))
        .collect::<Result<Vec<_>, _>>()?;

    eprintln!("bench-cold: {} binaries, 1 warm-up round + {} measured rounds", names.len(), opts.runs);
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(opts.runs); names.len()];
    for round in 0..=opts.runs {
        for (i, (name, bin)) in names.iter().zip(&binaries).enumerate() {
            let took = init_time(bin, name).map_err(|e| format!("bench-cold: {name}: {e}"))?;
            if round > 0 {
                samples[i].push(took);
            }
        }
    }

    let stats: Vec<Stats> = samples.iter_mut().map(|s| Stats::of(s)).collect();
    let hello = stats[0].median;
    println!("\ncold init: spawn → first GET {NEXT_PATH} ({} runs each; ratio = median / {HELLO} median)\n", opts.runs);
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>7} {:>11} {:>12}",
        "binary", "min ms", "med ms", "max ms", "ratio", "stripped", "unstripped"
    );
    for ((name, st), (raw, stripped)) in names.iter().zip(&stats).zip(&sizes) {
        println!(
            "{:<28} {:>8.2} {:>8.2} {:>8.2} {:>6.2}x {:>11} {:>12}",
            name,
            ms(st.min),
            ms(st.median),
            ms(st.max),
            st.median.as_secs_f64() / hello.as_secs_f64(),
            mib(*stripped),
            mib(*raw)
        );
    }
    if stats.len() > 1 {
        let mut medians: Vec<Duration> = stats[1..].iter().map(|s| s.median).collect();
        let mut stripped: Vec<u64> = sizes[1..].iter().map(|s| s.1).collect();
        let m = Stats::of(&mut medians);
        stripped.sort_unstable();
        println!(
            "\nfunctions ({}): median init min/median/max {:.2}/{:.2}/{:.2} ms = {:.2}x/{:.2}x/{:.2}x {HELLO} \
             ({:.2} ms); stripped size min/median/max {}/{}/{}",
            medians.len(),
            ms(m.min),
            ms(m.median),
            ms(m.max),
            m.min.as_secs_f64() / hello.as_secs_f64(),
            m.median.as_secs_f64() / hello.as_secs_f64(),
            m.max.as_secs_f64() / hello.as_secs_f64(),
            ms(hello),
            mib(stripped[0]),
            mib(stripped[stripped.len() / 2]),
            mib(stripped[stripped.len() - 1]),
        );
    }
    Ok(())
}

struct Stats {
    min: Duration,
    median: Duration,
    max: Duration,
}

impl Stats {
    fn of(s: &mut [Duration]) -> Stats {
        s.sort_unstable();
        let n = s.len();
        let median = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2 };
        Stats { min: s[0], median, max: s[n - 1] }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The deployed functions: one per file in `functions/src/bin/`.
fn function_names(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("functions/src/bin");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".rs")).map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root.join(d),
        None => root.join("target"),
    }
}

/// One cargo invocation for the functions and the hello-world, so both get the same profile and features.
fn build(root: &Path, functions: &[String]) -> Result<(), String> {
    let mut args = vec!["build", "--release", "-p", "vigil-functions", "--example", HELLO];
    for f in functions {
        args.extend(["--bin", f.as_str()]);
    }
    eprintln!("bench-cold: cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build failed ({status})"))
    }
}

/// The size of a stripped copy (Lambda's zip holds what `cargo lambda` strips); the built binary stays as it is.
fn stripped_size(bin: &Path, name: &str) -> Result<u64, String> {
    let copy = std::env::temp_dir().join(format!("vigil-bench-cold-{}-{name}", std::process::id()));
    std::fs::copy(bin, &copy).map_err(|e| format!("cannot copy {}: {e}", bin.display()))?;
    let stripped = Command::new("strip").arg(&copy).status();
    let size = std::fs::metadata(&copy).map(|m| m.len());
    let _ = std::fs::remove_file(&copy);
    match stripped {
        Ok(s) if s.success() => size.map_err(|e| format!("cannot stat the stripped copy of {name}: {e}")),
        Ok(s) => Err(format!("strip failed on {name} ({s})")),
        Err(e) => Err(format!("cannot run strip (binutils): {e}")),
    }
}

/// What the stand-in runtime API saw: when the first request's head was complete, and its request line.
struct FirstRequest {
    at: Instant,
    line: String,
    /// Held open (never answered) until the child is gone, as a runtime API with no event yet would.
    _conn: TcpStream,
}

/// Spawns `bin` against a fresh stand-in runtime API and returns spawn → first `GET …/invocation/next`.
fn init_time(bin: &Path, name: &str) -> Result<Duration, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let (tx, rx) = mpsc::channel();
    // The listener thread timestamps the request itself, so the main thread's polling interval adds no error.
    std::thread::spawn(move || {
        let _ = tx.send(first_request(&listener));
    });

    let start = Instant::now();
    let child = lambda_command(bin, name, port).spawn().map_err(|e| format!("cannot start: {e}"))?;
    let mut child = KillOnDrop(child);
    let deadline = start + DEADLINE;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Ok(first)) => {
                let took = first.at.duration_since(start);
                if first.line.starts_with(&format!("GET {NEXT_PATH} ")) {
                    return Ok(took);
                }
                return Err(format!("first request was {:?}, not GET {NEXT_PATH}", first.line));
            }
            Ok(Err(e)) => return Err(e),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err("the stand-in runtime API stopped".into()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.0.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("exited ({status}) before asking for an event: {}", err.trim()));
        }
        if Instant::now() > deadline {
            return Err(format!("no request within {DEADLINE:?}"));
        }
    }
}

fn first_request(listener: &TcpListener) -> Result<FirstRequest, String> {
    let (conn, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
    let mut reader = BufReader::new(conn.try_clone().map_err(|e| e.to_string())?);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("reading the request: {e}"))?;
    // The request counts once its head is complete.
    let mut header = String::new();
    loop {
        header.clear();
        let n = reader.read_line(&mut header).map_err(|e| format!("reading the request: {e}"))?;
        if n == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    Ok(FirstRequest { at: Instant::now(), line: line.trim_end().to_owned(), _conn: conn })
}

/// The environment Lambda sets for a function (`provided.al2023`), plus the settings the template gives every
/// function. Credentials are fake: nothing is called during init. No `HOME`, as in Lambda.
fn lambda_command(bin: &Path, name: &str, port: u16) -> Command {
    let mut c = Command::new(bin);
    c.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "en_US.UTF-8")
        .env("TZ", ":UTC")
        .env("LAMBDA_TASK_ROOT", "/var/task")
        .env("LAMBDA_RUNTIME_DIR", "/var/runtime")
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", format!("vigil-{name}"))
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]0123456789abcdef")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/vigil-{name}"))
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "ASIAFAKEFAKEFAKEFAKE")
        .env("AWS_SECRET_ACCESS_KEY", "fakefakefakefakefakefakefakefakefakefake")
        .env("AWS_SESSION_TOKEN", "fake-session-token")
        .env("VIGIL_BACKEND", "aws")
        .env("VIGIL_TABLE", "vigil-bench")
        .env("VIGIL_QUEUE_URL_JOBS", "https://sqs.us-east-1.amazonaws.com/000000000000/vigil-jobs")
        .env("VIGIL_QUEUE_URL_JOBS_DLQ", "https://sqs.us-east-1.amazonaws.com/000000000000/vigil-jobs-dlq")
        .env("VIGIL_CURSOR_SECRET", "bench-cursor-secret-0123456789")
        // What the template sets: the KMS key is named, and a container asks KMS only when an SSN is first used.
        .env("VIGIL_KMS_KEY_ID", "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000")
        .env("VIGIL_SES_SENDER", "no-reply@example.com")
        .env("VIGIL_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Ends the child however the measurement ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
