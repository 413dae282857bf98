//! One module per screen.

pub mod admin;
pub mod customer;
pub mod customer_items;
pub mod customer_tags;
pub mod lead_page;
pub mod lead_settings;
pub mod lead_work;
pub mod leads;
pub mod new_lead;
pub mod not_found;
pub mod record;
pub mod records;
pub mod sign_in;
