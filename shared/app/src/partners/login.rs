//! A partner company's login (the Access section): one user per partner company, kept in step with the partner's
//! `allow_login`, `login_username` and `active` by the partner's own save, in the same transaction.
//!
//! The login's user item has a fixed ID (`partner-<n>`), not a Cognito `sub`: a partner token names its partner
//! company (`custom:partner`) and `auth::authenticate` loads this item by it, checking the token's email against the
//! username. So the user pool's user (created with `custom:company` and `custom:partner`, see the README) and this
//! item meet without the API having to look the pool up, and turning the login off here locks the pool's user out at
//! once. The pool's account itself is kept in step by a job queued in the same transaction ([`sync_login`]): created
//! with the invitation Cognito mails, its attributes updated, disabled when the login is turned off or the partner
//! company deleted.

use super::stored::StoredPartner;
use crate::directory::user_item;
use crate::jobs::{self, Job};
use crate::{AppError, Services};
use serde_json::json;
use vigil_domain::{CompanyId, FieldError, Invalid, LocationId, PartnerId, Permissions, Role, User, UserId};
use vigil_store::{keys, Condition, Index, Query, TxOp};

/// The user ID of a partner company's login.
pub fn login_user_id(partner: PartnerId) -> Result<UserId, AppError> {
    UserId::parse(&format!("partner-{}", partner.0))
        .map_err(|_| AppError::Internal("a partner login's user ID does not parse".into()))
}

/// The login's user as the partner's settings make it: active while login is allowed and the partner is active.
pub fn login_user(co: &CompanyId, p: &StoredPartner) -> Result<User, AppError> {
    Ok(User {
        id: login_user_id(p.id)?,
        company: co.clone(),
        email: p.settings.login_username.to_ascii_lowercase(),
        name: p.settings.name.clone(),
        role: Role::Partner,
        home_location: p.settings.default_office_location_id.unwrap_or(LocationId(1)),
        partner_id: Some(p.id),
        permissions: Permissions::partner(p.id),
        active: p.settings.allow_login && p.settings.active,
    })
}

/// The writes that keep the login in step with a partner's save (`before` is `None` for a create): the user item,
/// and the invitation mail when a login is newly allowed or renamed. A username another user signs in with is a 422.
pub(crate) async fn login_ops(
    svc: &Services,
    co: &CompanyId,
    before: Option<&StoredPartner>,
    after: &StoredPartner,
) -> Result<Vec<TxOp>, AppError> {
    let had = before.is_some_and(|b| b.settings.allow_login);
    let wants = after.settings.allow_login && !after.settings.login_username.is_empty();
    if !had && !wants {
        return Ok(vec![]);
    }
    let user = login_user(co, after)?;
    if wants {
        let q = Query::new(Index::Gsi1, keys::user_email_gsi1pk(&user.email));
        let taken = svc.table.query_all(&q).await?.into_iter().any(|item| {
            item.get("id").and_then(|v| v.as_str()) != Some(user.id.as_str())
                || item.get("company").and_then(|v| v.as_str()) != Some(co.as_str())
        });
        if taken {
            return Err(Invalid::one("login_username", "taken", "another user signs in with this username").into());
        }
    }
    // The partner's version condition in the same transaction guards this write: only this partner's save writes it.
    let mut ops = vec![TxOp::Put { item: user_item(&user), cond: None }];
    // The username is also claimed by an item of its own, so two partners saved at the same moment cannot both take
    // it (the query above sees only what was committed before).
    let owner = json!(format!("{co}#{}", after.id.0));
    if wants {
        let mut claim = keys::login_name(&user.email).to_item();
        claim.insert("owner".into(), owner.clone());
        let mine = Condition::AttrEquals("owner".into(), owner.clone());
        ops.push(TxOp::Put { item: claim, cond: Some(Condition::Or(vec![Condition::NotExists, mine])) });
    }
    if let Some(b) = before.filter(|b| b.settings.allow_login && !b.settings.login_username.is_empty()) {
        let old = b.settings.login_username.to_ascii_lowercase();
        if !wants || old != user.email {
            // A name given up is free again (logins older than the claims have none to delete).
            ops.push(TxOp::Delete { key: keys::login_name(&old), cond: None });
        }
    }
    if let Some(job) = sync_job(co, before, Some(after))? {
        ops.push(job);
    }
    let renamed = before.is_none_or(|b| {
        !b.settings.allow_login || !b.settings.login_username.eq_ignore_ascii_case(&after.settings.login_username)
    });
    if wants && renamed && !after.settings.email.is_empty() {
        let company = crate::directory::company(svc, co).await?;
        let job = Job::SendEmail {
            company: co.clone(),
            to: after.settings.email.clone(),
            subject: format!("Your read-only access to {}'s customers", company.name),
            body: format!(
                "Hello {},\n\n{} gave {} read-only access to the customers attributed to you. Sign in with the \
                 username {}; a separate message brings your temporary password (or set one with the sign-in \
                 page's \"forgot password\" step).\n",
                if after.settings.contact_person.is_empty() {
                    &after.settings.name
                } else {
                    &after.settings.contact_person
                },
                company.name,
                after.settings.name,
                user.email,
            ),
        };
        let key = format!("partner-login-invite:{co}:{}:{}", after.id.0, user.email);
        ops.push(jobs::pending(co, key, job).map_err(|e| match e {
            // The partner's email is where the invitation goes: a bad one is that field's problem.
            AppError::Invalid(_) => {
                AppError::from_field(FieldError::new("email", "invalid", "the invitation needs a valid email address"))
            }
            other => other,
        })?);
    }
    Ok(ops)
}

