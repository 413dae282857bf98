//! Wrapping (encrypting) data keys: the [`KeyWrapper`] port and its KMS backend.
//!
//! The SSN key ring (`vigil_app::ssn::keyring`) keeps its data keys in the table only in wrapped form and asks a
//! wrapper for fresh keys and for the plaintext of stored ones. In AWS the wrapper is the stack's KMS key
//! ([`KmsKeyWrapper`]); the embedded default wraps under its local key file. Nothing here logs or returns key
//! material in an error.

use crate::StoreError;
use async_trait::async_trait;
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;

/// A fresh 256-bit data key: the plaintext to use, and the wrapped form to store.
pub struct NewDataKey {
    pub plaintext: Vec<u8>,
    pub wrapped: Vec<u8>,
}

impl std::fmt::Debug for NewDataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDataKey").field("wrapped_len", &self.wrapped.len()).finish_non_exhaustive()
    }
}

#[async_trait]
pub trait KeyWrapper: Send + Sync {
    /// What wraps the keys (a KMS key ARN, or a local file's name), recorded beside them.
    fn wrapping_key(&self) -> String;

    /// The ring's first data key. Usually a fresh one; the embedded default's first key is its key file itself,
    /// which the ciphertexts written before key rings existed were encrypted under.
    async fn first(&self) -> Result<NewDataKey, StoreError> {
        self.generate().await
    }

    /// A fresh data key (KMS `GenerateDataKey`).
    async fn generate(&self) -> Result<NewDataKey, StoreError>;

    /// The plaintext of a wrapped data key (KMS `Decrypt`).
    async fn unwrap_key(&self, wrapped: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// Wraps a data key that exists already (KMS `Encrypt`): the secret SSNs were encrypted under before key rings,
    /// imported as the first key.
    async fn wrap_key(&self, plaintext: &[u8]) -> Result<Vec<u8>, StoreError>;
}

/// The encryption context every SSN data key is generated and decrypted with: a ciphertext blob of this key taken
/// for another purpose (or another purpose's blob passed here) does not decrypt.
const CONTEXT_KEY: &str = "vigil-purpose";
const CONTEXT_VALUE: &str = "ssn-data-key";

/// Data keys wrapped by a KMS key (`VIGIL_KMS_KEY_ID`).
#[derive(Debug, Clone)]
pub struct KmsKeyWrapper {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsKeyWrapper {
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        Self { client, key_id: key_id.into() }
    }
}

#[async_trait]
impl KeyWrapper for KmsKeyWrapper {
    fn wrapping_key(&self) -> String {
        self.key_id.clone()
    }

    async fn generate(&self) -> Result<NewDataKey, StoreError> {
        let out = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .encryption_context(CONTEXT_KEY, CONTEXT_VALUE)
            .send()
            .await
            .map_err(|e| kms_error("GenerateDataKey", e))?;
        match (out.plaintext, out.ciphertext_blob) {
            (Some(p), Some(c)) if p.as_ref().len() == 32 => {
                Ok(NewDataKey { plaintext: p.into_inner(), wrapped: c.into_inner() })
            }
            _ => Err(StoreError::Backend("KMS GenerateDataKey returned no 256-bit key".into())),
        }
    }

    async fn unwrap_key(&self, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        let out = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(wrapped))
            .encryption_context(CONTEXT_KEY, CONTEXT_VALUE)
            .send()
            .await
            .map_err(|e| kms_error("Decrypt", e))?;
        out.plaintext
            .map(Blob::into_inner)
            .ok_or_else(|| StoreError::Backend("KMS Decrypt returned no plaintext".into()))
    }

    async fn wrap_key(&self, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        let out = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(plaintext))
            .encryption_context(CONTEXT_KEY, CONTEXT_VALUE)
            .send()
            .await
            .map_err(|e| kms_error("Encrypt", e))?;
        out.ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| StoreError::Backend("KMS Encrypt returned nothing".into()))
    }
}

/// The error's code only: a KMS message can quote the request, and nothing of a key belongs in a log.
fn kms_error<E: ProvideErrorMetadata, R>(op: &'static str, err: SdkError<E, R>) -> StoreError {
    let what = match &err {
        SdkError::ServiceError(_) => err.code().unwrap_or("unknown service error").to_string(),
        SdkError::TimeoutError(_) => "timeout".to_string(),
        SdkError::DispatchFailure(_) => "request could not be sent".to_string(),
        SdkError::ResponseError(_) => "unreadable response".to_string(),
        SdkError::ConstructionFailure(_) => "request could not be built".to_string(),
        _ => "unknown error".to_string(),
    };
    tracing::warn!(op, code = %what, "KMS request failed");
    StoreError::Backend(format!("KMS {op} failed: {what}"))
}
