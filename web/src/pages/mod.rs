//! One module per screen.

pub mod admin;
pub mod not_found;
pub mod record;
pub mod records;
pub mod sign_in;
