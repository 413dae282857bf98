//! Intake keys (admin): issued once, stored as a SHA-256 hash, revoked by deleting them.

use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_api::intake::{CreatedIntakeKey, IntakeKeyView, NewIntakeKey};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp, Update};

const PREFIX: &str = "vik_";
const NAME_MAX: usize = 200;
const ORIGINS_MAX: usize = 20;
const ORIGIN_MAX: usize = 200;
pub const DEFAULT_PER_MINUTE: u32 = 60;
pub const DEFAULT_PER_IP_PER_MINUTE: u32 = 10;

/// The key as stored: what a listing shows of it, and its hash, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredKey {
    #[serde(flatten)]
    pub view: IntakeKeyView,
    /// Hex SHA-256 of the whole key.
    pub hash: String,
}

impl StoredKey {
    pub fn view(&self) -> IntakeKeyView {
        self.view.clone()
    }

    /// Whether `origin` (an `Origin` header) is one this key allows.
    pub fn allows_origin(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|o| self.view.allowed_origins.contains(&o))
    }
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `scheme://host[:port]` in lowercase, the form browsers send as `Origin`; `None` for anything else (a path, a
/// query, a scheme other than http and https).
pub fn normalize_origin(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > ORIGIN_MAX {
        return None;
    }
    let url = url::Url::parse(s).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    if !(url.path() == "/" || url.path().is_empty()) || url.query().is_some() || url.fragment().is_some() {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// The origin of a full URL (a form's `redirect`), when it has one.
pub fn origin_of(s: &str) -> Option<String> {
    let url = url::Url::parse(s.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

fn check(body: &NewIntakeKey) -> Result<Vec<String>, Invalid> {
    let mut errors = Vec::new();
    let name = body.name.trim();
    if name.is_empty() {
        errors.push(FieldError::required("name"));
    } else if name.chars().count() > NAME_MAX {
        errors.push(FieldError::new("name", "too_long", format!("at most {NAME_MAX} characters")));
    }
    let mut origins: Vec<String> = Vec::new();
    if body.allowed_origins.len() > ORIGINS_MAX {
        errors.push(FieldError::new("allowed_origins", "too_many", format!("at most {ORIGINS_MAX} origins")));
    } else {
        for o in &body.allowed_origins {
            match normalize_origin(o) {
                Some(n) if !origins.contains(&n) => origins.push(n),
                Some(_) => {}
                None => {
                    errors.push(FieldError::new(
                        "allowed_origins",
                        "invalid",
                        "each origin is scheme://host[:port] (http or https), without a path",
                    ));
                    break;
                }
            }
        }
    }
    if body.per_minute.is_some_and(|n| n == 0 || n > 10_000) {
        errors.push(FieldError::new("per_minute", "out_of_range", "between 1 and 10000"));
    }
    if body.per_ip_per_minute.is_some_and(|n| n == 0 || n > 1_000) {
        errors.push(FieldError::new("per_ip_per_minute", "out_of_range", "between 1 and 1000"));
    }
    if errors.is_empty() {
        Ok(origins)
    } else {
        Err(Invalid { errors })
    }
}

fn key_item(co: &CompanyId, k: &StoredKey) -> vigil_store::Item {
    let mut item = item_of(&keys::intake_key(co, k.view.id), k, &[]);
    item.insert("version".into(), 1.into());
    item
}

fn origin_item(co: &CompanyId, id: u32, origin: &str) -> vigil_store::Item {
    keys::intake_origin(origin, co, id).to_item()
}

/// `POST /api/v1/intake-keys` (Company Settings Modify: admins).
pub async fn create(svc: &Services, actor: &Actor, body: &NewIntakeKey) -> Result<CreatedIntakeKey, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let origins = check(body)?;
    let co = actor.company();
    if let Some(p) = body.partner_id {
        if svc.table.get(&keys::partner(co, p)).await?.is_none() {
            return Err(Invalid::one("partner_id", "not_found", "choose one of the company's partners").into());
        }
    }
    issue(svc, co, actor.id().as_str(), body, origins).await
}

/// Issues a key without an actor's checks (the demo seed issues one per demo company).
pub async fn issue(
    svc: &Services,
    co: &CompanyId,
    by: &str,
    body: &NewIntakeKey,
    origins: Vec<String>,
) -> Result<CreatedIntakeKey, AppError> {
    let id = svc.table.increment(&keys::intake_key_sequence(co), 1).await?;
    let id = u32::try_from(id).map_err(|_| AppError::Internal("intake key sequence out of range".into()))?;
    let mut secret = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("{PREFIX}{co}_{id}_{secret}");
    let view = IntakeKeyView {
        id,
        name: body.name.trim().to_owned(),
        partner_id: body.partner_id,
        allowed_origins: origins,
        per_minute: body.per_minute.unwrap_or(DEFAULT_PER_MINUTE),
        per_ip_per_minute: body.per_ip_per_minute.unwrap_or(DEFAULT_PER_IP_PER_MINUTE),
        prefix: key.chars().take(PREFIX.len() + co.as_str().len() + 6).collect(),
        created_at: rfc3339(svc.clock.now()),
        created_by: by.to_owned(),
        last_used_at: None,
    };
    let stored = StoredKey { view, hash: hash(&key) };
    let mut ops = vec![TxOp::Put { item: key_item(co, &stored), cond: Some(Condition::NotExists) }];
    for o in &stored.view.allowed_origins {
        ops.push(TxOp::Put { item: origin_item(co, id, o), cond: Some(Condition::NotExists) });
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: "the new key's ID was taken; try again".into(), current: None })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, intake_key = id, "intake key issued");
    Ok(CreatedIntakeKey { view: stored.view(), key })
}

async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<StoredKey>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::INTAKE_KEY_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

/// `GET /api/v1/intake-keys`.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<IntakeKeyView>, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    Ok(all(svc, actor.company()).await?.iter().map(StoredKey::view).collect())
}

/// `DELETE /api/v1/intake-keys/{id}`: the key and its origins go together, so a revoked key allows no preflight.
pub async fn revoke(svc: &Services, actor: &Actor, id: u32) -> Result<(), AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let stored: StoredKey = match svc.table.get(&keys::intake_key(co, id)).await? {
        Some(item) => from_item(item)?,
        None => return Err(AppError::NotFound("intake key")),
    };
    let mut ops = vec![TxOp::Delete { key: keys::intake_key(co, id), cond: Some(Condition::Exists) }];
    for o in &stored.view.allowed_origins {
        ops.push(TxOp::Delete { key: keys::intake_origin(o, co, id), cond: None });
    }
    match svc.table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::NotFound("intake key")),
        Err(e) => Err(e.into()),
    }
}

