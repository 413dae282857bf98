//! Vigil's HTTP API as types: every operation's route and function ([`routes`]), one type per operation naming its
//! path, query, body and response ([`ops`]), and the request and response types the server, the portal and the
//! tests share, so a field renamed on one side only does not compile.

pub mod common;
pub mod customers;
pub mod directory;
pub mod leads;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operation;
pub mod ops;
pub mod outbox;
pub mod routes;
pub mod settings;

pub use common::Items;
pub use operation::{Operation, PathParams};
pub use routes::{Function, LocalFunction, Method, Route, Scheduled, Worker, LOCAL_ONLY_ROUTES, ROUTES};
