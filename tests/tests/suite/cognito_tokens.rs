//! With `VIGIL_BACKEND=aws` the local runtime is API Gateway with the template's Cognito JWT authorizer: no demo
//! sign-in, and only current ID tokens of the stack's user pool and app client get through (checked against the pool's
//! JWKS in moto).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use serde_json::{json, Value};
use vigil_local::seed::SeedSize;
use vigil_tests::cognito::{rehearsal_runtime, UserPool};
use vigil_tests::moto::moto;
use vigil_tests::users::{OFFICE, OTHER_ADMIN};

// One stack per test: each runtime seeds its table on start, and two seeding one table at once would race.
const STACK: &str = "vigil-cognito-tokens";

fn small(c: &mut vigil_local::Config) {
    c.seed = Some(SeedSize { leads: 2, customers: 0 });
}

fn claims_of(token: &str) -> Value {
    let body = token.split('.').nth(1).expect("a JWT has a body");
    serde_json::from_slice(&B64.decode(body).expect("base64url")).expect("JSON claims")
}

/// moto's token signing key (the one every moto pool signs with), as PEM: only to make an expired token that is
/// otherwise genuine. Read from the installed moto package, never stored here.
fn moto_signing_key() -> jsonwebtoken::EncodingKey {
    let python = std::env::var("VIGIL_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "from moto.utilities.utils import load_resource\n\
                  import moto.cognitoidp.models as m\n\
                  from joserfc import jwk\n\
                  k = jwk.RSAKey.import_key(load_resource(m.__name__, 'resources/jwks-private.json'))\n\
                  print(k.as_pem(private=True).decode())\n";
    let out = std::process::Command::new(python).args(["-c", script]).output().expect("python runs");
    assert!(out.status.success(), "reading moto's key failed");
    jsonwebtoken::EncodingKey::from_rsa_pem(&out.stdout).expect("an RSA PEM")
}

fn resign(claims: &Value, key: &jsonwebtoken::EncodingKey) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("dummy".into());
    jsonwebtoken::encode(&header, claims, key).expect("signs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_backend_serves_no_dev_routes() {
    let (rt, _pool) = rehearsal_runtime(&format!("{STACK}-dev-routes"), small).await;
    // On a loopback address over an emulator on this machine: the case the old stop-gap served.
    assert!(rt.base_url().starts_with("http://127.0.0.1:"));
    let users = rt.http().get(rt.url("/api/v1/dev/users")).send().await.unwrap();
    assert_eq!(users.status(), 404);
    let sign_in = rt.http().post(rt.url("/api/v1/dev/sign-in")).json(&json!({"email": OFFICE})).send().await.unwrap();
    assert_eq!(sign_in.status(), 404);
    let body: Value = sign_in.json().await.unwrap_or(Value::Null);
    assert!(body.get("token").is_none(), "{body}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_id_token_from_the_user_pool_is_accepted() {
    let (rt, pool) = rehearsal_runtime(&format!("{STACK}-accepted"), small).await;
    let token = pool.sign_in(OFFICE).await;
    let claims = claims_of(&token);
    assert_eq!(claims["token_use"], "id");
    assert_eq!(claims["custom:company"], "acme");
    assert_eq!(claims["iss"], pool.pool.issuer.as_str());
    assert_eq!(claims["sub"], pool.subs[OFFICE].as_str());
    let (status, me) = rt.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["company_name"], "Acme Alarm Co.");
    // The other tenant's token reads its own company.
    let (status, me) = rt.get(&pool.sign_in(OTHER_ADMIN).await, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["company_name"], "Bluebird Security");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_foreign_and_access_tokens_are_refused() {
    let (rt, pool) = rehearsal_runtime(&format!("{STACK}-refused"), small).await;
    let tokens = pool.tokens(OFFICE).await;
    assert_eq!(rt.get(&tokens.id_token, "/api/v1/me").await.0, 200, "the genuine token is the control");

    // Forged: the claims moved to the other tenant under the genuine signature; and no signature at all.
    let mut parts: Vec<String> = tokens.id_token.split('.').map(str::to_owned).collect();
    let mut claims = claims_of(&tokens.id_token);
    claims["custom:company"] = json!("bluebird");
    parts[1] = B64.encode(claims.to_string());
    assert_eq!(rt.get(&parts.join("."), "/api/v1/me").await.0, 401, "tampered claims");
    let none = format!("{}.{}.", B64.encode(r#"{"alg":"none","kid":"dummy"}"#), parts[1]);
    assert_eq!(rt.get(&none, "/api/v1/me").await.0, 401, "alg none");

    // Expired: genuine in every other way (moto's key, the pool's issuer and client), re-signed as moto would.
    let key = moto_signing_key();
    let mut claims = claims_of(&tokens.id_token);
    assert_eq!(rt.get(&resign(&claims, &key), "/api/v1/me").await.0, 200, "re-signing alone changes nothing");
    let now = claims["iat"].as_u64().expect("iat");
    claims["exp"] = json!(now - 1);
    claims["iat"] = json!(now - 3601);
    assert_eq!(rt.get(&resign(&claims, &key), "/api/v1/me").await.0, 401, "expired");

    // Another pool: moto signs it with the same key, so only the issuer tells them apart.
    let moto = moto().await;
    let other = UserPool::create(moto.endpoint(), "vigil-cognito-tokens-foreign").await.expect("another pool");
    let foreign = pool.tokens_in(&other, OFFICE, "acme").await;
    assert_eq!(claims_of(&foreign.id_token)["custom:company"], "acme");
    assert_eq!(rt.get(&foreign.id_token, "/api/v1/me").await.0, 401, "another pool's ID token");

    // Another app client of the same pool: the audience differs.
    let client = pool.pool.add_client("not-the-portal").await.expect("another client");
    let other_client = pool.tokens_from_client(&client, OFFICE).await;
    assert_eq!(claims_of(&other_client.id_token)["aud"], client.as_str());
    assert_eq!(rt.get(&other_client.id_token, "/api/v1/me").await.0, 401, "another client's ID token");

    // The access token of the same sign-in: no audience, no tenant.
    assert_eq!(claims_of(&tokens.access_token)["token_use"], "access");
    assert_eq!(rt.get(&tokens.access_token, "/api/v1/me").await.0, 401, "access token");
    rt.stop().await;
}
