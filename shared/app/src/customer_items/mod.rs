//! The sub-records a customer's tabs count and archiving touches: notes and tickets, emergency contacts, equipment,
//! appointments, recurring invoices and scheduled payments. Each is an item under the record's partition
//! (`keys::record_child_item`), listed and created through `/api/v1/customers/{id}/<collection>`.
//!
//! `collection` (the collections and their items), `validate` (a new item's fields), `partition` (reading a record's
//! partition) and `tab` (the endpoints); everything public is re-exported here.

mod collection;
mod partition;
mod tab;
mod validate;

pub use collection::{cancel_op, Collection, SubRecord};
pub use partition::{partition, ChildLink, Partition};
pub use tab::{create, list};
