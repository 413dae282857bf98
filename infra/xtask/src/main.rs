//! The README's two commands.
//!
//! * `cargo xtask run`  — installs what is missing, builds the portal and the local runtime, and starts Vigil on the
//!   embedded default with demo data (http://127.0.0.1:8080 unless `VIGIL_PORT` says otherwise).
//! * `cargo xtask test` — installs what is missing (wasm target, wasm-bindgen-cli, Chromium, moto, cfn-lint), builds
//!   the portal, lints the SAM template and runs every test of the workspace.
//! * `cargo xtask bench-cold` — measures every Lambda binary's cold init beside a hello-world (see `bench_cold`).

//! * `cargo xtask openapi` — writes `infra/openapi.yaml` from the contract's types.
//! * `cargo xtask rotate-ssn-key` — moves every stored SSN to a new data key, in resumable batches (see `rotate`).

mod bench_cold;
mod openapi;
mod rotate;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&root),
        Some("test") => test(&root, &args[1..]),
        Some("web") => web::build_web(&root),
        Some("bench-cold") => bench_cold::bench_cold(&root, &args[1..]),
        Some("openapi") => openapi::write(&root),
        Some("rotate-ssn-key") => rotate::rotate_ssn_key(&root, &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask run | test [-- cargo test args] | web | openapi | bench-cold [--runs N] [--only a,b] [--bin-dir DIR] | rotate-ssn-key [--batch N] [--max-batches N]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("infra/xtask is two levels down").to_path_buf()
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Runs a command in `root`, failing with its name when it fails.
///
/// Cargo runs without incremental compilation unless the caller's environment asks for it: a fresh clone gains
/// nothing from it, and its caches were a third of the debug build's disk (3.6 GB of 12), which one CI machine did not
/// have. `run` and `test` both go through here, so the first start after the tests still reuses their build.
fn sh(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let mut command = Command::new(program);
    if program == "cargo" && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        command.env("CARGO_INCREMENTAL", "0");
    }
    let status = command.args(args).current_dir(root).status().map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

fn run(root: &Path) -> Result<(), String> {
    step("building the portal (wasm)");
    web::build_web(root)?;
    step("building the local runtime");
    // With the whole workspace selected, as `cargo xtask test` selects it, cargo resolves every dependency with the
    // same features (the tests' HTTP client and the portal's crates add some), so right after the tests this reuses
    // their build; `cargo run -p vigil-local` would resolve fewer features and recompile dozens of crates.
    sh(root, "cargo", &["build", "--quiet", "--workspace", "--bin", "vigil-local"])?;
    step("starting the local runtime (embedded database in .vigil/, demo data on first start)");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let status = Command::new(target.join("debug").join("vigil-local"))
        .current_dir(root)
        .env("VIGIL_WEB_DIR", root.join("web/dist"))
        .env("VIGIL_LOG_FORMAT", std::env::var("VIGIL_LOG_FORMAT").unwrap_or_else(|_| "pretty".into()))
        .status()
        .map_err(|e| format!("cannot start the local runtime: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the local runtime stopped ({status})"))
    }
}

fn test(root: &Path, extra: &[String]) -> Result<(), String> {
    step("checking test tools (Chromium, chromedriver, moto, cfn-lint)");
    install_tools(root)?;
    step("building the portal (wasm)");
    web::build_web(root)?;
    step("checking formatting (cargo fmt --check)");
    sh(root, "cargo", &["fmt", "--all", "--check"])?;
    step("linting the SAM template (cfn-lint)");
    sh(root, "cfn-lint", &["infra/template.yaml"])?;
    step("linting the code (clippy, native and the portal's wasm)");
    sh(root, "cargo", &["clippy", "--workspace", "--exclude", "vigil-web", "--all-targets", "--", "-D", "warnings"])?;
    sh(root, "cargo", &["clippy", "-p", "vigil-web", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])?;
    step("running every test (unit, contract on both backends, API flows, rehearsal on moto, browser)");
    // Every target with tests but the functions' binaries: each is a four-line `main`, and a test harness apiece was
    // 130 links and a gigabyte of disk for no test. The tools' binaries (`vigil-*`) keep theirs; doc tests cannot be
    // selected beside other targets, so they run second, whatever the first run gave.
    let mut args = vec!["test", "--workspace", "--no-fail-fast", "--lib", "--test", "*", "--bin", "vigil-*"];
    args.extend(extra.iter().map(String::as_str));
    let targets = sh(root, "cargo", &args);
    let docs = sh(root, "cargo", &["test", "--workspace", "--doc"]);
    targets.and(docs)
}

fn install_tools(root: &Path) -> Result<(), String> {
    if !(have("chromium") && have("chromedriver")) {
        if !have("apt-get") {
            return Err("Chromium and chromedriver are needed for the browser tests: install them (Debian: apt-get install chromium chromium-driver)".into());
        }
        let sudo = if is_root() { vec![] } else { vec!["sudo"] };
        let mut update = sudo.clone();
        update.extend(["apt-get", "update", "-qq"]);
        sh(root, update[0], &update[1..])?;
        let mut install = sudo;
        install.extend(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]);
        let status = Command::new(install[0])
            .args(&install[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .current_dir(root)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return Err("installing chromium and chromium-driver with apt-get failed".into());
        }
    }
    let python = if have("python3") { "python3" } else { "python" };
    let mut missing = Vec::new();
    if !have("moto_server") {
        missing.push("moto[server]");
    }
    if !have("cfn-lint") {
        missing.push("cfn-lint");
    }
    if !missing.is_empty() {
        let mut args = vec!["-m", "pip", "install", "--quiet"];
        args.extend(missing.iter().copied());
        sh(root, python, &args)?;
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
