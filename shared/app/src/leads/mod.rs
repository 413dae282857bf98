//! The lead write side and single-lead reads: create, edit (PATCH), stage moves, tags, delete, the full record and
//! the list's preview panel. Every write is one conditional transaction carrying the profile item, the list index
//! writes (`record_index::index_writes`), the duplicate lookup item and a history item per changed field.
//! User-defined field values (`custom_fields`) live on the record for leads as for customers: create and edit take
//! them through `custom_fields::apply` (the customer save's validation), so a converted lead keeps them.
//!
//! One file per job; everything public (and the helpers the customer record shares) is re-exported here.

mod checks;
mod create;
mod delete;
mod duplicates;
mod edit;
mod history;
mod preview;
mod save;
mod stage;
mod tags;
mod view;

pub(crate) use checks::{check_account_class, check_disposition, check_source, finish};
pub use create::create;
pub(crate) use create::new_record;
pub use delete::delete;
pub(crate) use duplicates::{dup_hash, dup_item, dup_ops, refuse_duplicates};
pub use duplicates::{dup_item as duplicate_item, DuplicateMatch};
pub use edit::edit;
pub(crate) use edit::set_ssn;
pub(crate) use history::history_ops;
pub use history::{history, HistoryEntry};
pub use preview::{preview, Named, Preview};
pub(crate) use save::save;
pub use stage::{move_stage, StageMove};
pub use tags::{set_tags, SetTags};
pub(crate) use view::load;
pub(crate) use view::target;
pub use view::{get, view, LeadView};

/// The message of every stale-version conflict.
pub const STALE: &str = "another user changed this lead; review their changes and try again";
