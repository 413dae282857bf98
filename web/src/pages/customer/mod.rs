//! The customer record (Home): a sticky header (identity, status boxes, metadata, parent/children, quick actions,
//! the tab bar with counts), the tag and warning row, then the cards as one always-live form with Save and
//! Save & Stay at the top and bottom. The sub-record tabs render below the same header.

mod accounting;
mod apply_template;
mod credit;
mod dialogs;
mod fields;
mod form_options;
mod header;
mod history;
mod items;
mod mmr_picker;
mod opportunities;
mod page;
mod parent_picker;
mod precheck;
mod sell;
mod tags;
mod work_orders;
mod workflow_steps;
mod workflows;

pub use accounting::{cents_of, money};
pub use page::CustomerPage;
// The creation wizard's Qualify step runs credit with the same panel.
pub use credit::CreditRun;
pub use precheck::PrecheckPanel;
// The creation wizard's Order, Equipment, Contacts, Payment, Work Order and Schedule steps use the tabs' own parts.
pub use accounting::AccountingTab;
pub use apply_template::ApplyTemplateDialog;
pub use items::{collection, CustomerItems};
pub use work_orders::WorkOrdersTab;
// New Customer draws the same cards from the same registry.
pub(crate) use fields::{card_fields, field_input, Card, Input};
pub use form_options::use_customer_form_options;
