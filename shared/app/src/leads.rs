//! The lead write side and single-lead reads: create, edit (PATCH), stage moves, tags, delete, the full record and
//! the list's preview panel. Every write is one conditional transaction carrying the profile item, the list index
//! writes (`record_index::index_writes`), the duplicate lookup item and a history item per changed field.
//! User-defined field values (`custom_fields`) live on the record for leads as for customers: create and edit take
//! them through `custom_fields::apply` (the customer save's validation), so a converted lead keeps them.

use crate::clock::{date, rfc3339};
use crate::directory::Campaign;
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::lead_options::{AccountClass, Disposition};
use crate::lead_scoring;
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{custom_fields, ssn, tags, Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use vigil_domain::identity::Target;
use vigil_domain::lead::{self, duplicate_key, edit_lead, FieldChange, NewLead, Ssn};
use vigil_domain::record::{Kind, LeadFields, Record, Stage};
use vigil_domain::{
    Action, CampaignId, CompanyId, ConfidentialField, DispositionId, FieldError, Invalid, PartnerId, RecordId,
    Resource, Section, SectionAccess, TagId, User,
};
use vigil_store::{keys, Condition, Index, Item, Query, StoreError, TxOp};

/// The message of every stale-version conflict.
pub const STALE: &str = "another user changed this lead; review their changes and try again";

fn target(r: &Record) -> Target<'_> {
    Target { location: r.office_location_id, owner: r.lead_rep_id.as_ref() }
}

/// A lead of the actor's company the actor may view (customers are not leads: 404).
async fn load(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("lead"))?;
    let record: Record = from_item(item)?;
    if record.kind != Kind::Lead {
        return Err(AppError::NotFound("lead"));
    }
    actor.require(Resource::Leads, Action::View, target(&record))?;
    Ok(record)
}

// ---------------------------------------------------------------------------------------------------------------
// What a client sees of a lead.

/// A lead as the API returns it: the record's fields without the SSN ciphertext and blind index, plus `ssn` —
/// `null` when none is stored, the full number for users holding the SSN grant, `***` for everyone else.
#[derive(Debug, Clone, Serialize)]
pub struct LeadView(pub Value);

pub fn view(svc: &Services, actor: &Actor, r: &Record) -> Result<LeadView, AppError> {
    let mut v = serde_json::to_value(r).map_err(|e| AppError::Internal(e.to_string()))?;
    let obj = v.as_object_mut().ok_or_else(|| AppError::Internal("record is not an object".into()))?;
    obj.remove("ssn_encrypted");
    obj.remove("ssn_last4_index");
    let shown = match &r.lead.ssn_encrypted {
        None => Value::Null,
        Some(ct) if actor.user.permissions.sees_confidential(ConfidentialField::Ssn) => {
            Value::String(lead::format_ssn(&ssn::decrypt(svc.data_keys.as_ref(), actor.company(), r.id, ct)?))
        }
        Some(_) => Value::String(lead::mask_ssn(None)),
    };
    obj.insert("ssn".into(), shown);
    Ok(LeadView(v))
}

/// `GET /api/v1/leads/{id}`. Like the customer read, it answers for a converted record too (same ID for life).
///
/// The lead page's read also carries `custom_fields_card`: the Custom Fields card rows (active definitions in order
/// with this record's values, exactly `cards.custom_fields` of the customer Home read; `null` when the company has
/// none). Added here rather than having the lead page call `GET /api/v1/customers/{id}`, which reads the whole
/// partition for tab counts the lead page does not show. Only this read carries it: the writes return the record,
/// whose `custom_fields` holds the values, and the definitions do not change with a lead save.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<LeadView, AppError> {
    let r = crate::records::get(svc, actor, id).await?;
    let mut v = view(svc, actor, &r)?;
    let card = custom_fields::card(svc, actor.company(), &r).await?;
    if let Some(obj) = v.0.as_object_mut() {
        obj.insert("custom_fields_card".into(), card.unwrap_or(Value::Null));
    }
    Ok(v)
}

fn conflict(svc: &Services, actor: &Actor, current: &Record) -> AppError {
    AppError::Conflict { message: STALE.into(), current: view(svc, actor, current).ok().map(|v| v.0) }
}

