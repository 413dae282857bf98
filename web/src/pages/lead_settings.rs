//! Admin › Leads: the lead-score weights (`GET/PUT /api/v1/settings/lead-scoring`, checked with the server's own
//! `ScoringWeights::validate` first) and the company's tags (`GET/POST /api/v1/tags`).

use crate::api::Tag;
use crate::components::field_errors::{by_field, FieldErrors};
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use vigil_domain::lead::{ScoringWeights, INDUSTRIES};
use vigil_domain::{Action, Resource};
use yew::prelude::*;

const WEIGHTS: [(&str, &str, &str); 4] = [
    ("company_size", "Company size", "Employees and annual revenue"),
    ("industry_fit", "Industry fit", "Full points for the best-fit industries below"),
    ("title_seniority", "Title seniority", "Owner, C-level and VP titles score highest"),
    ("engagement", "Engagement", "Web visits and webinars attended"),
];

/// The weights as typed: text, so a bad entry can be shown rather than lost.
#[derive(Debug, Clone, PartialEq, Default)]
struct Draft {
    /// By weight name; keyed by `String` like [`FieldErrors`], so the portal carries one map type.
    weights: FieldErrors,
    best: Vec<String>,
    /// The version the weights were read at, sent back so a concurrent save is caught.
    version: u64,
}

impl Draft {
    fn of(w: &ScoringWeights) -> Self {
        let mut weights = FieldErrors::new();
        for (k, _, _) in WEIGHTS {
            let v = match k {
                "company_size" => w.company_size,
                "industry_fit" => w.industry_fit,
                "title_seniority" => w.title_seniority,
                _ => w.engagement,
            };
            weights.insert(k.to_owned(), v.to_string());
        }
        Draft { weights, best: w.best_industries.clone(), version: w.version }
    }

    /// The weights to send, or the problems by field.
    fn parse(&self) -> Result<ScoringWeights, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut get = |k: &'static str| match self.weights.get(k).map(|s| s.trim()).unwrap_or("").parse::<u8>() {
            Ok(n) => n,
            Err(_) => {
                errors.insert(k.to_owned(), "enter a whole number from 0 to 100".to_owned());
                0
            }
        };
        let w = ScoringWeights {
            company_size: get("company_size"),
            industry_fit: get("industry_fit"),
            title_seniority: get("title_seniority"),
            engagement: get("engagement"),
            best_industries: self.best.clone(),
            version: self.version,
        };
        if let Err(inv) = w.validate() {
            for (k, m) in by_field(&inv.errors) {
                errors.insert_if_absent(k, || m);
            }
        }
        if errors.is_empty() {
            Ok(w)
        } else {
            Err(errors)
        }
    }

    fn total(&self) -> u32 {
        self.weights.values().filter_map(|v| v.trim().parse::<u32>().ok()).sum()
    }
}

