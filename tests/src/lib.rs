//! Shared harness for the cross-crate tests: the contract suites, moto_server, the cloud rehearsal stack, the
//! in-process local runtime and a WebDriver client.

pub mod browser;
pub mod client;
pub mod cognito;
pub mod contract;
pub mod faults;
pub mod moto;
pub mod orders;
pub mod portal;
pub mod rehearsal;
pub mod runtime;
pub mod stub;
pub mod users;

/// Runs one test of this test binary alone in a child process, with debug logging in the plain format and
/// `child_var` set to `dir`, and returns what it printed. The tests that show a secret never reaches the logs run
/// their flows in the child (which finds `child_var` set) and search all of its output.
///
/// The test is named as the harness names it: the module path (`module_path!()`) without the crate, then `function`.
pub async fn run_logged_child(
    module_path: &str,
    function: &str,
    child_var: &'static str,
    dir: std::path::PathBuf,
) -> std::process::Output {
    let name = match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{function}"),
        None => function.to_owned(),
    };
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::current_exe().expect("the test binary's path"))
            .args(["--exact", &name, "--nocapture", "--test-threads", "1"])
            .env(child_var, dir)
            .env("VIGIL_LOG", "debug")
            .env_remove("VIGIL_LOG_FORMAT")
            .output()
    })
    .await
    .expect("the child's runner")
    .expect("the child process starts")
}
