//! Vigil's domain: the types every other crate agrees on. Pure: no I/O, no clocks, no randomness, so the portal
//! (wasm32) and the server validate with the same code.

pub mod custom_field;
pub mod customer;
pub mod email;
pub mod error;
pub mod fields;
pub mod identity;
pub mod ids;
pub mod lead;
pub mod mmr;
pub mod record;
pub mod small_sort;
pub mod sorted;
pub mod text;
pub mod workflow;

pub use error::{FieldError, Invalid};
pub use identity::{
    Action, Claims, ConfidentialField, Grant, LocationScope, Permissions, Resource, Role, Section, SectionAccess, User,
};
pub use ids::{AccountClassId, CampaignId, CompanyId, DispositionId, LocationId, PartnerId, RecordId, TagId, UserId};