// ---------------------------------------------------------------------------------------------------------------
// History.

/// One history entry of a record (`HIST#…` under its partition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub by: String,
    pub field: String,
    pub before: Value,
    pub after: Value,
}

pub(crate) fn history_ops(co: &CompanyId, id: RecordId, at: &str, by: &str, changes: &[FieldChange]) -> Vec<TxOp> {
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let entry = HistoryEntry {
                at: at.into(),
                by: by.into(),
                field: c.field.clone(),
                before: c.before.clone(),
                after: c.after.clone(),
            };
            TxOp::Put { item: item_of(&keys::history(co, id, at, i as u32), &entry, &[]), cond: None }
        })
        .collect()
}

/// The record's history, oldest first (at most `limit` entries, newest ones).
pub async fn history(svc: &Services, actor: &Actor, id: RecordId, limit: u32) -> Result<Vec<HistoryEntry>, AppError> {
    load(svc, actor, id).await?;
    let q = Query::new(Index::Base, keys::record_pk(actor.company(), id))
        .sort(vigil_store::SortCond::BeginsWith("HIST#".into()))
        .backward()
        .limit(limit);
    let mut out: Vec<HistoryEntry> =
        svc.table.query(&q).await?.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    out.reverse();
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// Duplicates.

fn dup_hash(r: &Record) -> String {
    let key = duplicate_key(&r.first_name, &r.last_name, &r.primary_phone, r.address1.as_deref());
    Sha256::digest(key.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A lead found by the duplicate check, as the 409 lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateMatch {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    pub primary_phone: String,
    pub address1: Option<String>,
    pub city: String,
    pub state: String,
    #[serde(default)]
    pub office_location_id: Option<vigil_domain::LocationId>,
    #[serde(default)]
    pub lead_rep_id: Option<vigil_domain::UserId>,
}

fn dup_item(co: &CompanyId, r: &Record) -> Item {
    let m = DuplicateMatch {
        id: r.id,
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        primary_phone: r.primary_phone.clone(),
        address1: r.address1.clone(),
        city: r.city.clone(),
        state: r.state.clone(),
        office_location_id: r.office_location_id,
        lead_rep_id: r.lead_rep_id.clone(),
    };
    item_of(&keys::lead_duplicate(co, &dup_hash(r), r.id), &m, &[])
}

pub(crate) fn dup_ops(co: &CompanyId, old: Option<&Record>, new: Option<&Record>) -> Vec<TxOp> {
    let same_key = matches!((old, new), (Some(o), Some(n)) if dup_hash(o) == dup_hash(n));
    let mut ops = Vec::new();
    if let (Some(o), false) = (old, same_key) {
        ops.push(TxOp::Delete { key: keys::lead_duplicate(co, &dup_hash(o), o.id), cond: None });
    }
    if let Some(n) = new {
        // Rewritten on every change so its summary stays current.
        ops.push(TxOp::Put { item: dup_item(co, n), cond: None });
    }
    ops
}

// ---------------------------------------------------------------------------------------------------------------
// Reference checks shared by create and edit.

pub(crate) async fn check_source(
    svc: &Services,
    co: &CompanyId,
    source: Option<PartnerId>,
    campaign: Option<CampaignId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(p) = source {
        if svc.table.get(&keys::partner(co, p)).await?.is_none() {
            errors.push(FieldError::new("source_id", "not_found", "choose one of the company's sources"));
        }
    }
    if let Some(c) = campaign {
        match svc.table.get(&keys::campaign(co, c)).await? {
            None => errors.push(FieldError::new("campaign_id", "not_found", "choose one of the source's campaigns")),
            Some(item) => {
                let campaign: Campaign = from_item(item)?;
                if Some(campaign.partner_id) != source {
                    errors.push(FieldError::new(
                        "campaign_id",
                        "wrong_source",
                        "this campaign belongs to another source",
                    ));
                }
            }
        }
    }
    Ok(())
}

async fn check_disposition(
    svc: &Services,
    co: &CompanyId,
    id: DispositionId,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Disposition>, AppError> {
    match svc.table.get(&keys::disposition(co, id)).await? {
        Some(item) => {
            let d: Disposition = from_item(item)?;
            if d.active {
                return Ok(Some(d));
            }
            errors.push(FieldError::new("disposition_id", "inactive", "this status is no longer in use"));
        }
        None => {
            errors.push(FieldError::new("disposition_id", "not_found", "choose one of the company's lead statuses"))
        }
    }
    Ok(None)
}

pub(crate) async fn check_account_class(
    svc: &Services,
    co: &CompanyId,
    id: vigil_domain::AccountClassId,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match svc.table.get(&keys::account_class(co, id)).await? {
        Some(item) if from_item::<AccountClass>(item.clone())?.active => {}
        _ => errors.push(FieldError::new("account_class_id", "not_found", "choose one of the active account classes")),
    }
    Ok(())
}

pub(crate) fn finish(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors }.into())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Create.

/// `POST /api/v1/leads`. The lead belongs to the creator's home office; a user limited to their own leads becomes
/// its lead rep (so they can see what they created).
pub async fn create(
    svc: &Services,
    actor: &Actor,
    form: &Map<String, Value>,
    allow_duplicates: bool,
) -> Result<LeadView, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Create)?;
    let co = actor.company().clone();
    // `custom_fields` is not a New Lead form field: it is checked by the UDF rules (the customer save's), and its
    // problems are reported together with the form's.
    let mut form = form.clone();
    let udfs = match form.remove("custom_fields") {
        Some(v) => custom_fields::apply(svc, &co, &BTreeMap::new(), &v).await?,
        None => Ok(BTreeMap::new()),
    };
    let input = match (NewLead::parse(&form), &udfs) {
        (Ok(input), _) => input,
        (Err(mut inv), Err(udf_errors)) => {
            inv.errors.extend(udf_errors.iter().cloned());
            return Err(inv.into());
        }
        (Err(inv), Ok(_)) => return Err(inv.into()),
    };
    let (udf_values, mut errors) = match udfs {
        Ok(values) => (values, Vec::new()),
        Err(errors) => (BTreeMap::new(), errors),
    };
    check_source(svc, &co, Some(input.source_id), input.campaign_id, &mut errors).await?;
    let disposition = check_disposition(svc, &co, input.disposition_id, &mut errors).await?;
    if let Some(c) = input.account_class_id {
        check_account_class(svc, &co, c, &mut errors).await?;
    }
    finish(errors)?;

    let perms = &actor.user.permissions;
    let rep = perms.own_only(Resource::Leads, Action::View).then(|| actor.id().clone());
    let location = Some(actor.user.home_location);
    actor.require(Resource::Leads, Action::Create, Target { location, owner: Some(actor.id()) })?;

    let now = svc.clock.now();
    let mut record = Record {
        id: RecordId(0),
        kind: Kind::Lead,
        stage: Stage::New,
        first_name: input.first_name,
        last_name: input.last_name,
        business_name: None,
        email: input.email,
        primary_phone: input.primary_phone,
        address1: input.address1,
        city: input.city,
        state: input.state.as_str().into(),
        zip: input.zip.map(|z| z.as_str().to_owned()),
        office_location_id: location,
        source_id: Some(input.source_id),
        campaign_id: input.campaign_id,
        disposition: disposition.map(|d| d.name),
        rating: 0,
        tags: vec![],
        lead_rep_id: rep,
        account_number: None,
        next_followup: None,
        created_at: rfc3339(now),
        created_by: actor.id().clone(),
        archived: false,
        version: 1,
        lead: LeadFields {
            address2: input.address2,
            county: input.county,
            cross_street: input.cross_street,
            language: input.language,
            account_type: input.account_type,
            account_class_id: input.account_class_id,
            disposition_id: Some(input.disposition_id),
            ..LeadFields::default()
        },
    };
    record.lead.customer.custom_fields = udf_values;
    // Required UDFs exactly as a new customer (an unchecked checkbox counts as answered).
    custom_fields::require_on_create(svc, &co, &record).await?;

    if !allow_duplicates {
        let page = svc
            .table
            .query(&Query::new(Index::Base, keys::lead_duplicates_pk(&co, &dup_hash(&record))).limit(20))
            .await?;
        if !page.items.is_empty() {
            let matches: Vec<DuplicateMatch> = page.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
            let (visible, hidden): (Vec<_>, Vec<_>) = matches.into_iter().partition(|m| {
                perms.allows(
                    actor.id(),
                    Resource::Leads,
                    Action::View,
                    Target { location: m.office_location_id, owner: m.lead_rep_id.as_ref() },
                )
            });
            let listed: Vec<Value> = visible
                .iter()
                .map(|m| json!({"id": m.id, "first_name": m.first_name, "last_name": m.last_name, "primary_phone": m.primary_phone, "address1": m.address1, "city": m.city, "state": m.state}))
                .collect();
            return Err(AppError::Conflict {
                message: format!(
                    "this looks like a lead that exists already (same name, phone and address); send allow_duplicates=true to create it anyway{}",
                    if hidden.is_empty() { String::new() } else { format!(" ({} more you cannot open)", hidden.len()) }
                ),
                current: Some(json!({ "duplicates": listed, "hidden_duplicates": hidden.len() })),
            });
        }
    }

    let weights = lead_scoring::weights(svc, &co).await?;
    let (score, factors) = lead::score(&record, &weights);
    record.lead.score = score;
    record.lead.score_factors = factors;
    let id = svc.table.increment(&keys::record_sequence(&co), 1).await?;
    record.id = RecordId(u64::try_from(id).map_err(|_| AppError::Internal("record sequence is negative".into()))?);

    let mut ops = vec![TxOp::Put { item: record_item(&co, &record), cond: Some(Condition::NotExists) }];
    ops.extend(index_writes(&co, None, Some(&record)));
    ops.extend(dup_ops(&co, None, Some(&record)));
    let created = FieldChange { field: "created".into(), before: Value::Null, after: json!(record.display_name()) };
    ops.extend(history_ops(&co, record.id, &record.created_at, actor.id().as_str(), &[created]));
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: "the new lead's ID was taken; try again".into(), current: None })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, lead = record.id.0, "lead created");
    view(svc, actor, &record)
}

