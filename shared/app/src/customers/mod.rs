//! The customer record (Home page): the whole record in one read, form options, saving a change with section and
//! confidential-field grants, plain create, converting a lead, parent/sub-customer links, archive and unarchive,
//! delete, duplicate and history. Every write is one conditional transaction that carries the profile, the list
//! index writes (`record_index::index_writes`) and a history item per changed field.
//!
//! One file per job; everything public is re-exported here, so callers name `customers::get`, `customers::edit`, ….

mod archive;
mod convert;
mod create;
mod delete;
mod edit;
mod family;
mod history;
mod load;
mod options;
mod save;
mod view;

pub use archive::{archive, archive_preview, unarchive, Affected, ArchivePreview, Confirm};
pub use convert::{convert, Convert};
pub use create::{create, duplicate};
pub use delete::delete;
pub(crate) use delete::delete_record;
pub use edit::{edit, set_tags};
pub use family::{parent_candidates, Candidate};
pub use history::{history, HistoryPage};
pub use load::{load, writable};
// Orders and accounting write the record and its sub-items in one transaction of their own.
// What the credit checks' apply shares with the Home page's saves.
pub(crate) use load::{load_customer, target};
pub use options::{
    default_options, form_options, options, options_item, CustomerOptions, FormOptions, IdName, Priced, UserOption,
    OPTIONS_SETTING,
};
pub(crate) use save::{bump, commit, conflict, save_ops};
pub use view::{get, view};
pub use vigil_api::customers::CustomerHome;

/// The message of every stale-version conflict on a customer.
pub const STALE: &str = "another user changed this customer; review their changes and try again";
pub const ARCHIVED: &str = "this customer is archived and cannot be changed; unarchive it first";
