//! Turning verified token claims into the acting user. The token proves who the caller is; what they may do comes
//! from their stored user item, so a role change takes effect on the next request.

use crate::{AppError, Services};
use vigil_domain::{identity::Target, Action, Claims, CompanyId, Resource, User, UserId};
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

/// Loads the user the (already verified) claims name. Expiry is checked here too, so a handler behind a
/// misconfigured authorizer still refuses an old token.
pub async fn authenticate(svc: &Services, claims: &Claims) -> Result<Actor, AppError> {
    let now = svc.clock.now().unix_timestamp().max(0) as u64;
    if claims.exp <= now {
        return Err(AppError::Unauthenticated);
    }
    let item = svc.table.get(&keys::user(&claims.company, &claims.sub)).await?.ok_or(AppError::Unauthenticated)?;
    let user: User = serde_json::from_value(item.into())
        .map_err(|e| AppError::Internal(format!("stored user is unreadable: {}", crate::error::serde_problem(&e))))?;
    if !user.active || user.company != claims.company {
        return Err(AppError::Unauthenticated);
    }
    Ok(Actor { user })
}
