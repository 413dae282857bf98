//! The object store on S3, by presigned URLs (SigV4 query signing): the client's upload is a presigned PUT, and the
//! functions read the object back with presigned HEAD/GET (with a `Range` header) and DELETE over plain HTTP, so no
//! S3 SDK client is built or linked into every Lambda for four calls.

use crate::aws::LazySdkConfig;
use crate::objects::ObjectStore;
use crate::StoreError;
use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// How long the URLs the functions sign for themselves work.
const OWN_URL_SECS: u64 = 60;

pub struct S3Objects {
    config: Arc<LazySdkConfig>,
    bucket: String,
    http: reqwest::Client,
}

impl S3Objects {
    pub fn new(config: Arc<LazySdkConfig>, bucket: impl Into<String>) -> Self {
        Self { config, bucket: bucket.into(), http: reqwest::Client::new() }
    }

    async fn presign(&self, method: &str, key: &str, expires: u64) -> Result<String, StoreError> {
        let sdk = self.config.get().await;
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
        let provider = sdk
            .credentials_provider()
            .ok_or_else(|| StoreError::Backend("no AWS credentials to sign an S3 URL with".into()))?;
        let creds =
            provider.provide_credentials().await.map_err(|e| StoreError::Backend(format!("AWS credentials: {e}")))?;
        let (scheme, host, path) = match sdk.endpoint_url() {
            // An emulator (moto) answers path-style on its one address.
            Some(endpoint) => {
                let (scheme, rest) = endpoint.split_once("://").unwrap_or(("http", endpoint));
                (scheme.to_owned(), rest.trim_end_matches('/').to_owned(), format!("/{}/{}", self.bucket, encode(key)))
            }
            None => ("https".into(), format!("{}.s3.{region}.amazonaws.com", self.bucket), format!("/{}", encode(key))),
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let signed = presign_url(&Presign {
            method,
            scheme: &scheme,
            host: &host,
            path: &path,
            region: &region,
            access_key: creds.access_key_id(),
            secret_key: creds.secret_access_key(),
            session_token: creds.session_token(),
            now,
            expires,
        });
        Ok(signed)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        key: &str,
        range: Option<String>,
    ) -> Result<reqwest::Response, StoreError> {
        let url = self.presign(method.as_str(), key, OWN_URL_SECS).await?;
        let mut req = self.http.request(method, url);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send().await.map_err(|e| StoreError::Backend(format!("S3 request failed: {e}")))
    }
}

fn backend(what: &str, status: reqwest::StatusCode) -> StoreError {
    StoreError::Backend(format!("S3 {what} answered {status}"))
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn upload_url(&self, key: &str, _token: &str, expires_secs: u64) -> Result<String, StoreError> {
        self.presign("PUT", key, expires_secs).await
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        let resp = self.send(reqwest::Method::HEAD, key, None).await?;
        match resp.status().as_u16() {
            404 | 403 => Ok(None),
            200 => Ok(resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())),
            _ => Err(backend("HEAD", resp.status())),
        }
    }

    async fn read_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        if len == 0 {
            return Ok(vec![]);
        }
        let resp = self.send(reqwest::Method::GET, key, Some(format!("bytes={start}-{}", start + len - 1))).await?;
        match resp.status().as_u16() {
            200 | 206 => Ok(resp.bytes().await.map_err(|e| StoreError::Backend(format!("S3 read: {e}")))?.to_vec()),
            416 => Ok(vec![]),
            _ => Err(backend("GET", resp.status())),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let resp = self.send(reqwest::Method::DELETE, key, None).await?;
        match resp.status().as_u16() {
            200 | 204 | 404 => Ok(()),
            _ => Err(backend("DELETE", resp.status())),
        }
    }
}

/// What a presigned URL is made of.
pub struct Presign<'a> {
    pub method: &'a str,
    pub scheme: &'a str,
    pub host: &'a str,
    /// Already URI-encoded.
    pub path: &'a str,
    pub region: &'a str,
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub session_token: Option<&'a str>,
    /// Epoch seconds.
    pub now: u64,
    pub expires: u64,
}

/// RFC 3986 encoding as SigV4 wants it (unreserved characters kept; `/` kept in paths).
fn encode(s: &str) -> String {
    encode_with(s, true)
}

fn encode_with(s: &str, keep_slash: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b'/' if keep_slash => "/".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `YYYYMMDDTHHMMSSZ` of epoch seconds (civil date from days, as in Howard Hinnant's algorithm).
fn amz_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// The presigned URL (SigV4, query parameters, only `host` signed, unsigned payload).
pub fn presign_url(p: &Presign<'_>) -> String {
    let datetime = amz_date(p.now);
    let date = &datetime[..8];
    let scope = format!("{date}/{}/s3/aws4_request", p.region);
    let mut query = vec![
        ("X-Amz-Algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("X-Amz-Credential".to_owned(), format!("{}/{scope}", p.access_key)),
        ("X-Amz-Date".to_owned(), datetime.clone()),
        ("X-Amz-Expires".to_owned(), p.expires.to_string()),
        ("X-Amz-SignedHeaders".to_owned(), "host".to_owned()),
    ];
    if let Some(t) = p.session_token {
        query.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
    }
    query.sort();
    let canonical_query: String = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode_with(k, false), encode_with(v, false)))
        .collect::<Vec<_>>()
        .join("&");
    let canonical = format!("{}\n{}\n{canonical_query}\nhost:{}\n\nhost\nUNSIGNED-PAYLOAD", p.method, p.path, p.host);
    let to_sign = format!("AWS4-HMAC-SHA256\n{datetime}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut key = hmac(format!("AWS4{}", p.secret_key).as_bytes(), date);
    for part in [p.region, "s3", "aws4_request"] {
        key = hmac(&key, part);
    }
    let signature = hex(&hmac(&key, &to_sign));
    format!("{}://{}{}?{canonical_query}&X-Amz-Signature={signature}", p.scheme, p.host, p.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of AWS's "Authenticating Requests: Using Query Parameters" page.
    #[test]
    fn signs_the_documented_example() {
        let url = presign_url(&Presign {
            method: "GET",
            scheme: "https",
            host: "examplebucket.s3.amazonaws.com",
            path: "/test.txt",
            region: "us-east-1",
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            session_token: None,
            now: 1_369_353_600,
            expires: 86_400,
        });
        assert!(url.contains("X-Amz-Date=20130524T000000Z"), "{url}");
        assert!(
            url.ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
            "{url}"
        );
    }

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(amz_date(1_764_460_799), "20251129T235959Z");
    }
}
