//! SSNs at rest: AES-256-GCM encryption bound to the record, and a keyed-hash blind index of the last four digits so
//! numeric search finds a lead by SSN digits without decrypting any row.
//!
//! Stored format: `v2:<key id>:<base64(nonce ‖ ciphertext)>`. The key id names the data key of the key ring
//! ([`keyring`]) that encrypted it, so keys can rotate while old ciphertexts stay readable. A value without the prefix
//! is the format from before key ids and was always written under the first key ([`FIRST_KEY`]), so it is read
//! under that key.
//!
//! The keys come from the [`DataKeys`] port. Both runtimes use [`keyring::KeyRing`]: data keys generated once,
//! stored wrapped (encrypted) in the table, unwrapped once per process and cached. In AWS a KMS key wraps them
//! (`kms:GenerateDataKey` for a new key, `kms:Decrypt` to read one, granted only to the functions that touch SSNs);
//! the embedded default wraps them under the local key file `ssn.key`, whose first data key is the file itself (what
//! the format without key ids was encrypted under). Lambdas without `VIGIL_KMS_KEY_ID` get [`UnconfiguredKeys`] and
//! refuse SSN writes instead of storing them unprotected.
//!
//! The blind index does not rotate: its key is derived from the first data key for good. Rotating it would change
//! every stored index value and every lookup item built from it (the list's SSN search path), and what it protects
//! is four digits out of 10,000, which a leaked index key exposes to a dictionary whichever key made it. Keeping it
//! means rotation touches `ssn_encrypted` only, and the first key is unwrapped by every process that searches or
//! writes SSNs even after the rotation moved every ciphertext off it.

pub mod keyring;

use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use vigil_domain::lead::{format_ssn, mask_ssn, Ssn};
use vigil_domain::{CompanyId, RecordId};

/// A data key's number in the key ring (1, 2, …; a rotation adds the next).
pub type KeyId = u32;

/// The ring's first data key: ciphertexts written before key ids existed were encrypted under it, and the blind
/// index key is derived from it.
pub const FIRST_KEY: KeyId = 1;

const FORMAT_PREFIX: &str = "v2:";

/// Where the SSN keys come from.
pub trait DataKeys: Send + Sync {
    /// The 32-byte AES-256-GCM key new SSNs are encrypted under, with its id.
    fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError>;
    /// The AES-256-GCM key with this id (the one a stored ciphertext names).
    fn decryption_key(&self, id: KeyId) -> Result<[u8; 32], AppError>;
    /// The 32-byte HMAC key of the blind index.
    fn blind_index_key(&self) -> Result<[u8; 32], AppError>;
}

/// The encryption and blind-index keys derived from one data key's secret.
#[derive(Clone)]
pub struct DerivedKeys {
    pub enc: [u8; 32],
    pub idx: [u8; 32],
}

impl DerivedKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Self { enc: derive(b"vigil ssn encryption v1"), idx: derive(b"vigil ssn blind index v1") }
    }
}

/// One secret used as the first and only data key (unit tests, tools).
pub struct LocalKeys {
    keys: DerivedKeys,
}

impl LocalKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { keys: DerivedKeys::from_secret(secret) }
    }
}

impl DataKeys for LocalKeys {
    fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError> {
        Ok((FIRST_KEY, self.keys.enc))
    }
    fn decryption_key(&self, id: KeyId) -> Result<[u8; 32], AppError> {
        match id {
            FIRST_KEY => Ok(self.keys.enc),
            _ => Err(AppError::Internal(format!("SSN data key {id} is not known"))),
        }
    }
    fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
        Ok(self.keys.idx)
    }
}

/// No key configured: SSN writes and reveals fail (500, logged) rather than store or show anything unprotected.
pub struct UnconfiguredKeys;

