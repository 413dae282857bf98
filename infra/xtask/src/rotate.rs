//! `cargo xtask rotate-ssn-key [--batch N] [--max-batches N]`: moves every stored SSN to a new data key.
//!
//! The job itself is the local runtime crate's `vigil-rotate-ssn-key` binary (it needs the store, the key ring and
//! the AWS SDK, and xtask stays standard-library only); this builds it the way `run` builds the runtime and runs it
//! with the same environment: the embedded data directory (`VIGIL_DATA_DIR`, default `.vigil`), or
//! `VIGIL_BACKEND=aws` with `VIGIL_TABLE`, `VIGIL_KMS_KEY_ID` and, for an emulator, `VIGIL_AWS_ENDPOINT`.

use std::path::Path;
use std::process::Command;

const BIN: &str = "vigil-rotate-ssn-key";

pub fn rotate_ssn_key(root: &Path, args: &[String]) -> Result<(), String> {
    crate::step("building the SSN key rotation job");
    crate::sh(root, "cargo", &["build", "--quiet", "--workspace", "--bin", BIN])?;
    crate::step("rotating the SSN data key (resumable: run again to continue an interrupted rotation)");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let status = Command::new(target.join("debug").join(BIN))
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot start {BIN}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the SSN key rotation stopped ({status}); run it again to continue"))
    }
}
