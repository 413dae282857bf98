//! The Lambda edge. Every binary in `src/bin/` sets up tracing and services and hands one of these handlers to the
//! Lambda runtime; the local runtime calls the very same functions. Handlers only translate: HTTP in, an `app`
//! operation, HTTP out.

pub mod dispatcher;
pub mod env;
pub mod http;
pub mod lambda;
pub mod problem;
pub mod routes;
pub mod telemetry;
pub mod worker;

pub use http::handle;