impl DataKeys for UnconfiguredKeys {
    fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError> {
        Err(AppError::Internal("no SSN data key is configured".into()))
    }
    fn decryption_key(&self, _: KeyId) -> Result<[u8; 32], AppError> {
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

/// `v2:<key id>:base64(nonce ‖ ciphertext)` under the current data key, bound to the company and record (a
/// ciphertext copied to another record will not decrypt).
pub fn encrypt(keys: &dyn DataKeys, co: &CompanyId, id: RecordId, ssn: &Ssn) -> Result<String, AppError> {
    let (key_id, key) = keys.encryption_key()?;
    encrypt_with(key_id, &key, co, id, ssn.digits())
}

/// Encrypts `digits` under the given data key (the rotation job re-encrypts under the key it rotates to).
pub fn encrypt_with(
    key_id: KeyId,
    key: &[u8; 32],
    co: &CompanyId,
    id: RecordId,
    digits: &str,
) -> Result<String, AppError> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| AppError::Internal("bad SSN key length".into()))?;
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let aad = aad(co, id);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: digits.as_bytes(), aad: &aad })
        .map_err(|_| AppError::Internal("SSN encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(format!("{FORMAT_PREFIX}{key_id}:{}", base64::engine::general_purpose::STANDARD.encode(out)))
}

/// The id of the data key a stored ciphertext was encrypted under ([`FIRST_KEY`] for the format without ids).
pub fn key_id_of(stored: &str) -> Result<KeyId, AppError> {
    split(stored).map(|(id, _)| id)
}

fn split(stored: &str) -> Result<(KeyId, &str), AppError> {
    let Some(rest) = stored.strip_prefix(FORMAT_PREFIX) else { return Ok((FIRST_KEY, stored)) };
    let (id, body) = rest.split_once(':').ok_or_else(|| AppError::Internal("stored SSN has no key id".into()))?;
    let id = id.parse::<KeyId>().map_err(|_| AppError::Internal("stored SSN has a malformed key id".into()))?;
    Ok((id, body))
}

/// The nine digits back, for a user holding the confidential grant.
pub fn decrypt(keys: &dyn DataKeys, co: &CompanyId, id: RecordId, stored: &str) -> Result<String, AppError> {
    let (key_id, body) = split(stored)?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| AppError::Internal("stored SSN is not base64".into()))?;
    let Some((nonce, ct)) = raw.split_at_checked(12) else {
        return Err(AppError::Internal("stored SSN is too short".into()));
    };
    let cipher = Aes256Gcm::new_from_slice(&keys.decryption_key(key_id)?)
        .map_err(|_| AppError::Internal("bad SSN key length".into()))?;
    let aad = aad(co, id);
    let plain = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
        .map_err(|_| AppError::Internal(format!("stored SSN does not decrypt under data key {key_id}")))?;
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

    /// Two data keys, as after one rotation.
    struct TwoKeys {
        first: DerivedKeys,
        second: DerivedKeys,
    }

    impl DataKeys for TwoKeys {
        fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError> {
            Ok((2, self.second.enc))
        }
        fn decryption_key(&self, id: KeyId) -> Result<[u8; 32], AppError> {
            match id {
                1 => Ok(self.first.enc),
                2 => Ok(self.second.enc),
                _ => Err(AppError::Internal(format!("SSN data key {id} is not known"))),
            }
        }
        fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
            Ok(self.first.idx)
        }
    }

    #[test]
    fn ciphertexts_name_their_key_and_the_old_format_reads_as_the_first_key() {
        let co = CompanyId::parse("acme").unwrap();
        let ssn = Ssn::parse("ssn", "123-45-6789").unwrap();
        let first = LocalKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let v2 = encrypt(&first, &co, RecordId(7), &ssn).unwrap();
        assert!(v2.starts_with("v2:1:"), "{v2}");
        assert_eq!(key_id_of(&v2).unwrap(), FIRST_KEY);

        // What the format before key ids stored: the same bytes without the prefix.
        let legacy = v2.strip_prefix("v2:1:").unwrap().to_owned();
        assert_eq!(key_id_of(&legacy).unwrap(), FIRST_KEY);
        assert_eq!(decrypt(&first, &co, RecordId(7), &legacy).unwrap(), "123456789");

        let ring = TwoKeys {
            first: DerivedKeys::from_secret(b"0123456789abcdef0123456789abcdef"),
            second: DerivedKeys::from_secret(b"a second data key, 32 bytes long"),
        };
        let on_second = encrypt(&ring, &co, RecordId(7), &ssn).unwrap();
        assert_eq!(key_id_of(&on_second).unwrap(), 2);
        for stored in [&legacy, &v2, &on_second] {
            assert_eq!(decrypt(&ring, &co, RecordId(7), stored).unwrap(), "123456789", "{stored}");
        }
        // The id picks the key: the same bytes claimed for another key do not decrypt.
        let relabelled = on_second.replacen("v2:2:", "v2:1:", 1);
        assert!(decrypt(&ring, &co, RecordId(7), &relabelled).is_err());
        // A key this process does not know is an error, not a panic.
        let err = decrypt(&first, &co, RecordId(7), &on_second).unwrap_err().to_string();
        assert!(err.contains("key 2"), "{err}");
        assert!(!err.contains("6789"));
    }

    #[test]
    fn malformed_ciphertexts_are_errors_that_show_nothing() {
        let co = CompanyId::parse("acme").unwrap();
        let keys = LocalKeys::from_secret(b"k");
        for stored in
            ["v2:", "v2:x:AAAA", "v2:-1:AAAA", "v2:99999999999:AAAA", "v2:1", "v2:1:AAAA", "v2:1:***", "", "AA"]
        {
            assert!(key_id_of(stored).is_err() || decrypt(&keys, &co, RecordId(1), stored).is_err(), "{stored:?}");
        }
        assert!(key_id_of("v2:1").is_err());
        assert_eq!(key_id_of("v2:12:AAAA").unwrap(), 12);
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
