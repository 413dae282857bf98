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