#[component]
pub fn LeadScoringSettings() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let loaded = use_state(|| None::<Result<ScoringWeights, String>>);
    let draft = use_state(Draft::default);
    let errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    let may_change =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify));

    {
        let (loaded, draft, client) = (loaded.clone(), draft.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.lead_scoring().await {
                        Ok(w) => {
                            draft.set(Draft::of(&w));
                            loaded.set(Some(Ok(w)));
                        }
                        Err(e) => loaded.set(Some(Err(e.message()))),
                    }
                });
            }
        });
    }

    let body = match &*loaded {
        None => html! { <p class="loading">{ "Loading the lead-score weights…" }</p> },
        Some(Err(msg)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load the lead-score weights: {msg}") }</p> }
        }
        Some(Ok(saved)) => {
            let on_submit = {
                let (draft, errors, busy, loaded, client, report, toasts) = (
                    draft.clone(),
                    errors.clone(),
                    busy.clone(),
                    loaded.clone(),
                    session.client(),
                    report.clone(),
                    toasts.clone(),
                );
                crate::h::cb(move |e: SubmitEvent| {
                    e.prevent_default();
                    let w = match draft.parse() {
                        Ok(w) => w,
                        Err(found) => return errors.set(found),
                    };
                    let Some(client) = client.clone() else { return };
                    busy.set(true);
                    let (draft, errors, busy, loaded, report, toasts) =
                        (draft.clone(), errors.clone(), busy.clone(), loaded.clone(), report.clone(), toasts.clone());
                    crate::spawn(async move {
                        match client.set_lead_scoring(&w).await {
                            Ok(w) => {
                                errors.set(FieldErrors::new());
                                draft.set(Draft::of(&w));
                                loaded.set(Some(Ok(w)));
                                toasts.info("Lead-score weights saved; leads pick them up on their next change");
                            }
                            Err(e) if e.status == 422 => errors.set(by_field(&e.errors)),
                            // Someone saved in between: show what is stored now, keep nothing of the draft.
                            Err(e) if e.is_conflict() => {
                                let now =
                                    e.current.clone().and_then(|v| vigil_json::from_value::<ScoringWeights>(v).ok());
                                if let Some(now) = now {
                                    draft.set(Draft::of(&now));
                                    loaded.set(Some(Ok(now)));
                                }
                                errors.set(FieldErrors::from([(
                                    "weights".to_owned(),
                                    "Another admin changed the weights meanwhile; these are theirs. Change and save again."
                                        .to_owned(),
                                )]));
                            }
                            Err(e) if e.is_forbidden() => errors.set(FieldErrors::from([(
                                "weights".to_owned(),
                                "You do not have permission to change company settings.".to_owned(),
                            )])),
                            Err(e) => report.emit(e),
                        }
                        busy.set(false);
                    });
                })
            };
            let weight_field = |(k, label, hint): &(&'static str, &'static str, &'static str)| {
                let k: &'static str = k;
                let err = errors.get(k).cloned();
                let oninput = {
                    let (draft, errors) = (draft.clone(), errors.clone());
                    crate::h::cb(move |e: InputEvent| {
                        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                        let mut d = (*draft).clone();
                        d.weights.insert(k.to_owned(), input.value());
                        draft.set(d);
                        if errors.contains_key(k) || errors.contains_key("weights") {
                            let mut e = (*errors).clone();
                            e.remove(k);
                            e.remove("weights");
                            errors.set(e);
                        }
                    })
                };
                html! {
                    <div class={classes!("form-field", err.is_some().then_some("invalid"))} data-testid={format!("weight-field-{k}")}>
                        <label for={format!("w-{k}")}>{ *label }</label>
                        <input type="text" inputmode="numeric" class="input" id={format!("w-{k}")} value={draft.weights.get(k).cloned().unwrap_or_default()}
                            disabled={!may_change || *busy} aria-invalid={err.as_ref().map(|_| "true")} aria-describedby={format!("wh-{k}")}
                            data-testid={format!("weight-{k}")} {oninput} />
                        <span class="hint" id={format!("wh-{k}")}>{ *hint }</span>
                        if let Some(m) = err {
                            <span class="field-error" role="alert" data-testid={format!("weight-error-{k}")}>{ m }</span>
                        }
                    </div>
                }
            };
            let toggle = |industry: &'static str| {
                let draft = draft.clone();
                crate::h::cb(move |_: Event| {
                    let mut d = (*draft).clone();
                    if let Some(i) = d.best.iter().position(|b| b == industry) {
                        d.best.remove(i);
                    } else {
                        d.best.push(industry.to_owned());
                    }
                    draft.set(d);
                })
            };
            let total = draft.total();
            let dirty = draft.parse().ok().as_ref() != Some(saved);
            html! {
                <form class="admin-form" onsubmit={on_submit} novalidate=true data-testid="lead-scoring">
                    <p class="muted">{ "Each factor adds up to its weight to a lead's score (0–100). Leads are rescored when they next change." }</p>
                    <div class="form-row">{ for WEIGHTS.iter().map(weight_field) }</div>
                    <p class={classes!(if total > 100 { "field-error" } else { "muted" })} data-testid="weights-total">
                        { format!("Total {total} of at most 100") }
                    </p>
                    if let Some(m) = errors.get("weights") {
                        <p class="field-error" role="alert" data-testid="weight-error-weights">{ m.clone() }</p>
                    }
                    <fieldset class="industries">
                        <legend>{ "Best-fit industries" }</legend>
                        <ul class="options columns">
                            { for INDUSTRIES.iter().map(|i| {
                                let id = format!("bi-{}", i.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
                                html! {
                                    <li key={*i}>
                                        <input type="checkbox" id={id.clone()} checked={draft.best.iter().any(|b| b == i)} disabled={!may_change || *busy}
                                            data-testid="best-industry" data-value={*i} onchange={toggle(i)} />
                                        <label for={id}>{ *i }</label>
                                    </li>
                                }
                            }) }
                        </ul>
                        if let Some(m) = errors.get("best_industries") {
                            <p class="field-error" role="alert">{ m.clone() }</p>
                        }
                    </fieldset>
                    if may_change {
                        <div class="actions">
                            <button type="submit" class="button" disabled={*busy || !dirty} data-testid="save-weights">
                                { if *busy { "Saving…" } else { "Save weights" } }
                            </button>
                        </div>
                    } else {
                        <p class="muted">{ "Only administrators change the weights." }</p>
                    }
                </form>
            }
        }
    };
    html! {
        <section class="card" aria-labelledby="admin-lead-scoring">
            <h2 id="admin-lead-scoring">{ "Lead scoring" }</h2>
            { body }
        </section>
    }
}

