//! One module per screen.

pub mod admin;
pub mod custom_fields_admin;
pub mod custom_fields_card;
pub mod customer;
pub mod customer_filter;
pub mod customer_items;
pub mod customer_tags;
pub mod lead_page;
pub mod lead_settings;
pub mod lead_work;
pub mod leads;
pub mod mmr_admin;
pub mod mmr_picker;
pub mod new_lead;
pub mod not_found;
pub mod record;
pub mod records;
pub mod sign_in;
