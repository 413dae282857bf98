//! Credit checks: the company's Credit Checks add-on settings, running a check (saved `pending` with its job in one
//! transaction; the jobs worker pulls from the bureau once), listing a customer's checks, and applying one (or a
//! score entered by hand) to the customer.
//!
//! Bureaus are adapters behind [`Bureau`]. The only one built in is the [`sandbox`], deterministic by the SSN's last
//! digit, for demos and tests; a real bureau is another implementation named in [`bureau`].

mod apply;
mod pull;
mod run;
pub mod sandbox;
mod settings;

pub use apply::{apply, enter_manual};
pub use pull::pull;
pub use run::{list, run};
pub use settings::{get_settings, put_settings, settings_item};

use serde::{Deserialize, Serialize};
use vigil_api::credit::{BureauOption, CreditCheck, PreviousAddress};

/// What a bureau is asked: the person, their SSN (opened inside the job, dropped after the call) and addresses.
pub struct PullRequest<'a> {
    pub check_id: u64,
    pub ssn: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address1: Option<&'a str>,
    pub city: &'a str,
    pub state: &'a str,
    pub zip: Option<&'a str>,
    pub previous_address: Option<&'a PreviousAddress>,
}

/// What a bureau answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BureauAnswer {
    Scored {
        score: u32,
        transaction_id: String,
    },
    Declined {
        transaction_id: String,
    },
    NoHit,
    /// The bureau did not answer in time. Not retried: the pull may have happened, and each is a hard inquiry.
    Timeout,
    /// The bureau refused or failed; the reason is safe to show (no personal data).
    Failed(String),
}

/// A credit bureau.
pub trait Bureau: Send + Sync {
    fn option(&self) -> BureauOption;
    fn pull(&self, request: &PullRequest<'_>) -> BureauAnswer;
}

/// Every bureau there is, by ID.
pub fn bureaus() -> Vec<Box<dyn Bureau>> {
    vec![Box::new(sandbox::Sandbox)]
}

pub fn bureau(id: &str) -> Option<Box<dyn Bureau>> {
    bureaus().into_iter().find(|b| b.option().id == id)
}

/// The `bureau` of a score entered by hand.
pub const MANUAL: &str = "manual";

fn bureau_name(id: &str) -> String {
    if id == MANUAL {
        return "Manual entry".into();
    }
    bureau(id).map(|b| b.option().name).unwrap_or_else(|| id.to_owned())
}

/// A check as stored: its API view, when its pull started (set once, before the bureau is called, so a job run
/// again after a crash never pulls a second time) and the click that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCheck {
    #[serde(flatten)]
    pub view: CreditCheck,
    #[serde(default)]
    pub pull_started_at: Option<String>,
    /// Bureau calls made for this check (never more than one).
    #[serde(default)]
    pub pulls: u32,
}

/// The idempotency key of a check's pull job.
pub fn pull_job_key(co: &vigil_domain::CompanyId, check: u64) -> String {
    format!("credit:{co}:{check}")
}
