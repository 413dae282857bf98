//! Plays API Gateway's HTTP API: matches a request to a route of `vigil_functions::routes`, runs the JWT authorizer
//! (the local session signer over the embedded backend; the user pool's JWKS, issuer and client with the AWS backend,
//! as API Gateway's Cognito authorizer), and builds the same v2 event API Gateway would send to the route's Lambda.

use crate::cognito::{CognitoError, CognitoVerifier};
use crate::tokens::TokenSigner;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use vigil_api::{Function, LocalFunction, Route, LOCAL_ONLY_ROUTES, ROUTES};

/// What serves a route here: the Lambda function's handler, or the local runtime itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Lambda(Function),
    Local(LocalFunction),
}

/// A matched route with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub route: Route<Target>,
    pub params: BTreeMap<String, String>,
}

/// Every route the local runtime serves: the deployed ones and the local-only ones.
pub fn all_routes() -> impl Iterator<Item = Route<Target>> {
    let deployed = ROUTES.iter().map(|r| Route {
        method: r.method,
        path: r.path,
        function: Target::Lambda(r.function),
        auth: r.auth,
    });
    let local = LOCAL_ONLY_ROUTES.iter().map(|r| Route {
        method: r.method,
        path: r.path,
        function: Target::Local(r.function),
        auth: r.auth,
    });
    deployed.chain(local)
}

/// The route for `method path`, as API Gateway picks it (literal segments win over `{param}` ones).
pub fn find(method: &str, path: &str) -> Option<Matched> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, Matched)> = None;
    for route in all_routes().filter(|r| r.method.as_str().eq_ignore_ascii_case(method)) {
        let pattern: Vec<&str> = route.path.split('/').collect();
        if pattern.len() != segments.len() {
            continue;
        }
        let mut params = BTreeMap::new();
        let mut literal = 0;
        let fits =
            pattern.iter().zip(&segments).all(|(p, s)| match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if !s.is_empty() => {
                    params.insert(name.to_owned(), (*s).to_owned());
                    true
                }
                Some(_) => false,
                None => {
                    literal += 1;
                    p == s
                }
            });
        if fits && best.as_ref().is_none_or(|(l, _)| literal > *l) {
            best = Some((literal, Matched { route, params }));
        }
    }
    best.map(|(_, m)| m)
}

/// The methods some route answers `path` with (empty when no route has that path): the `Allow` of a 405.
pub fn methods_of(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> =
        all_routes().map(|r| r.method.as_str()).filter(|m| find(m, path).is_some()).collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// What the authorizer decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Authorized {
    /// Claims as API Gateway passes them to the function (all values strings).
    Claims(Map<String, Value>),
    /// The route needs no token.
    Public,
}

/// Who issues the tokens the authorizer accepts.
#[derive(Debug, Clone)]
pub enum Issuer {
    /// The local runtime's own demo sign-in (embedded backend only).
    Local(TokenSigner),
    /// A Cognito user pool and app client (AWS backend).
    Cognito(Arc<CognitoVerifier>),
}

/// Verifies the bearer token as API Gateway's JWT authorizer would; `Err` is a 401.
pub async fn authorize(
    issuer: &Issuer,
    route: &Route<Target>,
    authorization: Option<&str>,
    now: u64,
) -> Result<Authorized, &'static str> {
    if !route.auth {
        return Ok(Authorized::Public);
    }
    let token = authorization.and_then(|h| h.strip_prefix("Bearer ")).ok_or("missing bearer token")?.trim();
    match issuer {
        Issuer::Local(signer) => {
            let claims = signer.verify(token, now).map_err(|e| match e {
                crate::tokens::TokenError::Expired => "token has expired",
                _ => "token is invalid",
            })?;
            let mut map = Map::new();
            map.insert("sub".into(), json!(claims.sub.to_string()));
            map.insert("custom:company".into(), json!(claims.company.to_string()));
            map.insert("email".into(), json!(claims.email));
            map.insert("exp".into(), json!(claims.exp.to_string()));
            map.insert("iat".into(), json!(claims.iat.to_string()));
            if let Some(p) = claims.partner {
                map.insert("custom:partner".into(), json!(p.to_string()));
            }
            Ok(Authorized::Claims(map))
        }
        Issuer::Cognito(verifier) => verifier.verify(token, now).await.map(Authorized::Claims).map_err(|e| match e {
            CognitoError::Expired => "token has expired",
            CognitoError::NotAnIdToken => "an ID token is required",
            CognitoError::Keys => "the user pool's keys cannot be read",
            CognitoError::Invalid => "token is invalid",
        }),
    }
}

/// The pieces of an HTTP request the event is built from.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub raw_query: &'a str,
    /// Lowercase names; repeated headers joined with commas, as API Gateway does.
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    pub request_id: &'a str,
    pub now_ms: i64,
    pub source_ip: String,
}

