//! The lead page (`/leads/{id}`): the record's header and cards, the pipeline, rating, score and tags, the edit form,
//! the Sales Copilot panel, the history, Delete lead and Convert to Customer.

mod convert;
mod copilot;
mod delete;
mod edit;
mod history;
mod page;
mod reps;
mod work;

pub use copilot::LeadCopilot;
pub use page::LeadPage;
