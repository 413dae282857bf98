//! The post keys a buying partner issued to the company (`lead_post_key`, `customer_post_key`): sealed at rest under
//! the same key ring as SSNs (`crate::ssn`), bound to the company, the partner and which key it is, and never
//! returned by any read.

use crate::ssn::{self, DataKeys};
use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use vigil_domain::{CompanyId, PartnerId};

const FORMAT_PREFIX: &str = "pk1:";

/// Which of a partner's two post keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKeyKind {
    Lead,
    Customer,
}

impl PostKeyKind {
    fn as_str(self) -> &'static str {
        match self {
            PostKeyKind::Lead => "lead",
            PostKeyKind::Customer => "customer",
        }
    }
}

/// Binds a ciphertext to its place: one copied to another partner, company or key slot does not open.
fn aad(co: &CompanyId, partner: PartnerId, kind: PostKeyKind) -> Vec<u8> {
    format!("partner-post-key|{co}|{}|{}", partner.0, kind.as_str()).into_bytes()
}

/// `pk1:<key id>:base64(nonce ‖ ciphertext)` under the key ring's current data key.
pub fn seal_post_key(
    keys: &dyn DataKeys,
    co: &CompanyId,
    partner: PartnerId,
    kind: PostKeyKind,
    plain: &str,
) -> Result<String, AppError> {
    let (key_id, key) = keys.encryption_key()?;
    let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| AppError::Internal("bad data key length".into()))?;
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let aad = aad(co, partner, kind);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: &aad })
        .map_err(|_| AppError::Internal("post key encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(format!("{FORMAT_PREFIX}{key_id}:{}", base64::engine::general_purpose::STANDARD.encode(out)))
}

/// The post key back, for the delivery that authenticates with it.
pub fn open_post_key(
    keys: &dyn DataKeys,
    co: &CompanyId,
    partner: PartnerId,
    kind: PostKeyKind,
    stored: &str,
) -> Result<String, AppError> {
    let unreadable = || AppError::Internal("a stored post key is unreadable".into());
    let rest = stored.strip_prefix(FORMAT_PREFIX).ok_or_else(unreadable)?;
    let (id, body) = rest.split_once(':').ok_or_else(unreadable)?;
    let key_id: ssn::KeyId = id.parse().map_err(|_| unreadable())?;
    let raw = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| unreadable())?;
    let Some((nonce, ct)) = raw.split_at_checked(12) else { return Err(unreadable()) };
    let cipher = Aes256Gcm::new_from_slice(&keys.decryption_key(key_id)?).map_err(|_| unreadable())?;
    let aad = aad(co, partner, kind);
    let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad }).map_err(|_| unreadable())?;
    String::from_utf8(plain).map_err(|_| unreadable())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssn::LocalKeys;

    #[test]
    fn round_trips_and_binds_to_its_place() {
        let keys = LocalKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let co = CompanyId::parse("acme").unwrap();
        let sealed = seal_post_key(&keys, &co, PartnerId(3), PostKeyKind::Lead, "intake-key-123").unwrap();
        assert!(!sealed.contains("intake-key-123"));
        assert_eq!(open_post_key(&keys, &co, PartnerId(3), PostKeyKind::Lead, &sealed).unwrap(), "intake-key-123");
        assert!(open_post_key(&keys, &co, PartnerId(4), PostKeyKind::Lead, &sealed).is_err());
        assert!(open_post_key(&keys, &co, PartnerId(3), PostKeyKind::Customer, &sealed).is_err());
        let other = CompanyId::parse("bluebird").unwrap();
        assert!(open_post_key(&keys, &other, PartnerId(3), PostKeyKind::Lead, &sealed).is_err());
    }
}
