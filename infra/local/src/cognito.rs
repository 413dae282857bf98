//! Verifies Cognito ID tokens the way API Gateway's JWT authorizer does, for the local runtime with
//! `VIGIL_BACKEND=aws`: RS256 signatures against the user pool's JWKS, the pool's issuer, the app client as audience,
//! `token_use` = `id` (the portal sends ID tokens; only they carry `custom:company`, and a partner login's
//! `custom:partner`) and expiry. Every claim is passed on as a string, as API Gateway does; `functions::http` maps
//! `custom:partner` to `Claims::partner`.
//!
//! The JWKS is fetched on first use and kept; a token naming a key the cached set lacks makes one refetch (Cognito
//! rotates keys by publishing the new one first), at most once per [`REFETCH_INTERVAL`], so tokens with made-up `kid`s
//! cannot turn the runtime into a client hammering the user pool.

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The shortest time between two JWKS fetches caused by unknown `kid`s.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// Which user pool and app client tokens must come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoSettings {
    /// The pool's issuer, exactly as tokens carry it in `iss`: `https://cognito-idp.<region>.amazonaws.com/<pool id>`
    /// (moto puts the same in its tokens).
    pub issuer: String,
    /// The app client ID: ID tokens carry it as `aud`.
    pub client_id: String,
    /// Where the pool's keys are published: `<issuer>/.well-known/jwks.json` in AWS; an emulator serves them on its
    /// own address (moto: `<endpoint>/<pool id>/.well-known/jwks.json`).
    pub jwks_url: String,
}

impl CognitoSettings {
    /// Settings whose keys are at the issuer's own `/.well-known/jwks.json`, as in AWS.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        let issuer = issuer.into().trim_end_matches('/').to_owned();
        let jwks_url = format!("{issuer}/.well-known/jwks.json");
        Self { issuer, client_id: client_id.into(), jwks_url }
    }
}

/// Why a token was refused (all are a 401; none names anything the token said).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CognitoError {
    #[error("token is invalid")]
    Invalid,
    #[error("token has expired")]
    Expired,
    #[error("token is not an ID token")]
    NotAnIdToken,
    #[error("the user pool's keys cannot be read")]
    Keys,
}

/// Where the verifier gets the pool's key set; a trait so tests can rotate keys without a server.
#[async_trait::async_trait]
pub trait JwksSource: Send + Sync {
    async fn fetch(&self) -> Result<JwkSet, String>;
}

/// The key set over HTTP(S).
pub struct HttpJwks {
    url: http::Uri,
    http: HttpsClient,
}

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Empty<bytes::Bytes>,
>;

/// How long a JWKS fetch may take, and how large the key set may be.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_JWKS_BYTES: usize = 64 * 1024;

impl HttpJwks {
    pub fn new(url: &str) -> Result<Self, String> {
        let url: http::Uri = url.parse().map_err(|_| "the JWKS URL is not a URL".to_owned())?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("cannot load the root certificates for the JWKS: {e}"))?
            // Plain HTTP only reaches an emulator on this machine (moto); in AWS the issuer is HTTPS.
            .https_or_http()
            .enable_http1()
            .build();
        let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Ok(Self { url, http })
    }
}

#[async_trait::async_trait]
impl JwksSource for HttpJwks {
    async fn fetch(&self) -> Result<JwkSet, String> {
        use http_body_util::BodyExt;
        let fetch = async {
            let resp = self.http.get(self.url.clone()).await.map_err(|e| format!("fetching the JWKS: {e}"))?;
            if !resp.status().is_success() {
                return Err(format!("fetching the JWKS: HTTP {}", resp.status()));
            }
            let body = http_body_util::Limited::new(resp.into_body(), MAX_JWKS_BYTES)
                .collect()
                .await
                .map_err(|e| format!("reading the JWKS: {e}"))?
                .to_bytes();
            serde_json::from_slice::<JwkSet>(&body).map_err(|e| format!("reading the JWKS: {e}"))
        };
        tokio::time::timeout(FETCH_TIMEOUT, fetch).await.map_err(|_| "fetching the JWKS timed out".to_owned())?
    }
}

