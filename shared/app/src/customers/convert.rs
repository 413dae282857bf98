//! Converting a lead: the same record (same ID) becomes a customer.

use super::load::target;
use super::save::{bump, check_location, check_user, commit, conflict, location_of};
use super::view::get;
use crate::clock::{date, rfc3339};
use crate::customer_items::{Collection, SubRecord, SubRecordRules};
use crate::items::item_of;
use crate::jobs::{self, Job};
use crate::leads::{self, history_ops};
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{opportunities, Actor, AppError, Services};
use serde_json::json;
pub use vigil_api::customers::Convert;
use vigil_api::customers::CustomerHome;
use vigil_domain::customer;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::LeadLocation;
use vigil_domain::record::{Kind, Stage};
use vigil_domain::{Action, FieldError, RecordId, Resource, UserId};
use vigil_store::{keys, Condition, TxOp};

/// `POST /api/v1/leads/{id}/convert`: in one transaction the lead becomes a customer with the same ID; then a
/// confirmation email to the converting user is queued.
pub async fn convert(svc: &Services, actor: &Actor, id: RecordId, input: Convert) -> Result<CustomerHome, AppError> {
    let co = actor.company().clone();
    // A lead route: a customer's ID is not found there, like another company's.
    let lead = leads::load(svc, actor, id).await?;
    if lead.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "this record is a customer already".into(), current: None });
    }
    actor.require(Resource::Leads, Action::Modify, target(&lead))?;
    if let Some(v) = input.version {
        if v != lead.version {
            return Err(conflict(svc, actor, id).await);
        }
    }
    let mut errors = Vec::new();
    let location = match input.office_location_id.as_ref().map(location_of).transpose() {
        Ok(l) => l.flatten(),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if errors.is_empty() {
        check_location(svc, &co, location, &mut errors).await?;
    }
    let sold_by = match input.sold_by_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required("sold_by_id"));
            None
        }
        Some(s) => match UserId::parse(s) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.push(FieldError::new("sold_by_id", "invalid", "must be a user ID"));
                None
            }
        },
    };
    check_user(svc, &co, "sold_by_id", sold_by.as_ref(), &mut errors).await?;
    let opportunity = input.opportunity.as_ref().map(|o| opportunities::validate(o, &mut errors));
    // A lead-conversion workflow captures its custom fields before the lead becomes a customer.
    let udf_values = crate::creation_workflows::conversion_fields(svc, actor, &lead, &input, &mut errors).await?;
    leads::finish(errors)?;

    let now = rfc3339(svc.clock.now());
    let mut new = lead.clone();
    new.kind = Kind::Customer;
    new.stage = Stage::Converted;
    new.office_location_id = location;
    // The customer's Lead information keeps what the lead tracked before its lead-only fields go.
    let place = lead.lead.location.unwrap_or_else(|| LeadLocation::default_for(lead.lead_rep_id.as_ref()));
    let info = &mut new.lead.customer;
    info.callback_date = lead.next_followup.clone();
    info.lead_disposition_id = lead.lead.disposition_id.map(|d| d.0);
    info.lead_status = Some(place.as_str().to_owned());
    info.call_center_rep_id = Some(lead.created_by.clone());
    customer::clear_lead_only(&mut new);
    if let Some(values) = udf_values {
        new.lead.customer.custom_fields = values;
    }
    new.lead.customer.sold_by_id = sold_by;
    new.lead.customer.sale_date = Some(date(svc.clock.now()));
    new.lead.customer.converted_at = Some(now.clone());
    new.lead.customer.converted_by = Some(actor.id().clone());
    actor.require(Resource::Customers, Action::Create, target(&new))?;
    bump(&mut new, &lead, &now, actor.id());
    let change = FieldChange { field: "converted".into(), before: json!("lead"), after: json!("customer") };
    let mut ops = vec![TxOp::Put { item: record_item(&co, &new), cond: Some(Condition::VersionIs(lead.version)) }];
    ops.extend(index_writes(&co, Some(&lead), Some(&new)));
    ops.extend(leads::dup_ops(&co, Some(&lead), Some(&new)));
    ops.extend(history_ops(&co, id, &now, actor.id().as_str(), &[change]));
    // The lead's person becomes the customer's primary contact, and the optional opportunity opens, in the same
    // transaction: numbers come from the record's sub-record sequence first (a number a refused commit took is
    // not reused, as with record IDs).
    let contact = primary_contact(svc, actor, &new, &now).await?;
    let mut created = vec![format!("customer #{id} ({}, {} {})", new.display_name(), new.city, new.state)];
    created.push(format!("primary contact {}", contact.data.get("name").and_then(|v| v.as_str()).unwrap_or("")));
    ops.push(TxOp::Put { item: item_of(&contact.key(&co), &contact, &[]), cond: Some(Condition::NotExists) });
    if let Some(Some((name, amount))) = opportunity {
        let seq = svc.table.increment(&keys::record_child_sequence(&co, id), 1).await?;
        let close = svc.clock.now() + time::Duration::days(opportunities::CLOSE_IN_DAYS);
        let opp = opportunities::Opportunity {
            id: u64::try_from(seq).unwrap_or_default(),
            customer_id: id,
            name,
            amount,
            stage: opportunities::PROSPECTING.into(),
            close_date: date(close),
            created_at: now.clone(),
            version: 1,
        };
        created.push(format!(
            "opportunity \"{}\" for ${}.{:02} in Prospecting, closing {}",
            opp.name,
            opp.amount / 100,
            opp.amount % 100,
            opp.close_date
        ));
        ops.push(opportunities::put_op(&co, &opp));
    }
    let job = Job::SendEmail {
        company: co.clone(),
        to: actor.user.email.clone(),
        subject: format!("Lead #{id} is now a customer"),
        body: format!(
            "You converted lead #{id} ({}, {} {}) to a customer. Created:\n- {}",
            new.display_name(),
            new.city,
            new.state,
            created.join("\n- ")
        ),
    };
    ops.push(jobs::pending(&co, format!("lead-converted:{co}:{id}"), job)?);
    crate::tags::check_write(&ops, &lead)?;
    commit(svc, actor, id, ops).await?;
    tracing::info!(company = %co, customer = id.0, "lead converted");
    get(svc, actor, id).await
}

/// The converted person as the customer's primary contact (Contacts tab): name, phone and, when known, email.
async fn primary_contact(
    svc: &Services,
    actor: &Actor,
    r: &vigil_domain::record::Record,
    now: &str,
) -> Result<SubRecord, AppError> {
    let seq = svc.table.increment(&keys::record_child_sequence(actor.company(), r.id), 1).await?;
    let mut data = serde_json::Map::new();
    data.insert("name".into(), json!(r.display_name()));
    data.insert("phone".into(), json!(r.primary_phone));
    data.insert("relation".into(), json!("Primary contact"));
    data.insert("primary".into(), json!(true));
    if let Some(email) = r.email.as_deref().filter(|e| !e.is_empty()) {
        data.insert("email".into(), json!(email));
    }
    Ok(SubRecord {
        id: u64::try_from(seq).unwrap_or_default(),
        record_id: r.id,
        collection: Collection::Contacts,
        status: "active".into(),
        created_at: now.to_owned(),
        created_by: actor.id().clone(),
        data,
        version: 1,
    })
}
