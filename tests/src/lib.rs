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

/// The name the test harness gives a test function in the module at `module_path` (`module_path!()`): the path
/// without the crate's name. A test that re-runs itself in a child process passes it with `--exact`.
pub fn test_name(module_path: &str, function: &str) -> String {
    match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{function}"),
        None => function.to_owned(),
    }
}
