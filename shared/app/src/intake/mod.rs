//! Public lead intake: web-to-lead forms and partners' systems post leads with an intake key instead of a session.
//! The post is checked and answered at once (202 with a receipt); the lead is created by a job from the transactional
//! outbox, and the receipt says what became of it. Keys are stored hashed; rate limits are token buckets in the
//! table; the duplicate window is a company setting.

mod create;
mod keys;
mod limits;
mod post;
mod settings;

pub use create::from_receipt;
pub use keys::{
    authenticate, create, issue, list, normalize_origin, origin_is_allowed, revoke, StoredKey,
    DEFAULT_PER_IP_PER_MINUTE, DEFAULT_PER_MINUTE,
};
pub use post::{post, Credential, Posted, PublicPost, Refusal};
pub use settings::{get as get_settings, put as put_settings, settings_of};

use crate::items::from_item;
use crate::{AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_api::intake::{Receipt, ReceiptStatus};
use vigil_domain::CompanyId;

/// Days a receipt (and an `Idempotency-Key`) is kept.
pub const RECEIPT_DAYS: i64 = 30;

/// A receipt as stored: the resolved form the job creates the lead from, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReceipt {
    pub receipt_id: String,
    pub key_id: u32,
    #[serde(flatten)]
    pub status: ReceiptStatus,
    pub form: Map<String, Value>,
    pub location: vigil_domain::record::LeadLocation,
    pub received_at: String,
    /// The partner of the key that posted it (none for a web form's key), whose returns report records a rejected
    /// duplicate. Taken at the post, so revoking the key before the job runs does not lose the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<vigil_domain::PartnerId>,
}

/// `GET /api/v1/public/receipts/{id}`: only the key that posted it may read it (another key's receipt is not found).
pub async fn receipt(svc: &Services, co: &CompanyId, key: &StoredKey, id: &str) -> Result<Receipt, AppError> {
    let ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(AppError::NotFound("receipt"));
    }
    let Some(item) = svc.table.get(&vigil_store::keys::intake_receipt(co, id)).await? else {
        return Err(AppError::NotFound("receipt"));
    };
    let stored: StoredReceipt = from_item(item)?;
    if stored.key_id != key.view.id {
        return Err(AppError::NotFound("receipt"));
    }
    Ok(Receipt { receipt_id: stored.receipt_id, status: stored.status })
}

/// A form-encoded body as the fields it carries: empty values are left out (an HTML form sends every input, filled
/// or not) and a repeated name keeps its last value.
pub fn form_fields(body: &[u8]) -> Map<String, Value> {
    url::form_urlencoded::parse(body)
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}
