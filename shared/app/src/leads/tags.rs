//! Replacing a lead's tags.

use super::save::{load_for_change, save};
use super::view::{view, LeadView};
use crate::{tags, Actor, AppError, Services};
use serde_json::json;
pub use vigil_api::leads::SetTags;
use vigil_domain::lead::FieldChange;
use vigil_domain::RecordId;

/// `PUT /api/v1/leads/{id}/tags`: replaces the lead's tags with these company tags.
pub async fn set_tags(svc: &Services, actor: &Actor, id: RecordId, input: SetTags) -> Result<LeadView, AppError> {
    let ids = tags::check_ids(svc, actor.company(), &input.tag_ids).await?;
    let current = load_for_change(svc, actor, id, input.version).await?;
    let mut new = current.clone();
    new.set_tag_ids(&ids);
    if new.tags == current.tags {
        return view(svc, actor, &current);
    }
    tags::check_change(actor.company(), &current, &new)?;
    let change = FieldChange { field: "tags".into(), before: json!(current.tags), after: json!(new.tags) };
    let saved = save(svc, actor, &current, new, &[change], vec![]).await?;
    view(svc, actor, &saved)
}
