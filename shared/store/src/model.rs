//! Asking a language model: the [`Model`] port. In AWS it is Amazon Bedrock's Converse API (`crate::bedrock`, built
//! lazily by `crate::aws::LazyBedrockModel`); the embedded default has none, and the Copilot's deterministic engine
//! answers alone.

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("the model did not answer in time")]
    Timeout,
    #[error("the model service is throttling requests")]
    Throttled,
    /// The service refused or could not be reached (its error code only: a message may quote the request).
    #[error("the model service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Model: Send + Sync {
    /// One turn: the system instructions and the user's message in, the model's text out.
    async fn converse(&self, system: &str, user: &str) -> Result<String, ModelError>;
}
