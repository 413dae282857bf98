//! The jobs worker's side of a sale: delivering one record to the buying partner and recording how it went.

use super::{delivery_job_key, StoredDelivery};
use crate::items::from_item;
use crate::partners::emails::{mail_key, partner_view, sale_notification, sale_recipients};
use crate::partners::{open_post_key, DeliveryMethod, PostKeyKind, StoredPartner};
use crate::services::queues;
use crate::{outbox, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::selling::{DeliveryStatus, PostedLead, SoldKind};
use vigil_domain::record::Record;
use vigil_domain::{CampaignId, CompanyId, PartnerId, RecordId};
use vigil_store::{keys, Condition, Update};

/// The post's body: the record's fields as the partner may see them (`partners::emails::partner_view`, the one
/// masking every read goes through, with the partner login's grants), in the New Lead shape the buyer's intake reads:
/// names, phone, address and email only. A field the partner's view hides or masks is not posted as a value.
pub fn posted_lead(seen: &Map<String, Value>, source_id: &str, external: Option<(&str, &str)>) -> PostedLead {
    let (external_partner_id, external_campaign_id) = external.unwrap_or(("", ""));
    // A masked value (`***`) is no value to post.
    let text = |f: &str| seen.get(f).and_then(Value::as_str).filter(|v| *v != "***").map(str::to_owned);
    PostedLead {
        first_name: text("first_name").unwrap_or_default(),
        last_name: text("last_name").unwrap_or_default(),
        primary_phone: text("primary_phone").unwrap_or_default(),
        city: text("city").unwrap_or_default(),
        state: text("state").unwrap_or_default(),
        zip: text("zip"),
        address1: text("address1"),
        email: text("email"),
        source_id: source_id.to_owned(),
        external_partner_id: external_partner_id.to_owned(),
        external_campaign_id: external_campaign_id.to_owned(),
    }
}

/// One record's delivery, run by the jobs worker; `receives` is how often the queue has handed the message over
/// (1 the first time). A failure is recorded as `retrying` while the queue will try again, `failed` on the last try,
/// and returned so the queue does retry (and, after the last, moves the message to the dead-letter queue).
#[allow(clippy::too_many_arguments)]
pub async fn deliver(
    svc: &Services,
    co: &CompanyId,
    partner_id: PartnerId,
    sale_id: u32,
    record_id: RecordId,
    kind: SoldKind,
    campaign_id: Option<CampaignId>,
    receives: u32,
) -> Result<(), AppError> {
    let key = keys::sale_delivery(co, partner_id, sale_id, record_id);
    let Some(item) = svc.table.get(&key).await? else {
        return Err(AppError::Internal(format!("sale {sale_id} has no delivery of record {}", record_id.0)));
    };
    let stored: StoredDelivery = from_item(item)?;
    if stored.view.status == DeliveryStatus::Delivered {
        return Ok(());
    }
    let result = attempt(svc, co, partner_id, sale_id, record_id, kind, campaign_id).await;
    let update = match &result {
        Ok(buyer_id) => {
            let mut u = Update::default().set("status", "delivered").remove("reason");
            if let Some(b) = buyer_id {
                u = u.set("buyer_record_id", b.clone());
            }
            u
        }
        Err(reason) => {
            let status = if receives >= queues::JOBS_MAX_RECEIVES { "failed" } else { "retrying" };
            Update::default().set("status", status).set("reason", reason.clone())
        }
    };
    svc.table.update(&key, update.add("version", 1), Some(Condition::VersionIs(stored.version))).await?;
    match result {
        Ok(_) => {
            tracing::info!(company = %co, sale_id, record = record_id.0, "sale delivered");
            Ok(())
        }
        Err(reason) => Err(AppError::Internal(reason)),
    }
}

/// One try; the buyer's record ID when it answered with one, else why it failed (safe to show: no key, no body).
async fn attempt(
    svc: &Services,
    co: &CompanyId,
    partner_id: PartnerId,
    sale_id: u32,
    record_id: RecordId,
    kind: SoldKind,
    campaign_id: Option<CampaignId>,
) -> Result<Option<String>, String> {
    let partner = crate::partners::load(svc, co, partner_id).await.map_err(|e| e.to_string())?;
    let record: Record = match svc.table.get(&keys::record(co, record_id)).await.map_err(|e| e.to_string())? {
        Some(item) => from_item(item).map_err(|e| e.to_string())?,
        None => return Err("the record sold no longer exists".into()),
    };
    let campaign = match campaign_id {
        Some(c) => crate::partners::campaigns(svc, co, partner_id)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|x| x.id == c),
        None => None,
    };
    let external = campaign.as_ref().map(|c| (c.external_partner_id.as_str(), c.external_campaign_id.as_str()));
    let s = &partner.settings;
    let (method, source_id) = match kind {
        SoldKind::Lead => (s.lead_delivery_method, s.lead_source_id.as_str()),
        SoldKind::Customer => (s.customer_delivery_method, s.customer_source_id.as_str()),
    };
    let seen = partner_view(svc, co, &partner, &record).map_err(|e| e.to_string())?;
    let body = posted_lead(&seen, source_id, external);
    let idem = delivery_job_key(co, sale_id, record_id);
    match method {
        Some(DeliveryMethod::Email) => {
            notify(svc, co, &partner, kind, &idem, &record, campaign.as_deref(), true).await.map(|()| None)
        }
        Some(DeliveryMethod::Vigil) => {
            let buyer_id = post(svc, co, &partner, kind, &idem, &body).await?;
            // The post is the delivery; the sale emails listed are told of it. A failed mail retries the job, whose
            // post the buyer takes once (the same `Idempotency-Key`), and mails already sent are not sent again.
            notify(svc, co, &partner, kind, &idem, &record, campaign.as_deref(), false).await?;
            Ok(buyer_id)
        }
        None => Err("the partner company has no delivery method".into()),
    }
}

