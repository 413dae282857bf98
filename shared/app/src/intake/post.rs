//! `POST /api/v1/public/leads`: checks the key, the origin, the limits and the form, then saves a receipt and the job
//! that creates the lead in one transaction (202). The lead itself is created by [`super::create::from_receipt`].

use super::keys::{authenticate, origin_of, touch, StoredKey};
use super::limits;
use super::{StoredReceipt, RECEIPT_DAYS};
use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::leads::{check_disposition, check_source, finish};
use crate::{AppError, Services};
use rand::RngCore;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use vigil_api::intake::ReceiptStatus;
use vigil_api::partners::PartnerSettings;
use vigil_domain::lead::NewLead;
use vigil_domain::record::{Kind, LeadLocation};
use vigil_domain::{CampaignId, CompanyId, DispositionId, FieldError, Invalid, PartnerId};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

/// The fields a post may carry besides the New Lead form's.
const HONEYPOT: &str = "website_url";
const IDEMPOTENCY_MAX: usize = 128;

/// How the key was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <key>`: a partner's server.
    Bearer(String),
    /// The form field `intake_key`: a browser form, held to the key's origins and to the per-address limit.
    FormField,
    None,
}

/// A post as the edge read it.
#[derive(Debug, Clone)]
pub struct PublicPost {
    pub credential: Credential,
    pub origin: Option<String>,
    pub client_ip: String,
    pub idempotency_key: Option<String>,
    /// The body's fields (a form-encoded body's values are strings; empty ones are left out).
    pub form: Map<String, Value>,
}

/// What the post gets: its receipt, and for a browser form with a `redirect`, where to send the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub receipt_id: String,
    pub redirect: Option<String>,
    /// The origin to answer CORS for (the request's, when the key allows it).
    pub cors_origin: Option<String>,
}

/// Why a post failed, with the origin CORS may still be answered for (so a browser can read the problem).
#[derive(Debug)]
pub struct Refusal {
    pub error: AppError,
    pub cors_origin: Option<String>,
}

impl From<AppError> for Refusal {
    fn from(error: AppError) -> Self {
        Refusal { error, cors_origin: None }
    }
}

fn random_id() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An ID field a form posts as text ("3") read as the number the New Lead form takes.
fn numeric(form: &mut Map<String, Value>, field: &str) {
    if let Some(Value::String(s)) = form.get(field) {
        if let Ok(n) = s.trim().parse::<u64>() {
            form.insert(field.to_owned(), json!(n));
        }
    }
}

