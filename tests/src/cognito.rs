//! The cloud rehearsal's user pool, in moto's Cognito (cognito-idp).
//!
//! moto's CloudFormation has no model for `AWS::Cognito::UserPool` or `UserPoolClient` (moto 5.2.1 skips them), so
//! the template keeps them under `IsAws` and the rehearsal creates them here, through moto's cognito-idp API, with the
//! template's own properties: [`UserPool::create`] reads `Resources.UserPool.Properties` and
//! `Resources.UserPoolClient.Properties` from `infra/template.yaml` (the schema with `custom:company`, the password
//! policy, email as user name, the client's token validity and read/write attributes) and sends them as they are,
//! leaving out only what CloudFormation resolves (`!Ref`, `!Sub`) and what the API takes elsewhere (`EnabledMfas`).
//!
//! [`DemoPool::provision`] creates every active seeded user in the pool (AdminCreateUser with the `email`, `name` and
//! `custom:company` a demo user's token carries, then a permanent password) and signs them in with
//! ADMIN_USER_PASSWORD_AUTH. The app finds a user by company and the token's `sub`; Cognito chooses a `sub` itself,
//! so each user's record is written again under the `sub` the pool gave it, as an operator provisioning users in AWS
//! would. moto signs every pool's tokens with one key (`kid` "dummy", published at
//! `<endpoint>/<pool id>/.well-known/jwks.json`) and puts `https://cognito-idp.<region>.amazonaws.com/<pool id>` in
//! `iss`, as AWS does; a token of another pool therefore has a valid signature and is refused by its issuer alone.
//!
//! moto does not check SigV4, so the API is called with plain JSON POSTs and the unsigned `Authorization` header of
//! [`fake_authorization`](crate::rehearsal::fake_authorization).

use crate::rehearsal::{fake_authorization, template_path, REGION};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use vigil_app::directory::{all_companies, user_item, users};
use vigil_app::Services;
use vigil_domain::UserId;
use vigil_local::cognito::CognitoSettings;
use vigil_store::Condition;

/// A user pool and its app client, created in moto from the template's definitions.
#[derive(Debug, Clone)]
pub struct UserPool {
    pub id: String,
    pub client_id: String,
    /// What the pool's tokens carry in `iss`, and what the template's JWT authorizer names as issuer.
    pub issuer: String,
    /// Where moto serves the pool's keys.
    pub jwks_url: String,
    endpoint: String,
    http: reqwest::Client,
}

/// The tokens of one sign-in.
#[derive(Clone)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(..)")
    }
}

/// The properties of one resource of the template, as the cognito-idp API takes them.
fn template_properties(resource: &str) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(template_path()).map_err(|e| format!("reading the template: {e}"))?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("parsing the template: {e}"))?;
    let props = doc
        .get("Resources")
        .and_then(|r| r.get(resource))
        .and_then(|r| r.get("Properties"))
        .ok_or_else(|| format!("the template has no {resource} properties"))?;
    match yaml_to_json(props) {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(format!("{resource} properties are not a mapping")),
    }
}

/// Plain YAML as JSON; values CloudFormation would resolve (tagged: `!Ref`, `!Sub`, …) are left out (`None`).
fn yaml_to_json(v: &serde_yaml::Value) -> Option<Value> {
    use serde_yaml::Value as Y;
    Some(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => json!(b),
        Y::Number(n) => serde_json::to_value(n).ok()?,
        Y::String(s) => json!(s),
        Y::Sequence(items) => Value::Array(items.iter().filter_map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_owned(), yaml_to_json(v)?))).collect::<Map<_, _>>(),
        ),
        Y::Tagged(_) => return None,
    })
}

impl UserPool {
    /// Creates a pool named `name` and its app client, both as the template defines them.
    pub async fn create(moto_endpoint: &str, name: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        let mut pool = Self {
            id: String::new(),
            client_id: String::new(),
            issuer: String::new(),
            jwks_url: String::new(),
            endpoint: moto_endpoint.trim_end_matches('/').to_owned(),
            http,
        };
        let mut props = template_properties("UserPool")?;
        props.remove("UserPoolName");
        props.remove("EnabledMfas");
        props.insert("PoolName".into(), json!(name));
        let created = pool.call("CreateUserPool", Value::Object(props)).await?;
        pool.id = text(&created, &["UserPool", "Id"])?;
        pool.client_id = pool.add_client("portal").await?;
        // The template's authorizer: issuer https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}.
        pool.issuer = format!("https://cognito-idp.{REGION}.amazonaws.com/{}", pool.id);
        pool.jwks_url = format!("{}/{}/.well-known/jwks.json", pool.endpoint, pool.id);
        Ok(pool)
    }

