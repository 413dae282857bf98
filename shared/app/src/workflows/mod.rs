//! Customer workflows: versioned definitions under Settings, enrollments under the customer's partition, step
//! completion and the automatic steps' re-check when the customer's data changes.
//!
//! Storage (`vigil_store::keys`): a definition's current version is `WORKFLOW#id` (edits are conditional on its
//! `version`) and every version is also written once as `WORKFLOWV#id#version`, which enrollments read. An
//! enrollment (`WFENR#id`) sits in its customer's partition with an `WFOPEN#workflow` item while it is open (a second
//! start of the same workflow fails its condition) and the tab counters (`WFSTATS`), all changed in one transaction;
//! `ENROLLMENT#id` in the company partition says which customer an enrollment belongs to.
//!
//! One file per job; everything public is re-exported here.

mod complete;
mod definitions;
mod enroll;
mod recheck;
mod stored;
mod view;

pub use complete::complete;
pub use definitions::{create, get, list, update};
pub(crate) use enroll::{enroll_ops, finish_enrollment, OPEN_OP};
pub use enroll::{list_enrollments, start};
pub use recheck::{recheck, recheck_job};
pub(crate) use stored::Enrollment;
pub use stored::TabCounts;
pub use view::get_enrollment;