// ---------------------------------------------------------------------------------------------------------------
// Saving a change.

/// Writes `new` over `old` (which must still be stored at `old.version`), with index, duplicate and history items.
async fn save(
    svc: &Services,
    actor: &Actor,
    old: &Record,
    mut new: Record,
    changes: &[FieldChange],
) -> Result<Record, AppError> {
    let co = actor.company();
    let now = rfc3339(svc.clock.now());
    new.version = old.version + 1;
    new.lead.updated_at = Some(now.clone());
    new.lead.updated_by = Some(actor.id().clone());
    let weights = lead_scoring::weights(svc, co).await?;
    let (score, factors) = lead::score(&new, &weights);
    new.lead.score = score;
    new.lead.score_factors = factors;
    let mut ops = vec![TxOp::Put { item: record_item(co, &new), cond: Some(Condition::VersionIs(old.version)) }];
    ops.extend(index_writes(co, Some(old), Some(&new)));
    ops.extend(dup_ops(co, Some(old), Some(&new)));
    ops.extend(history_ops(co, new.id, &now, actor.id().as_str(), changes));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(new),
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
            let current = load(svc, actor, old.id).await?;
            Err(conflict(svc, actor, &current))
        }
        Err(e) => Err(e.into()),
    }
}

/// The `version` a write was based on: required for edits, optional for stage moves and tags.
fn version_of(body: &Map<String, Value>, required: bool) -> Result<Option<u64>, AppError> {
    match body.get("version") {
        None | Some(Value::Null) if required => Err(Invalid::from(FieldError::required("version")).into()),
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Invalid::one("version", "invalid", "version must be the record's version number").into()),
    }
}