    /// Another app client of this pool, with the template's client settings; returns its ID.
    pub async fn add_client(&self, name: &str) -> Result<String, String> {
        let mut props = template_properties("UserPoolClient")?;
        props.insert("UserPoolId".into(), json!(self.id));
        props.insert("ClientName".into(), json!(name));
        let created = self.call("CreateUserPoolClient", Value::Object(props)).await?;
        text(&created, &["UserPoolClient", "ClientId"])
    }

    /// What the local runtime needs to accept this pool's ID tokens for the template's client.
    pub fn settings(&self) -> CognitoSettings {
        let mut s = CognitoSettings::new(&self.issuer, &self.client_id);
        s.jwks_url = self.jwks_url.clone();
        s
    }

    /// Creates a confirmed user with a permanent password; returns the `sub` the pool gave it.
    pub async fn create_user(&self, email: &str, name: &str, company: &str, password: &str) -> Result<String, String> {
        self.create_user_with(email, name, company, None, password).await
    }

    /// As `create_user`, for a partner login when `partner` is its partner company's ID (`custom:partner`).
    pub async fn create_user_with(
        &self,
        email: &str,
        name: &str,
        company: &str,
        partner: Option<&str>,
        password: &str,
    ) -> Result<String, String> {
        let mut attributes = vec![
            json!({"Name": "email", "Value": email}),
            json!({"Name": "email_verified", "Value": "true"}),
            json!({"Name": "name", "Value": name}),
            json!({"Name": "custom:company", "Value": company}),
        ];
        if let Some(p) = partner {
            attributes.push(json!({"Name": "custom:partner", "Value": p}));
        }
        let created = self
            .call(
                "AdminCreateUser",
                json!({
                    "UserPoolId": self.id,
                    "Username": email,
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": attributes,
                }),
            )
            .await?;
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": self.id, "Username": email, "Password": password, "Permanent": true}),
        )
        .await?;
        created["User"]["Attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["Name"] == "sub"))
            .and_then(|a| a["Value"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("AdminCreateUser gave {email} no sub"))
    }

    /// The pool's account of `email` as AdminGetUser answers it (`Enabled`, `UserAttributes`), `None` when it has none.
    pub async fn account(&self, email: &str) -> Option<Value> {
        self.call("AdminGetUser", json!({"UserPoolId": self.id, "Username": email})).await.ok()
    }

    /// Gives an account a permanent password (what the invited user does with the temporary one Cognito mailed).
    pub async fn set_password(&self, email: &str, password: &str) -> Result<(), String> {
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": self.id, "Username": email, "Password": password, "Permanent": true}),
        )
        .await
        .map(|_| ())
    }

    /// Signs a user in through the template's client (or `client_id`).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, String> {
        self.sign_in_with(&self.client_id, email, password).await
    }

    pub async fn sign_in_with(&self, client_id: &str, email: &str, password: &str) -> Result<Tokens, String> {
        let answer = self
            .call(
                "AdminInitiateAuth",
                json!({
                    "UserPoolId": self.id,
                    "ClientId": client_id,
                    "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": email, "PASSWORD": password},
                }),
            )
            .await?;
        Ok(Tokens {
            id_token: text(&answer, &["AuthenticationResult", "IdToken"])?,
            access_token: text(&answer, &["AuthenticationResult", "AccessToken"])?,
        })
    }

    async fn call(&self, operation: &str, body: Value) -> Result<Value, String> {
        let resp = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("Authorization", fake_authorization("cognito-idp"))
            .header("X-Amz-Target", format!("AWSCognitoIdentityProviderService.{operation}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("calling moto cognito-idp {operation}: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("reading moto's answer to {operation}: {e}"))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            // The error's type and message only: a request body may hold a password.
            return Err(format!("{operation}: HTTP {status}: {} {}", value["__type"], value["message"]));
        }
        Ok(value)
    }
}

fn text(v: &Value, path: &[&str]) -> Result<String, String> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no {} in moto's answer", path.join(".")))
}

/// The seeded demo users, each created in a user pool and able to sign in there.
pub struct DemoPool {
    pub pool: UserPool,
    /// One password for all of them, made for this run (never printed).
    password: String,
    /// Each user's `sub` in the pool, by email.
    pub subs: BTreeMap<String, String>,
}

impl std::fmt::Debug for DemoPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPool").field("pool", &self.pool).field("subs", &self.subs).finish_non_exhaustive()
    }
}

