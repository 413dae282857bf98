//! `vigil-rotate-ssn-key [--batch N] [--max-batches N]`: moves every SSN to a new data key (`cargo xtask
//! rotate-ssn-key` builds and runs this). The embedded default's data directory (`VIGIL_DATA_DIR`), or with
//! `VIGIL_BACKEND=aws` the table `VIGIL_TABLE` and the KMS key `VIGIL_KMS_KEY_ID` (`VIGIL_AWS_ENDPOINT` for an
//! emulator). Resumable: the progress is stored after every batch, and running it again continues an unfinished
//! rotation (or, after a finished one, starts the next). Prints counts only.
//!
//! A stack deployed before key rings encrypted SSNs under the secret in `VIGIL_SSN_KEY`: with that variable set, the
//! job first imports the secret as the ring's first key (wrapped by KMS), so those SSNs stay readable, and the
//! rotation then moves them to a fresh key. Run it so before the first deploy without `VIGIL_SSN_KEY`, or a function
//! makes a fresh first key and the import is refused.

use std::process::ExitCode;

/// Batches between two progress lines.
const REPORT_EVERY: u32 = 10;

#[tokio::main]
async fn main() -> ExitCode {
    vigil_functions::telemetry::init();
    let (batch, max_batches) = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigil-rotate-ssn-key: {e}\nusage: vigil-rotate-ssn-key [--batch N] [--max-batches N]");
            return ExitCode::from(2);
        }
    };
    let config = match vigil_local::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vigil-rotate-ssn-key: {e}");
            return ExitCode::from(2);
        }
    };
    let ring = match vigil_local::backend::open_key_ring(&config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil-rotate-ssn-key: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(legacy) = std::env::var("VIGIL_SSN_KEY").ok().filter(|k| !k.is_empty()) {
        if legacy.len() < 32 {
            eprintln!("vigil-rotate-ssn-key: VIGIL_SSN_KEY is shorter than 32 characters");
            return ExitCode::from(2);
        }
        match ring.import_first(legacy.as_bytes()).await {
            Ok(true) => println!("imported VIGIL_SSN_KEY as SSN data key 1"),
            Ok(false) => println!("VIGIL_SSN_KEY is SSN data key 1 already"),
            Err(e) => {
                eprintln!("vigil-rotate-ssn-key: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut batches = 0u32;
    let mut reencrypted = 0u64;
    loop {
        let step = match max_batches {
            Some(m) => (m - batches).min(REPORT_EVERY),
            None => REPORT_EVERY,
        };
        match ring.rotate(batch, Some(step)).await {
            Ok(r) => {
                batches += r.batches;
                reencrypted += r.reencrypted;
                if r.done {
                    println!("rotation to SSN data key {} finished: {reencrypted} re-encrypted by this run", r.target);
                    return ExitCode::SUCCESS;
                }
                println!("rotating to SSN data key {}: {batches} batches, {reencrypted} re-encrypted", r.target);
                if max_batches.is_some_and(|m| batches >= m) {
                    println!("stopped after {batches} batches; run again to continue");
                    return ExitCode::SUCCESS;
                }
            }
            Err(e) => {
                eprintln!("vigil-rotate-ssn-key: {e} (run again to continue from the last batch saved)");
                return ExitCode::FAILURE;
            }
        }
    }
}

fn args() -> Result<(u32, Option<u32>), String> {
    let mut batch = 100;
    let mut max_batches = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Result<u32, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|v| *v > 0)
                .ok_or_else(|| format!("{name} takes a positive number"))
        };
        match a.as_str() {
            "--batch" => batch = value("--batch")?,
            "--max-batches" => max_batches = Some(value("--max-batches")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((batch, max_batches))
}