struct Cache {
    keys: HashMap<String, DecodingKey>,
    fetched: Option<Instant>,
}

/// Checks bearer tokens against one user pool and app client.
pub struct CognitoVerifier {
    settings: CognitoSettings,
    source: Arc<dyn JwksSource>,
    cache: Mutex<Cache>,
    refetch_interval: Duration,
}

impl std::fmt::Debug for CognitoVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoVerifier").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl CognitoVerifier {
    /// A verifier that reads the key set from `settings.jwks_url`.
    pub fn new(settings: CognitoSettings) -> Result<Self, String> {
        let source = Arc::new(HttpJwks::new(&settings.jwks_url)?);
        Ok(Self::with_source(settings, source, REFETCH_INTERVAL))
    }

    pub fn with_source(settings: CognitoSettings, source: Arc<dyn JwksSource>, refetch_interval: Duration) -> Self {
        Self { settings, source, cache: Mutex::new(Cache { keys: HashMap::new(), fetched: None }), refetch_interval }
    }

    pub fn settings(&self) -> &CognitoSettings {
        &self.settings
    }

    /// The token's claims, as API Gateway hands them to the function (every value a string), if the token is a
    /// current ID token of this pool and client. `now` is in epoch seconds.
    pub async fn verify(&self, token: &str, now: u64) -> Result<Map<String, Value>, CognitoError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| CognitoError::Invalid)?;
        // Only RS256: a token that names HS256 (signed with the public key as an HMAC secret) or `none` is refused
        // before any key is looked at.
        if header.alg != Algorithm::RS256 {
            return Err(CognitoError::Invalid);
        }
        let kid = header.kid.ok_or(CognitoError::Invalid)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked below against the runtime's clock, so tests and the handlers agree on what "now" is.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| {
            tracing::debug!(kind = ?e.kind(), "bearer token refused");
            CognitoError::Invalid
        })?;
        let claims = data.claims;
        if claims.get("token_use").and_then(Value::as_str) != Some("id") {
            return Err(CognitoError::NotAnIdToken);
        }
        let exp = claims.get("exp").and_then(Value::as_u64).ok_or(CognitoError::Invalid)?;
        if exp <= now {
            return Err(CognitoError::Expired);
        }
        Ok(claims.into_iter().map(|(k, v)| (k, Value::String(as_claim_string(v)))).collect())
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, CognitoError> {
        let mut cache = self.cache.lock().await;
        if let Some(k) = cache.keys.get(kid) {
            return Ok(k.clone());
        }
        let may_fetch = cache.fetched.is_none_or(|at| at.elapsed() >= self.refetch_interval);
        if !may_fetch {
            return Err(CognitoError::Invalid);
        }
        let set = self.source.fetch().await.map_err(|e| {
            tracing::warn!(error = %e, "the user pool's JWKS could not be read");
            CognitoError::Keys
        })?;
        cache.fetched = Some(Instant::now());
        cache.keys = set
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect();
        cache.keys.get(kid).cloned().ok_or(CognitoError::Invalid)
    }
}