impl DemoPool {
    /// Creates every active user of every seeded company in `pool`, and writes each user's record under the `sub`
    /// the pool gave it (conditionally: it must not exist yet).
    pub async fn provision(pool: UserPool, svc: &Services) -> Result<Self, String> {
        // Meets the template's password policy (12+, upper, lower, digits).
        let password = format!("Rehearsal-{:016x}-Aa1", rand::random::<u64>());
        let mut subs = BTreeMap::new();
        for company in all_companies(svc).await.map_err(|e| format!("reading the companies: {e}"))? {
            let people = users(svc, &company.id).await.map_err(|e| format!("reading the users: {e}"))?;
            for user in people.into_iter().filter(|u| u.active) {
                let partner =
                    user.partner_id.filter(|_| user.role == vigil_domain::Role::Partner).map(|p| p.to_string());
                let sub = pool
                    .create_user_with(&user.email, &user.name, company.id.as_str(), partner.as_deref(), &password)
                    .await?;
                let id = UserId::parse(&sub).map_err(|e| format!("the pool's sub is no user ID: {}", e.message))?;
                let record = vigil_domain::User { id, ..user.clone() };
                svc.table
                    .put(user_item(&record), Some(Condition::NotExists))
                    .await
                    .map_err(|e| format!("writing the user record of {}: {e}", user.email))?;
                subs.insert(user.email, sub);
            }
        }
        Ok(Self { pool, password, subs })
    }

    /// The user's tokens from the pool's app client.
    pub async fn tokens(&self, email: &str) -> Tokens {
        self.pool.sign_in(email, &self.password).await.unwrap_or_else(|e| panic!("{email} signs in: {e}"))
    }

    /// The user's ID token, what the portal sends as its bearer token.
    pub async fn sign_in(&self, email: &str) -> String {
        self.tokens(email).await.id_token
    }

    /// Signs the user in through another app client of the same pool.
    pub async fn tokens_from_client(&self, client_id: &str, email: &str) -> Tokens {
        self.pool.sign_in_with(client_id, email, &self.password).await.unwrap_or_else(|e| panic!("{email}: {e}"))
    }

    /// Creates the same user in `other` (another pool) with this run's password and signs them in there.
    pub async fn tokens_in(&self, other: &UserPool, email: &str, company: &str) -> Tokens {
        other.create_user(email, "Foreign User", company, &self.password).await.unwrap_or_else(|e| panic!("{e}"));
        other.sign_in(email, &self.password).await.unwrap_or_else(|e| panic!("{email} signs in: {e}"))
    }
}

/// The local runtime on the AWS backends against `stack_name` deployed into moto, accepting the tokens of a new user
/// pool (created from the template) in which the seeded demo users are provisioned. `tweak` sets the rest (seed size,
/// concurrency, …).
pub async fn rehearsal_runtime(
    stack_name: &str,
    tweak: impl FnOnce(&mut vigil_local::Config),
) -> (crate::runtime::LocalRuntime, DemoPool) {
    let moto = crate::moto::moto().await;
    let stack = crate::rehearsal::deploy_stack(moto.endpoint(), stack_name).await.expect("stack deploys into moto");
    let pool = UserPool::create(moto.endpoint(), &format!("{stack_name}-users")).await.expect("user pool in moto");
    let settings = stack.settings(moto.endpoint());
    let cognito = pool.settings();
    let rt = crate::runtime::LocalRuntime::start_with(|c| {
        c.backend = vigil_local::Backend::Aws;
        c.aws = Some(settings);
        c.cognito = Some(cognito);
        tweak(c);
    })
    .await;
    let demo = DemoPool::provision(pool, rt.services()).await.expect("demo users provisioned in the pool");
    (rt, demo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_defines_the_pool_with_the_company_attribute_and_the_client_reads_it() {
        let pool = template_properties("UserPool").unwrap();
        assert!(pool["Schema"].as_array().unwrap().iter().any(|a| a["Name"] == "company"));
        assert_eq!(pool["UsernameAttributes"], json!(["email"]));
        assert!(!pool.contains_key("UserPoolName"), "a !Sub is left out");
        let client = template_properties("UserPoolClient").unwrap();
        assert!(client["ReadAttributes"].as_array().unwrap().contains(&json!("custom:company")));
        assert!(!client["WriteAttributes"].as_array().unwrap().contains(&json!("custom:company")));
        assert!(!client.contains_key("UserPoolId"), "a !Ref is left out");
    }
}
