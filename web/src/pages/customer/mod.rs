//! The customer record (Home): a sticky header (identity, status boxes, metadata, parent/children, quick actions,
//! the tab bar with counts), the tag and warning row, then the cards as one always-live form with Save and
//! Save & Stay at the top and bottom. The sub-record tabs render below the same header.

mod dialogs;
mod fields;
mod header;
mod history;
mod items;
mod mmr_picker;
mod opportunities;
mod page;
mod parent_picker;
mod sell;
mod tags;
mod workflows;

pub use page::CustomerPage;
