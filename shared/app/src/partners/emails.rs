//! The emails a partner company's records cause: the sale notification (the company sold it a lead or customer) and
//! the purchase notification (it sold the company one). Each is rendered from the partner's auto-response template
//! for that kind when one is set, else from a built-in text, and merges the record's fields as the partner may see
//! them: through `records::masked` with the partner login's grants (`Permissions::partner`), so no SSN, birthdate or
//! sale information reaches a partner's inbox, whatever the template asks for.
//!
//! Sending is idempotent per (record, event, recipient): the mail's key names all three and the outbox records each
//! key's delivery once, by a conditional write (`outbox::deliver`). The sale notification is sent by the sale's
//! delivery job, which the sale's transaction queued; the purchase notification's jobs are writes the intake adds to
//! the transaction that creates the record ([`purchase_notification`]).

use super::login::login_user;
use super::stored::{load_partner, StoredPartner};
use super::templates;
use crate::jobs::{self, Job};
use crate::{directory, records, Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_api::partners::{CampaignView, MessageTemplate, RenderedMessage};
use vigil_api::selling::SoldKind;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{CompanyId, PartnerId};
use vigil_store::TxOp;

/// The record's fields as the partner company may see them.
pub fn partner_view(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    r: &Record,
) -> Result<Map<String, Value>, AppError> {
    let viewer = Actor { user: login_user(co, partner)? };
    records::masked(svc, &viewer, r)
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "lead",
        Kind::Customer => "customer",
    }
}

const DETAILS: &str = "Name: {{first_name}} {{last_name}}\nPhone: {{primary_phone}}\nEmail: {{email}}\n\
                       Address: {{address1}}\nCity: {{city}}\nState: {{state}}\nZip: {{zip}}\n";

/// The partner's auto-response template for `kind`, if it names one that still exists.
async fn template_for(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    kind: Kind,
) -> Result<Option<MessageTemplate>, AppError> {
    let id = match kind {
        Kind::Lead => partner.settings.lead_auto_response_template_id,
        Kind::Customer => partner.settings.customer_auto_response_template_id,
    };
    match id {
        None => Ok(None),
        Some(id) => match templates::load(svc, co, id).await {
            Ok(t) => Ok(Some(t)),
            // A template deleted after it was chosen: the built-in text still tells the partner.
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// Renders `template` (else the built-in subject and body) with the partner-visible fields.
async fn render(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    r: &Record,
    campaign: Option<&CampaignView>,
    builtin: (String, String),
) -> Result<RenderedMessage, AppError> {
    let fields = partner_view(svc, co, partner, r)?;
    let company = directory::company(svc, co).await?;
    let template = template_for(svc, co, partner, r.kind).await?;
    let value = |name: &str| -> String {
        match name {
            "lead_id" => r.id.0.to_string(),
            "partner_name" => partner.settings.name.clone(),
            "campaign_name" => campaign.map(|c| c.name.clone()).unwrap_or_default(),
            "company_name" => company.name.clone(),
            // Only a return has these.
            "return_reason" | "call_center_comments" => String::new(),
            field => match fields.get(field) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            },
        }
    };
    let (subject, body) = match &template {
        Some(t) => (t.subject.as_str(), t.body.as_str()),
        None => (builtin.0.as_str(), builtin.1.as_str()),
    };
    Ok(RenderedMessage { subject: templates::render(subject, &value), body: templates::render(body, &value) })
}

/// The sale notification: the company sold `r` to `partner` (on `campaign`, when the sale named one).
pub async fn sale_notification(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    r: &Record,
    campaign: Option<&CampaignView>,
) -> Result<RenderedMessage, AppError> {
    let what = noun(r.kind);
    let builtin = (
        format!("{{{{company_name}}}} sold you a {what}: {{{{first_name}}}} {{{{last_name}}}}"),
        format!("{{{{company_name}}}} sold {{{{partner_name}}}} a {what} (#{{{{lead_id}}}}).\n\n{DETAILS}"),
    );
    render(svc, co, partner, r, campaign, builtin).await
}

/// Where the sale notification of a `kind` goes: the partner's sale emails (for an email delivery with none listed,
/// the partner's own address, since the mail is the delivery).
pub fn sale_recipients(partner: &StoredPartner, kind: SoldKind, mail_is_delivery: bool) -> Vec<String> {
    let s = &partner.settings;
    let listed = match kind {
        SoldKind::Lead => &s.lead_sale_emails,
        SoldKind::Customer => &s.customer_sale_emails,
    };
    if listed.is_empty() && mail_is_delivery && !s.email.is_empty() {
        vec![s.email.clone()]
    } else {
        listed.clone()
    }
}

/// The key of one notification mail: the event and the record (`event_key`, e.g. the sale's delivery key) and the
/// recipient, so each address receives each event's mail once.
pub fn mail_key(event_key: &str, recipient: &str) -> String {
    format!("{event_key}:{}", recipient.to_ascii_lowercase())
}

/// The purchase notification of `r`, bought from `partner_id` (the record's source), rendered.
pub async fn purchase_message(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    r: &Record,
) -> Result<RenderedMessage, AppError> {
    let what = noun(r.kind);
    let builtin = (
        format!("{{{{partner_name}}}} sold you a {what}: {{{{first_name}}}} {{{{last_name}}}}"),
        format!("{{{{partner_name}}}} sold {{{{company_name}}}} a {what} (#{{{{lead_id}}}}).\n\n{DETAILS}"),
    );
    render(svc, co, partner, r, None, builtin).await
}

/// The purchase notification's jobs for a record the company bought from `partner_id`: one pending mail per address
/// of the partner's purchase emails for the record's kind, to add to the transaction that creates the record (the
/// public intake's). Idempotent per (record, event, recipient): the job's key is `purchase:<company>:<record>:<to>`.
/// No addresses, no writes.
pub async fn purchase_notification(
    svc: &Services,
    co: &CompanyId,
    partner_id: PartnerId,
    r: &Record,
) -> Result<Vec<TxOp>, AppError> {
    let partner = load_partner(svc, co, partner_id).await?;
    let to = match r.kind {
        Kind::Lead => &partner.settings.lead_purchase_emails,
        Kind::Customer => &partner.settings.customer_purchase_emails,
    };
    if to.is_empty() {
        return Ok(vec![]);
    }
    let message = purchase_message(svc, co, &partner, r).await?;
    let event = format!("purchase:{co}:{}", r.id.0);
    to.iter()
        .map(|address| {
            let job = Job::SendEmail {
                company: co.clone(),
                to: address.clone(),
                subject: message.subject.clone(),
                body: message.body.clone(),
            };
            jobs::pending(co, mail_key(&event, address), job)
        })
        .collect()
}
