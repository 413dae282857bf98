//! Opaque page cursors: the backend's last key, signed with HMAC-SHA256 together with a fingerprint of the query it
//! belongs to, so a cursor cannot be forged, edited, or replayed against another query (or another company).

use crate::Item;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("cursor is malformed")]
    Malformed,
    #[error("cursor does not belong to this query")]
    WrongQuery,
}

#[derive(Clone)]
pub struct CursorSigner {
    secret: Vec<u8>,
}

impl std::fmt::Debug for CursorSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorSigner(..)")
    }
}

impl CursorSigner {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self { secret: secret.into() }
    }

    fn mac(&self, fingerprint: &str, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(&(fingerprint.len() as u64).to_be_bytes());
        mac.update(fingerprint.as_bytes());
        mac.update(payload);
        mac
    }

    /// `fingerprint` names the query (company, user, filters, sort): anything that must match when the cursor comes
    /// back.
    pub fn seal(&self, fingerprint: &str, last_key: &Item) -> String {
        let payload = serde_json::to_vec(last_key).expect("a JSON map serialises");
        let tag = self.mac(fingerprint, &payload).finalize().into_bytes();
        format!("{}.{}", B64.encode(&payload), B64.encode(tag))
    }

    pub fn open(&self, fingerprint: &str, cursor: &str) -> Result<Item, CursorError> {
        let (payload, tag) = cursor.split_once('.').ok_or(CursorError::Malformed)?;
        let payload = B64.decode(payload).map_err(|_| CursorError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| CursorError::Malformed)?;
        self.mac(fingerprint, &payload).verify_slice(&tag).map_err(|_| CursorError::WrongQuery)?;
        serde_json::from_slice(&payload).map_err(|_| CursorError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> Item {
        json!({"PK": "C#acme#R#7", "SK": "PROFILE"}).as_object().unwrap().clone()
    }

    #[test]
    fn round_trips_for_the_same_query_only() {
        let s = CursorSigner::new(b"k".to_vec());
        let c = s.seal("acme|leads|sort=name", &key());
        assert_eq!(s.open("acme|leads|sort=name", &c).unwrap(), key());
        assert_eq!(s.open("acme|leads|sort=id", &c), Err(CursorError::WrongQuery));
        assert_eq!(s.open("other|leads|sort=name", &c), Err(CursorError::WrongQuery));
        assert_eq!(CursorSigner::new(b"other".to_vec()).open("acme|leads|sort=name", &c), Err(CursorError::WrongQuery));
    }

    #[test]
    fn edited_or_garbage_cursors_are_rejected() {
        let s = CursorSigner::new(b"k".to_vec());
        let c = s.seal("q", &key());
        let (p, t) = c.split_once('.').unwrap();
        let forged = format!("{}.{t}", B64.encode(br#"{"PK":"C#other#R#1","SK":"PROFILE"}"#));
        assert_eq!(s.open("q", &forged), Err(CursorError::WrongQuery));
        assert_eq!(s.open("q", "nonsense"), Err(CursorError::Malformed));
        assert_eq!(s.open("q", &format!("{p}.!!")), Err(CursorError::Malformed));
    }
}
