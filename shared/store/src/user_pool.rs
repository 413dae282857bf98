//! The user pool port: the sign-in accounts the API itself keeps in step with the table (a partner company's login).
//! In AWS it is the stack's Cognito user pool (`crate::cognito`); the embedded default has none, since its dev
//! sign-in reads the users from the table.

use async_trait::async_trait;

/// One account as the pool holds it: its user name is the email address (the pool signs users in by email), and its
/// tenant and partner company are the attributes the API's tokens carry (`custom:company`, `custom:partner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUser {
    pub email: String,
    pub name: String,
    pub company: String,
    pub partner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserPoolError {
    #[error("no user pool is configured ({0} is not set)")]
    Unconfigured(&'static str),
    /// The service refused or could not be reached (its error code only: a message may quote the account).
    #[error("the user pool is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait UserPool: Send + Sync {
    /// Creates the account, inviting it by email with a temporary password, or brings an existing one's attributes
    /// in step and enables it.
    async fn enable(&self, user: &PoolUser) -> Result<(), UserPoolError>;

    /// Stops the account from signing in; an account the pool does not have is already disabled.
    async fn disable(&self, email: &str) -> Result<(), UserPoolError>;
}

/// The embedded default: accounts are the table's users, so there is nothing else to keep in step.
pub struct TableUsersOnly;

#[async_trait]
impl UserPool for TableUsersOnly {
    async fn enable(&self, _user: &PoolUser) -> Result<(), UserPoolError> {
        Ok(())
    }

    async fn disable(&self, _email: &str) -> Result<(), UserPoolError> {
        Ok(())
    }
}

/// In AWS without `VIGIL_USER_POOL_ID`: every call fails, so the job that asked stays queued rather than claiming an
/// account exists.
pub struct NoUserPool;

#[async_trait]
impl UserPool for NoUserPool {
    async fn enable(&self, _user: &PoolUser) -> Result<(), UserPoolError> {
        Err(UserPoolError::Unconfigured("VIGIL_USER_POOL_ID"))
    }

    async fn disable(&self, _email: &str) -> Result<(), UserPoolError> {
        Err(UserPoolError::Unconfigured("VIGIL_USER_POOL_ID"))
    }
}
