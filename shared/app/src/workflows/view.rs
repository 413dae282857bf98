//! `GET /api/v1/enrollments/{id}`: the enrollment page. Step texts are filled in with the customer's fields as the
//! caller may read them (`records::masked`), so a script never shows what the record would hide.

use super::stored::{customer_state, definition_version, enrollment, may_create, Enrollment};
use crate::{directory, records, Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_api::workflows::{EnrollmentStep, EnrollmentView};
use vigil_domain::record::Record;
use vigil_domain::workflow::{render, Completion, Facts, Lang};
use vigil_domain::FieldError;

pub async fn get_enrollment(
    svc: &Services,
    actor: &Actor,
    id: u64,
    language: Option<&str>,
) -> Result<EnrollmentView, AppError> {
    let (e, r) = enrollment(svc, actor, id).await?;
    let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| {
            AppError::from_field(FieldError::new("language", "invalid", "a language is two lowercase letters"))
        })?),
    };
    let facts = customer_state(svc, actor.company(), r.id).await?.facts;
    view(svc, actor, &e, &r, &facts, language).await
}

/// The enrollment as `actor` sees it, in `language` (the enrollment's own by default).
pub(crate) async fn view(
    svc: &Services,
    actor: &Actor,
    e: &Enrollment,
    r: &Record,
    facts: &Facts,
    language: Option<Lang>,
) -> Result<EnrollmentView, AppError> {
    let def = definition_version(svc, actor.company(), e.workflow_id, e.workflow_version).await?;
    let language = match language {
        None => e.language.clone(),
        Some(l) if def.def.languages.contains(&l) => l,
        Some(_) => {
            return Err(AppError::from_field(FieldError::new(
                "language",
                "invalid",
                "choose one of the workflow's languages",
            )))
        }
    };
    // The SSN is no merge field (a script read out on a call is no place for it), so these reads never decrypt one
    // and their functions hold no key to it.
    let mut without_ssn = r.clone();
    without_ssn.lead.ssn_encrypted = None;
    let flat = records::masked(svc, actor, &without_ssn)?;
    let company = directory::company(svc, actor.company()).await?.name;
    let fill = |text: &str| render(text, |name| merge_value(name, &flat, &company));
    let steps = def
        .def
        .steps
        .iter()
        .zip(&e.steps)
        .map(|(s, st)| EnrollmentStep {
            id: st.id,
            status: st.status,
            warning: st.warning,
            title: fill(s.title.get(&language).map(String::as_str).unwrap_or_default()),
            content: fill(s.content.get(&language).map(String::as_str).unwrap_or_default()),
            step_type: s.kind.step_type(),
            fields: s.kind.fields(),
            completion: s.completion,
            optional: s.optional,
            generates: s.generates.clone(),
            requirement_met: (s.completion == Completion::Automatic)
                .then(|| s.kind.requirement_holds(facts).unwrap_or(false)),
            completed_at: st.completed_at.clone(),
            completed_by: st.completed_by.clone(),
        })
        .collect();
    Ok(EnrollmentView {
        id: e.id,
        customer_id: e.customer_id,
        workflow_id: e.workflow_id,
        workflow_version: e.workflow_version,
        name: e.name.clone(),
        layout: def.def.layout,
        languages: def.def.languages.clone(),
        status: e.status,
        language,
        progress: e.progress(),
        warning: e.warning,
        steps,
        can_complete: may_create(actor, r) && !r.archived,
        version: e.version,
    })
}

/// A merge field's text: the company's name, or a customer field as the reader may see it (hidden ones are blank).
fn merge_value(name: &str, flat: &Map<String, Value>, company: &str) -> Option<String> {
    if name == "company.name" {
        return Some(company.to_owned());
    }
    match flat.get(name.strip_prefix("customer.")?)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "Yes" } else { "No" }.into()),
        other => Some(other.to_string()),
    }
}