/// The company and key a presented secret belongs to; anything else is 401, saying nothing of why.
pub async fn authenticate(svc: &Services, presented: &str) -> Result<(CompanyId, StoredKey), AppError> {
    let presented = presented.trim();
    let rest = presented.strip_prefix(PREFIX).ok_or(AppError::Unauthenticated)?;
    let mut parts = rest.rsplitn(3, '_');
    let (Some(_secret), Some(id), Some(co)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AppError::Unauthenticated);
    };
    let co = CompanyId::parse(co).map_err(|_| AppError::Unauthenticated)?;
    let id: u32 = id.parse().map_err(|_| AppError::Unauthenticated)?;
    let stored: StoredKey = match svc.table.get(&keys::intake_key(&co, id)).await? {
        Some(item) => from_item(item)?,
        None => return Err(AppError::Unauthenticated),
    };
    if !same(&stored.hash, &hash(presented)) {
        return Err(AppError::Unauthenticated);
    }
    Ok((co, stored))
}

/// Equality that takes as long for a near miss as for a far one.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Records a use; on a revoked key (deleted meanwhile) it does nothing rather than bring the item back.
pub async fn touch(svc: &Services, co: &CompanyId, id: u32) -> Result<(), AppError> {
    let update = Update::default().set("last_used_at", rfc3339(svc.clock.now()));
    match svc.table.update(&keys::intake_key(co, id), update, Some(Condition::Exists)).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Whether some live key (of any company) allows `origin`: what a CORS preflight, which carries no key, can know.
pub async fn origin_is_allowed(svc: &Services, origin: &str) -> Result<Option<String>, AppError> {
    let Some(origin) = normalize_origin(origin) else { return Ok(None) };
    let page = svc.table.query(&Query::new(Index::Base, keys::intake_origin_pk(&origin)).limit(1)).await?;
    Ok((!page.items.is_empty()).then_some(origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(normalize_origin("https://Www.Example.com").as_deref(), Some("https://www.example.com"));
        assert_eq!(normalize_origin("http://127.0.0.1:8080/").as_deref(), Some("http://127.0.0.1:8080"));
        for bad in ["", "example.com", "ftp://example.com", "https://example.com/form", "https://example.com?x=1"] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
        assert_eq!(origin_of("https://example.com/thanks?a=1").as_deref(), Some("https://example.com"));
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
