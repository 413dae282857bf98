//! User-defined fields (UDFs): the definitions admins manage under Settings (`/api/v1/settings/custom-fields`),
//! the values saved with a customer or a lead (`custom_fields` on `PATCH`/`POST /api/v1/customers` and
//! `/api/v1/leads`), and the Custom Fields card of the Home page and the lead page. Parsing and validation are the
//! pure `vigil_domain::custom_field`.
//!
//! Who may do what: anyone who may view customers or leads lists the definitions (the Home page renders the card
//! from them); only Company Settings Modify (admins) changes them. Values are not under a section grant: whoever may
//! view the record sees them, and whoever may modify it (Customers Modify, or Leads Modify for a lead) changes them
//! — the card is its own section, kept simple on purpose.
//!
//! `definitions` (the admin side), `values` (values on records) and `demo`; everything public is re-exported here.

mod definitions;
mod demo;
mod values;

pub use definitions::{all, create, delete, field_item, list, update, STALE};
pub use demo::demo_items;
pub use values::{apply, card, require_on_create};
