//! Session tokens the local runtime signs for demo users: JWTs (HS256) carrying the same claims Cognito puts in
//! its tokens, so handlers cannot tell the two apart. In AWS, API Gateway's JWT authorizer verifies Cognito's
//! tokens and this module is not used.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use vigil_domain::Claims;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
}

#[derive(Clone)]
pub struct TokenSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl TokenSigner {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into() }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let body = serde_json::to_vec(claims).expect("claims serialise");
        let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(body));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(mac.finalize().into_bytes()))
    }

    /// Checks signature, algorithm and expiry (`now` in epoch seconds).
    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(b), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TokenError::Malformed);
        };
        let sig = B64.decode(s).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(b.as_bytes());
        mac.verify_slice(&sig).map_err(|_| TokenError::BadSignature)?;
        let header: serde_json::Value = serde_json::from_slice(&B64.decode(h).map_err(|_| TokenError::Malformed)?)
            .map_err(|_| TokenError::Malformed)?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(TokenError::Malformed);
        }
        let claims: Claims = serde_json::from_slice(&B64.decode(b).map_err(|_| TokenError::Malformed)?)
            .map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::{CompanyId, UserId};

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: UserId::parse("u1").unwrap(),
            company: CompanyId::parse("acme").unwrap(),
            email: "a@b.c".into(),
            exp,
            iat: 0,
            partner: None,
        }
    }

    #[test]
    fn signed_tokens_verify_until_they_expire() {
        let s = TokenSigner::new(b"secret".to_vec());
        let t = s.sign(&claims(100));
        assert_eq!(s.verify(&t, 99).unwrap(), claims(100));
        assert_eq!(s.verify(&t, 100), Err(TokenError::Expired));
    }

    #[test]
    fn forged_and_garbled_tokens_fail() {
        let s = TokenSigner::new(b"secret".to_vec());
        let t = TokenSigner::new(b"other".to_vec()).sign(&claims(100));
        assert_eq!(s.verify(&t, 1), Err(TokenError::BadSignature));
        let good = s.sign(&claims(100));
        let (head, rest) = good.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let mut c = claims(100);
        c.company = CompanyId::parse("other").unwrap();
        let tampered = format!("{head}.{}.{sig}", B64.encode(serde_json::to_vec(&c).unwrap()));
        assert_eq!(s.verify(&tampered, 1), Err(TokenError::BadSignature));
        assert_eq!(s.verify("a.b", 1), Err(TokenError::Malformed));
        assert_eq!(s.verify("", 1), Err(TokenError::Malformed));
    }
}
