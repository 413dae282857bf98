//! Saving a change to the record (with section and confidential-field grants) and replacing its tags.

use super::family::parent_link_ops;
use super::load::{load, load_customer, target, writable};
use super::options::options;
use super::save::{bump, check_location, check_user, commit, conflict, location_of, save_ops};
use super::view::get;
use crate::clock::{date, rfc3339};
use crate::leads;
use crate::records::resource_of;
use crate::{custom_fields, tags, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::customers::CustomerHome;
use vigil_domain::customer::{apply_field, confidential, section_of, ADT_ONLY_SERVICE};
use vigil_domain::fields::{mask_history, parsed_by_lead_editor};
use vigil_domain::lead::{self as lead_rules, edit_lead, FieldChange};
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource, SectionAccess};

/// Applies the body's fields to `base` (customer fields here, personal fields through the lead editor) and checks
/// every reference. Returns the new record and the SSN to store, if one was sent.
pub(super) async fn apply_body(
    svc: &Services,
    actor: &Actor,
    base: &Record,
    body: &Map<String, Value>,
) -> Result<(Record, Option<Option<lead_rules::Ssn>>, Vec<FieldChange>), AppError> {
    let co = actor.company();
    let mut r = base.clone();
    let mut errors = Vec::new();
    let mut personal = Map::new();
    for (k, v) in body {
        match k.as_str() {
            "version" => {}
            k if parsed_by_lead_editor(k) => {
                personal.insert(k.to_owned(), v.clone());
            }
            "office_location_id" => match location_of(v) {
                Ok(l) => r.office_location_id = l,
                Err(e) => errors.push(e),
            },
            "custom_fields" => match custom_fields::apply(svc, co, &r.lead.customer.custom_fields, v).await? {
                Ok(values) => r.lead.customer.custom_fields = values,
                Err(e) => errors.extend(e),
            },
            "id" | "kind" | "stage" | "tags" | "created_at" | "created_by" | "archived" | "funding_status"
            | "funded_date" | "deleting" => errors.push(FieldError::new(k, "read_only", "cannot be changed here")),
            k => match apply_field(&mut r, k, v) {
                Ok(true) => {}
                Ok(false) => errors.push(FieldError::new(k, "unknown", "is not a field of a customer")),
                Err(e) => errors.push(e),
            },
        }
    }
    let today = date(svc.clock.now());
    let (mut new, ssn_change, mut extra) = match edit_lead(&r, &personal, &today) {
        Ok(edit) => (
            edit.record.unwrap_or(r),
            edit.ssn,
            edit.changes.into_iter().filter(|c| c.field == "ssn").collect::<Vec<_>>(),
        ),
        Err(inv) => {
            errors.extend(inv.errors);
            (r, None, vec![])
        }
    };
    if new.kind == Kind::Customer {
        new.next_followup = None;
    }
    let c = &new.lead.customer;
    let o = &base.lead.customer;
    if body.contains_key("office_location_id") {
        check_location(svc, co, new.office_location_id, &mut errors).await?;
    }
    for (field, now, before) in [
        ("sold_by_id", &c.sold_by_id, &o.sold_by_id),
        ("trainee_id", &c.trainee_id, &o.trainee_id),
        ("install_tech_id", &c.install_tech_id, &o.install_tech_id),
        ("install_tech_reports_to_id", &c.install_tech_reports_to_id, &o.install_tech_reports_to_id),
        ("lead_rep_id", &new.lead_rep_id, &base.lead_rep_id),
    ] {
        if now != before {
            check_user(svc, co, field, now.as_ref(), &mut errors).await?;
        }
    }
    let opts = options(svc, co).await?;
    crate::mmr::check_choice(svc, co, o.mmr_id, c.mmr_id, &mut errors).await?;
    if c.activation_fee_id.is_some()
        && c.activation_fee_id != o.activation_fee_id
        && !opts.activation_fees.iter().any(|m| Some(m.id) == c.activation_fee_id)
    {
        errors.push(FieldError::new("activation_fee_id", "not_found", "choose one of the company's activation fees"));
    }
    if c.monitoring_company_id.is_some()
        && c.monitoring_company_id != o.monitoring_company_id
        && !opts.monitoring_companies.iter().any(|m| Some(m.id) == c.monitoring_company_id)
    {
        errors.push(FieldError::new(
            "monitoring_company_id",
            "not_found",
            "choose one of the company's monitoring companies",
        ));
    }
    if let Some(t) = c.contract_term_months.filter(|_| c.contract_term_months != o.contract_term_months) {
        if !opts.contract_terms.contains(&t) {
            errors.push(FieldError::new(
                "contract_term_months",
                "invalid",
                "choose one of the company's contract terms",
            ));
        }
    }
    if !c.canceled
        && (c.cancel_date.is_some() || c.cancel_reason.is_some())
        && (body.contains_key("canceled") || body.contains_key("cancel_date") || body.contains_key("cancel_reason"))
    {
        errors.push(FieldError::new(
            "canceled",
            "invalid",
            "check Account Is Canceled to give a cancel date or reason",
        ));
    }
    if new.lead.account_class_id.is_some() && new.lead.account_class_id != base.lead.account_class_id {
        if let Some(ac) = new.lead.account_class_id {
            leads::check_account_class(svc, co, ac, &mut errors).await?;
        }
    }
    if new.source_id != base.source_id || new.campaign_id != base.campaign_id {
        leads::check_source(svc, co, new.kind, new.source_id, base.source_id, new.campaign_id, &mut errors).await?;
    }
    check_cards(svc, co, base, &new, body, &opts, &mut errors).await?;
    leads::finish(errors)?;
    // Choosing an ADC receiver phone fills the receiver number, unless the body sets that too.
    if new.lead.customer.adc_receiver_phone != base.lead.customer.adc_receiver_phone
        && !body.contains_key("receiver_number")
    {
        if let Some(phone) = new.lead.customer.adc_receiver_phone.clone() {
            new.lead.customer.receiver_number = Some(phone);
        }
    }
    if let Some(Some(s)) = &ssn_change {
        leads::set_ssn(svc, co, &mut new, s)?;
    } else if let Some(None) = &ssn_change {
        new.lead.ssn_encrypted = None;
        new.lead.ssn_last4_index = None;
    }
    let mut changes = lead_rules::diff(base, &new);
    vigil_domain::custom_field::expand_changes(&mut changes);
    changes.append(&mut extra);
    mask_history(&mut changes);
    Ok((new, ssn_change, changes))
}