#[component]
pub fn TagSettings() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let tags = use_state(|| None::<Result<Vec<Tag>, String>>);
    let name = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let may_create =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::Tags, Action::Create));

    {
        let (tags, client) = (tags.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    tags.set(Some(client.tags().await.map_err(|e| e.message())));
                });
            }
        });
    }
    let on_input = {
        let (name, error) = (name.clone(), error.clone());
        crate::h::cb(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            name.set(input.value());
            error.set(None);
        })
    };
    let on_submit = {
        let (tags, name, error, busy, client) =
            (tags.clone(), name.clone(), error.clone(), busy.clone(), session.client());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = name.trim().to_owned();
            if typed.is_empty() {
                return error.set(Some("enter a name for the tag".into()));
            }
            if typed.chars().count() > 50 {
                return error.set(Some("tag names are at most 50 characters".into()));
            }
            if let Some(Ok(list)) = &*tags {
                if list.iter().any(|t| t.name.eq_ignore_ascii_case(&typed)) {
                    return error.set(Some("a tag with this name exists already".into()));
                }
            }
            let Some(client) = client.clone() else { return };
            busy.set(true);
            let (tags, name, error, busy, report, toasts) =
                (tags.clone(), name.clone(), error.clone(), busy.clone(), report.clone(), toasts.clone());
            crate::spawn(async move {
                match client.create_tag(&typed).await {
                    Ok(t) => {
                        let mut list = match &*tags {
                            Some(Ok(l)) => l.clone(),
                            _ => vec![],
                        };
                        toasts.info(&format!("Tag \"{}\" created", t.name));
                        list.push(t);
                        tags.set(Some(Ok(list)));
                        name.set(String::new());
                    }
                    Err(e) if e.status == 422 || e.is_forbidden() => {
                        error.set(Some(e.field_message("name").unwrap_or_else(|| e.message())));
                    }
                    Err(e) => {
                        error.set(Some(e.message()));
                        report.emit(e);
                    }
                }
                busy.set(false);
            });
        })
    };
    let list = match &*tags {
        None => html! { <p class="loading">{ "Loading tags…" }</p> },
        Some(Err(msg)) => html! { <p class="error-box" role="alert">{ format!("Could not load the tags: {msg}") }</p> },
        Some(Ok(list)) if list.is_empty() => html! { <p class="muted">{ "No tags yet." }</p> },
        Some(Ok(list)) => html! {
            <ul class="tags" data-testid="admin-tags">
                { for list.iter().map(|t| html! { <li class="tag" key={t.id.0} data-testid="admin-tag" data-id={t.id.to_string()}>{ t.name.clone() }</li> }) }
            </ul>
        },
    };
    html! {
        <section class="card" aria-labelledby="admin-tags">
            <h2 id="admin-tags">{ "Tags" }</h2>
            <p class="muted">{ "Reps put tags on leads; the Leads list filters by them." }</p>
            { list }
            if may_create {
                <form class="inline-form" onsubmit={on_submit} novalidate=true>
                    <label for="admin-new-tag">{ "New tag" }</label>
                    <input type="text" id="admin-new-tag" class="input" value={(*name).clone()} maxlength="50"
                        aria-invalid={error.as_ref().map(|_| "true")} aria-describedby={error.as_ref().map(|_| "admin-new-tag-error".to_owned())}
                        data-testid="admin-new-tag" oninput={on_input} />
                    <button type="submit" class="button secondary" disabled={*busy} data-testid="admin-create-tag">{ "Create tag" }</button>
                </form>
                if let Some(m) = &*error {
                    <p class="field-error" id="admin-new-tag-error" role="alert" data-testid="admin-tag-error">{ m.clone() }</p>
                }
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_checked_with_the_server_rules() {
        let mut d = Draft::of(&ScoringWeights::default());
        assert_eq!(d.parse().unwrap(), ScoringWeights::default());
        d.weights.insert("engagement".into(), "x".into());
        assert!(d.parse().unwrap_err().contains_key("engagement"));
        d.weights.insert("engagement".into(), "90".into());
        assert!(d.parse().unwrap_err().contains_key("weights"), "over 100 in total");
    }
}
