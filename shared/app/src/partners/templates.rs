//! Message templates (`/api/v1/message-templates`, admin): a name, a subject and a body with merge fields. An unknown
//! merge field is refused at save, so a template never renders a `{{…}}` nobody fills. The preview renders one for a
//! record through the same masking as every other read of a record.

use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::records::{masked, resource_of};
use crate::{directory, Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_api::partners::{MessageTemplate, RenderedMessage, MERGE_FIELDS};
use vigil_domain::identity::Target;
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

use super::form::{text, NAME_MAX};
use super::save::version_of;

const STALE: &str = "another admin changed this message template; review their change and try again";
const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 20_000;

/// The merge field names a text uses that [`MERGE_FIELDS`] does not know, in order of first use; an unclosed `{{`
/// is reported as the name `{{`.
pub fn unknown_merge_fields(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("}}") else {
            out.push("{{".into());
            break;
        };
        let name = after.get(..end).unwrap_or_default().trim();
        if !MERGE_FIELDS.contains(&name) && !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out
}

/// `text` with every known merge field replaced by its value (missing ones by nothing).
pub fn render(text: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("}}") else {
            out.push_str(rest.get(start..).unwrap_or_default());
            return out;
        };
        out.push_str(&value(after.get(..end).unwrap_or_default().trim()));
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn merge_problem(f: &str, s: &str) -> Option<FieldError> {
    let unknown = unknown_merge_fields(s);
    let first = unknown.first()?;
    let shown = |n: &String| if n.chars().count() > 40 { "a long name".to_owned() } else { format!("{{{{{n}}}}}") };
    Some(FieldError::new(
        f,
        "unknown_merge_field",
        format!(
            "unknown merge field {}{}; use one of: {}",
            shown(first),
            if unknown.len() > 1 { format!(" (and {} more)", unknown.len() - 1) } else { String::new() },
            MERGE_FIELDS.iter().map(|m| format!("{{{{{m}}}}}")).collect::<Vec<_>>().join(", ")
        ),
    ))
}

fn apply(base: &MessageTemplate, body: &Map<String, Value>) -> Result<MessageTemplate, Invalid> {
    let mut t = base.clone();
    let mut errors = Vec::new();
    for (name, v) in body {
        let f = name.as_str();
        let r = match f {
            "name" => text(f, v, NAME_MAX).map(|x| t.name = x),
            "subject" => text(f, v, SUBJECT_MAX).map(|x| t.subject = x),
            "body" => text(f, v, BODY_MAX).map(|x| t.body = x),
            "id" | "version" => Ok(()),
            _ => Err(FieldError::new(f, "unknown", "a message template has no such field")),
        };
        if let Err(e) = r {
            errors.push(e);
        }
    }
    let named = |errors: &[FieldError], f: &str| errors.iter().any(|e| e.field == f);
    for (f, v) in [("name", &t.name), ("subject", &t.subject), ("body", &t.body)] {
        if named(&errors, f) {
            continue;
        }
        if v.is_empty() {
            errors.push(FieldError::required(f));
        } else if let Some(e) = merge_problem(f, v) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(t)
    } else {
        Err(Invalid { errors })
    }
}

fn template_item(co: &CompanyId, t: &MessageTemplate) -> vigil_store::Item {
    item_of(&keys::message_template(co, t.id), t, &[])
}

fn name_item(co: &CompanyId, t: &MessageTemplate) -> vigil_store::Item {
    let mut item = keys::message_template_name(co, &t.name).to_item();
    item.insert("template_id".into(), t.id.into());
    item
}

fn taken(name: &str) -> AppError {
    Invalid::one("name", "taken", format!("a message template named \"{name}\" exists already")).into()
}

fn stale(current: &MessageTemplate) -> AppError {
    AppError::Conflict { message: STALE.into(), current: serde_json::to_value(current).ok() }
}

fn op_failed(e: &StoreError, op: Option<usize>) -> bool {
    matches!((e, op), (StoreError::ConditionFailed { op: Some(i), .. }, Some(o)) if *i == o)
}

pub async fn list_templates(svc: &Services, actor: &Actor) -> Result<Vec<MessageTemplate>, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    let q = Query::new(Index::Base, keys::company_pk(actor.company()))
        .sort(SortCond::BeginsWith(keys::MESSAGE_TEMPLATE_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

pub(super) async fn load(svc: &Services, co: &CompanyId, id: u32) -> Result<MessageTemplate, AppError> {
    let item = svc.table.get(&keys::message_template(co, id)).await?.ok_or(AppError::NotFound("message template"))?;
    from_item(item)
}

pub async fn get_template(svc: &Services, actor: &Actor, id: u32) -> Result<MessageTemplate, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    load(svc, actor.company(), id).await
}

pub async fn create_template(
    svc: &Services,
    actor: &Actor,
    body: &Map<String, Value>,
) -> Result<MessageTemplate, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let blank = MessageTemplate { id: 0, name: String::new(), subject: String::new(), body: String::new(), version: 1 };
    let mut t = apply(&blank, body)?;
    if svc.table.get(&keys::message_template_name(co, &t.name)).await?.is_some() {
        return Err(taken(&t.name));
    }
    let seq = svc.table.increment(&keys::message_template_sequence(co), 1).await?;
    t.id = u32::try_from(seq).map_err(|_| AppError::Internal("message template sequence overflow".into()))?;
    let ops = vec![
        TxOp::Put { item: template_item(co, &t), cond: Some(Condition::NotExists) },
        TxOp::Put { item: name_item(co, &t), cond: Some(Condition::NotExists) },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {
            tracing::info!(company = %co, template = t.id, at = %rfc3339(svc.clock.now()), "message template created");
            Ok(t)
        }
        Err(e) if op_failed(&e, Some(1)) => Err(taken(&t.name)),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the template's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_template(
    svc: &Services,
    actor: &Actor,
    id: u32,
    body: &Map<String, Value>,
) -> Result<MessageTemplate, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let version = version_of(body)?;
    let co = actor.company();
    let current = load(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let mut next = apply(&current, body)?;
    if next == current {
        return Ok(current);
    }
    let renamed = keys::fold(&next.name) != keys::fold(&current.name);
    if renamed && svc.table.get(&keys::message_template_name(co, &next.name)).await?.is_some() {
        return Err(taken(&next.name));
    }
    next.version = current.version + 1;
    let mut ops = vec![TxOp::Put { item: template_item(co, &next), cond: Some(Condition::VersionIs(current.version)) }];
    let mut name_op = None;
    if renamed {
        ops.push(TxOp::Delete { key: keys::message_template_name(co, &current.name), cond: None });
        ops.push(TxOp::Put { item: name_item(co, &next), cond: Some(Condition::NotExists) });
        name_op = Some(2);
    }
    match svc.table.transact(ops).await {
        Ok(()) => Ok(next),
        Err(e) if op_failed(&e, name_op) => Err(taken(&next.name)),
        Err(StoreError::ConditionFailed { .. }) => Err(stale(&load(svc, co, id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/message-templates/{id}?version=N`. A partner whose auto-response names it falls back to the
/// built-in message (its setting names a template that no longer exists, and the next save of the partner must
/// choose another).
pub async fn delete_template(svc: &Services, actor: &Actor, id: u32, version: u64) -> Result<(), AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let current = load(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let ops = vec![
        TxOp::Delete { key: keys::message_template(co, id), cond: Some(Condition::VersionIs(version)) },
        TxOp::Delete { key: keys::message_template_name(co, &current.name), cond: None },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => Err(match svc.table.get(&keys::message_template(co, id)).await? {
            Some(item) => stale(&from_item(item)?),
            None => AppError::NotFound("message template"),
        }),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/message-templates/{id}/preview {record_id}`: the template rendered for a lead or customer the
/// caller may read, with the record's fields as `records::masked` gives them to this caller (a field the caller may
/// not see renders empty). The event-specific fields render as their description.
pub async fn preview_template(
    svc: &Services,
    actor: &Actor,
    id: u32,
    record_id: RecordId,
) -> Result<RenderedMessage, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    let co = actor.company();
    let t = load(svc, co, id).await?;
    let item = svc.table.get(&keys::record(co, record_id)).await?.ok_or(AppError::NotFound("record"))?;
    let r: Record = from_item(item)?;
    if r.lead.customer.deleting {
        return Err(AppError::NotFound("record"));
    }
    actor.require(resource_of(r.kind), Action::View, Target::of(&r))?;
    let fields = masked(svc, actor, &r)?;
    let company = directory::company(svc, co).await?;
    let id_of = |f: &str| fields.get(f).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let partner_name = match id_of("source_id") {
        Some(p) => match svc.table.get(&keys::partner(co, vigil_domain::PartnerId(p))).await? {
            Some(item) => item.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            None => String::new(),
        },
        None => String::new(),
    };
    let campaign_name = match id_of("campaign_id") {
        Some(c) => match svc.table.get(&keys::campaign(co, vigil_domain::CampaignId(c))).await? {
            Some(item) => item.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            None => String::new(),
        },
        None => String::new(),
    };
    let value = |name: &str| -> String {
        match name {
            "lead_id" => record_id.0.to_string(),
            "partner_name" => partner_name.clone(),
            "campaign_name" => campaign_name.clone(),
            "company_name" => company.name.clone(),
            "return_reason" => "(the reason the lead is returned)".into(),
            "call_center_comments" => "(the call center's comments)".into(),
            field => match fields.get(field) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            },
        }
    };
    Ok(RenderedMessage { subject: render(&t.subject, &value), body: render(&t.body, &value) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_merge_fields_are_found_once_each() {
        assert!(unknown_merge_fields("Hi {{first_name}} {{ last_name }}, from {{company_name}}").is_empty());
        assert_eq!(unknown_merge_fields("{{ssn}} {{ssn}} {{nope}}"), ["ssn", "nope"]);
        assert_eq!(unknown_merge_fields("Hi {{first_name"), ["{{"]);
    }

    #[test]
    fn renders_known_fields_and_leaves_plain_text() {
        let v = |n: &str| if n == "first_name" { "Ann".to_owned() } else { String::new() };
        assert_eq!(render("Hi {{first_name}}, {{last_name}}!", &v), "Hi Ann, !");
        assert_eq!(render("a { b }} {{first_name", &v), "a { b }} {{first_name");
    }
}
