//! Turning verified token claims into the acting user. The token proves who the caller is; what they may do comes
//! from their stored user item, so a role change takes effect on the next request.

use crate::{AppError, Services};
use vigil_api::Function;
use vigil_domain::{identity::Target, Action, Claims, CompanyId, Resource, Role, User, UserId};
use vigil_store::keys;

/// The user an operation acts for. Every operation takes one; its company scopes every key it builds.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
}

impl Actor {
    pub fn company(&self) -> &CompanyId {
        &self.user.company
    }

    pub fn id(&self) -> &UserId {
        &self.user.id
    }

    /// Fails with 403 unless the user may call `function` at all. Staff may call every operation (each checks its
    /// own grants); a partner login only the reads of [`PARTNER_OPERATIONS`], so an operation added later is closed to
    /// partners until it is listed there, whatever grants it checks (some, like the office locations, check none).
    pub fn admit(&self, function: Function) -> Result<(), AppError> {
        if self.user.role != Role::Partner || PARTNER_OPERATIONS.contains(&function) {
            Ok(())
        } else {
            Err(AppError::Forbidden("a partner login may only read its customers".into()))
        }
    }

    /// Fails with 403 unless the user may take `action` on `resource` for this record.
    pub fn require(&self, resource: Resource, action: Action, target: Target<'_>) -> Result<(), AppError> {
        if self.user.permissions.allows(&self.user.id, resource, action, target) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("you do not have the {action:?} {resource:?} permission for this record")))
        }
    }

    /// Fails with 403 unless the user may take `action` on `resource` at some location.
    pub fn require_somewhere(&self, resource: Resource, action: Action) -> Result<(), AppError> {
        if self.user.permissions.allows_somewhere(resource, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("you do not have the {action:?} {resource:?} permission")))
        }
    }
}

/// What a partner login may call: who it is, the Customers list and a record's Home page, which its grants
/// (`Permissions::partner`) limit to the records attributed to its partner company and mask as a partner may see them,
/// and its own returns report (`partners::returns` refuses another partner's).
pub const PARTNER_OPERATIONS: &[Function] =
    &[Function::Me, Function::ListCustomers, Function::GetCustomer, Function::PartnerReturns];

/// Loads the user the (already verified) claims name. Expiry is checked here too, so a handler behind a
/// misconfigured authorizer still refuses an old token.
pub async fn authenticate(svc: &Services, claims: &Claims) -> Result<Actor, AppError> {
    let now = svc.clock.now().unix_timestamp().max(0) as u64;
    if claims.exp <= now {
        return Err(AppError::Unauthenticated);
    }
    // A partner token is the partner company's one login (`partners::login_user_id`), whatever the user pool's `sub`;
    // its email must be the login's current username, so renaming the login locks the old user out.
    let id = match claims.partner {
        Some(p) => crate::partners::login_user_id(p)?,
        None => claims.sub.clone(),
    };
    let item = svc.table.get(&keys::user(&claims.company, &id)).await?.ok_or(AppError::Unauthenticated)?;
    let user: User = serde_json::from_value(item.into())
        .map_err(|e| AppError::Internal(format!("stored user is unreadable: {}", crate::error::serde_problem(&e))))?;
    if !user.active || user.company != claims.company {
        return Err(AppError::Unauthenticated);
    }
    let agrees = match claims.partner {
        Some(p) => {
            user.role == Role::Partner && user.partner_id == Some(p) && user.email.eq_ignore_ascii_case(&claims.email)
        }
        // A partner login's user only ever acts through a token naming its partner company.
        None => user.role != Role::Partner,
    };
    if !agrees {
        return Err(AppError::Unauthenticated);
    }
    Ok(Actor { user })
}
