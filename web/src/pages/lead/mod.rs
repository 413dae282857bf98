//! The lead page (`/leads/{id}`): the record's header and cards, the pipeline, rating, score and tags, the edit form,
//! the history, Delete lead and Convert to Customer.

mod convert;
mod delete;
mod edit;
mod history;
mod page;
mod work;

pub use page::LeadPage;