/// The username a partner's settings sign in with, while they let it sign in at all.
fn signing_in(p: &StoredPartner) -> Option<String> {
    let s = &p.settings;
    (s.allow_login && s.active && !s.login_username.is_empty()).then(|| s.login_username.to_ascii_lowercase())
}

/// The job that brings the pool's account in step, when the save changes who may sign in (`after` is `None` for a
/// delete): queued in the save's own transaction, so a saved change is never left without it.
pub(crate) fn sync_job(
    co: &CompanyId,
    before: Option<&StoredPartner>,
    after: Option<&StoredPartner>,
) -> Result<Option<TxOp>, AppError> {
    let old_name = before.map(|b| b.settings.login_username.to_ascii_lowercase()).filter(|n| !n.is_empty());
    let new_name = after.map(|a| a.settings.login_username.to_ascii_lowercase()).filter(|n| !n.is_empty());
    if before.and_then(signing_in) == after.and_then(signing_in) && old_name == new_name {
        return Ok(None);
    }
    let Some(partner) = after.or(before) else { return Ok(None) };
    let retired = old_name.filter(|old| new_name.as_ref() != Some(old) || after.is_none());
    let version = after.map_or(0, |a| a.version);
    let key = format!("partner-login-sync:{co}:{}:{version}", partner.id.0);
    let job = Job::SyncPartnerLogin { company: co.clone(), partner_id: partner.id, retired };
    jobs::pending(co, key, job).map(Some)
}

