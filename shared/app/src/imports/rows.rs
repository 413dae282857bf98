//! One CSV row → the New Lead form it stands for → the lead it makes, through the New Lead form's own parsing and
//! the create use case's reference checks and record (`leads::new_record`); the references are checked once per
//! distinct value, not once per row.

use crate::leads::{check_account_class, check_disposition, check_source, new_record};
use crate::record_index::digits;
use crate::{custom_fields, lead_options, lead_scoring, tags, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use vigil_api::imports::{ImportMode, ImportOptions, MatchKey};
use vigil_domain::lead::{self, NewLead, ScoringWeights, NEW_LEAD_FIELDS};
use vigil_domain::record::{Kind, LeadLocation, Record};
use vigil_domain::{Action, CampaignId, FieldError, Invalid, PartnerId, RecordId, Resource};
use vigil_store::{keys, Index, Query, SortCond};

/// What a row comes to.
#[derive(Debug)]
pub(crate) enum Prepared {
    Invalid(Vec<FieldError>),
    /// A new lead (ID not yet given).
    Create(Box<Record>),
    /// An existing lead to update with these form fields.
    Update {
        id: RecordId,
        fields: Map<String, Value>,
    },
}

/// Everything a chunk needs to turn rows into leads, built once per chunk.
pub(crate) struct Rows {
    /// Column index → field.
    columns: Vec<(usize, String)>,
    defaults: Map<String, Value>,
    tags: Vec<String>,
    mode: ImportMode,
    match_key: Option<MatchKey>,
    location: Option<vigil_domain::LocationId>,
    /// `defaults.location`: where created leads go in the lead queue (unset: where a typed-in lead goes).
    lead_location: Option<LeadLocation>,
    rep: Option<vigil_domain::UserId>,
    actor: Actor,
    created_at: String,
    weights: ScoringWeights,
    /// Required custom fields an imported lead cannot fill (every created row fails alike).
    udf_errors: Vec<FieldError>,
    sources: HashMap<(Option<PartnerId>, Option<CampaignId>), Vec<FieldError>>,
    dispositions: HashMap<u32, Result<String, FieldError>>,
    classes: HashMap<u32, Vec<FieldError>>,
}

/// Checks the options themselves (422 naming the field): the mapping names real columns and fields, the match key
/// fits the mode, the defaults' references exist.
pub(crate) async fn check_options(
    svc: &Services,
    actor: &Actor,
    columns: &[String],
    o: &ImportOptions,
) -> Result<(), AppError> {
    let fields = super::csvfile::mappable_fields();
    let mut errors = Vec::new();
    let mut mapped = std::collections::BTreeSet::new();
    for (col, field) in &o.mapping {
        if field.is_empty() {
            continue;
        }
        if !columns.contains(col) {
            errors.push(FieldError::new("mapping", "unknown_column", "maps a column the file does not have"));
        } else if !fields.contains(field) {
            errors.push(FieldError::new(
                "mapping",
                "unknown_field",
                "maps a column to something that is not a lead field",
            ));
        } else if !mapped.insert(field.as_str()) {
            errors.push(FieldError::new("mapping", "twice", "maps two columns to the same field"));
        }
    }
    match (o.mode, o.match_key) {
        (ImportMode::CreateOrUpdate, None) => errors.push(FieldError::new(
            "match_key",
            "required",
            "create_or_update needs a match key (id, email or phone)",
        )),
        (ImportMode::CreateOrUpdate, Some(k)) => {
            let needed = match k {
                MatchKey::Id => "id",
                MatchKey::Email => "email",
                MatchKey::Phone => "primary_phone",
            };
            if !mapped.contains(needed) {
                errors.push(FieldError::new("match_key", "unmapped", "no column is mapped to the match key's field"));
            }
        }
        (ImportMode::Create, _) => {}
    }
    if let Some(l) = &o.defaults.location {
        if !matches!(l.as_str(), "pending" | "queue" | "invalid") {
            errors.push(FieldError::new("defaults.location", "invalid", "must be pending, queue or invalid"));
        }
    }
    if !o.defaults.tags.is_empty() {
        let raw: Vec<Value> =
            o.defaults.tags.iter().map(|t| t.parse::<u64>().map(|n| json!(n)).unwrap_or(json!(t))).collect();
        if let Err(AppError::Invalid(inv)) = tags::check_ids(svc, actor.company(), &raw).await {
            errors.extend(inv.errors.into_iter().map(|mut e| {
                e.field = "defaults.tags".into();
                e
            }));
        }
    }
    let co = actor.company();
    let mut refs = Vec::new();
    check_source(svc, co, Kind::Lead, o.defaults.source_id, None, o.defaults.campaign_id, &mut refs).await?;
    if let Some(d) = o.defaults.disposition_id {
        check_disposition(svc, co, d, &mut refs).await?;
    }
    errors.extend(refs.into_iter().map(|mut e| {
        e.field = format!("defaults.{}", e.field);
        e
    }));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors }.into())
    }
}