/// Loads the lead for a change: the actor must be able to modify it, and a `version` sent must be the stored one.
async fn load_for_change(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    version: Option<u64>,
) -> Result<Record, AppError> {
    let current = load(svc, actor, id).await?;
    actor.require(Resource::Leads, Action::Modify, target(&current))?;
    if current.kind != Kind::Lead || current.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "a converted lead is locked".into(), current: None });
    }
    if let Some(v) = version {
        if v != current.version {
            return Err(conflict(svc, actor, &current));
        }
    }
    Ok(current)
}

// ---------------------------------------------------------------------------------------------------------------
// Edit.

/// `PATCH /api/v1/leads/{id}`: the fields sent, with the record's `version`. `custom_fields` (a partial map) is
/// Leads Modify's like the qualification fields, saved in the same transaction with one history entry per value.
pub async fn edit(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: &Map<String, Value>,
) -> Result<LeadView, AppError> {
    let version = version_of(body, true)?;
    let current = load_for_change(svc, actor, id, version).await?;
    let co = actor.company().clone();
    // Writing an SSN one cannot read is allowed (office staff take it on the phone); the response masks it.
    let personal = [
        "first_name",
        "last_name",
        "email",
        "primary_phone",
        "address1",
        "address2",
        "city",
        "state",
        "zip",
        "county",
        "cross_street",
        "ssn",
    ];
    if body.keys().any(|k| personal.contains(&k.as_str()))
        && actor.user.permissions.section(Section::ContactInformation) < SectionAccess::Modify
    {
        return Err(AppError::Forbidden("you do not have permission to change contact information".into()));
    }
    let today = date(svc.clock.now());
    // `custom_fields` (a partial map of field ID to value) goes through the UDF rules, the profile fields through
    // `edit_lead`; the problems of both are reported in one 422.
    let mut fields = body.clone();
    let udfs = match fields.remove("custom_fields") {
        Some(v) => Some(custom_fields::apply(svc, &co, &current.lead.customer.custom_fields, &v).await?),
        None => None,
    };
    let edit = match (edit_lead(&current, &fields, &today), udfs) {
        (Ok(edit), None) => edit,
        (Ok(mut edit), Some(Ok(values))) => {
            if let Some(r) = edit.record.as_mut() {
                r.lead.customer.custom_fields = values;
            }
            edit
        }
        (Ok(_), Some(Err(errors))) => return Err(Invalid { errors }.into()),
        (Err(mut inv), udfs) => {
            inv.errors.extend(udfs.and_then(Result::err).unwrap_or_default());
            return Err(inv.into());
        }
    };
    let mut new = edit.record.clone().ok_or_else(|| AppError::Internal("edit produced no record".into()))?;

    let mut errors = Vec::new();
    if edit.check_source {
        check_source(svc, &co, new.source_id, new.campaign_id, &mut errors).await?;
    }
    if edit.check_disposition {
        if let Some(d) = new.lead.disposition_id {
            if let Some(d) = check_disposition(svc, &co, d, &mut errors).await? {
                new.disposition = Some(d.name);
            }
        }
    }
    if let (true, Some(c)) = (edit.check_account_class, new.lead.account_class_id) {
        check_account_class(svc, &co, c, &mut errors).await?;
    }
    finish(errors)?;

    match &edit.ssn {
        Some(Some(s)) => set_ssn(svc, &co, &mut new, s)?,
        Some(None) => {
            new.lead.ssn_encrypted = None;
            new.lead.ssn_last4_index = None;
        }
        None => {}
    }
    let mut changes = edit.changes.clone();
    if new.lead.customer.custom_fields != current.lead.customer.custom_fields {
        // One history entry per changed value (`custom_fields.<id>`), as the customer save writes them.
        changes.push(FieldChange {
            field: "custom_fields".into(),
            before: json!(current.lead.customer.custom_fields),
            after: json!(new.lead.customer.custom_fields),
        });
        vigil_domain::custom_field::expand_changes(&mut changes);
    }
    if new.disposition != current.disposition && !changes.iter().any(|c| c.field == "disposition") {
        changes.push(FieldChange {
            field: "disposition".into(),
            before: json!(current.disposition),
            after: json!(new.disposition),
        });
    }
    if changes.is_empty() {
        return view(svc, actor, &current);
    }
    let saved = save(svc, actor, &current, new, &changes).await?;
    if edit.rated_five {
        email_owner_about_five_stars(svc, actor, &saved).await?;
    }
    view(svc, actor, &saved)
}

