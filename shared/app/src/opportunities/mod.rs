//! Opportunities of a customer: opened by a conversion (`customers::convert`), listed on the customer. Each is an
//! item under the customer's partition (`keys::opportunity`), numbered by the record's sub-record sequence.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::Value;
pub use vigil_api::opportunities::{NewOpportunity, Opportunity, OpportunityEdit, STAGES};
use vigil_domain::{Action, Invalid};
use vigil_domain::{CompanyId, FieldError, RecordId};
use vigil_store::{keys, Condition, Index, Query, SortCond, TxOp};

pub const NAME_MAX: usize = 200;
/// A billion dollars, in cents: far past any alarm deal, well inside every number type on the way.
pub const AMOUNT_MAX: u64 = 100_000_000_000;
/// Days from the conversion to an opportunity's close date.
pub const CLOSE_IN_DAYS: i64 = 90;
pub const PROSPECTING: &str = "prospecting";

/// The name and amount (cents) of a conversion's opportunity, or the fields wrong (`opportunity.name`,
/// `opportunity.amount`) added to `errors`.
pub fn validate(o: &NewOpportunity, errors: &mut Vec<FieldError>) -> Option<(String, u64)> {
    let name = o.name.as_deref().map(str::trim).unwrap_or_default();
    let name = if name.is_empty() {
        errors.push(FieldError::new("opportunity.name", "required", "give the opportunity a name"));
        None
    } else if name.chars().count() > NAME_MAX {
        errors.push(FieldError::new("opportunity.name", "too_long", format!("at most {NAME_MAX} characters")));
        None
    } else {
        Some(name.to_owned())
    };
    let amount = match o.amount.as_ref() {
        None | Some(Value::Null) => {
            errors.push(FieldError::new("opportunity.amount", "required", "give the amount in cents"));
            None
        }
        Some(v) => match v.as_u64().filter(|n| *n <= AMOUNT_MAX) {
            Some(n) => Some(n),
            None => {
                errors.push(FieldError::new(
                    "opportunity.amount",
                    "invalid",
                    "the amount must be a whole number of cents, 0 or more",
                ));
                None
            }
        },
    };
    Some((name?, amount?))
}

/// The write that opens it (conditional: the key must be free).
pub fn put_op(co: &CompanyId, o: &Opportunity) -> TxOp {
    TxOp::Put { item: item_of(&keys::opportunity(co, o.customer_id, o.id), o, &[]), cond: Some(Condition::NotExists) }
}

/// `GET /api/v1/customers/{id}/opportunities`: whoever may read the customer, oldest first.
pub async fn list(svc: &Services, actor: &Actor, id: RecordId) -> Result<Vec<Opportunity>, AppError> {
    crate::customers::load(svc, actor, id).await?;
    let q = Query::new(Index::Base, keys::record_pk(actor.company(), id))
        .sort(SortCond::BeginsWith(keys::OPPORTUNITY_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

/// `PATCH /api/v1/customers/{id}/opportunities`: Modify on the customer, an unarchived one; conditional on the
/// version read.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    edit: OpportunityEdit,
) -> Result<Opportunity, AppError> {
    let r = crate::customers::load(svc, actor, id).await?;
    actor.require(crate::records::resource_of(r.kind), Action::Modify, vigil_domain::identity::Target::of(&r))?;
    crate::customers::writable(&r)?;
    let co = actor.company();
    let key = keys::opportunity(co, id, edit.id);
    let current: Opportunity = match svc.table.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(AppError::NotFound("opportunity")),
    };
    let Some(version) = edit.version else { return Err(AppError::from_field(FieldError::required("version"))) };
    let mut errors = Vec::new();
    let mut next = current.clone();
    if edit.name.is_some() || edit.amount.is_some() {
        let probe = NewOpportunity {
            name: edit.name.clone().or_else(|| Some(current.name.clone())),
            amount: edit.amount.clone().or_else(|| Some(current.amount.into())),
        };
        let mut e = Vec::new();
        if let Some((name, amount)) = validate(&probe, &mut e) {
            next.name = name;
            next.amount = amount;
        }
        errors.extend(e.into_iter().map(|mut f| {
            f.field = f.field.trim_start_matches("opportunity.").to_owned();
            f
        }));
    }
    if let Some(stage) = edit.stage.as_deref() {
        match STAGES.iter().find(|s| **s == stage) {
            Some(s) => next.stage = (*s).to_owned(),
            None => {
                errors.push(FieldError::new("stage", "invalid", format!("stage must be one of {}", STAGES.join(", "))))
            }
        }
    }
    if let Some(d) = edit.close_date.as_deref() {
        match vigil_domain::lead::date("close_date", d) {
            Ok(d) => next.close_date = d,
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(Invalid { errors }));
    }
    if version != current.version {
        return Err(stale(&current));
    }
    next.version = current.version + 1;
    let item = item_of(&key, &next, &[]);
    match svc.table.put(item, Some(Condition::VersionIs(current.version))).await {
        Ok(()) => Ok(next),
        Err(vigil_store::StoreError::ConditionFailed { .. }) => {
            let now: Option<Opportunity> = svc.table.get(&key).await?.map(from_item).transpose()?;
            Err(now.as_ref().map_or(AppError::NotFound("opportunity"), stale))
        }
        Err(e) => Err(e.into()),
    }
}

fn stale(current: &Opportunity) -> AppError {
    AppError::Conflict {
        message: "another user changed this opportunity; review their changes and try again".into(),
        current: serde_json::to_value(current).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(name: Option<&str>, amount: Option<Value>) -> (Option<(String, u64)>, Vec<String>) {
        let mut e = Vec::new();
        let out = validate(&NewOpportunity { name: name.map(str::to_owned), amount }, &mut e);
        (out, e.into_iter().map(|f| f.field.to_string()).collect())
    }

    #[test]
    fn name_and_amount_are_checked_and_named() {
        assert_eq!(check(Some(" Deal "), Some(json!(0))).0, Some(("Deal".into(), 0)));
        assert_eq!(check(None, Some(json!(-1))).1, ["opportunity.name", "opportunity.amount"]);
        assert_eq!(check(Some(&"x".repeat(201)), Some(json!(12.5))).1, ["opportunity.name", "opportunity.amount"]);
        assert_eq!(check(Some("ok"), Some(json!("100"))).1, ["opportunity.amount"]);
        assert_eq!(check(Some(&"x".repeat(200)), Some(json!(AMOUNT_MAX))).1, Vec::<String>::new());
    }
}