impl Rows {
    pub(crate) async fn new(
        svc: &Services,
        actor: &Actor,
        columns: &[String],
        o: &ImportOptions,
        created_at: String,
    ) -> Result<Self, AppError> {
        let co = actor.company();
        let mut defaults = Map::new();
        if let Some(s) = o.defaults.source_id {
            defaults.insert("source_id".into(), json!(s.0));
        }
        if let Some(c) = o.defaults.campaign_id {
            defaults.insert("campaign_id".into(), json!(c.0));
        }
        let disposition = match o.defaults.disposition_id {
            Some(d) => Some(d.0),
            // The form requires a status; a list that names none gets the company's first active one.
            None => lead_options::dispositions(svc, co).await?.into_iter().find(|d| d.active).map(|d| d.id.0),
        };
        if let Some(d) = disposition {
            defaults.insert("disposition_id".into(), json!(d));
        }
        let columns = columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i, o.mapping.get(c).filter(|f| !f.is_empty())?.clone())))
            .collect();
        let perms = &actor.user.permissions;
        let rep = perms.own_only(Resource::Leads, Action::View).then(|| actor.id().clone());
        let weights = lead_scoring::weights(svc, co).await?;
        // An imported lead carries no custom field values: a company with a required one gets its error on every row.
        let probe: Record = serde_json::from_value(json!({
            "id": 0, "kind": "lead", "stage": "new", "first_name": "", "last_name": "", "primary_phone": "",
            "city": "", "state": "", "created_at": "", "created_by": actor.id(), "version": 1
        }))
        .map_err(|_| AppError::Internal("a blank lead does not read".into()))?;
        let udf_errors = match custom_fields::require_on_create(svc, co, &probe).await {
            Ok(()) => vec![],
            Err(AppError::Invalid(inv)) => inv.errors,
            Err(e) => return Err(e),
        };
        Ok(Rows {
            columns,
            defaults,
            tags: o.defaults.tags.clone(),
            mode: o.mode,
            match_key: o.match_key,
            location: Some(actor.user.home_location),
            lead_location: o.defaults.location.as_deref().and_then(|l| LeadLocation::parse("location", l).ok()),
            rep,
            actor: actor.clone(),
            created_at,
            weights,
            udf_errors,
            sources: HashMap::new(),
            dispositions: HashMap::new(),
            classes: HashMap::new(),
        })
    }

    /// The mapped fields of a row that hold a value.
    fn mapped(&self, row: &[String]) -> Map<String, Value> {
        let mut m = Map::new();
        for (i, field) in &self.columns {
            if let Some(v) = row.get(*i).filter(|v| !v.is_empty()) {
                m.insert(field.clone(), Value::String(v.clone()));
            }
        }
        m
    }

    pub(crate) async fn prepare(&mut self, svc: &Services, row: &[String]) -> Result<Prepared, AppError> {
        let mapped = self.mapped(row);
        if self.mode == ImportMode::CreateOrUpdate {
            if let Some(id) = self.find(svc, &mapped).await? {
                let mut fields = mapped;
                fields.remove("id");
                return Ok(Prepared::Update { id, fields });
            }
        }
        let mut form = self.defaults.clone();
        for (k, v) in mapped {
            if NEW_LEAD_FIELDS.contains(&k.as_str()) {
                form.insert(k, v);
            }
        }
        let input = match NewLead::parse(&form) {
            Ok(input) => input,
            Err(inv) => return Ok(Prepared::Invalid(inv.errors)),
        };
        let mut errors = self.udf_errors.clone();
        let co = self.actor.company().clone();
        let key = (Some(input.source_id), input.campaign_id);
        if let Entry::Vacant(slot) = self.sources.entry(key) {
            let mut e = Vec::new();
            check_source(svc, &co, Kind::Lead, key.0, None, key.1, &mut e).await?;
            slot.insert(e);
        }
        errors.extend(self.sources.get(&key).cloned().unwrap_or_default());
        let d = input.disposition_id.0;
        if let Entry::Vacant(slot) = self.dispositions.entry(d) {
            let mut e = Vec::new();
            let found = check_disposition(svc, &co, input.disposition_id, &mut e).await?;
            let entry = match (found, e.into_iter().next()) {
                (_, Some(err)) => Err(err),
                (Some(found), None) => Ok(found.name),
                (None, None) => {
                    Err(FieldError::new("disposition_id", "not_found", "choose one of the company's lead statuses"))
                }
            };
            slot.insert(entry);
        }
        let disposition = match self.dispositions.get(&d) {
            Some(Ok(name)) => Some(name.clone()),
            Some(Err(e)) => {
                errors.push(e.clone());
                None
            }
            None => None,
        };
        if let Some(c) = input.account_class_id {
            if let Entry::Vacant(slot) = self.classes.entry(c.0) {
                let mut e = Vec::new();
                check_account_class(svc, &co, c, &mut e).await?;
                slot.insert(e);
            }
            errors.extend(self.classes.get(&c.0).cloned().unwrap_or_default());
        }
        if !errors.is_empty() {
            return Ok(Prepared::Invalid(errors));
        }
        let mut r = new_record(input, disposition, self.location, self.rep.clone(), self.actor.id(), &self.created_at);
        r.tags = self.tags.clone();
        r.lead.location = self.lead_location;
        let (score, factors) = lead::score(&r, &self.weights);
        r.lead.score = score;
        r.lead.score_factors = factors;
        Ok(Prepared::Create(Box::new(r)))
    }

    /// The existing lead a row matches by the match key, if any (the first by ID when several share an email or
    /// phone).
    async fn find(&self, svc: &Services, mapped: &Map<String, Value>) -> Result<Option<RecordId>, AppError> {
        let co = self.actor.company();
        let text = |f: &str| mapped.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
        let q = match self.match_key {
            None => return Ok(None),
            Some(MatchKey::Id) => {
                let Ok(id) = RecordId::parse(&text("id")) else { return Ok(None) };
                return Ok(svc.table.get(&keys::record(co, id)).await?.filter(is_lead).map(|_| id));
            }
            Some(MatchKey::Email) => {
                let email = text("email");
                if email.is_empty() {
                    return Ok(None);
                }
                Query::new(Index::Gsi2, keys::list_sorted_pk(co, Kind::Lead, "EMAIL"))
                    .sort(SortCond::BeginsWith(format!("{}#", keys::fold(&email))))
                    .limit(1)
            }
            Some(MatchKey::Phone) => {
                let phone = digits(&text("primary_phone"));
                if phone.is_empty() {
                    return Ok(None);
                }
                Query::new(Index::Gsi4, keys::list_number_pk(co, Kind::Lead, &phone)).limit(1)
            }
        };
        let page = svc.table.query(&q).await?;
        Ok(page.items.first().and_then(|i| i.get("id")).and_then(Value::as_u64).map(RecordId))
    }
}