/// An API Gateway HTTP API (payload format 2.0) event for the matched route.
pub fn event(m: &Matched, req: &Incoming<'_>, auth: &Authorized) -> Value {
    let route_key = format!("{} {}", m.route.method, m.route.path);
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(req.raw_query.as_bytes()) {
        query.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    let query: Map<String, Value> = query.into_iter().map(|(k, v)| (k, json!(v.join(",")))).collect();
    let mut ctx = json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": req.headers.get("host").cloned().unwrap_or_else(|| "localhost".into()),
        "domainPrefix": "local",
        "http": {
            "method": req.method,
            "path": req.path,
            "protocol": "HTTP/1.1",
            "sourceIp": req.source_ip,
            "userAgent": req.headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": req.request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": "",
        "timeEpoch": req.now_ms,
    });
    if let Authorized::Claims(claims) = auth {
        ctx["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": req.path,
        "rawQueryString": req.raw_query,
        "headers": req.headers,
        "requestContext": ctx,
        "isBase64Encoded": false,
    });
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !m.params.is_empty() {
        event["pathParameters"] = json!(m.params);
    }
    if let Some(body) = &req.body {
        event["body"] = json!(body);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::{Claims, CompanyId, UserId};

    #[test]
    fn routes_match_with_parameters() {
        let m = find("GET", "/api/v1/leads/42").unwrap();
        assert_eq!(m.route.function, Target::Lambda(Function::GetLead));
        assert_eq!(m.params.get("id").map(String::as_str), Some("42"));
        assert_eq!(find("GET", "/api/v1/leads").unwrap().route.function, Target::Lambda(Function::ListLeads));
        assert!(find("DELETE", "/api/v1/health").is_none());
        assert_eq!(methods_of("/api/v1/health"), ["GET"]);
        assert_eq!(methods_of("/api/v1/leads"), ["GET", "POST"]);
        assert!(methods_of("/api/v1/nothing-here").is_empty());
        assert!(find("GET", "/api/v1/leads/42/nope").is_none());
        assert_eq!(
            find("POST", "/api/v1/dev/sign-in").unwrap().route.function,
            Target::Local(LocalFunction::DevSignIn)
        );
    }

    #[tokio::test]
    async fn the_public_intake_routes_take_no_session_and_answer_the_preflight() {
        let local = Issuer::Local(TokenSigner::new(b"k".to_vec()));
        let post = find("POST", "/api/v1/public/leads").unwrap().route;
        assert_eq!(post.function, Target::Lambda(Function::PublicIntake));
        // An intake key in the Authorization header is not a session token: the function checks it, not the gateway.
        assert_eq!(authorize(&local, &post, Some("Bearer vik_acme_1_x"), 1).await, Ok(Authorized::Public));
        let receipt = find("GET", "/api/v1/public/receipts/abc").unwrap();
        assert_eq!(receipt.params.get("id").map(String::as_str), Some("abc"));
        assert_eq!(
            find("OPTIONS", "/api/v1/public/leads").unwrap().route.function,
            Target::Lambda(Function::PublicPreflight)
        );
        assert_eq!(methods_of("/api/v1/public/leads"), ["OPTIONS", "POST"]);
        assert!(find("OPTIONS", "/api/v1/leads").is_none(), "only the public routes answer a preflight");
    }

    #[tokio::test]
    async fn the_authorizer_refuses_missing_forged_and_expired_tokens() {
        let signer = TokenSigner::new(b"k".to_vec());
        let local = Issuer::Local(signer.clone());
        let route = find("GET", "/api/v1/me").unwrap().route;
        let claims = Claims {
            sub: UserId::parse("u").unwrap(),
            company: CompanyId::parse("acme").unwrap(),
            email: String::new(),
            exp: 100,
            iat: 1,
            partner: None,
        };
        let token = signer.sign(&claims);
        let bearer = format!("Bearer {token}");
        assert!(authorize(&local, &route, None, 1).await.is_err());
        assert!(authorize(&local, &route, Some(&bearer), 100).await.is_err());
        let other = Issuer::Local(TokenSigner::new(b"x".to_vec()));
        assert!(authorize(&other, &route, Some(&bearer), 1).await.is_err());
        let Ok(Authorized::Claims(c)) = authorize(&local, &route, Some(&bearer), 1).await else { panic!() };
        assert_eq!(c["custom:company"], "acme");
        let health = find("GET", "/api/v1/health").unwrap().route;
        assert_eq!(authorize(&local, &health, None, 1).await, Ok(Authorized::Public));
    }

    #[test]
    fn events_parse_as_lambda_http_requests_with_claims_and_parameters() {
        use lambda_http::RequestExt;
        let m = find("GET", "/api/v1/leads/7").unwrap();
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("u1"));
        claims.insert("custom:company".into(), json!("acme"));
        claims.insert("exp".into(), json!("99999999999"));
        let req = Incoming {
            method: "GET",
            path: "/api/v1/leads/7",
            raw_query: "a=1&a=2&b=x%20y",
            headers: BTreeMap::new(),
            body: None,
            request_id: "r1",
            now_ms: 0,
            source_ip: "127.0.0.1".into(),
        };
        let ev = event(&m, &req, &Authorized::Claims(claims));
        let r = lambda_http::request::from_str(&ev.to_string()).unwrap();
        assert_eq!(r.path_parameters().first("id"), Some("7"));
        assert_eq!(r.query_string_parameters().first("b"), Some("x y"));
        // lambda_http reads repeated parameters from rawQueryString, as it does for API Gateway's own events.
        assert_eq!(r.query_string_parameters().all("a"), Some(vec!["1", "2"]));
        let c = vigil_functions::http::claims_of(&r).unwrap();
        assert_eq!(c.company.as_str(), "acme");
    }
}
