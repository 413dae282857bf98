//! One module per screen; a screen with several parts is a folder.

pub mod admin;
pub mod catalog_admin;
pub mod custom_fields_admin;
pub mod customer;
pub mod customer_list;
pub mod intake_keys;
pub mod lead;
pub mod lead_import;
pub mod lead_queue;
pub mod lead_settings;
pub mod leads;
pub mod leads_bulk;
pub mod message_templates_admin;
pub mod mmr_admin;
pub mod monitoring_admin;
pub mod new_customer;
pub mod new_lead;
pub mod not_found;
pub mod partners_admin;
pub mod sign_in;
pub mod wizard;
pub mod workflows_admin;