fn is_lead(item: &vigil_store::Item) -> bool {
    item.get("kind").and_then(Value::as_str) == Some("lead")
        && !item.get("deleting").and_then(Value::as_bool).unwrap_or(false)
}

/// Duplicate lookups per store call, and calls an import keeps in flight: DynamoDB answers the calls side by side;
/// the embedded store answers each call's lookups in one go, where a call per lookup cost more than the lookup.
const LOOKUPS_PER_CALL: usize = 100;
const CALLS_IN_FLIGHT: usize = 16;

/// For each duplicate hash, the existing lead a new one with it would duplicate (same name, phone and address), if
/// any, other than `mine` (the IDs a redelivered chunk gave its own leads); answers in the order asked.
pub(crate) async fn existing_duplicates(
    svc: &Services,
    co: &vigil_domain::CompanyId,
    hashes: Vec<String>,
    mine: std::ops::Range<u64>,
) -> Result<Vec<Option<RecordId>>, AppError> {
    let mut found = vec![None; hashes.len()];
    let queries: Vec<Query> =
        hashes.iter().map(|h| Query::new(Index::Base, keys::lead_duplicates_pk(co, h)).limit(5)).collect();
    let mut lookups = tokio::task::JoinSet::new();
    let mut asked = queries.chunks(LOOKUPS_PER_CALL).map(<[Query]>::to_vec).enumerate();
    loop {
        while lookups.len() < CALLS_IN_FLIGHT {
            let Some((n, batch)) = asked.next() else { break };
            let table = svc.table.clone();
            lookups.spawn(async move { (n * LOOKUPS_PER_CALL, table.query_each(&batch).await) });
        }
        let Some(done) = lookups.join_next().await else { break };
        let (first, pages) = done.map_err(|e| AppError::Internal(format!("a duplicate lookup failed: {e}")))?;
        for (i, page) in pages?.into_iter().enumerate() {
            let existing = page
                .items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_u64))
                .find(|id| !mine.contains(id));
            if let Some(slot) = found.get_mut(first + i) {
                *slot = existing.map(RecordId);
            }
        }
    }
    Ok(found)
}