pub(crate) fn set_ssn(svc: &Services, co: &CompanyId, r: &mut Record, s: &Ssn) -> Result<(), AppError> {
    let keys = svc.data_keys.as_ref();
    r.lead.ssn_encrypted = Some(ssn::encrypt(keys, co, r.id, s)?);
    r.lead.ssn_last4_index = Some(ssn::ssn_last4_blind_index(&keys.blind_index_key()?, co, s.last4()));
    Ok(())
}

/// A five-star rating emails the lead's owner (its lead rep, else whoever created it) through the jobs queue.
async fn email_owner_about_five_stars(svc: &Services, actor: &Actor, r: &Record) -> Result<(), AppError> {
    let co = actor.company();
    let owner_id = r.lead_rep_id.clone().unwrap_or_else(|| r.created_by.clone());
    let Some(item) = svc.table.get(&keys::user(co, &owner_id)).await? else {
        tracing::warn!(company = %co, lead = r.id.0, "five-star lead has no owner to email");
        return Ok(());
    };
    let owner: User = from_item(item)?;
    let job = Job::SendEmail {
        company: co.clone(),
        to: owner.email.clone(),
        subject: format!("Five-star lead #{}: {}", r.id, r.display_name()),
        body: format!(
            "{} rated lead #{} ({}, {} {}) five stars. Its next follow-up is today.",
            actor.user.name,
            r.id,
            r.display_name(),
            r.city,
            r.state
        ),
    };
    jobs::enqueue(svc, format!("lead-rated-five:{co}:{}:{}", r.id, r.version), job).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Stage.

#[derive(Debug, Clone, Deserialize)]
pub struct StageMove {
    pub to: String,
    #[serde(default)]
    pub version: Option<u64>,
}

/// `POST /api/v1/leads/{id}/stage`: one step along `Stage::next`; converted only by conversion.
pub async fn move_stage(svc: &Services, actor: &Actor, id: RecordId, input: StageMove) -> Result<LeadView, AppError> {
    let to =
        Stage::parse(input.to.trim()).map_err(|e| AppError::from_field(FieldError::new("to", e.code, e.message)))?;
    let current = load_for_change(svc, actor, id, input.version).await?;
    let to = current.stage.move_to(to).map_err(AppError::from_field)?;
    let mut new = current.clone();
    new.stage = to;
    let change = FieldChange { field: "stage".into(), before: json!(current.stage), after: json!(to) };
    let saved = save(svc, actor, &current, new, &[change]).await?;
    view(svc, actor, &saved)
}

// ---------------------------------------------------------------------------------------------------------------
// Tags.

#[derive(Debug, Clone, Deserialize)]
pub struct SetTags {
    pub tag_ids: Vec<Value>,
    #[serde(default)]
    pub version: Option<u64>,
}

/// `PUT /api/v1/leads/{id}/tags`: replaces the lead's tags with these company tags.
pub async fn set_tags(svc: &Services, actor: &Actor, id: RecordId, input: SetTags) -> Result<LeadView, AppError> {
    let ids = tags::check_ids(svc, actor.company(), &input.tag_ids).await?;
    let current = load_for_change(svc, actor, id, input.version).await?;
    let mut new = current.clone();
    new.set_tag_ids(&ids);
    if new.tags == current.tags {
        return view(svc, actor, &current);
    }
    let change = FieldChange { field: "tags".into(), before: json!(current.tags), after: json!(new.tags) };
    let saved = save(svc, actor, &current, new, &[change]).await?;
    view(svc, actor, &saved)
}

// ---------------------------------------------------------------------------------------------------------------
// Delete.

/// Items removed per batch when clearing a deleted lead's partition.
const DELETE_BATCH: u32 = 100;

/// `DELETE /api/v1/leads/{id}` with Leads Delete: the profile, its index and duplicate items in one transaction,
/// then everything else under the lead's partition (history, notes, …) in bounded batches.
pub async fn delete(svc: &Services, actor: &Actor, id: RecordId) -> Result<(), AppError> {
    let current = load(svc, actor, id).await?;
    actor.require(Resource::Leads, Action::Delete, target(&current))?;
    let co = actor.company();
    let mut ops = vec![TxOp::Delete { key: keys::record(co, id), cond: Some(Condition::VersionIs(current.version)) }];
    ops.extend(index_writes(co, Some(&current), None));
    ops.extend(dup_ops(co, Some(&current), None));
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
            return Err(AppError::Conflict {
                message: "the lead changed while it was being deleted; try again".into(),
                current: None,
            })
        }
        Err(e) => return Err(e.into()),
    }
    let pk = keys::record_pk(co, id);
    loop {
        let page = svc.table.query(&Query::new(Index::Base, pk.clone()).limit(DELETE_BATCH)).await?;
        let keys: Vec<_> = page.items.iter().filter_map(vigil_store::Key::of).collect();
        if keys.is_empty() {
            break;
        }
        svc.table.batch_delete(&keys).await?;
        if page.last_key.is_none() && keys.len() < DELETE_BATCH as usize {
            break;
        }
    }
    tracing::info!(company = %co, lead = id.0, "lead deleted");
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Preview.

