//! Moving a lead one step along its pipeline stages.

use super::save::{load_for_change, save};
use super::view::{view, LeadView};
use crate::{Actor, AppError, Services};
use serde_json::json;
pub use vigil_api::leads::StageMove;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::Stage;
use vigil_domain::{FieldError, RecordId};

/// `POST /api/v1/leads/{id}/stage`: one step along `Stage::next`; converted only by conversion.
pub async fn move_stage(svc: &Services, actor: &Actor, id: RecordId, input: StageMove) -> Result<LeadView, AppError> {
    let to =
        Stage::parse(input.to.trim()).map_err(|e| AppError::from_field(FieldError::new("to", e.code, e.message)))?;
    let current = load_for_change(svc, actor, id, input.version).await?;
    let to = current.stage.move_to(to).map_err(AppError::from_field)?;
    let mut new = current.clone();
    new.stage = to;
    let change = FieldChange { field: "stage".into(), before: json!(current.stage), after: json!(to) };
    let saved = save(svc, actor, &current, new, &[change], vec![]).await?;
    view(svc, actor, &saved)
}