/// The sale notification to each recipient (`emails::sale_recipients`), rendered from the partner's template or the
/// built-in one, once per (record, event, recipient): the mail's key is the delivery's key and the address.
#[allow(clippy::too_many_arguments)]
async fn notify(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    kind: SoldKind,
    idem: &str,
    record: &Record,
    campaign: Option<&vigil_api::partners::CampaignView>,
    mail_is_delivery: bool,
) -> Result<(), String> {
    let to = sale_recipients(partner, kind, mail_is_delivery);
    if to.is_empty() {
        return if mail_is_delivery {
            Err("the partner company has no sale notification address".into())
        } else {
            Ok(())
        };
    }
    let message = sale_notification(svc, co, partner, record, campaign).await.map_err(|e| e.to_string())?;
    for address in &to {
        outbox::deliver(svc, co, &mail_key(idem, address), address, &message.subject, &message.body)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn post(
    svc: &Services,
    co: &CompanyId,
    partner: &StoredPartner,
    kind: SoldKind,
    idem: &str,
    body: &PostedLead,
) -> Result<Option<String>, String> {
    let s = &partner.settings;
    let (url, sealed, key_kind) = match kind {
        SoldKind::Lead => (&s.lead_post_url, &partner.lead_post_key_encrypted, PostKeyKind::Lead),
        SoldKind::Customer => (&s.customer_post_url, &partner.customer_post_key_encrypted, PostKeyKind::Customer),
    };
    let Some(sealed) = sealed else { return Err("the partner company has no post key".into()) };
    let key = open_post_key(svc.data_keys.as_ref(), co, partner.id, key_kind, sealed).map_err(|e| e.to_string())?;
    let url = super::guard::check_url(svc.post_policy, url)?;
    let client = super::guard::client(svc.post_policy)?;
    let resp = client
        .post(url)
        .bearer_auth(key)
        .header("Idempotency-Key", idem)
        .json(body)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("the buyer answered HTTP {}", status.as_u16()));
    }
    let answer: serde_json::Value = resp.json().await.unwrap_or(json!({}));
    Ok(answer.get("lead_id").map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
}

/// A transport failure without the URL (it may carry a query the admin typed) or the key.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if text.contains("posts may not reach") || text.contains("no address") {
            return text;
        }
        source = s.source();
    }
    if e.is_timeout() {
        "the post timed out".into()
    } else if e.is_connect() {
        "the post could not connect".into()
    } else if e.is_redirect() {
        "the buyer answered with a redirect, which posts do not follow".into()
    } else {
        "the post failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The post takes the partner's masked view as it is: a masked value is not posted, a hidden field is absent.
    #[test]
    fn the_post_carries_only_what_the_partners_view_shows() {
        let seen = match json!({"first_name": "Ann", "last_name": "Lee", "primary_phone": "8015550100", "city": "Provo",
                                "state": "UT", "zip": "***", "ssn": "***", "email": "ann@example.com"})
        {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let p = posted_lead(&seen, "SRC-1", Some(("EP", "EC")));
        assert_eq!((p.first_name.as_str(), p.city.as_str()), ("Ann", "Provo"));
        assert_eq!(p.zip, None, "a masked value is not posted");
        assert_eq!(p.address1, None, "a hidden field is absent");
        assert_eq!((p.source_id.as_str(), p.external_campaign_id.as_str()), ("SRC-1", "EC"));
        assert!(!serde_json::to_string(&p).unwrap_or_default().contains("***"));
    }
}