/// API Gateway passes every claim to the function as a string; arrays become `[a b]`.
fn as_claim_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Array(items) => {
            format!("[{}]", items.into_iter().map(as_claim_string).collect::<Vec<_>>().join(" "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex as StdMutex;

    const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool";
    const CLIENT: &str = "client-1";
    const NOW: u64 = 1_800_000_000;

    fn private(name: &str) -> EncodingKey {
        let pem = match name {
            "a" => include_str!("testdata/test-key-a.pem"),
            _ => include_str!("testdata/test-key-b.pem"),
        };
        EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
    }

    fn public(name: &str) -> Value {
        let jwk = match name {
            "a" => include_str!("testdata/test-key-a.jwk.json"),
            _ => include_str!("testdata/test-key-b.jwk.json"),
        };
        serde_json::from_str(jwk).unwrap()
    }

    /// A key set that can be changed between fetches, counting them.
    struct Keys {
        set: StdMutex<Vec<Value>>,
        fetches: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl JwksSource for Keys {
        async fn fetch(&self) -> Result<JwkSet, String> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let keys = self.set.lock().unwrap().clone();
            serde_json::from_value(json!({ "keys": keys })).map_err(|e| e.to_string())
        }
    }

    fn verifier(published: &[&str], refetch: Duration) -> (CognitoVerifier, Arc<Keys>) {
        let keys = Arc::new(Keys {
            set: StdMutex::new(published.iter().map(|n| public(n)).collect()),
            fetches: AtomicUsize::new(0),
        });
        let settings = CognitoSettings::new(ISSUER, CLIENT);
        (CognitoVerifier::with_source(settings, keys.clone(), refetch), keys)
    }

    fn id_claims() -> Value {
        json!({
            "sub": "0b6e2a4c-7f7e-4a43-9b4e-5d1c2d3e4f50",
            "iss": ISSUER,
            "aud": CLIENT,
            "token_use": "id",
            "custom:company": "acme",
            "email": "office@acme.example",
            "cognito:groups": ["a", "b"],
            "iat": NOW - 10,
            "exp": NOW + 3600,
        })
    }

    fn sign(key: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("test-{key}"));
        jsonwebtoken::encode(&header, claims, &private(key)).unwrap()
    }

    fn with(change: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let mut c = id_claims();
        change(c.as_object_mut().unwrap());
        c
    }

    #[tokio::test]
    async fn an_id_token_of_the_pool_and_client_is_accepted_with_string_claims() {
        let (v, keys) = verifier(&["a"], REFETCH_INTERVAL);
        let claims = v.verify(&sign("a", &id_claims()), NOW).await.unwrap();
        assert_eq!(claims["custom:company"], "acme");
        assert_eq!(claims["exp"], (NOW + 3600).to_string());
        assert_eq!(claims["cognito:groups"], "[a b]");
        assert!(!claims.contains_key("custom:partner"), "a staff user's token names no partner");
        let partner = v.verify(&sign("a", &with(|c| drop(c.insert("custom:partner".into(), json!("11"))))), NOW).await;
        assert_eq!(partner.unwrap()["custom:partner"], "11", "a partner login's claim reaches the handlers as text");
        v.verify(&sign("a", &id_claims()), NOW).await.unwrap();
        assert_eq!(keys.fetches.load(Ordering::SeqCst), 1, "the key set is cached");
    }

    #[tokio::test]
    async fn a_rotated_key_is_fetched_once_and_unknown_kids_do_not_refetch_each_time() {
        let (v, keys) = verifier(&["a"], Duration::ZERO);
        v.verify(&sign("a", &id_claims()), NOW).await.unwrap();
        // The pool publishes key b and signs with it: the unknown kid makes one refetch.
        keys.set.lock().unwrap().push(public("b"));
        v.verify(&sign("b", &id_claims()), NOW).await.unwrap();
        assert_eq!(keys.fetches.load(Ordering::SeqCst), 2);
        v.verify(&sign("b", &id_claims()), NOW).await.unwrap();
        assert_eq!(keys.fetches.load(Ordering::SeqCst), 2);

        let (v, keys) = verifier(&["a"], Duration::from_secs(3600));
        v.verify(&sign("a", &id_claims()), NOW).await.unwrap();
        keys.set.lock().unwrap().push(public("b"));
        for _ in 0..5 {
            assert_eq!(v.verify(&sign("b", &id_claims()), NOW).await, Err(CognitoError::Invalid));
        }
        assert_eq!(keys.fetches.load(Ordering::SeqCst), 1, "a recent fetch is not repeated for unknown kids");
    }

    #[tokio::test]
    async fn wrong_audience_issuer_token_use_and_expiry_are_refused() {
        let (v, _) = verifier(&["a"], REFETCH_INTERVAL);
        let other_client = with(|c| drop(c.insert("aud".into(), json!("client-2"))));
        assert_eq!(v.verify(&sign("a", &other_client), NOW).await, Err(CognitoError::Invalid));
        let other_pool = with(|c| {
            drop(c.insert("iss".into(), json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")))
        });
        assert_eq!(v.verify(&sign("a", &other_pool), NOW).await, Err(CognitoError::Invalid));
        let no_aud = with(|c| drop(c.remove("aud")));
        assert_eq!(v.verify(&sign("a", &no_aud), NOW).await, Err(CognitoError::Invalid));
        // An access token names the client in `client_id`, not `aud`; even one that had `aud` is not an ID token.
        let access = with(|c| drop(c.insert("token_use".into(), json!("access"))));
        assert_eq!(v.verify(&sign("a", &access), NOW).await, Err(CognitoError::NotAnIdToken));
        assert_eq!(v.verify(&sign("a", &id_claims()), NOW + 3600).await, Err(CognitoError::Expired));
        assert!(v.verify(&sign("a", &id_claims()), NOW + 3599).await.is_ok());
    }

    #[tokio::test]
    async fn forged_none_and_hs256_tokens_are_refused() {
        let (v, _) = verifier(&["a"], REFETCH_INTERVAL);
        // Signed by a key the pool does not publish, under the pool's kid.
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("test-a".into());
        let forged = jsonwebtoken::encode(&header, &id_claims(), &private("b")).unwrap();
        assert_eq!(v.verify(&forged, NOW).await, Err(CognitoError::Invalid));

        use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
        let body = B64.encode(id_claims().to_string());
        let none = format!("{}.{body}.", B64.encode(r#"{"alg":"none","kid":"test-a"}"#));
        assert_eq!(v.verify(&none, NOW).await, Err(CognitoError::Invalid));

        // The classic confusion: HS256 with the pool's public key material as the HMAC secret.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("test-a".into());
        let secret = public("a")["n"].as_str().unwrap().to_owned();
        let confused = jsonwebtoken::encode(&header, &id_claims(), &EncodingKey::from_secret(secret.as_bytes()));
        // Without an HMAC provider the library may refuse to sign at all; either way no such token gets through.
        if let Ok(confused) = confused {
            assert_eq!(v.verify(&confused, NOW).await, Err(CognitoError::Invalid));
        }

        let no_kid = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &id_claims(), &private("a")).unwrap();
        assert_eq!(v.verify(&no_kid, NOW).await, Err(CognitoError::Invalid));
        for garbage in ["", "a.b", "a.b.c", "...."] {
            assert_eq!(v.verify(garbage, NOW).await, Err(CognitoError::Invalid), "{garbage:?}");
        }
    }

    #[tokio::test]
    async fn an_unreadable_key_set_refuses_tokens() {
        struct Down;
        #[async_trait::async_trait]
        impl JwksSource for Down {
            async fn fetch(&self) -> Result<JwkSet, String> {
                Err("connection refused".into())
            }
        }
        let v = CognitoVerifier::with_source(CognitoSettings::new(ISSUER, CLIENT), Arc::new(Down), Duration::ZERO);
        assert_eq!(v.verify(&sign("a", &id_claims()), NOW).await, Err(CognitoError::Keys));
    }

    #[test]
    fn the_key_set_is_at_the_issuers_well_known_path_by_default() {
        let s = CognitoSettings::new(format!("{ISSUER}/"), CLIENT);
        assert_eq!(s.issuer, ISSUER);
        assert_eq!(s.jwks_url, format!("{ISSUER}/.well-known/jwks.json"));
    }

    #[test]
    fn the_https_client_builds() {
        HttpJwks::new("https://cognito-idp.us-east-1.amazonaws.com/x/.well-known/jwks.json").unwrap();
    }
}
