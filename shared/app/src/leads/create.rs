//! Creating a lead.

use super::checks::{check_account_class, check_disposition, check_source, finish};
use super::duplicates::{dup_ops, refuse_duplicates};
use super::history::history_ops;
use super::view::{view, LeadView};
use crate::clock::rfc3339;
use crate::lead_scoring;
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{custom_fields, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_domain::identity::Target;
use vigil_domain::lead::{self, FieldChange, NewLead};
use vigil_domain::record::{Kind, LeadFields, Record, Stage};
use vigil_domain::sorted::SortedMap;
use vigil_domain::{Action, RecordId, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

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
    // A lead-create workflow requires its custom fields on top of the form's rules.
    let mut form = crate::creation_workflows::lead_create_form(svc, actor, form).await?;
    let udfs = match form.remove("custom_fields") {
        Some(v) => custom_fields::apply(svc, &co, &SortedMap::new(), &v).await?,
        None => Ok(SortedMap::new()),
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
        Err(errors) => (SortedMap::new(), errors),
    };
    check_source(svc, &co, Kind::Lead, Some(input.source_id), None, input.campaign_id, &mut errors).await?;
    let disposition = check_disposition(svc, &co, input.disposition_id, &mut errors).await?;
    if let Some(c) = input.account_class_id {
        check_account_class(svc, &co, c, &mut errors).await?;
    }
    finish(errors)?;

    let perms = &actor.user.permissions;
    let rep = perms.own_only(Resource::Leads, Action::View).then(|| actor.id().clone());
    let location = Some(actor.user.home_location);
    actor.require(
        Resource::Leads,
        Action::Create,
        Target { location, owner: Some(actor.id()), source: Some(input.source_id) },
    )?;

    let mut record =
        new_record(input, disposition.map(|d| d.name), location, rep, actor.id(), &rfc3339(svc.clock.now()));
    record.lead.customer.custom_fields = udf_values;
    // Required UDFs exactly as a new customer (an unchecked checkbox counts as answered).
    custom_fields::require_on_create(svc, &co, &record).await?;

    if !allow_duplicates {
        refuse_duplicates(svc, actor, &record).await?;
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
            return Err(AppError::Conflict {
                message: "the new lead's ID or its source changed while it was saved; try again".into(),
                current: None,
            })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, lead = record.id.0, "lead created");
    view(svc, actor, &record)
}

/// The record a valid New Lead form makes (ID 0 until the sequence gives one; unscored). The import builds its
/// leads with this too, so a row becomes exactly the lead the form would have made.
pub(crate) fn new_record(
    input: NewLead,
    disposition: Option<String>,
    location: Option<vigil_domain::LocationId>,
    rep: Option<vigil_domain::UserId>,
    created_by: &vigil_domain::UserId,
    created_at: &str,
) -> Record {
    Record {
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
        disposition,
        rating: 0,
        tags: vec![],
        lead_rep_id: rep,
        account_number: None,
        next_followup: None,
        created_at: created_at.to_owned(),
        created_by: created_by.clone(),
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
    }
}
