//! The Amazon Bedrock [`Model`]: one Converse call per ask, to the model the stack configures
//! (`VIGIL_BEDROCK_MODEL_ID`). A slow model is cut off by the client's operation timeout and not retried: the caller
//! falls back to its own engine rather than keep a person waiting. Nothing here logs the request or the answer.

use crate::model::{Model, ModelError};
use async_trait::async_trait;
use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseOutput, InferenceConfiguration, Message, SystemContentBlock,
};
use std::time::Duration;

/// How long an ask may take before the fallback answers.
pub const TIMEOUT: Duration = Duration::from_secs(8);
/// Enough for the longest answer the Copilot asks for (an email draft with its reasons).
const MAX_TOKENS: i32 = 1024;

#[derive(Debug, Clone)]
pub struct BedrockModel {
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
}

impl BedrockModel {
    /// A client from `config` whose calls end after `timeout` and are tried once.
    pub fn new(config: &aws_config::SdkConfig, model_id: impl Into<String>, timeout: Duration) -> Self {
        let conf = aws_sdk_bedrockruntime::config::Builder::from(config)
            .timeout_config(TimeoutConfig::builder().operation_timeout(timeout).build())
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build();
        Self { client: aws_sdk_bedrockruntime::Client::from_conf(conf), model_id: model_id.into() }
    }
}

fn error_of<E: ProvideErrorMetadata, R>(e: SdkError<E, R>) -> ModelError {
    match &e {
        SdkError::TimeoutError(_) => ModelError::Timeout,
        SdkError::ServiceError(s) => match s.err().code() {
            Some("ThrottlingException" | "ServiceQuotaExceededException") => ModelError::Throttled,
            Some("ModelTimeoutException") => ModelError::Timeout,
            code => ModelError::Unavailable(code.unwrap_or("unknown").to_owned()),
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => ModelError::Timeout,
        _ => ModelError::Unavailable(e.code().unwrap_or("unreachable").to_owned()),
    }
}

#[async_trait]
impl Model for BedrockModel {
    async fn converse(&self, system: &str, user: &str) -> Result<String, ModelError> {
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(user.to_owned()))
            .build()
            .map_err(|_| ModelError::Unavailable("the request could not be built".into()))?;
        let out = self
            .client
            .converse()
            .model_id(&self.model_id)
            .system(SystemContentBlock::Text(system.to_owned()))
            .messages(message)
            .inference_config(InferenceConfiguration::builder().max_tokens(MAX_TOKENS).temperature(0.0).build())
            .send()
            .await
            .map_err(error_of)?;
        match out.output() {
            Some(ConverseOutput::Message(m)) => Ok(m
                .content()
                .iter()
                .filter_map(|c| match c {
                    ContentBlock::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect()),
            _ => Ok(String::new()),
        }
    }
}
