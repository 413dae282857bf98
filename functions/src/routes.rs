//! The routes of the API live in the typed contract (`vigil_api::routes`); re-exported here for the edge's users.

pub use vigil_api::routes::*;
