//! Vigil's use cases. Each module is one operation or one closely related group: it takes the acting user, checks
//! permissions, applies the domain rules and talks to the store ports. Nothing here knows about HTTP or AWS.
//!
//! A feature with several jobs is a folder with one file per job (`customers/`, `leads/`, `lead_list/`, …); its
//! `mod.rs` re-exports every public item, so callers name `customers::get`, not the file it lives in.

pub mod accounting;
pub mod auth;
pub mod clock;
pub mod copilot;
pub mod creation_workflows;
pub mod credit;
pub mod custom_fields;
pub mod customer_items;
pub mod customers;
pub mod directory;
pub mod error;
pub mod followups;
pub mod idempotency;
pub mod imports;
pub mod intake;
pub mod items;
pub mod jobs;
pub mod lead_list;
pub mod lead_options;
pub mod lead_queue;
pub mod lead_scoring;
pub mod leads;
pub mod mmr;
pub mod monitoring;
pub mod opportunities;
pub mod orders;
pub mod outbox;
pub mod partners;
pub mod record_index;
pub mod records;
pub mod reindex;
pub mod retry;
pub mod selling;
pub mod services;
pub mod ssn;
pub mod tags;
pub mod workflows;

pub use auth::Actor;
pub use error::AppError;
pub use services::Services;
