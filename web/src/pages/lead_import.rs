//! Leads › Import: a bought list as a CSV. Choose the file (the browser PUTs it straight to the upload URL, never
//! through the API), map its columns (the header's suggestion prefilled), set the batch's defaults, dry run (the
//! errors by row and field, and the errors CSV), run with a live progress bar, cancel, revert.

use crate::api::{ApiError, Client, Partner};
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use vigil_api::common::{FieldPath, NoQuery};
use vigil_api::imports::{
    DryRunReport, ImportAnalysis, ImportDefaults, ImportMode, ImportOptions, ImportState, ImportStatus, MatchKey,
    NewImport,
};
use vigil_api::ops;
use vigil_domain::sorted::SortedMap;
use vigil_domain::PartnerId;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Default)]
struct Choices {
    mapping: SortedMap<String, String>,
    mode: ImportMode,
    match_key: Option<MatchKey>,
    source_id: Option<u32>,
    location: String,
}

impl Choices {
    fn options(&self) -> ImportOptions {
        let mut mapping = SortedMap::new();
        for (column, field) in self.mapping.iter().filter(|(_, f)| !f.is_empty()) {
            mapping.insert(column.clone(), field.clone());
        }
        ImportOptions {
            mapping,
            mode: self.mode,
            match_key: self.match_key,
            defaults: ImportDefaults {
                source_id: self.source_id.map(PartnerId),
                location: (!self.location.is_empty()).then(|| self.location.clone()),
                ..ImportDefaults::default()
            },
        }
    }
}

fn input_value(e: &Event) -> String {
    e.target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .ok()
                .or_else(|| t.dyn_into::<web_sys::HtmlInputElement>().ok().map(|i| i.value()))
        })
        .unwrap_or_default()
}

/// Creates the import and PUTs the chosen file to its upload URL.
async fn upload(client: &Client, file: web_sys::File) -> Result<(u32, ImportAnalysis), ApiError> {
    let created = client.call::<ops::CreateImport>(&(), &NoQuery {}, &NewImport { filename: file.name() }).await?;
    let failed = |detail: String| ApiError {
        status: 0,
        title: "The file could not be uploaded".into(),
        detail: Some(detail),
        errors: vec![],
        current: None,
    };
    let req = gloo_net::http::Request::put(&created.upload_url)
        .body(wasm_bindgen::JsValue::from(file))
        .map_err(|e| failed(crate::api::fetch_problem(e)))?;
    let resp = req.send().await.map_err(|e| failed(crate::api::fetch_problem(e)))?;
    if !resp.ok() {
        return Err(failed(format!("the upload was refused ({})", resp.status())));
    }
    let path = FieldPath { id: created.id };
    let analysis = client.call::<ops::AnalyzeImport>(&path, &NoQuery {}, &()).await?;
    Ok((created.id, analysis))
}

fn progress_bar(s: &ImportStatus) -> Html {
    let pct = (s.rows_done.min(s.rows_total) * 100).checked_div(s.rows_total).unwrap_or(0);
    html! {
        <div class="import-progress" data-testid="import-progress">
            <progress max="100" value={pct.to_string()} data-testid="import-progress-bar"></progress>
            <p>
                <span data-testid="import-status">{ s.status.as_str() }</span>
                { format!(" — {} of {} rows; {} created, {} updated, {} duplicates, {} errors",
                    s.rows_done, s.rows_total, s.created, s.updated, s.duplicates, s.errors) }
            </p>
        </div>
    }
}

