//! Parts more than one screen uses.

pub mod custom_fields_card;
pub mod dom;
pub mod field_errors;
pub mod format;
pub mod modal;
pub mod multi_select;
pub mod nav;
pub mod pager;
pub mod route_link;
