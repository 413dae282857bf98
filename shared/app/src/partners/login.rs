//! A partner company's login (the Access section): one user per partner company, kept in step with the partner's
//! `allow_login`, `login_username` and `active` by the partner's own save, in the same transaction.
//!
//! The login's user item has a fixed ID (`partner-<n>`), not a Cognito `sub`: a partner token names its partner
//! company (`custom:partner`) and `auth::authenticate` loads this item by it, checking the token's email against the
//! username. So the user pool's user (created with `custom:company` and `custom:partner`, see the README) and this
//! item meet without the API having to call Cognito, and turning the login off here locks the pool's user out at once.

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
                 username {}; your password is set up with the sign-in page's \"forgot password\" step.\n",
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
