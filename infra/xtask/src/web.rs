//! Builds the portal into `web/dist`: the Yew crate compiled to wasm32, bound with wasm-bindgen (the CLI at the
//! exact version of the `wasm-bindgen` crate in Cargo.lock, installed if missing), shrunk with wasm-opt when one is
//! at hand, then index.html and the static assets copied beside it. Binding and optimising are skipped when the wasm
//! and the tools are what they were at the last build (a content stamp in `target/wasm`). Standard library only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "precompress.rs"]
mod precompress;
#[path = "wasm_imports.rs"]
mod wasm_imports;
#[path = "wasm_layout.rs"]
mod wasm_layout;
#[path = "wasm_names.rs"]
mod wasm_names;

const TARGET: &str = "wasm32-unknown-unknown";
const CRATE: &str = "vigil-web";
/// The wasm file cargo writes for the `vigil-web` cdylib.
const WASM_NAME: &str = "vigil_web";

/// What wasm-bindgen is asked for; part of the stamp, so changing it rebuilds.
const BINDGEN_ARGS: [&str; 3] = ["--target", "web", "--no-typescript"];
/// `-Oz` tuned for the size that is downloaded, the gzipped one, rather than the raw one (measured on the portal,
/// gzip -9; the README's "Keeping the portal small" has the figures):
/// - Functions with one caller are inlined only when small. `-Oz` inlines them whatever their size, which saves 1%
///   raw but costs 14% gzipped: each inlined body is renumbered into its caller and no longer matches its siblings.
/// - The passes run again until the module stops shrinking (`--converge`): 62 KiB less raw, 3 KiB less gzipped, for
///   about 45 s more.
/// - Functions are then laid out sorted by name, so the copies of one generic function and the parts of one page sit
///   together, within reach of gzip's 32 KiB window: 4% less gzipped, the same raw; 6% with the names made into
///   sort keys first ([`wasm_names`]). [`LAYOUT_ARGS`] then refines that order.
///
/// Then two facts about how rustc lays out the module that let wasm-opt fold more: nothing lives in the first KiB
/// of memory (the stack sits below the data at 1 MiB and never reaches down there), and the memory starts zeroed
/// (the module creates it rather than importing it), so zero bytes of data need not be stored. The name section the
/// ordering reads is dropped from the output (no `-g`). Part of the stamp.
const WASM_OPT_ARGS: [&str; 6] = [
    "-Oz",
    "--converge",
    "--one-caller-inline-max-function-size=20",
    "--reorder-functions-by-name",
    "--low-memory-unused",
    "--zero-filled-memory",
];
/// The second wasm-opt run, which only moves the optimised functions into the order [`wasm_layout`] names: 3.6% less
/// gzipped. The levels are `-Oz`'s without its passes: they make wasm-opt write the code as compactly as the first
/// run did (without them the module grows by 1.5 KiB). Part of the stamp.
const LAYOUT_ARGS: [&str; 3] = ["--shrink-level=2", "--optimize-level=2", "--reorder-functions-by-name"];
/// The features rustc enables for wasm32 by default (wasm-opt rejects a module using ones it was not told of), for
/// both runs. Part of the stamp.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];
/// Inputs and outputs of the last bind-and-optimise, kept beside the cargo output rather than in `web/dist`, which is
/// deployed as is.
const STAMP: &str = "portal.stamp";

