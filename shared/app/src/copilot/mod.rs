//! The Sales Copilot on the lead page (`POST /api/v1/leads/{id}/copilot`): one ask about one lead the caller may
//! read, answered by an engine behind [`Engine`] from the record as the caller sees it. Each ask counts against the
//! caller's per-minute allowance and leaves a history entry saying what was asked and which engine answered (never
//! the answer's text, which quotes the record).

mod deterministic;
mod engine;
mod limit;
mod model;

pub use deterministic::{Deterministic, FAILED_CONTACTS_LIMIT, QUALIFIED_TOTAL};
pub use engine::{Engine, EngineError, Facts};
pub use limit::{ASKS_PER_WINDOW, WINDOW_SECS};
pub use model::ModelEngine;

use crate::items::item_of;
use crate::{clock, lead_scoring, leads, Actor, AppError, Services};
use serde_json::{json, Value};
use vigil_api::copilot::{Ask, CopilotAnswer, CopilotAsk};
use vigil_api::leads::HistoryEntry;
use vigil_domain::{FieldError, RecordId};
use vigil_store::{keys, Condition, StoreError};

/// The longest free question.
pub const QUESTION_MAX: usize = 500;

/// The history entry's field name for an ask.
pub const HISTORY_FIELD: &str = "copilot";

pub async fn ask(svc: &Services, actor: &Actor, id: RecordId, req: CopilotAsk) -> Result<CopilotAnswer, AppError> {
    check(&req)?;
    // The lead's own read decides who may ask: another company's or a customer's ID is 404, no permission 403.
    let record = leads::load(svc, actor, id).await?;
    limit::take(svc, actor).await?;
    // No engine needs the SSN: dropping its ciphertext first keeps it (and the data key) out of every answer and
    // model request, whatever the caller's grants.
    let mut record = record;
    record.lead.ssn_encrypted = None;
    let view = leads::view(svc, actor, &record)?;
    let history = leads::history(svc, actor, id, 100).await?;
    let weights = lead_scoring::weights(svc, actor.company()).await?;
    let facts = Facts {
        lead: view.record,
        failed_contacts: failed_contacts(&history),
        best_industries: weights.best_industries,
        sender: actor.user.name.clone(),
    };
    let (answer, fallback) = match &svc.model {
        None => (deterministic::answer(&facts, &req), None),
        Some(m) => match ModelEngine::new(m.clone()).answer(&facts, &req).await {
            Ok(a) => (a, None),
            Err(e) => {
                tracing::warn!(company = %actor.company(), lead = %id, reason = %e, "copilot model failed; deterministic answer");
                let mut a = deterministic::answer(&facts, &req);
                a.text = format!(
                    "{a_text} (The AI model gave no usable answer: {e}. Vigil's built-in engine answered instead.)",
                    a_text = a.text
                );
                (a, Some(e))
            }
        },
    };
    record_ask(svc, actor, id, req.ask, &answer.engine, fallback.as_ref()).await?;
    Ok(answer)
}

fn check(req: &CopilotAsk) -> Result<(), AppError> {
    if req.ask != Ask::Question {
        return Ok(());
    }
    let q = req.question.as_deref().map(str::trim).unwrap_or_default();
    if q.is_empty() {
        return Err(AppError::from_field(FieldError::new("question", "required", "type a question to ask")));
    }
    if q.chars().count() > QUESTION_MAX {
        return Err(AppError::from_field(FieldError::new(
            "question",
            "too_long",
            format!("a question may be at most {QUESTION_MAX} characters"),
        )));
    }
    Ok(())
}

/// A follow-up date replaced by another is a contact attempt that did not settle the lead (the first date set, or
/// one cleared, is not).
fn failed_contacts(history: &[HistoryEntry]) -> u32 {
    let n = history
        .iter()
        .filter(|e| e.field == "next_followup" && !e.before.is_null() && !e.after.is_null() && e.before != e.after)
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One history entry per ask: which ask and which engine. A second ask in the same millisecond takes the next
/// sequence number (the put is conditional on the key being free).
async fn record_ask(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    ask: Ask,
    engine: &str,
    fallback: Option<&EngineError>,
) -> Result<(), AppError> {
    let at = clock::rfc3339(svc.clock.now());
    let entry = HistoryEntry {
        at: at.clone(),
        by: actor.id().as_str().to_owned(),
        field: HISTORY_FIELD.into(),
        before: Value::Null,
        after: match fallback {
            None => json!({"ask": ask.as_str(), "engine": engine}),
            Some(e) => json!({"ask": ask.as_str(), "engine": engine, "fallback": e.to_string()}),
        },
    };
    for seq in 0..8 {
        let item = item_of(&keys::history(actor.company(), id, &at, 900 + seq), &entry, &[]);
        match svc.table.put(item, Some(Condition::NotExists)).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Store(StoreError::Busy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(field: &str, before: Value, after: Value) -> HistoryEntry {
        HistoryEntry { at: "2026-01-01T00:00:00.000Z".into(), by: "u".into(), field: field.into(), before, after }
    }

    #[test]
    fn only_replaced_follow_up_dates_count_as_failed_contacts() {
        let h = vec![
            entry("next_followup", Value::Null, json!("2026-01-02")),
            entry("next_followup", json!("2026-01-02"), json!("2026-01-05")),
            entry("next_followup", json!("2026-01-05"), Value::Null),
            entry("city", json!("a"), json!("b")),
            entry("next_followup", json!("2026-01-05"), json!("2026-01-09")),
        ];
        assert_eq!(failed_contacts(&h), 2);
    }

    #[test]
    fn a_question_is_required_and_bounded() {
        let q = |s: Option<&str>| check(&CopilotAsk { ask: Ask::Question, question: s.map(str::to_owned) });
        assert!(q(None).is_err());
        assert!(q(Some("  ")).is_err());
        assert!(q(Some(&"x".repeat(QUESTION_MAX + 1))).is_err());
        assert!(q(Some("When?")).is_ok());
        assert!(check(&CopilotAsk { ask: Ask::Hot, question: None }).is_ok());
    }
}
