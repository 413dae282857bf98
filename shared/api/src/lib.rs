//! Vigil's HTTP API as types: every operation's route and function ([`routes`]), one type per operation naming its
//! path, query, body and response ([`ops`]), and the request and response types the server, the portal and the
//! tests share, so a field renamed on one side only does not compile.

pub mod accounting;
pub mod common;
pub mod copilot;
pub mod creation_workflows;
pub mod credit;
pub mod customers;
pub mod directory;
pub mod imports;
pub mod intake;
pub mod lead_queue;
pub mod leads;
pub mod maintenance;
pub mod monitoring;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operation;
pub mod opportunities;
pub mod ops;
pub mod orders;
pub mod outbox;
pub mod partners;
pub mod routes;
pub mod selling;
pub mod settings;
pub mod workflows;

pub use common::Items;

/// The portal's Content-Security-Policy: only its own origin, its module script (no inline script), compiling its
/// wasm (`'wasm-unsafe-eval'`), its stylesheet and the API on the same origin. CloudFront (the template's response
/// headers policy) and the local runtime send this same value; a test holds the template to it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";
pub use operation::{Operation, PathParams};
pub use routes::{Function, LocalFunction, Method, Route, Scheduled, StreamWorker, Worker, LOCAL_ONLY_ROUTES, ROUTES};
