//! SSNs at rest: AES-256-GCM encryption bound to the record, and a keyed-hash blind index of the last four digits so
//! numeric search finds a lead by SSN digits without decrypting any row.
//!
//! The keys come from the [`DataKeys`] port. The embedded default uses [`LocalKeys`], derived from a random key file
//! in the data directory (`ssn.key`). In AWS the adapter seam is the same trait: a `KmsDataKeys` that decrypts the
//! stack's envelope data key with KMS (`DataKey` in the template) once per container and hands its plaintext to
//! [`LocalKeys::from_secret`]. Until that adapter is wired, Lambdas read `VIGIL_SSN_KEY` (see `functions::env`) and,
//! without it, refuse SSN writes with [`UnconfiguredKeys`] instead of storing them unprotected.

use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use vigil_domain::lead::Ssn;
use vigil_domain::{CompanyId, RecordId};

/// Where the SSN keys come from.
pub trait DataKeys: Send + Sync {
    /// The 32-byte AES-256-GCM key.
    fn encryption_key(&self) -> Result<[u8; 32], AppError>;
    /// The 32-byte HMAC key of the blind index.
    fn blind_index_key(&self) -> Result<[u8; 32], AppError>;
}

/// Keys derived from one secret (the local key file, or a KMS-decrypted data key).
pub struct LocalKeys {
    enc: [u8; 32],
    idx: [u8; 32],
}

impl LocalKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Self { enc: derive(b"vigil ssn encryption v1"), idx: derive(b"vigil ssn blind index v1") }
    }
}

impl DataKeys for LocalKeys {
    fn encryption_key(&self) -> Result<[u8; 32], AppError> {
        Ok(self.enc)
    }
    fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
        Ok(self.idx)
    }
}

/// No key configured: SSN writes and reveals fail (500, logged) rather than store or show anything unprotected.
pub struct UnconfiguredKeys;

impl DataKeys for UnconfiguredKeys {
    fn encryption_key(&self) -> Result<[u8; 32], AppError> {
        Err(AppError::Internal("no SSN data key is configured".into()))
    }
    fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
        Err(AppError::Internal("no SSN data key is configured".into()))
    }
}

/// The blind index of an SSN's last four digits: hex HMAC-SHA256 under the company-independent index key, prefixed
/// with the company so equal digits in two companies never share a value. The list's numeric search computes the
/// same value from the digits typed and looks it up.
pub fn ssn_last4_blind_index(key: &[u8; 32], co: &CompanyId, last4: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(co.as_str().as_bytes());
    mac.update(b"|");
    mac.update(last4.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn aad(co: &CompanyId, id: RecordId) -> Vec<u8> {
    format!("ssn|{co}|{}", id.0).into_bytes()
}

/// `base64(nonce ‖ ciphertext)`, bound to the company and record (a ciphertext copied to another record will not
/// decrypt).
pub fn encrypt(keys: &dyn DataKeys, co: &CompanyId, id: RecordId, ssn: &Ssn) -> Result<String, AppError> {
    let cipher = Aes256Gcm::new_from_slice(&keys.encryption_key()?)
        .map_err(|_| AppError::Internal("bad SSN key length".into()))?;
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let aad = aad(co, id);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: ssn.digits().as_bytes(), aad: &aad })
        .map_err(|_| AppError::Internal("SSN encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// The nine digits back, for a user holding the confidential grant.
pub fn decrypt(keys: &dyn DataKeys, co: &CompanyId, id: RecordId, stored: &str) -> Result<String, AppError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(stored)
        .map_err(|_| AppError::Internal("stored SSN is not base64".into()))?;
    if raw.len() < 12 {
        return Err(AppError::Internal("stored SSN is too short".into()));
    }
    let cipher = Aes256Gcm::new_from_slice(&keys.encryption_key()?)
        .map_err(|_| AppError::Internal("bad SSN key length".into()))?;
    let aad = aad(co, id);
    let plain = cipher
        .decrypt(Nonce::from_slice(&raw[..12]), Payload { msg: &raw[12..], aad: &aad })
        .map_err(|_| AppError::Internal("stored SSN does not decrypt".into()))?;
    String::from_utf8(plain).map_err(|_| AppError::Internal("stored SSN is not text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_to_the_record() {
        let keys = LocalKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let co = CompanyId::parse("acme").unwrap();
        let ssn = Ssn::parse("ssn", "123-45-6789").unwrap();
        let ct = encrypt(&keys, &co, RecordId(1), &ssn).unwrap();
        assert!(!ct.contains("6789"));
        assert_eq!(decrypt(&keys, &co, RecordId(1), &ct).unwrap(), "123456789");
        assert!(decrypt(&keys, &co, RecordId(2), &ct).is_err());
        let other = LocalKeys::from_secret(b"another secret of thirty-two b..");
        assert!(decrypt(&other, &co, RecordId(1), &ct).is_err());
    }

    #[test]
    fn blind_index_is_stable_keyed_and_per_company() {
        let k = LocalKeys::from_secret(b"s").blind_index_key().unwrap();
        let acme = CompanyId::parse("acme").unwrap();
        let blue = CompanyId::parse("bluebird").unwrap();
        assert_eq!(ssn_last4_blind_index(&k, &acme, "6789"), ssn_last4_blind_index(&k, &acme, "6789"));
        assert_ne!(ssn_last4_blind_index(&k, &acme, "6789"), ssn_last4_blind_index(&k, &blue, "6789"));
        assert_ne!(ssn_last4_blind_index(&k, &acme, "6789"), ssn_last4_blind_index(&k, &acme, "6788"));
        let k2 = LocalKeys::from_secret(b"t").blind_index_key().unwrap();
        assert_ne!(ssn_last4_blind_index(&k, &acme, "6789"), ssn_last4_blind_index(&k2, &acme, "6789"));
        assert!(!ssn_last4_blind_index(&k, &acme, "6789").contains("6789"));
    }
}