#[derive(Debug, Clone, Serialize)]
pub struct Named<T> {
    pub id: T,
    pub name: String,
}

/// The list's side panel: what the manual's preview shows, each section only when the user may see it.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    /// RFC 3339: when the lead was entered.
    pub entered_at: String,
    pub city: String,
    pub state: String,
    pub stage: Stage,
    pub tags: Vec<Named<TagId>>,
    /// Things to know before calling: do-not-call, email opt-out, hot.
    pub warnings: Vec<String>,
    /// `None` without the Contact Information section.
    pub primary_phone: Option<String>,
    pub email: Option<String>,
    /// The lead status (disposition).
    pub lead_status: Option<String>,
    pub lead_rep: Option<Named<String>>,
    pub source: Option<Named<PartnerId>>,
    pub campaign: Option<Named<CampaignId>>,
    /// The callback: next follow-up date, `YYYY-MM-DD`.
    pub callback_date: Option<String>,
    pub rating: u8,
    pub score: u8,
    /// The newest history entry.
    pub latest_interaction: Option<HistoryEntry>,
}

pub async fn preview(svc: &Services, actor: &Actor, id: RecordId) -> Result<Preview, AppError> {
    let r = load(svc, actor, id).await?;
    let co = actor.company();
    let perms = &actor.user.permissions;
    let contact = perms.section(Section::ContactInformation) >= SectionAccess::View;
    let all_tags = tags::all(svc, co).await?;
    let tag_list = r
        .tag_ids()
        .into_iter()
        .map(|t| Named {
            id: t,
            name: all_tags.iter().find(|k| k.id == t).map(|k| k.name.clone()).unwrap_or_else(|| format!("#{t}")),
        })
        .collect();
    let mut warnings = Vec::new();
    if r.lead.do_not_call {
        warnings.push("Do not call".to_owned());
    }
    if r.lead.email_opt_out {
        warnings.push("Opted out of email".to_owned());
    }
    if r.lead.hot {
        warnings.push("Hot lead".to_owned());
    }
    let lead_rep = match &r.lead_rep_id {
        Some(u) => svc
            .table
            .get(&keys::user(co, u))
            .await?
            .map(from_item::<User>)
            .transpose()?
            .map(|u| Named { id: u.id.to_string(), name: u.name }),
        None => None,
    };
    let source = match r.source_id {
        Some(p) => svc
            .table
            .get(&keys::partner(co, p))
            .await?
            .and_then(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .map(|name| Named { id: p, name }),
        None => None,
    };
    let campaign = match r.campaign_id {
        Some(c) => svc
            .table
            .get(&keys::campaign(co, c))
            .await?
            .and_then(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .map(|name| Named { id: c, name }),
        None => None,
    };
    let latest = svc
        .table
        .query(
            &Query::new(Index::Base, keys::record_pk(co, id))
                .sort(vigil_store::SortCond::BeginsWith("HIST#".into()))
                .backward()
                .limit(1),
        )
        .await?
        .items
        .into_iter()
        .next()
        .map(from_item)
        .transpose()?;
    Ok(Preview {
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        entered_at: r.created_at,
        city: r.city,
        state: r.state,
        stage: r.stage,
        tags: tag_list,
        warnings,
        primary_phone: contact.then_some(r.primary_phone),
        email: if contact { r.email } else { None },
        lead_status: r.disposition,
        lead_rep,
        source,
        campaign,
        callback_date: r.next_followup,
        rating: r.rating,
        score: r.lead.score,
        latest_interaction: latest,
    })
}
