//! The lead form: states and provinces, ZIP and postal codes, account types, languages, industries, SSNs, the New
//! Lead form and edits of an existing lead. Pure functions, so the portal validates with exactly the server's rules.
//!
//! `values` (the checked values), `form` (the field readers both forms share), `new_lead`, `edit` and `scoring`;
//! everything public is re-exported here, so callers name `lead::Ssn`, `lead::edit_lead`, ….

mod edit;
mod form;
mod new_lead;
mod scoring;
mod values;

pub use edit::{diff, edit_lead, editable_fields, Edit, FieldChange};
pub use new_lead::{duplicate_key, NewLead, NEW_LEAD_FIELDS};
pub use scoring::{score, ScoringWeights};
pub use values::{
    date, format_ssn, mask_ssn, AccountType, Country, Ssn, StateCode, Zip, INDUSTRIES, LANGUAGES, STATES,
};
