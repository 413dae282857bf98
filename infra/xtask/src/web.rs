//! Builds the portal into `web/dist`: the Yew crate compiled to wasm32, bound with wasm-bindgen (the CLI at the
//! exact version of the `wasm-bindgen` crate in Cargo.lock, installed if missing), shrunk with wasm-opt when one is
//! at hand, then index.html and the static assets copied beside it. Standard library only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TARGET: &str = "wasm32-unknown-unknown";
const CRATE: &str = "vigil-web";
/// The wasm file cargo writes for the `vigil-web` cdylib.
const WASM_NAME: &str = "vigil_web";

/// Builds the portal. `root` is the workspace root (the directory holding Cargo.lock and `web/`).
pub fn build_web(root: &Path) -> Result<(), String> {
    ensure_wasm_target()?;
    let version = wasm_bindgen_version(root)?;
    let wasm_bindgen = ensure_wasm_bindgen(&version)?;

    let target_dir = root.join("target").join("wasm");
    println!("web: cargo build -p {CRATE} --release --target {TARGET}");
    // Size over speed for everything that goes into the wasm (dependencies included), and one codegen unit with
    // LTO so unused code is dropped across crates: about 40% less wasm than the workspace's release profile. Set
    // here rather than in Cargo.toml because the wasm build has its own target dir, so native builds keep theirs.
    run(Command::new(cargo())
        .current_dir(root)
        .args(["build", "-p", CRATE, "--release", "--target", TARGET, "--target-dir"])
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"))?;
    let wasm = target_dir.join(TARGET).join("release").join(format!("{WASM_NAME}.wasm"));

    let dist = root.join("web").join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;

    println!("web: wasm-bindgen {version}");
    run(Command::new(&wasm_bindgen).args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&dist).arg(&wasm))?;

    let bound = dist.join(format!("{WASM_NAME}_bg.wasm"));
    let before_opt = file_size(&bound)?;
    match wasm_opt(root) {
        Some(opt) => {
            println!("web: wasm-opt -Oz");
            let tmp = dist.join(format!("{WASM_NAME}_bg.opt.wasm"));
            // The features rustc enables for wasm32 by default; wasm-opt rejects a module using ones it was not told of.
            let optimised = run(Command::new(&opt)
                .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
                .args(["--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"])
                .arg(&bound)
                .arg("-o")
                .arg(&tmp));
            match optimised {
                Ok(()) => fs::rename(&tmp, &bound).map_err(|e| format!("cannot replace {}: {e}", bound.display()))?,
                // A smaller wasm is nice to have; a failed optimisation leaves the working one in place.
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    println!("web: wasm-opt failed, keeping the unoptimised wasm: {e}");
                }
            }
        }
        None => println!("web: wasm-opt not available (needs npm for binaryen@{BINARYEN}), skipping it"),
    }

    let web = root.join("web");
    copy_file(&web.join("index.html"), &dist.join("index.html"))?;
    let static_dir = web.join("static");
    if static_dir.is_dir() {
        copy_dir(&static_dir, &dist.join("static"))?;
    }

    let raw = file_size(&bound)?;
    let gz = gzip_size(&bound)?;
    let js = file_size(&dist.join(format!("{WASM_NAME}.js")))?;
    if raw != before_opt {
        println!("web: wasm {} before wasm-opt", kib(before_opt));
    }
    println!("web: wasm {} raw, {} gzipped; js glue {}; output in {}", kib(raw), kib(gz), kib(js), dist.display());
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

/// Stdout of a command that ran successfully, or None.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == TARGET) => Ok(()),
        Some(_) => {
            println!("web: rustup target add {TARGET}");
            run(Command::new("rustup").args(["target", "add", TARGET]))
        }
        // No rustup (a distribution's Rust): let cargo report a missing target if it is missing.
        None => Ok(()),
    }
}

/// The version of the `wasm-bindgen` crate the lock file pins; the CLI must match it exactly.
fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock_path = root.join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    lock_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package; build the web crate once".into())
}

fn lock_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim();
            return version.strip_prefix("version = \"")?.strip_suffix('"').map(str::to_owned);
        }
    }
    None
}

/// Finds `wasm-bindgen` at `version` (on PATH or in cargo's bin directory) or installs it with cargo.
fn ensure_wasm_bindgen(version: &str) -> Result<PathBuf, String> {
    let candidates = [Some(PathBuf::from("wasm-bindgen")), cargo_bin().map(|b| b.join("wasm-bindgen"))];
    for c in candidates.iter().flatten() {
        if cli_version(c).as_deref() == Some(version) {
            return Ok(c.clone());
        }
    }
    println!("web: installing wasm-bindgen-cli {version} (takes a couple of minutes once)");
    // Not --locked: one of the CLI's pinned dependencies is missing from the registry mirror.
    run(Command::new(cargo()).args(["install", "wasm-bindgen-cli", "--version", version]))?;
    for c in candidates.iter().flatten() {
        if cli_version(c).as_deref() == Some(version) {
            return Ok(c.clone());
        }
    }
    Err(format!(
        "installed wasm-bindgen-cli {version}, but no wasm-bindgen of that version is on PATH or in cargo's bin"
    ))
}

/// `wasm-bindgen 0.2.130` → `0.2.130`.
fn cli_version(bin: &Path) -> Option<String> {
    let out = output(Command::new(bin).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

fn cargo_bin() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// The binaryen release whose wasm-opt understands what rustc emits (Debian's binaryen is too old).
const BINARYEN: &str = "132";

/// wasm-opt from npm's binaryen: `node_modules/.bin` if the project has one, else `target/npm`, installed there
/// with npm when npm exists. Optional: it cuts the wasm by about a third, but the portal works without it.
fn wasm_opt(root: &Path) -> Option<PathBuf> {
    let project = root.join("node_modules/.bin/wasm-opt");
    let ours = root.join("target/npm/node_modules/.bin/wasm-opt");
    if project.is_file() {
        return Some(project);
    }
    if !ours.is_file() {
        output(Command::new("npm").arg("--version"))?;
        println!("web: npm i --no-save --prefix target/npm binaryen@{BINARYEN}");
        let installed = Command::new("npm")
            .current_dir(root)
            .args(["i", "--no-save", "--no-audit", "--no-fund", "--prefix", "target/npm"])
            .arg(format!("binaryen@{BINARYEN}"))
            .status();
        if !matches!(installed, Ok(s) if s.success()) {
            println!("web: could not install binaryen with npm");
            return None;
        }
    }
    ours.is_file().then_some(ours)
}

fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to).map(drop).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            copy_file(&path, &dest)?;
        }
    }
    Ok(())
}

fn file_size(path: &Path) -> Result<u64, String> {
    fs::metadata(path).map(|m| m.len()).map_err(|e| format!("cannot stat {}: {e}", path.display()))
}

/// Bytes after `gzip -9`, as a server compressing the response would send them.
fn gzip_size(path: &Path) -> Result<u64, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .stdin(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed with {}", out.status));
    }
    Ok(out.stdout.len() as u64)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_package_version_in_the_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n";
        assert_eq!(lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lock_version(lock, "wasm-bindgen-futures").as_deref(), Some("0.4.80"));
        assert_eq!(lock_version(lock, "yew"), None);
    }
}