/// The Home cards' rules across fields and lists: Pulse only with an ADT monitor, and the discount affiliate, ADC
/// receiver phone, install appointment and lead disposition each one of its list (checked when changed, so a value
/// the list no longer offers stays).
async fn check_cards(
    svc: &Services,
    co: &vigil_domain::CompanyId,
    base: &Record,
    new: &Record,
    body: &Map<String, Value>,
    opts: &super::options::CustomerOptions,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    let (c, o) = (&new.lead.customer, &base.lead.customer);
    let pulse = c.services.iter().any(|s| s == ADT_ONLY_SERVICE);
    if pulse && (body.contains_key("services") || body.contains_key("monitoring_company_id")) {
        let adt = crate::monitoring::active_adt(svc, co).await?;
        if !adt.iter().any(|m| Some(m.id) == c.monitoring_company_id) {
            errors.push(FieldError::new(
                "services",
                "adt_only",
                "Pulse needs an ADT monitoring company as Monitored By",
            ));
        }
    }
    let changed = |now: &Option<String>, before: &Option<String>| now.as_ref().filter(|_| now != before).cloned();
    if let Some(a) = changed(&c.discount_affiliate, &o.discount_affiliate) {
        if !opts.discount_affiliates.contains(&a) {
            errors.push(FieldError::new("discount_affiliate", "not_found", "choose one of the company's affiliates"));
        }
    }
    if let Some(p) = changed(&c.adc_receiver_phone, &o.adc_receiver_phone) {
        if !opts.adc_receiver_phones.contains(&p) {
            errors.push(FieldError::new("adc_receiver_phone", "not_found", "choose one of the ADC receiver phones"));
        }
    }
    if let Some(a) = c.install_appointment_id.filter(|_| c.install_appointment_id != o.install_appointment_id) {
        let part = crate::customer_items::partition(svc, co, base.id).await?;
        if !super::view::install_appointments(&part).iter().any(|x| x.id == a) {
            errors.push(FieldError::new(
                "install_appointment_id",
                "not_found",
                "choose one of the customer's scheduled install appointments",
            ));
        }
    }
    if let Some(d) = c.lead_disposition_id.filter(|_| c.lead_disposition_id != o.lead_disposition_id) {
        let known = crate::lead_options::dispositions(svc, co).await?.into_iter().any(|x| x.active && x.id.0 == d);
        if !known {
            errors.push(FieldError::new(
                "lead_disposition_id",
                "not_found",
                "choose one of the company's dispositions",
            ));
        }
    }
    Ok(())
}

/// The fields a `PATCH` may not change now: the lead rep when the company locks it, Monitored By while the
/// customer is linked to a central station. The Home read lists the same as `locked`.
fn check_locks(locked: &[String], current: &Record, new: &Record) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if locked.iter().any(|f| f == "lead_rep_id") && new.lead_rep_id != current.lead_rep_id {
        errors.push(FieldError::new("lead_rep_id", "locked", "the company locks the lead rep"));
    }
    if locked.iter().any(|f| f == "monitoring_company_id")
        && new.lead.customer.monitoring_company_id != current.lead.customer.monitoring_company_id
    {
        errors.push(FieldError::new(
            "monitoring_company_id",
            "locked",
            "the customer is linked to a central station; Monitored By cannot change",
        ));
    }
    leads::finish(errors)
}

