//! The embedded runtime: one process that plays API Gateway (routing, JWT authorizer: the local signer's tokens over
//! the embedded backend, the user pool's with `VIGIL_BACKEND=aws`), SQS (polling the embedded
//! queues into the same worker Lambda runs), EventBridge (a timer for scheduled jobs) and serves the portal. Every
//! request reaches the very handler its Lambda runs, through a real API Gateway v2 event.

pub mod backend;
pub mod cognito;
pub mod config;
pub mod dev;
pub mod gateway;
pub mod jobs;
pub mod sandbox_processor;
pub mod seed;
pub mod server;
pub mod tokens;

pub use config::{Backend, Config, TableLayer};
pub use server::{start, Running};