/// Builds the portal. `root` is the workspace root (the directory holding Cargo.lock and `web/`).
///
/// Binding and optimising take about a minute and a half, so they only run when their result would differ: the
/// stamp records a hash of the wasm cargo built, the tools' versions and their flags, plus a hash of what they left
/// in `web/dist`. index.html and the static assets are copied every time; that takes milliseconds.
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
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env(format!("CARGO_TARGET_{}_RUSTFLAGS", TARGET.to_uppercase().replace('-', "_")), remap_flags()))?;
    let wasm = target_dir.join(TARGET).join("release").join(format!("{WASM_NAME}.wasm"));

    let dist = root.join("web").join("dist");
    let bound = dist.join(format!("{WASM_NAME}_bg.wasm"));
    let opt = wasm_opt(root);
    let inputs = input_hash(&wasm, &version, opt.as_deref())?;
    let stamp_path = target_dir.join(STAMP);
    let stamp = fs::read_to_string(&stamp_path).ok().and_then(|s| Stamp::parse(&s));
    let up_to_date = stamp.is_some_and(|s| s.inputs == inputs && output_hash(&dist).ok() == Some(s.outputs));

    if up_to_date {
        println!("web: wasm unchanged since the last build, keeping the bound and optimised portal");
    } else {
        // A build that stops half-way must not leave a stamp vouching for what is in dist.
        let _ = fs::remove_file(&stamp_path);
        if dist.exists() {
            fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
        }
        fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;

        println!("web: wasm-bindgen {version}");
        run(Command::new(&wasm_bindgen).args(BINDGEN_ARGS).arg("--out-dir").arg(&dist).arg(&wasm))?;

        let before_opt = file_size(&bound)?;
        let optimised = match &opt {
            Some(opt) => optimise(opt, &dist, &bound)?,
            None => {
                println!("web: wasm-opt not available (needs npm for binaryen@{BINARYEN}), skipping it");
                true
            }
        };
        shorten_imports(&dist, &bound)?;
        let raw = file_size(&bound)?;
        if raw != before_opt {
            println!("web: wasm {} before wasm-opt", kib(before_opt));
        }
        println!("web: precompressing ({})", precompress::SETTINGS);
        for file in [&bound, &glue_path(&dist)] {
            precompressed(file)?;
        }
        // After a failed wasm-opt no stamp, so the next build tries again.
        if optimised {
            let stamp = Stamp { inputs, outputs: output_hash(&dist)? };
            fs::write(&stamp_path, stamp.to_string())
                .map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
        }
    }

    let web = root.join("web");
    copy_file(&web.join("index.html"), &dist.join("index.html"))?;
    let static_dir = web.join("static");
    let static_dist = dist.join("static");
    if static_dist.exists() {
        // Cleared so an asset removed from web/static does not linger in dist.
        fs::remove_dir_all(&static_dist).map_err(|e| format!("cannot clear {}: {e}", static_dist.display()))?;
    }
    if static_dir.is_dir() {
        copy_dir(&static_dir, &static_dist)?;
    }

    let raw = file_size(&bound)?;
    let gz = gzip_size(&bound)?;
    let glue = glue_path(&dist);
    let js = file_size(&glue)?;
    println!("web: wasm {} raw, {} gzipped; js glue {}; output in {}", kib(raw), kib(gz), kib(js), dist.display());
    println!(
        "web: as downloaded: wasm {} brotli, {} gzip (zopfli); js glue {} brotli",
        kib(file_size(&with_suffix(&bound, "br"))?),
        kib(file_size(&with_suffix(&bound, "gz"))?),
        kib(file_size(&with_suffix(&glue, "br"))?)
    );
    Ok(())
}

fn glue_path(dist: &Path) -> PathBuf {
    dist.join(format!("{WASM_NAME}.js"))
}

/// `x.wasm` with `.br` appended: the name a server looks for beside the file it serves.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `file.br` and `file.gz` beside `file` ([`precompress`]).
fn precompressed(file: &Path) -> Result<(), String> {
    let bytes = read_file(file)?;
    write_file(&with_suffix(file, "br"), &precompress::brotli(&bytes)?)?;
    write_file(&with_suffix(file, "gz"), &precompress::gzip(&bytes)?)
}

