//! Sending email: the [`Mailer`] port, and [`OutboxOnly`], the embedded default's mailer, which sends nothing. In
//! AWS the mailer is SES (`crate::ses`, built lazily by `crate::aws::LazySesMailer`).

use async_trait::async_trait;

/// One email to one recipient. The sender is the mailer's own (the stack's verified identity), not the caller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The job's idempotency key: the same mail keeps it however often it is retried.
    pub idempotency_key: String,
    /// Checked as deliverable before the job was queued (`vigil_domain::email::Address`).
    pub to: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No sender identity is configured here, so nothing can be sent.
    #[error("email cannot be sent: {0} is not set")]
    NotConfigured(&'static str),
    /// The mail service refused this message (its error code only: a message may quote the addresses).
    #[error("the mail service refused the message: {0}")]
    Rejected(String),
    /// The mail service could not be reached or asked to slow down; a retry may succeed.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Whether [`Mailer::send`] hands mail to someone who delivers it. `false` for the embedded default, where the
    /// outbox record is the delivery and nothing leaves the machine.
    fn delivers(&self) -> bool;

    /// Sends one mail; returns the mail service's message ID.
    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError>;
}

/// The embedded default: sends nothing. The app records every mail in the company's outbox, which the portal shows
/// as the local mail viewer.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxOnly;

#[async_trait]
impl Mailer for OutboxOnly {
    fn delivers(&self) -> bool {
        false
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError> {
        Ok(format!("outbox:{}", mail.idempotency_key))
    }
}

/// A process that may not send email (a Lambda other than the jobs worker, or a rehearsal without
/// `VIGIL_SES_SENDER`): a job that reaches it fails, and so stays on its queue, rather than being dropped silently.
#[derive(Debug, Clone, Copy)]
pub struct Unconfigured(pub &'static str);

#[async_trait]
impl Mailer for Unconfigured {
    fn delivers(&self) -> bool {
        true
    }

    async fn send(&self, _: &OutgoingMail) -> Result<String, MailError> {
        Err(MailError::NotConfigured(self.0))
    }
}