/// The jobs worker's side of [`sync_job`]: the pool's account made what the partner's settings say now (not what
/// they said when the job was queued, so a late or repeated job cannot undo a newer change), and a username the
/// partner gave up disabled unless it signs in with it again.
pub async fn sync_login(svc: &Services, co: &CompanyId, id: PartnerId, retired: Option<&str>) -> Result<(), AppError> {
    let partner = match super::stored::load_partner(svc, co, id).await {
        Ok(p) => Some(p),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let current = partner.as_ref().and_then(signing_in);
    let pool = |e: vigil_store::UserPoolError| AppError::Internal(format!("partner login {}: {e}", id.0));
    match (&partner, &current) {
        (Some(p), Some(email)) => {
            let user = vigil_store::PoolUser {
                email: email.clone(),
                name: p.settings.name.clone(),
                company: co.as_str().to_owned(),
                partner: Some(id.0.to_string()),
            };
            svc.users.enable(&user).await.map_err(pool)?;
        }
        (Some(p), None) if !p.settings.login_username.is_empty() => {
            svc.users.disable(&p.settings.login_username.to_ascii_lowercase()).await.map_err(pool)?;
        }
        _ => {}
    }
    if let Some(old) = retired.filter(|old| current.as_deref() != Some(*old)) {
        svc.users.disable(old).await.map_err(pool)?;
    }
    tracing::info!(company = %co, partner = id.0, signs_in = current.is_some(), "partner login synced with the user pool");
    Ok(())
}

/// A deleted partner's login goes with it: its user item, its username's claim, and (by the job) the pool's account.
pub(crate) fn delete_ops(co: &CompanyId, p: &StoredPartner) -> Result<Vec<TxOp>, AppError> {
    let mut ops = vec![TxOp::Delete { key: keys::user(co, &login_user_id(p.id)?), cond: None }];
    let name = p.settings.login_username.to_ascii_lowercase();
    if p.settings.allow_login && !name.is_empty() {
        let owner = json!(format!("{co}#{}", p.id.0));
        // Only its own claim (logins older than the claims have none).
        let cond = Condition::Or(vec![Condition::NotExists, Condition::AttrEquals("owner".into(), owner)]);
        ops.push(TxOp::Delete { key: keys::login_name(&name), cond: Some(cond) });
    }
    ops.extend(sync_job(co, Some(p), None)?);
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(allow_login: bool, active: bool, username: &str, version: u64) -> StoredPartner {
        serde_json::from_value(json!({
            "id": 7, "name": "Safe Nest", "active": active, "allow_login": allow_login,
            "login_username": username, "version": version,
        }))
        .expect("a stored partner")
    }

    fn job_of(op: Option<TxOp>) -> Option<Job> {
        let TxOp::Put { item, .. } = op? else { return None };
        let envelope: jobs::Envelope = serde_json::from_str(item.get(jobs::ENVELOPE_ATTR)?.as_str()?).ok()?;
        Some(envelope.job)
    }

    fn sync(before: Option<&StoredPartner>, after: Option<&StoredPartner>) -> Option<Option<String>> {
        let co = CompanyId::parse("acme").expect("company");
        match job_of(sync_job(&co, before, after).expect("the job is valid"))? {
            Job::SyncPartnerLogin { retired, .. } => Some(retired),
            other => panic!("not a login sync: {other:?}"),
        }
    }

    #[test]
    fn a_sync_is_queued_only_when_who_may_sign_in_changes() {
        let off = partner(false, true, "", 1);
        let on = partner(true, true, "desk@nest.example", 2);
        assert_eq!(sync(None, Some(&off)), None, "a partner without a login");
        assert_eq!(sync(None, Some(&on)), Some(None), "a new partner with a login");
        assert_eq!(sync(Some(&off), Some(&on)), Some(None), "login allowed");
        assert_eq!(sync(Some(&on), Some(&partner(true, true, "desk@nest.example", 3))), None, "another setting");
        assert_eq!(sync(Some(&on), Some(&partner(true, true, "DESK@nest.example", 3))), None, "same name, other case");
        assert_eq!(sync(Some(&on), Some(&partner(false, true, "desk@nest.example", 3))), Some(None), "login off");
        assert_eq!(sync(Some(&on), Some(&partner(true, false, "desk@nest.example", 3))), Some(None), "deactivated");
        let renamed = partner(true, true, "front@nest.example", 3);
        assert_eq!(sync(Some(&on), Some(&renamed)), Some(Some("desk@nest.example".into())), "renamed");
        assert_eq!(sync(Some(&on), None), Some(Some("desk@nest.example".into())), "deleted");
        assert_eq!(sync(Some(&off), None), None, "deleted without a login");
    }
}