/// Runs wasm-opt over the bound wasm in place, then lays its functions out ([`wasm_layout`]). False when the
/// optimisation failed: a smaller wasm is nice to have, and a failed optimisation leaves the working one in place.
fn optimise(opt: &Path, dist: &Path, bound: &Path) -> Result<bool, String> {
    println!("web: wasm-opt {}", WASM_OPT_ARGS[0]);
    // The order `--reorder-functions-by-name` lays the functions out in.
    let module = read_file(bound)?;
    if let Some(keyed) = wasm_names::with_sort_keys(&module) {
        write_file(bound, &keyed)?;
    }
    let optimised = dist.join(format!("{WASM_NAME}_bg.opt.wasm"));
    if let Err(e) = run(Command::new(opt).args(WASM_OPT_ARGS).args(WASM_FEATURES).arg(bound).arg("-o").arg(&optimised))
    {
        let _ = fs::remove_file(&optimised);
        println!("web: wasm-opt failed, keeping the unoptimised wasm: {e}");
        return Ok(false);
    }
    if let Some(named) = wasm_layout::with_layout_names(&read_file(&optimised)?) {
        println!("web: wasm-opt {}", LAYOUT_ARGS.join(" "));
        let named_path = dist.join(format!("{WASM_NAME}_bg.named.wasm"));
        let laid_out = dist.join(format!("{WASM_NAME}_bg.laid.wasm"));
        write_file(&named_path, &named)?;
        let run_result =
            run(Command::new(opt).args(LAYOUT_ARGS).args(WASM_FEATURES).arg(&named_path).arg("-o").arg(&laid_out));
        let _ = fs::remove_file(&named_path);
        match run_result {
            Ok(()) => rename(&laid_out, &optimised)?,
            // The optimised module is whole without the layout, only a little larger gzipped.
            Err(e) => {
                let _ = fs::remove_file(&laid_out);
                println!("web: laying the functions out failed, keeping the name order: {e}");
            }
        }
    }
    rename(&optimised, bound)?;
    Ok(true)
}

/// Renames the imported functions in the bound wasm and its glue ([`wasm_imports`]); a glue of a shape it does not
/// know keeps both as they are.
fn shorten_imports(dist: &Path, bound: &Path) -> Result<(), String> {
    let glue_path = glue_path(dist);
    let glue = String::from_utf8(read_file(&glue_path)?).map_err(|e| format!("{}: {e}", glue_path.display()))?;
    match wasm_imports::with_short_imports(&read_file(bound)?, &glue) {
        Some((module, glue)) => {
            write_file(bound, &module)?;
            write_file(&glue_path, glue.as_bytes())
        }
        None => {
            println!("web: the imports keep wasm-bindgen's names (its glue is not of the shape expected)");
            Ok(())
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    fs::rename(from, to).map_err(|e| format!("cannot replace {}: {e}", to.display()))
}

/// What the bound and optimised files depend on: the wasm cargo built, the wasm-bindgen version, wasm-opt's version
/// (or its absence), both tools' flags, the order the functions are laid out in and how imports are named.
fn input_hash(wasm: &Path, bindgen_version: &str, opt: Option<&Path>) -> Result<u64, String> {
    let mut h = Fnv::new();
    h.chunk(&read_file(wasm)?);
    h.chunk(bindgen_version.as_bytes());
    for arg in BINDGEN_ARGS {
        h.chunk(arg.as_bytes());
    }
    h.chunk(wasm_imports::NAMING.as_bytes());
    h.chunk(precompress::SETTINGS.as_bytes());
    match opt {
        Some(opt) => {
            let version = output(Command::new(opt).arg("--version")).unwrap_or_default();
            h.chunk(version.as_bytes());
            for arg in WASM_OPT_ARGS.iter().chain(&LAYOUT_ARGS).chain(&WASM_FEATURES) {
                h.chunk(arg.as_bytes());
            }
            h.chunk(wasm_names::ORDER.as_bytes());
            h.chunk(wasm_layout::ORDER.as_bytes());
        }
        None => h.chunk(b"no wasm-opt"),
    }
    Ok(h.finish())
}

/// Everything in dist that the tools wrote (all but index.html and static/, which are copied afresh), by name and
/// content, so a dist changed or removed by hand is rebuilt.
fn output_hash(dist: &Path) -> Result<u64, String> {
    let mut files = Vec::new();
    list_files(dist, &mut files)?;
    let mut files: Vec<_> =
        files.into_iter().filter(|p| p != &dist.join("index.html") && !p.starts_with(dist.join("static"))).collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{} has no bound portal", dist.display()));
    }
    let mut h = Fnv::new();
    for file in files {
        let name = file.strip_prefix(dist).unwrap_or(&file);
        h.chunk(name.to_string_lossy().as_bytes());
        h.chunk(&read_file(&file)?);
    }
    Ok(h.finish())
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    inputs: u64,
    outputs: u64,
}

impl Stamp {
    fn parse(text: &str) -> Option<Self> {
        let mut fields = text.split_whitespace();
        let inputs = u64::from_str_radix(fields.next()?.strip_prefix("inputs=")?, 16).ok()?;
        let outputs = u64::from_str_radix(fields.next()?.strip_prefix("outputs=")?, 16).ok()?;
        Some(Self { inputs, outputs })
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "inputs={:016x} outputs={:016x}", self.inputs, self.outputs)
    }
}

