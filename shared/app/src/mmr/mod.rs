//! Monthly monitoring rates (MMR): the company's configuration (`GET/PUT /api/v1/settings/mmr`), the breakout
//! picker (`GET /api/v1/customers/mmr-rates`), and what the customer record asks of it: which rates the simple
//! dropdown offers, whether a customer may be given a rate, what a duplicate keeps, and the chosen rate on the Home
//! page. The rules themselves are pure, in `vigil_domain::mmr`.
//!
//! The configuration is one company setting item (`keys::setting(co, "mmr")`) with a `version`; nothing stored
//! means the defaults (simple mode, four rates).
//!
//! `settings` (the configuration), `picker` (the breakout picker), `record` (what the customer record asks) and
//! `demo`; everything public is re-exported here.

mod demo;
mod picker;
mod record;
mod settings;

pub use demo::{demo_settings, seed_rate};
pub use picker::{list, RateList};
pub use record::{check_choice, for_duplicate, form_rates, summary};
pub use settings::{get, put, settings, settings_item, SettingsView, SETTING};