/// The fields of `body` the actor may not change on `r` (section grants; confidential fields once set).
fn denied_fields(actor: &Actor, r: &Record, body: &Map<String, Value>) -> Vec<String> {
    let perms = &actor.user.permissions;
    let mut denied = Vec::new();
    for k in body.keys().filter(|k| k.as_str() != "version") {
        let section_ok = match section_of(k) {
            Some(s) => perms.section(s) >= SectionAccess::Modify,
            None => true,
        };
        let conf_ok = match confidential(k) {
            Some(f) => {
                let c = &r.lead.customer;
                let present = match k.as_str() {
                    "ssn" => r.lead.ssn_encrypted.is_some(),
                    "birthdate" => c.birthdate.is_some(),
                    "confirmation_number" => c.confirmation_number.is_some(),
                    "receiver_number" => c.receiver_number.is_some(),
                    _ => c.abort_code.is_some(),
                };
                !present || perms.sees_confidential(f)
            }
            // An ADC receiver phone writes the receiver number, so it needs that number's grant once it is set.
            None if k == "adc_receiver_phone" => {
                r.lead.customer.receiver_number.is_none()
                    || perms.sees_confidential(vigil_domain::ConfidentialField::ReceiverNumber)
            }
            None => true,
        };
        if !section_ok || !conf_ok {
            denied.push(k.clone());
        }
    }
    denied
}

fn version_of(body: &Map<String, Value>) -> Result<u64, AppError> {
    match body.get("version") {
        None | Some(Value::Null) => Err(Invalid::from(FieldError::required("version")).into()),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| Invalid::one("version", "invalid", "version must be the record's version number").into()),
    }
}

/// `PATCH /api/v1/customers/{id}`: the fields changed, with the record's `version`.
pub async fn edit(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: &Map<String, Value>,
) -> Result<CustomerHome, AppError> {
    let version = version_of(body)?;
    let current = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Modify, target(&current))?;
    writable(&current)?;
    if version != current.version {
        return Err(conflict(svc, actor, id).await);
    }
    let denied = denied_fields(actor, &current, body);
    if !denied.is_empty() {
        return Err(AppError::Forbidden(format!("you do not have permission to change: {}", denied.join(", "))));
    }
    let co = actor.company().clone();
    let (mut new, _, changes) = apply_body(svc, actor, &current, body).await?;
    let settings = crate::directory::company(svc, &co).await?.settings;
    check_locks(&super::view::locked(&settings, &current), &current, &new)?;
    if new.office_location_id != current.office_location_id {
        actor.require(Resource::Customers, Action::Modify, target(&new))?;
    }
    let mut extra_ops = Vec::new();
    if new.lead.customer.parent_id != current.lead.customer.parent_id {
        extra_ops = parent_link_ops(svc, actor, &current, &new).await?;
    }
    if changes.is_empty() {
        return get(svc, actor, id).await;
    }
    let now = rfc3339(svc.clock.now());
    bump(&mut new, &current, &now, actor.id());
    let mut ops = save_ops(&co, &current, &new, &now, actor.id(), &changes);
    ops.extend(extra_ops);
    commit(svc, actor, id, ops).await?;
    get(svc, actor, id).await
}

/// `PUT /api/v1/customers/{id}/tags`: replaces the record's tags (the Home page's tag widget; leads too, since the
/// Home page shows both). The `version` is required, as for every Home page write.
pub async fn set_tags(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    input: leads::SetTags,
) -> Result<CustomerHome, AppError> {
    let co = actor.company().clone();
    let ids = tags::check_ids(svc, &co, &input.tag_ids).await?;
    let version = input.version.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("version"))))?;
    let current = load(svc, actor, id).await?;
    actor.require(resource_of(current.kind), Action::Modify, target(&current))?;
    writable(&current)?;
    if current.kind == Kind::Lead && current.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "a converted lead is locked".into(), current: None });
    }
    if version != current.version {
        return Err(conflict(svc, actor, id).await);
    }
    let mut new = current.clone();
    new.set_tag_ids(&ids);
    if new.tags == current.tags {
        return get(svc, actor, id).await;
    }
    tags::check_change(&co, &current, &new)?;
    let change = FieldChange { field: "tags".into(), before: json!(current.tags), after: json!(new.tags) };
    let now = rfc3339(svc.clock.now());
    bump(&mut new, &current, &now, actor.id());
    commit(svc, actor, id, save_ops(&co, &current, &new, &now, actor.id(), &[change])).await?;
    get(svc, actor, id).await
}