/// 64-bit FNV-1a: std only, and unlike `DefaultHasher` its values are the same across Rust releases, so a toolchain
/// update alone does not throw the stamp away. Collisions only cost a stale portal when the inputs changed, at odds
/// of one in 2^64.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Length first, so the boundary between two chunks is part of the hash.
    fn chunk(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
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

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

fn cargo_bin() -> Option<PathBuf> {
    cargo_home().map(|h| h.join("bin"))
}

/// Panic locations in the wasm name their source files. Without the registry's directory on this machine
/// (`~/.cargo/registry/src/index.crates.io-<hash>/`) the names are a few KiB shorter and the same on every machine.
/// The standard library's generic code compiled into the portal names its files under the toolchain's source
/// directory, and its precompiled code under `/rustc/<commit>/`: the first is written as the second, so each file
/// is named once, the same way on every machine. Only for the wasm target, and only when RUSTFLAGS is unset (cargo
/// lets RUSTFLAGS win).
fn remap_flags() -> String {
    let registry = cargo_home().map(|h| h.join("registry").join("src"));
    let mut dirs: Vec<(String, String)> = Vec::new();
    for entry in registry.iter().filter_map(|r| fs::read_dir(r).ok()).flatten().flatten() {
        dirs.push((format!("{}/", entry.path().display()), String::new()));
    }
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"]));
    let commit = output(Command::new("rustc").arg("-vV"))
        .and_then(|v| v.lines().find_map(|l| l.strip_prefix("commit-hash: ").map(str::to_owned)));
    if let (Some(sysroot), Some(commit)) = (sysroot, commit) {
        dirs.push((format!("{}/lib/rustlib/src/rust/", sysroot.trim()), format!("/rustc/{}/", commit.trim())));
    }
    // The variable is split on spaces; a directory with one is left as it is.
    dirs.iter()
        .filter(|(from, to)| !from.contains(char::is_whitespace) && !to.contains(char::is_whitespace))
        .map(|(from, to)| format!("--remap-path-prefix={from}={to}"))
        .collect::<Vec<_>>()
        .join(" ")
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

    #[test]
    fn a_stamp_reads_back_what_was_written() {
        let stamp = Stamp { inputs: 0x0123_4567_89ab_cdef, outputs: 7 };
        assert_eq!(Stamp::parse(&stamp.to_string()), Some(stamp));
        assert_eq!(Stamp::parse("inputs=zz outputs=1"), None);
        assert_eq!(Stamp::parse(""), None);
    }

    #[test]
    fn the_hash_tells_chunk_boundaries_apart() {
        let hash = |chunks: &[&[u8]]| {
            let mut h = Fnv::new();
            chunks.iter().for_each(|c| h.chunk(c));
            h.finish()
        };
        assert_eq!(hash(&[b"ab", b"c"]), hash(&[b"ab", b"c"]));
        assert_ne!(hash(&[b"ab", b"c"]), hash(&[b"a", b"bc"]));
    }
}
