//! `cargo xtask openapi`: writes `infra/openapi.yaml` from the contract's types.
//!
//! The generator lives in the contract crate (`vigil-api`, feature `openapi`) as an example binary, and this runs it
//! through cargo: xtask stays standard-library only (so `cargo xtask run` builds in seconds), and the generator
//! builds in the debug profile that the tests' build of the same crate has already filled.

use std::path::Path;

pub fn write(root: &Path) -> Result<(), String> {
    crate::sh(root, "cargo", &["run", "--quiet", "-p", "vigil-api", "--features", "openapi", "--example", "openapi"])
}