#[component]
pub fn LeadImportPage() -> Html {
    let session = use_session();
    let report = use_report_error();
    let import = use_state(|| None::<(u32, ImportAnalysis)>);
    let choices = use_state(Choices::default);
    let dry = use_state(|| None::<DryRunReport>);
    let status = use_state(|| None::<ImportStatus>);
    let sources = use_state(Vec::<Partner>::new);
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    {
        let (sources, client) = (sources.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(list) = client.partners().await {
                        sources.set(list);
                    }
                });
            }
        });
    }
    // Live progress: while the import moves, read it again shortly after each answer (the tick makes an answer equal
    // to the last one schedule the next read too).
    let tick = use_state(|| 0u32);
    {
        let (status, client, tick) = (status.clone(), session.client(), tick.clone());
        // The import that moves, by ID: what it says changes with every answer, and so does the tick.
        let moving = (*status).as_ref().filter(|s| !s.status.finished() && s.status != ImportState::New).map(|s| s.id);
        use_effect_with((moving, *tick), move |&(moving, n)| {
            let next = n.wrapping_add(1);
            if let (Some(id), Some(client)) = (moving, client) {
                crate::spawn(async move {
                    gloo_timers::future::TimeoutFuture::new(700).await;
                    if let Ok(now) = client.call::<ops::GetImport>(&FieldPath { id }, &NoQuery {}, &()).await {
                        status.set(Some(now));
                    }
                    tick.set(next);
                });
            }
        });
    }

    let on_file = {
        let (client, import, choices, dry, status, busy, problem, report) = (
            session.client(),
            import.clone(),
            choices.clone(),
            dry.clone(),
            status.clone(),
            busy.clone(),
            problem.clone(),
            report.clone(),
        );
        crate::h::cb(move |e: Event| {
            let Some(client) = client.clone() else { return };
            let input: Option<web_sys::HtmlInputElement> = e.target().and_then(|t| t.dyn_into().ok());
            let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
            let (import, choices, dry, status, busy, problem, report) = (
                import.clone(),
                choices.clone(),
                dry.clone(),
                status.clone(),
                busy.clone(),
                problem.clone(),
                report.clone(),
            );
            busy.set(true);
            crate::spawn(async move {
                match upload(&client, file).await {
                    Ok((id, analysis)) => {
                        let mut c = (*choices).clone();
                        c.mapping = analysis.suggested_mapping.clone();
                        choices.set(c);
                        dry.set(None);
                        status.set(None);
                        problem.set(None);
                        import.set(Some((id, analysis)));
                    }
                    Err(e) if e.status == 0 || e.status == 409 || e.status == 422 => problem.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };

    let send = |kind: &'static str| {
        let (client, import, choices, dry, status, busy, problem, report) = (
            session.client(),
            import.clone(),
            choices.clone(),
            dry.clone(),
            status.clone(),
            busy.clone(),
            problem.clone(),
            report.clone(),
        );
        crate::h::cb(move |_: MouseEvent| {
            let (Some(client), Some((id, _))) = (client.clone(), (*import).clone()) else { return };
            let options = choices.options();
            let (dry, status, busy, problem, report) =
                (dry.clone(), status.clone(), busy.clone(), problem.clone(), report.clone());
            busy.set(true);
            crate::spawn(async move {
                let path = FieldPath { id };
                let outcome = match kind {
                    "dry" => {
                        client.call::<ops::DryRunImport>(&path, &NoQuery {}, &options).await.map(|r| dry.set(Some(r)))
                    }
                    "run" => {
                        client.call::<ops::RunImport>(&path, &NoQuery {}, &options).await.map(|s| status.set(Some(s)))
                    }
                    "cancel" => {
                        client.call::<ops::CancelImport>(&path, &NoQuery {}, &()).await.map(|s| status.set(Some(s)))
                    }
                    _ => client.call::<ops::RevertImport>(&path, &NoQuery {}, &()).await.map(|s| status.set(Some(s))),
                };
                match outcome {
                    Ok(()) => problem.set(None),
                    Err(e) if e.status == 409 || e.status == 422 => {
                        let fields: Vec<String> =
                            e.errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                        problem.set(Some(if fields.is_empty() { e.message() } else { fields.join("; ") }));
                    }
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };

    let set_choice = |apply: fn(&mut Choices, String)| {
        let choices = choices.clone();
        crate::h::cb(move |e: Event| {
            let mut c = (*choices).clone();
            apply(&mut c, input_value(&e));
            choices.set(c);
        })
    };

    let mapping_table = match &*import {
        None => html! {},
        Some((_, analysis)) => {
            let rows = analysis.columns.iter().enumerate().map(|(i, col)| {
                let current = choices.mapping.get(col).cloned().unwrap_or_default();
                let onchange = {
                    let (choices, col) = (choices.clone(), col.clone());
                    crate::h::cb(move |e: Event| {
                        let mut c = (*choices).clone();
                        c.mapping.insert(col.clone(), input_value(&e));
                        choices.set(c);
                    })
                };
                let sample = analysis.sample.first().and_then(|r| r.get(i)).cloned().unwrap_or_default();
                html! {
                    <tr>
                        <td>{ col.clone() }</td>
                        <td class="muted">{ sample }</td>
                        <td>
                            <select data-testid={format!("map-{i}")} aria-label={format!("Field for column {col}")} {onchange}>
                                <option value="" selected={current.is_empty()}>{ "(skip)" }</option>
                                { for analysis.fields.iter().map(|f| html! {
                                    <option value={f.clone()} selected={*f == current}>{ f.clone() }</option>
                                }) }
                            </select>
                        </td>
                    </tr>
                }
            });
            html! {
                <section class="card" data-testid="import-mapping">
                    <h2>{ "2. Map columns" }</h2>
                    <table class="table">
                        <thead><tr><th>{ "Column" }</th><th>{ "First row" }</th><th>{ "Lead field" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                    <h2>{ "3. Defaults" }</h2>
                    <label>{ "Source " }
                        <select data-testid="import-source" onchange={set_choice(|c, v| c.source_id = v.parse().ok())}>
                            <option value="" selected={choices.source_id.is_none()}>{ "(from the file)" }</option>
                            { for sources.iter().map(|p| html! {
                                <option value={p.id.0.to_string()} selected={choices.source_id == Some(p.id.0)}>{ p.name.clone() }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ " Location " }
                        <select data-testid="import-location" onchange={set_choice(|c, v| c.location = v)}>
                            <option value="">{ "(none)" }</option>
                            <option value="pending">{ "Pending" }</option>
                            <option value="queue">{ "Queue" }</option>
                        </select>
                    </label>
                    <label>{ " Mode " }
                        <select data-testid="import-mode" onchange={set_choice(|c, v| {
                            c.mode = if v == "create_or_update" { ImportMode::CreateOrUpdate } else { ImportMode::Create };
                            if c.mode == ImportMode::Create { c.match_key = None } else if c.match_key.is_none() { c.match_key = Some(MatchKey::Email) }
                        })}>
                            <option value="create">{ "Create new leads" }</option>
                            <option value="create_or_update">{ "Create, or update a matching lead" }</option>
                        </select>
                    </label>
                    if choices.mode == ImportMode::CreateOrUpdate {
                        <label>{ " Match by " }
                            <select data-testid="import-match" onchange={set_choice(|c, v| c.match_key = match v.as_str() {
                                "id" => Some(MatchKey::Id), "phone" => Some(MatchKey::Phone), _ => Some(MatchKey::Email) })}>
                                <option value="email">{ "Email" }</option>
                                <option value="phone">{ "Phone" }</option>
                                <option value="id">{ "Lead ID" }</option>
                            </select>
                        </label>
                    }
                </section>
            }
        }
    };

    let dry_view = match (&*dry, &*import) {
        (Some(r), Some((id, _))) => html! {
            <section class="card" data-testid="import-dry-run">
                <h2>{ "4. Dry run" }</h2>
                <p data-testid="import-valid">{ format!("{} of {} rows are valid; {} errors, {} duplicates.",
                    r.valid_rows, r.rows_total, r.errors_total, r.duplicates_total) }</p>
                if !r.errors.is_empty() {
                    <table class="table" data-testid="import-errors">
                        <thead><tr><th>{ "Row" }</th><th>{ "Field" }</th><th>{ "Problem" }</th></tr></thead>
                        <tbody>
                            { for r.errors.iter().map(|e| html! {
                                <tr data-testid="import-error-row"><td>{ e.row }</td><td>{ e.field.clone() }</td><td>{ e.message.clone() }</td></tr>
                            }) }
                        </tbody>
                    </table>
                    <p><a href={format!("/api/v1/imports/{id}/errors.csv")} data-testid="import-errors-csv"
                        onclick={download_errors(session.client(), *id)}>{ "Download the errors (CSV)" }</a></p>
                }
            </section>
        },
        _ => html! {},
    };

    let running = (*status).as_ref().map(|s| s.status);
    let may_run = import.is_some() && running.is_none() && !*busy;
    html! {
        <main class="page lead-import" data-testid="lead-import">
            <h1>{ "Import leads" }</h1>
            <section class="card">
                <h2>{ "1. Choose a CSV file" }</h2>
                <input type="file" accept=".csv,text/csv" data-testid="import-file" onchange={on_file} disabled={*busy || running.is_some()} />
            </section>
            if let Some(p) = &*problem { <p class="error" role="alert" data-testid="import-problem">{ p.clone() }</p> }
            { mapping_table }
            { dry_view }
            if import.is_some() {
                <div class="actions">
                    <button data-testid="import-dry-run-button" onclick={send("dry")} disabled={!may_run}>{ "Dry run" }</button>
                    <button class="primary" data-testid="import-run-button" onclick={send("run")} disabled={!may_run}>{ "Run import" }</button>
                    if matches!(running, Some(ImportState::Queued | ImportState::Running)) {
                        <button data-testid="import-cancel-button" onclick={send("cancel")}>{ "Cancel" }</button>
                    }
                    if matches!(running, Some(ImportState::Done | ImportState::Cancelled | ImportState::Failed)) {
                        <button data-testid="import-revert-button" onclick={send("revert")}>{ "Revert" }</button>
                    }
                </div>
            }
            if let Some(s) = &*status { { progress_bar(s) } }
        </main>
    }
}

/// The errors CSV needs the session's token, which a plain link cannot carry: fetched, then saved from a blob URL.
fn download_errors(client: Option<Client>, id: u32) -> Callback<MouseEvent> {
    crate::h::cb(move |e: MouseEvent| {
        e.prevent_default();
        let Some(client) = client.clone() else { return };
        crate::spawn(async move {
            let Ok(csv) = client.import_errors_csv(id).await else { return };
            let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&csv));
            let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts) else { return };
            let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
            if let Some(a) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("a").ok())
                .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = a.set_attribute("href", &url);
                let _ = a.set_attribute("download", &format!("import-{id}-errors.csv"));
                a.click();
            }
            let _ = web_sys::Url::revoke_object_url(&url);
        });
    })
}
