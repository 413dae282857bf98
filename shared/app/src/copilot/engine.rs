//! The one interface every Copilot engine answers through, and what it is given.

use async_trait::async_trait;
use vigil_api::copilot::{CopilotAnswer, CopilotAsk};
use vigil_domain::record::Record;

/// What an engine may know about the lead: the record exactly as the caller may read it (`records::masked`, so a
/// hidden field is blank and a confidential one `***`), and facts Vigil derives from its history. Nothing else
/// reaches an engine, so nothing the caller may not see can leave in an answer or in a request to a model.
#[derive(Debug, Clone)]
pub struct Facts {
    pub lead: Record,
    /// Follow-up dates replaced by another while the lead stayed open: each is a contact that did not settle it.
    pub failed_contacts: u32,
    /// Industries the company's lead scoring rates best (its admin's setting).
    pub best_industries: Vec<String>,
    /// Who asks; signs the email draft.
    pub sender: String,
}

/// Why an engine gave no answer; the caller then asks the deterministic engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("the model did not answer in time")]
    Timeout,
    #[error("the model is throttling requests")]
    Throttled,
    #[error("the model's answer did not have the expected shape")]
    Malformed,
    #[error("the model could not be reached")]
    Unavailable,
}

#[async_trait]
pub trait Engine: Send + Sync {
    /// The name answers carry in `engine` and the history records.
    fn name(&self) -> &'static str;

    async fn answer(&self, facts: &Facts, ask: &CopilotAsk) -> Result<CopilotAnswer, EngineError>;
}
