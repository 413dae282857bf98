//! The SES v2 [`Mailer`]: plain-text mail from the stack's verified sender identity (`VIGIL_SES_SENDER`).
//! Nothing here logs an address, a subject or a body; errors carry SES's error code only.

use crate::mail::{MailError, Mailer, OutgoingMail};
use async_trait::async_trait;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};

/// The header that carries the job's idempotency key, so a mail in someone's inbox can be matched to its outbox
/// record (and a duplicate recognised by anyone who receives one).
pub const MAIL_ID_HEADER: &str = "X-Vigil-Mail-Id";

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    sender: String,
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, sender: impl Into<String>) -> Self {
        Self { client, sender: sender.into() }
    }

    pub fn sender(&self) -> &str {
        &self.sender
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|_| MailError::Rejected("the message could not be built".into()))
}

/// The idempotency-key header, when the key is something a header can hold as it is.
fn mail_id_header(key: &str) -> Option<MessageHeader> {
    let fits = !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| b.is_ascii_graphic());
    fits.then(|| MessageHeader::builder().name(MAIL_ID_HEADER).value(key).build().ok()).flatten()
}

#[async_trait]
impl Mailer for SesMailer {
    fn delivers(&self) -> bool {
        true
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError> {
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(Body::builder().text(utf8(&mail.body)?).build())
            .set_headers(mail_id_header(&mail.idempotency_key).map(|h| vec![h]))
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.sender)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(ses_error)?;
        out.message_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| MailError::Unavailable("SES SendEmail returned no message ID".into()))
    }
}

/// By error code only: SES messages can quote the addresses.
fn ses_error<E: ProvideErrorMetadata, R>(err: SdkError<E, R>) -> MailError {
    let (code, retry) = match &err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("unknown service error").to_string();
            let retry = matches!(code.as_str(), "TooManyRequestsException" | "LimitExceededException")
                || code.starts_with("Throttl")
                || code.contains("InternalFailure")
                || code.contains("ServiceUnavailable");
            (code, retry)
        }
        SdkError::TimeoutError(_) => ("timeout".to_string(), true),
        SdkError::DispatchFailure(_) => ("request could not be sent".to_string(), true),
        SdkError::ResponseError(_) => ("unreadable response".to_string(), true),
        SdkError::ConstructionFailure(_) => ("request could not be built".to_string(), false),
        _ => ("unknown error".to_string(), true),
    };
    tracing::warn!(op = "SendEmail", code = %code, "SES request failed");
    if retry {
        MailError::Unavailable(format!("SES SendEmail failed: {code}"))
    } else {
        MailError::Rejected(format!("SES SendEmail failed: {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_id_header_is_left_out_when_a_header_cannot_hold_the_key() {
        assert!(mail_id_header("lead-converted:acme:7").is_some());
        assert!(mail_id_header("").is_none());
        assert!(mail_id_header("a b").is_none());
        assert!(mail_id_header("line\r\nBcc: x").is_none());
        assert!(mail_id_header(&"k".repeat(201)).is_none());
    }
}