pub async fn post(svc: &Services, mut p: PublicPost) -> Result<Posted, Refusal> {
    let from_field = p.form.remove("intake_key").as_ref().and_then(text_of);
    let (presented, browser) = match (&p.credential, from_field) {
        (Credential::Bearer(k), _) => (k.clone(), false),
        (_, Some(k)) => (k, true),
        _ => return Err(AppError::Unauthenticated.into()),
    };
    let (co, key) = authenticate(svc, &presented).await?;
    let cors_origin = p.origin.as_deref().filter(|o| key.allows_origin(o)).map(|o| o.trim().to_ascii_lowercase());
    let refuse = |error: AppError| Refusal { error, cors_origin: cors_origin.clone() };
    // A page on another origin must not post with this key; a server sends no Origin at all.
    match (&p.origin, browser) {
        (Some(_), _) if cors_origin.is_none() => {
            return Err(refuse(AppError::Forbidden("this key does not accept posts from this origin".into())))
        }
        (None, true) => {
            return Err(refuse(AppError::Forbidden("a form post must come from one of the key's origins".into())))
        }
        _ => {}
    }
    limits::take(svc, &co, &format!("KEY#{}", key.view.id), key.view.per_minute).await.map_err(&refuse)?;
    if browser {
        let bucket = format!("KEY#{}#IP#{}", key.view.id, p.client_ip);
        limits::take(svc, &co, &bucket, key.view.per_ip_per_minute).await.map_err(&refuse)?;
    }
    let redirect = match p.form.remove("redirect").as_ref().and_then(text_of).filter(|s| !s.is_empty()) {
        None => None,
        Some(url) => match origin_of(&url) {
            Some(o) if key.view.allowed_origins.contains(&o) => Some(url),
            _ => {
                return Err(refuse(
                    Invalid::one("redirect", "not_allowed", "the redirect must be on one of the key's allowed origins")
                        .into(),
                ))
            }
        },
    };
    let honeypot = p.form.remove(HONEYPOT).as_ref().and_then(text_of).is_some_and(|s| !s.is_empty());
    if honeypot {
        // Looks accepted to the bot that filled it; nothing is stored, and the receipt ID leads nowhere.
        tracing::info!(company = %co, intake_key = key.view.id, "honeypot filled; nothing stored");
        let receipt_id = random_id();
        return Ok(Posted { redirect: redirect.map(|r| with_receipt(&r, &receipt_id)), receipt_id, cors_origin });
    }
    let idempotency = match p.idempotency_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k)
            if k.len() <= IDEMPOTENCY_MAX && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b)) =>
        {
            Some(k.to_owned())
        }
        Some(_) => {
            return Err(refuse(
                Invalid::one(
                    "Idempotency-Key",
                    "invalid",
                    format!("at most {IDEMPOTENCY_MAX} letters, digits and - _ : ."),
                )
                .into(),
            ))
        }
    };
    let body_hash = {
        let text = serde_json::to_string(&p.form).map_err(|e| refuse(AppError::Internal(e.to_string())))?;
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    if let Some(k) = &idempotency {
        if let Some(receipt_id) = replayed(svc, &co, key.view.id, k, &body_hash).await.map_err(&refuse)? {
            return Ok(Posted { redirect: redirect.map(|r| with_receipt(&r, &receipt_id)), receipt_id, cors_origin });
        }
    }
    let (form, location) = resolve(svc, &co, &key, p.form).await.map_err(&refuse)?;

    let receipt_id = random_id();
    let now = svc.clock.now();
    let expires = now.unix_timestamp() + RECEIPT_DAYS * 86_400;
    let receipt = StoredReceipt {
        receipt_id: receipt_id.clone(),
        key_id: key.view.id,
        status: ReceiptStatus::Accepted,
        form,
        location,
        received_at: rfc3339(now),
        partner_id: key.view.partner_id,
    };
    let mut receipt_item = item_of(&keys::intake_receipt(&co, &receipt_id), &receipt, &[]);
    receipt_item.insert(vigil_store::EXPIRES_AT.into(), json!(expires));
    let mut ops = vec![TxOp::Put { item: receipt_item, cond: Some(Condition::NotExists) }];
    if let Some(k) = &idempotency {
        let mut item = keys::intake_idempotency(&co, key.view.id, k).to_item();
        item.insert("receipt_id".into(), json!(receipt_id));
        item.insert("body_hash".into(), json!(body_hash));
        item.insert(vigil_store::EXPIRES_AT.into(), json!(expires));
        ops.push(TxOp::Put { item, cond: Some(Condition::NotExists) });
    }
    let job = Job::IntakeLead { company: co.clone(), receipt_id: receipt_id.clone() };
    ops.push(jobs::pending(&co, format!("intake:{co}:{receipt_id}"), job).map_err(&refuse)?);
    match svc.table.transact(ops).await {
        Ok(()) => {}
        // Another post with the same Idempotency-Key got in first: answer as its replay.
        Err(StoreError::ConditionFailed { op: Some(1), .. }) if idempotency.is_some() => {
            let k = idempotency.as_deref().unwrap_or_default();
            return match replayed(svc, &co, key.view.id, k, &body_hash).await.map_err(&refuse)? {
                Some(receipt_id) => {
                    Ok(Posted { redirect: redirect.map(|r| with_receipt(&r, &receipt_id)), receipt_id, cors_origin })
                }
                None => Err(refuse(AppError::Store(StoreError::Busy))),
            };
        }
        Err(e) => return Err(refuse(e.into())),
    }
    touch(svc, &co, key.view.id).await.map_err(&refuse)?;
    tracing::info!(company = %co, intake_key = key.view.id, receipt = %receipt_id, "lead posted");
    Ok(Posted { redirect: redirect.map(|r| with_receipt(&r, &receipt_id)), receipt_id, cors_origin })
}

/// The receipt an earlier post with this `Idempotency-Key` got, when its body was the same; 422 when it was not.
async fn replayed(
    svc: &Services,
    co: &CompanyId,
    key_id: u32,
    idempotency_key: &str,
    body_hash: &str,
) -> Result<Option<String>, AppError> {
    let Some(item) = svc.table.get(&keys::intake_idempotency(co, key_id, idempotency_key)).await? else {
        return Ok(None);
    };
    if item.get("body_hash").and_then(Value::as_str) != Some(body_hash) {
        return Err(Invalid::one(
            "Idempotency-Key",
            "reused",
            "this Idempotency-Key was used with a different body; use a new key for a new lead",
        )
        .into());
    }
    Ok(item.get("receipt_id").and_then(Value::as_str).map(str::to_owned))
}

