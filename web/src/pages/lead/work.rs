//! What a rep does on a lead's page: move it along the pipeline (only the moves `Stage::next` allows), rate it
//! 0–5 stars, read its score and what made it, set its tags; below them the edit form, the history and Delete lead
//! (`edit`, `history`, `delete`). Every write sends the version the page shows; a
//! 409 says someone else changed the lead and offers to reload it.

use crate::api::{ApiError, Tag};
use crate::components::format;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use std::future::Future;
use std::pin::Pin;
use vigil_domain::record::{Record, Stage};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LeadWorkProps {
    pub record: Record,
    /// The lead as the server returned it after a change.
    pub on_saved: Callback<Record>,
    /// Reload the lead (after a conflict).
    pub on_reload: Callback<()>,
}

fn factor_label(f: &str) -> String {
    match f {
        "company_size" => "Company size".into(),
        "industry_fit" => "Industry fit".into(),
        "title_seniority" => "Title seniority".into(),
        "engagement" => "Engagement".into(),
        other => other.replace('_', " "),
    }
}

type Write = Pin<Box<dyn Future<Output = Result<Record, ApiError>>>>;

#[component]
pub fn LeadWork(props: &LeadWorkProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let busy = use_state(|| false);
    let conflict = use_state(|| None::<String>);
    let problem = use_state(|| None::<String>);
    let all_tags = use_state(Vec::<Tag>::new);
    let new_tag = use_state(String::new);
    let r = &props.record;

    {
        let (all_tags, client) = (all_tags.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(t) = client.tags().await {
                        all_tags.set(t);
                    }
                });
            }
        });
    }

    // Runs one write and reports its outcome where the user is looking.
    let run = {
        let (busy, conflict, problem, on_saved, report) =
            (busy.clone(), conflict.clone(), problem.clone(), props.on_saved.clone(), report.clone());
        crate::h::cb(move |write: Write| {
            busy.set(true);
            problem.set(None);
            let (busy, conflict, problem, on_saved, report) =
                (busy.clone(), conflict.clone(), problem.clone(), on_saved.clone(), report.clone());
            crate::spawn(async move {
                match write.await {
                    Ok(rec) => {
                        conflict.set(None);
                        on_saved.emit(rec);
                    }
                    Err(e) if e.is_conflict() => conflict.set(Some(e.message())),
                    Err(e) if e.status == 422 || e.status == 400 => {
                        let detail = e.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ");
                        problem.set(Some(if detail.is_empty() { e.message() } else { detail }));
                    }
                    Err(e) => {
                        problem.set(Some(e.message()));
                        report.emit(e);
                    }
                }
                busy.set(false);
            });
        })
    };

    let Some(client) = session.client() else { return html! {} };
    let (id, version) = (r.id, r.version);

    let stage_buttons = r.stage.next().iter().map(|to| {
        let to = *to;
        let onclick = {
            let (run, client) = (run.clone(), client.clone());
            crate::h::cb(move |_| {
                let client = client.clone();
                run.emit(Box::pin(async move { client.move_lead_stage(id, to, version).await.map(|v| v.record) }));
            })
        };
        html! {
            <button type="button" class="button secondary" disabled={*busy} data-testid="stage-move" data-stage={to.as_str()} {onclick}>
                { format!("Move to {}", format::stage(to)) }
            </button>
        }
    });
    let stage_note = match r.stage {
        Stage::Qualified => Some("Qualified leads move on by converting them to a customer."),
        Stage::Converted => Some("This lead has been converted."),
        _ => None,
    };

    let rate = |n: u8| {
        let (run, client) = (run.clone(), client.clone());
        crate::h::cb(move |_| {
            let client = client.clone();
            run.emit(Box::pin(async move {
                let mut fields = serde_json::Map::new();
                fields.insert("rating".into(), n.into());
                fields.insert("version".into(), version.into());
                client.patch_lead(id, &fields).await.map(|v| v.record)
            }));
        })
    };
    let stars = (1..=5u8).map(|n| {
        let on = n <= r.rating;
        html! {
            <button type="button" class={classes!("star", on.then_some("on"))} role="radio" aria-checked={(n == r.rating).to_string()}
                aria-label={format!("{n} star{}", if n == 1 { "" } else { "s" })} disabled={*busy}
                data-testid="star" data-value={n.to_string()} onclick={rate(n)}>
                { if on { "★" } else { "☆" } }
            </button>
        }
    });

    let chosen: Vec<u32> = r.tag_ids().iter().map(|t| t.0).collect();
    let toggle_tag = |tag: u32| {
        let (run, client, chosen) = (run.clone(), client.clone(), chosen.clone());
        crate::h::cb(move |()| {
            let mut next = chosen.clone();
            if let Some(i) = next.iter().position(|t| *t == tag) {
                next.remove(i);
            } else {
                next.push(tag);
            }
            let client = client.clone();
            run.emit(Box::pin(async move { client.set_lead_tags(id, &next, version).await.map(|v| v.record) }));
        })
    };
    let tag_name = |id: u32| {
        all_tags.iter().find(|t| t.id.0 == id).map(|t| t.name.clone()).unwrap_or_else(|| format!("Tag #{id}"))
    };
    let on_new_tag_input = {
        let new_tag = new_tag.clone();
        crate::h::cb(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            new_tag.set(input.value());
        })
    };
    let add_tag = {
        let (new_tag, all_tags, client, chosen, run, problem) =
            (new_tag.clone(), all_tags.clone(), client.clone(), chosen.clone(), run.clone(), problem.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let name = new_tag.trim().to_owned();
            if name.is_empty() {
                return;
            }
            let (new_tag, all_tags, client, chosen, run, problem) =
                (new_tag.clone(), all_tags.clone(), client.clone(), chosen.clone(), run.clone(), problem.clone());
            crate::spawn(async move {
                let existing = all_tags.iter().find(|t| t.name.eq_ignore_ascii_case(&name)).cloned();
                let tag = match existing {
                    Some(t) => t,
                    None => match client.create_tag(&name).await {
                        Ok(t) => {
                            let mut list = (*all_tags).clone();
                            list.push(t.clone());
                            all_tags.set(list);
                            t
                        }
                        Err(e) => {
                            problem.set(Some(format!("Could not create the tag: {}", e.message())));
                            return;
                        }
                    },
                };
                new_tag.set(String::new());
                if !chosen.contains(&tag.id.0) {
                    let mut next = chosen.clone();
                    next.push(tag.id.0);
                    run.emit(Box::pin(async move { client.set_lead_tags(id, &next, version).await.map(|v| v.record) }));
                }
            });
        })
    };
    let reload = {
        let (on_reload, conflict) = (props.on_reload.clone(), conflict.clone());
        crate::h::cb(move |_| {
            conflict.set(None);
            on_reload.emit(());
        })
    };
    let factors = &r.lead.score_factors;

    html! {
        <div class="lead-work" data-testid="lead-work">
            if let Some(msg) = &*conflict {
                <div class="error-box" role="alert" data-testid="conflict">
                    <p><strong>{ "Someone else changed this lead." }</strong>{ format!(" {msg}") }</p>
                    <button type="button" class="button secondary" data-testid="conflict-reload" onclick={reload}>{ "Reload the lead" }</button>
                </div>
            }
            if let Some(msg) = &*problem {
                <div class="error-box" role="alert" data-testid="lead-work-error">{ msg.clone() }</div>
            }
            <div class="cards">
                <section class="card" aria-labelledby="card-pipeline">
                    <h2 id="card-pipeline">{ "Pipeline" }</h2>
                    <p>
                        { "Stage: " }
                        <span class={classes!("badge", format!("stage-{}", r.stage.as_str()))} data-testid="lead-stage">{ format::stage(r.stage) }</span>
                    </p>
                    <div class="actions wrap" data-testid="stage-moves">{ for stage_buttons }</div>
                    if let Some(note) = stage_note {
                        <p class="muted">{ note }</p>
                    }
                </section>
                <section class="card" aria-labelledby="card-qualification">
                    <h2 id="card-qualification">{ "Qualification" }</h2>
                    <div class="rating-row">
                        <span id="rating-label">{ "Rating" }</span>
                        <div class="star-rating" role="radiogroup" aria-labelledby="rating-label" data-testid="rating" data-value={r.rating.to_string()}>
                            { for stars }
                        </div>
                        if r.rating > 0 {
                            <button type="button" class="link-button" disabled={*busy} data-testid="rating-clear" onclick={rate(0)}>{ "Clear" }</button>
                        }
                    </div>
                    if r.lead.hot {
                        <p class="hot" data-testid="lead-hot">{ "Hot lead" }{ r.next_followup.as_ref().map(|d| format!(" · follow up {d}")).unwrap_or_default() }</p>
                    }
                    <p class="score">{ "Score " }<strong data-testid="lead-score">{ r.lead.score.to_string() }</strong>{ " of 100" }</p>
                    if !factors.is_empty() {
                        <table class="simple-table score-factors" data-testid="score-factors">
                            <thead><tr><th scope="col">{ "Factor" }</th><th scope="col">{ "Points" }</th><th scope="col">{ "Of" }</th></tr></thead>
                            <tbody>
                                { for factors.iter().map(|f| html! {
                                    <tr data-testid="score-factor" data-factor={f.factor.clone()}>
                                        <td>{ factor_label(&f.factor) }</td>
                                        <td class="num">{ f.points.to_string() }</td>
                                        <td class="num muted">{ f.weight.to_string() }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </section>
                <section class="card" aria-labelledby="card-tags">
                    <h2 id="card-tags">{ "Tags" }</h2>
                    <ul class="tags" data-testid="lead-tags">
                        { for chosen.iter().map(|t| html! {
                            <li class="tag" data-testid="lead-tag" data-id={t.to_string()}>
                                { tag_name(*t) }
                                <button type="button" class="pill-remove" aria-label={format!("Remove tag {}", tag_name(*t))}
                                    disabled={*busy} onclick={toggle_tag(*t).adapt(|_: MouseEvent| ())}>{ "×" }</button>
                            </li>
                        }) }
                        if chosen.is_empty() {
                            <li class="muted">{ "No tags." }</li>
                        }
                    </ul>
                    <details class="tag-picker">
                        <summary>{ "Edit tags" }</summary>
                        <ul class="options">
                            { for all_tags.iter().map(|t| {
                                let id = format!("tag-{}", t.id);
                                html! {
                                    <li key={t.id.0}>
                                        <input type="checkbox" id={id.clone()} checked={chosen.contains(&t.id.0)} disabled={*busy}
                                            data-testid="tag-option" data-id={t.id.to_string()} onchange={toggle_tag(t.id.0).adapt(|_: Event| ())} />
                                        <label for={id}>{ t.name.clone() }</label>
                                    </li>
                                }
                            }) }
                        </ul>
                        <form class="inline-form" onsubmit={add_tag}>
                            <label for="new-tag">{ "Add a tag" }</label>
                            <input type="text" id="new-tag" class="input" value={(*new_tag).clone()} oninput={on_new_tag_input} data-testid="new-tag" />
                            <button type="submit" class="button secondary" disabled={*busy}>{ "Add" }</button>
                        </form>
                    </details>
                </section>
            </div>
            <super::copilot::CopilotPanel record={r.clone()} on_saved={props.on_saved.clone()} />
            <super::edit::LeadDetails record={r.clone()} on_saved={props.on_saved.clone()} on_reload={props.on_reload.clone()} />
            <super::history::LeadHistory id={r.id} version={r.version} />
            <super::delete::DeleteLead id={r.id} name={r.display_name()} />
        </div>
    }
}
