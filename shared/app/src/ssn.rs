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
use vigil_domain::lead::{format_ssn, mask_ssn, Ssn};
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

/// The SSN formatted for a reader holding the grant. A ciphertext the running keys cannot open (a rotated or lost
/// key, a damaged item) must not take the whole record down with a 500: it reads as masked, and the failure is
/// logged with the record's ID only, never anything of the stored value.
pub fn reveal(keys: &dyn DataKeys, co: &CompanyId, id: RecordId, stored: &str) -> String {
    match decrypt(keys, co, id, stored) {
        Ok(digits) if digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) => format_ssn(&digits),
        Ok(_) => {
            tracing::warn!(company = %co, record = id.0, "stored SSN is not nine digits; shown masked");
            mask_ssn(None)
        }
        Err(e) => {
            tracing::warn!(company = %co, record = id.0, error = %e, "stored SSN cannot be read; shown masked");
            mask_ssn(None)
        }
    }
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

    /// Keeps every event's message and fields as text.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    struct Line<'a>(&'a mut String);

    impl tracing::field::Visit for Line<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }

    impl tracing::Subscriber for Captured {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut line = format!("{}", event.metadata().level());
            event.record(&mut Line(&mut line));
            if let Ok(mut lines) = self.0.lock() {
                lines.push(line);
            }
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn undecryptable_ssn_reads_as_masked_with_a_warning_that_carries_no_digits() {
        let keys = LocalKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let co = CompanyId::parse("acme").unwrap();
        let ssn = Ssn::parse("ssn", "123-45-6789").unwrap();
        let ct = encrypt(&keys, &co, RecordId(1), &ssn).unwrap();
        assert_eq!(reveal(&keys, &co, RecordId(1), &ct), "123-45-6789");

        let log = Captured::default();
        let rotated = LocalKeys::from_secret(b"another secret of thirty-two b..");
        let shown = tracing::subscriber::with_default(log.clone(), || {
            [
                reveal(&rotated, &co, RecordId(1), &ct),
                reveal(&keys, &co, RecordId(2), &ct),
                reveal(&keys, &co, RecordId(1), "not base64 at all"),
                reveal(&UnconfiguredKeys, &co, RecordId(1), &ct),
            ]
        });
        assert!(shown.iter().all(|s| s == "***"), "{shown:?}");
        let lines = log.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 4, "one warning per unreadable SSN");
        for line in &lines {
            assert!(line.starts_with("WARN") && line.contains("shown masked"), "a warning");
            assert!(!line.contains("6789") && !line.contains(&ct[..12]), "the warning carries nothing of the SSN");
        }
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
