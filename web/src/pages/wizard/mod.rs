//! Creation workflows in the portal: the split buttons of **+ New Customer**, **+ New Lead** and **Convert to
//! Customer** ([`split`]), the customer wizard's page ([`page`]) and the admin list under Catalogs ([`admin`]).

pub mod admin;
pub mod page;
pub mod split;

pub use page::{ProgressBar, WizardPage};
pub use split::{CreationSplit, NewCustomerButton, NewLeadButton};