fn with_receipt(url: &str, receipt_id: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.query_pairs_mut().append_pair("receipt_id", receipt_id);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// The New Lead form the job will create, with the source, campaign, status and location worked out; every problem
/// found is reported together (422).
async fn resolve(
    svc: &Services,
    co: &CompanyId,
    key: &StoredKey,
    mut form: Map<String, Value>,
) -> Result<(Map<String, Value>, LeadLocation), AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let external_partner = form.remove("external_partner_id").as_ref().and_then(text_of).unwrap_or_default();
    let external_campaign = form.remove("external_campaign_id").as_ref().and_then(text_of).unwrap_or_default();
    let posted_source = form.remove("source_id").as_ref().and_then(text_of).unwrap_or_default();
    let posted_location = match form.remove("location").as_ref().and_then(text_of).filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => match LeadLocation::parse("location", &l) {
            Ok(l @ (LeadLocation::Pending | LeadLocation::Queue)) => Some(l),
            _ => {
                errors.push(FieldError::new("location", "invalid", "must be pending or queue"));
                None
            }
        },
    };
    for f in ["campaign_id", "disposition_id", "account_class_id"] {
        numeric(&mut form, f);
    }

    // The campaign a partner's system names by its own IDs.
    let mut campaign: Option<(CampaignId, PartnerId)> = None;
    if !external_partner.is_empty() && !external_campaign.is_empty() {
        if let Some(item) = svc.table.get(&keys::campaign_external(co, &external_partner, &external_campaign)).await? {
            let id = item.get("campaign_id").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
            if let Some(id) = id.map(CampaignId) {
                if let Some(c) = svc.table.get(&keys::campaign(co, id)).await? {
                    let c: vigil_api::directory::Campaign = from_item(c)?;
                    campaign = Some((c.id, c.partner_id));
                }
            }
        }
    }
    // A partner's key speaks for that partner only; a web form's key names its source in the form (or through the
    // campaign it names).
    let source = match key.view.partner_id {
        Some(p) => {
            if !posted_source.is_empty() && posted_source != p.0.to_string() {
                errors.push(FieldError::new("source_id", "not_this_key", "this key posts for another source"));
            }
            Some(p)
        }
        None if !posted_source.is_empty() => match posted_source.parse::<u32>() {
            Ok(n) if n > 0 => Some(PartnerId(n)),
            _ => {
                errors.push(FieldError::new("source_id", "invalid", "must be an ID (a positive whole number)"));
                None
            }
        },
        None => campaign.map(|(_, p)| p),
    };
    if let Some((c, p)) = campaign {
        // The named campaign counts only when it is the source's own.
        if Some(p) == source && !form.contains_key("campaign_id") {
            form.insert("campaign_id".into(), json!(c.0));
        }
    }
    match source {
        Some(p) => {
            form.insert("source_id".into(), json!(p.0));
        }
        None if errors.iter().all(|e| e.field != "source_id") => errors.push(FieldError::required("source_id")),
        None => {}
    }
    if !form.contains_key("disposition_id") {
        if let Some(d) = first_disposition(svc, co).await? {
            form.insert("disposition_id".into(), json!(d.0));
        }
    }
    let parsed = NewLead::parse(&form);
    if let Err(inv) = &parsed {
        // The form's own `source_id` problems are ours above, said in the post's terms.
        for e in &inv.errors {
            if !(e.field == "source_id" && errors.iter().any(|x| x.field == "source_id")) {
                errors.push(e.clone());
            }
        }
    }
    let partner = match source {
        Some(p) => crate::partners::load(svc, co, p).await.ok(),
        None => None,
    };
    if let Ok(lead) = &parsed {
        check_source(svc, co, Kind::Lead, Some(lead.source_id), None, lead.campaign_id, &mut errors).await?;
        check_disposition(svc, co, lead.disposition_id, &mut errors).await?;
        if let Some(p) = &partner {
            if !p.settings.sells_leads || !p.settings.active {
                errors.push(FieldError::new("source_id", "not_a_seller", "this source does not sell leads"));
            }
        }
    }
    finish(errors)?;
    Ok((form, location_for(partner.as_ref().map(|p| &p.settings), posted_location)))
}

/// The partner's default location, always when it forces it; otherwise the posted one wins. Without a partner
/// default a posted lead waits in Pending, where someone with the permission looks at it first.
fn location_for(partner: Option<&PartnerSettings>, posted: Option<LeadLocation>) -> LeadLocation {
    let default = partner.and_then(|s| s.default_lead_location).map(|l| match l {
        vigil_api::partners::LeadLocation::Pending => LeadLocation::Pending,
        vigil_api::partners::LeadLocation::Queue => LeadLocation::Queue,
    });
    let forced = partner.is_some_and(|s| s.force_default_lead_location);
    match (default, posted, forced) {
        (Some(d), _, true) => d,
        (_, Some(p), _) => p,
        (Some(d), None, false) => d,
        (None, None, _) => LeadLocation::Pending,
    }
}

async fn first_disposition(svc: &Services, co: &CompanyId) -> Result<Option<DispositionId>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::DISPOSITION_PREFIX.into()));
    for item in svc.table.query(&q.limit(20)).await?.items {
        let d: vigil_api::leads::Disposition = from_item(item)?;
        if d.active {
            return Ok(Some(d.id));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_api::partners::LeadLocation as PartnerLocation;

    #[test]
    fn the_partner_forces_its_location_or_the_post_chooses() {
        let mut s = PartnerSettings::blank();
        s.default_lead_location = Some(PartnerLocation::Queue);
        assert_eq!(location_for(Some(&s), Some(LeadLocation::Pending)), LeadLocation::Pending);
        assert_eq!(location_for(Some(&s), None), LeadLocation::Queue);
        s.force_default_lead_location = true;
        assert_eq!(location_for(Some(&s), Some(LeadLocation::Pending)), LeadLocation::Queue);
        assert_eq!(location_for(None, None), LeadLocation::Pending);
    }
}
