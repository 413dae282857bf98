//! `infra/openapi.yaml` is generated from the contract's types (`vigil_api::openapi`): the committed file must be
//! exactly what the code generates, so a change to a route, a type or a constraint shows up in the description.

use std::path::Path;

#[test]
fn committed_openapi_matches_the_contract() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .join(vigil_api::openapi::PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = vigil_api::openapi::yaml();
    if committed == generated {
        return;
    }
    let first = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    let line = |text: &str| text.lines().nth(first).unwrap_or("<end of file>").to_owned();
    panic!(
        "{} is not what the contract generates (first difference at line {}:\n  committed: {}\n  generated: {}\n); \
         run `cargo xtask openapi` and commit the result",
        path.display(),
        first + 1,
        line(&committed),
        line(&generated),
    );
}
