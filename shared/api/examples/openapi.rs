//! Writes the OpenAPI description generated from the contract to `infra/openapi.yaml` (or the path given).

use std::path::{Path, PathBuf};

fn main() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("shared/api is two levels down").to_path_buf();
    let target = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| root.join(vigil_api::openapi::PATH));
    let text = vigil_api::openapi::yaml();
    if let Err(e) = std::fs::write(&target, &text) {
        eprintln!("cannot write {}: {e}", target.display());
        std::process::exit(1);
    }
    eprintln!("wrote {} ({} lines)", target.display(), text.lines().count());
}
