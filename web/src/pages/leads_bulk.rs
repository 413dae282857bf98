//! The Leads list's bulk actions on the checked rows: Return (to the partners that sold them, with a reason and
//! call-center comments), Sell (to a buying partner, with an optional outbound campaign) and Reassign (new lead rep
//! and/or sales rep, a refusal reported per lead).

use crate::api::{ApiError, CampaignView, PartnerView, UserOption};
use crate::components::modal::Modal;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use vigil_api::common::NoQuery;
use vigil_api::imports::Reassign;
use vigil_api::lead_queue::ReturnLeads;
use vigil_api::ops;
use vigil_api::partners::CampaignDirection;
use vigil_api::selling::SellLeads;
use vigil_domain::{CampaignId, PartnerId, RecordId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BulkBarProps {
    pub selected: Vec<RecordId>,
    /// After an action: the list reloads and the selection clears.
    pub on_done: Callback<()>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialog {
    Return,
    Sell,
    Reassign,
}

#[component]
pub fn BulkBar(props: &BulkBarProps) -> Html {
    let dialog = use_state(|| None::<Dialog>);
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        crate::h::cb(move |_: MouseEvent| dialog.set(Some(d)))
    };
    let close = {
        let dialog = dialog.clone();
        crate::h::cb(move |()| dialog.set(None))
    };
    let done = {
        let (dialog, on_done) = (dialog.clone(), props.on_done.clone());
        crate::h::cb(move |()| {
            dialog.set(None);
            on_done.emit(());
        })
    };
    let n = props.selected.len();
    html! {
        <div class="bulk-bar" role="toolbar" aria-label="Selected leads" data-testid="bulk-bar">
            <span data-testid="bulk-count">{ format!("{n} selected") }</span>
            <button type="button" class="button secondary small" data-testid="bulk-return" onclick={open(Dialog::Return)}>{ "Return" }</button>
            <button type="button" class="button secondary small" data-testid="bulk-sell" onclick={open(Dialog::Sell)}>{ "Sell" }</button>
            <button type="button" class="button secondary small" data-testid="bulk-reassign" onclick={open(Dialog::Reassign)}>{ "Reassign" }</button>
            if *dialog == Some(Dialog::Reassign) {
                <ReassignDialog selected={props.selected.clone()} on_close={close.clone()} on_done={done.clone()} />
            }
            if *dialog == Some(Dialog::Return) {
                <ReturnDialog selected={props.selected.clone()} on_close={close.clone()} on_done={done.clone()} />
            }
            if *dialog == Some(Dialog::Sell) {
                <SellDialog selected={props.selected.clone()} on_close={close} on_done={done} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DialogProps {
    selected: Vec<RecordId>,
    on_close: Callback<()>,
    on_done: Callback<()>,
}

fn text_of(e: InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

#[component]
fn ReturnDialog(props: &DialogProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let reason = use_state(String::new);
    let comments = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let on_submit = {
        let (reason, comments, error, busy, client, toasts, report) =
            (reason.clone(), comments.clone(), error.clone(), busy.clone(), session.client(), toasts, report);
        let (ids, on_done) = (props.selected.clone(), props.on_done.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = ReturnLeads {
                lead_ids: ids.clone(),
                reason: (*reason).clone(),
                call_center_comments: (*comments).clone(),
            };
            busy.set(true);
            let (error, busy, toasts, report, on_done) =
                (error.clone(), busy.clone(), toasts.clone(), report.clone(), on_done.clone());
            crate::spawn(async move {
                match client.call::<ops::ReturnLeads>(&(), &NoQuery {}, &body).await {
                    Ok(r) => {
                        let mut msg = format!("Returned {} lead(s)", r.returned.len());
                        for n in &r.not_returned {
                            msg.push_str(&format!("; #{}: {}", n.lead_id, n.message));
                        }
                        toasts.info(&msg);
                        on_done.emit(());
                    }
                    Err(e) if e.status == 422 => error.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <Modal title="Return leads" testid="return-dialog" on_close={props.on_close.clone()}>
            <form class="admin-form" onsubmit={on_submit} novalidate=true>
                if let Some(m) = &*error { <p class="error-box" role="alert">{ m.clone() }</p> }
                <p class="muted">{ format!("{} lead(s) go back to the partners that sold them.", props.selected.len()) }</p>
                <label for="return-reason">{ "Reason" }</label>
                <input id="return-reason" class="input" required=true maxlength="500" data-testid="return-reason"
                    value={(*reason).clone()} oninput={{ let r = reason.clone(); crate::h::cb(move |e| r.set(text_of(e))) }} />
                <label for="return-comments">{ "Call-center comments" }</label>
                <textarea id="return-comments" class="input" maxlength="4000" data-testid="return-comments"
                    value={(*comments).clone()} oninput={{ let c = comments.clone(); crate::h::cb(move |e| c.set(text_of(e))) }} />
                <div class="form-actions">
                    <button type="submit" class="button" disabled={*busy} data-testid="return-submit">{ "Return" }</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
fn SellDialog(props: &DialogProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let partners = use_state(|| None::<Result<Vec<PartnerView>, ApiError>>);
    let partner = use_state(|| None::<u32>);
    let campaign = use_state(|| None::<u32>);
    let campaigns = use_state(Vec::<CampaignView>::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let (partners, client) = (partners.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move { partners.set(Some(client.partner_views().await)) });
            }
        });
    }
    let buyers: Vec<PartnerView> = match &*partners {
        Some(Ok(list)) => list.iter().filter(|p| p.settings.active && p.settings.buys_leads).cloned().collect(),
        _ => vec![],
    };
    let on_submit = {
        let (partner, campaign, error, busy, client, toasts, report) =
            (partner.clone(), campaign.clone(), error.clone(), busy.clone(), session.client(), toasts, report);
        let (ids, on_done) = (props.selected.clone(), props.on_done.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let Some(p) = *partner else {
                error.set(Some("Choose a buying partner".into()));
                return;
            };
            let body =
                SellLeads { lead_ids: ids.clone(), partner_id: PartnerId(p), campaign_id: (*campaign).map(CampaignId) };
            busy.set(true);
            let (error, busy, toasts, report, on_done) =
                (error.clone(), busy.clone(), toasts.clone(), report.clone(), on_done.clone());
            crate::spawn(async move {
                match client.call::<ops::SellLeads>(&(), &NoQuery {}, &body).await {
                    Ok(s) => {
                        toasts.info(&format!("Sale {} queued", s.sale_id));
                        on_done.emit(());
                    }
                    Err(e) if e.status == 422 => error.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let on_partner = {
        let (partner, campaign, campaigns, client) =
            (partner.clone(), campaign.clone(), campaigns.clone(), session.client());
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let chosen: Option<u32> = v.parse().ok();
            partner.set(chosen);
            campaign.set(None);
            campaigns.set(Vec::new());
            if let (Some(p), Some(client)) = (chosen, client.clone()) {
                let campaigns = campaigns.clone();
                crate::spawn(async move {
                    if let Ok(list) = client.campaigns(p).await {
                        campaigns.set(list);
                    }
                });
            }
        })
    };
    let on_campaign = {
        let campaign = campaign.clone();
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            campaign.set(v.parse().ok());
        })
    };
    html! {
        <Modal title="Sell leads" testid="sell-dialog" on_close={props.on_close.clone()}>
            <form class="admin-form" onsubmit={on_submit} novalidate=true>
                if let Some(m) = &*error { <p class="error-box" role="alert">{ m.clone() }</p> }
                <label for="sell-partner">{ "Buying partner" }</label>
                <select id="sell-partner" class="input" data-testid="sell-partner" onchange={on_partner}>
                    <option value="" selected={partner.is_none()}>{ "Choose…" }</option>
                    { for buyers.iter().map(|p| html! {
                        <option value={p.id.0.to_string()} selected={*partner == Some(p.id.0)}>{ p.settings.name.clone() }</option>
                    }) }
                </select>
                <label for="sell-campaign">{ "Outbound campaign (optional)" }</label>
                <select id="sell-campaign" class="input" data-testid="sell-campaign" onchange={on_campaign}>
                    <option value="" selected={campaign.is_none()}>{ "None" }</option>
                    { for campaigns.iter().filter(|c| c.direction == CampaignDirection::Outbound).map(|c| html! {
                        <option value={c.id.0.to_string()} selected={*campaign == Some(c.id.0)}>{ c.name.clone() }</option>
                    }) }
                </select>
                <div class="form-actions">
                    <button type="submit" class="button" disabled={*busy} data-testid="sell-submit">{ "Sell" }</button>
                </div>
            </form>
        </Modal>
    }
}

/// What a rep picker leaves alone: the reassignment's `null`.
const UNCHANGED: &str = "-";

#[component]
fn ReassignDialog(props: &DialogProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let options = use_state(|| None::<(Vec<UserOption>, Vec<UserOption>)>);
    let lead_rep = use_state(|| UNCHANGED.to_owned());
    let sales_rep = use_state(|| UNCHANGED.to_owned());
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let (options, client, report) = (options.clone(), session.client(), report.clone());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.customer_form_options().await {
                        Ok(o) => options.set(Some((o.lead_reps, o.sold_by))),
                        Err(e) => report.emit(e),
                    }
                });
            }
        });
    }
    let (lead_reps, sales_reps) = (*options).clone().unwrap_or_default();
    let on_submit = {
        let (lead_rep, sales_rep, error, busy, client, toasts, report) =
            (lead_rep.clone(), sales_rep.clone(), error.clone(), busy.clone(), session.client(), toasts, report);
        let (ids, on_done) = (props.selected.clone(), props.on_done.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let pick = |v: &str| (v != UNCHANGED).then(|| v.to_owned());
            let body = Reassign { lead_ids: ids.clone(), lead_rep_id: pick(&lead_rep), sales_rep_id: pick(&sales_rep) };
            if body.lead_rep_id.is_none() && body.sales_rep_id.is_none() {
                error.set(Some("Choose a lead rep or a sales rep".into()));
                return;
            }
            busy.set(true);
            let (error, busy, toasts, report, on_done) =
                (error.clone(), busy.clone(), toasts.clone(), report.clone(), on_done.clone());
            crate::spawn(async move {
                match client.call::<ops::ReassignLeads>(&(), &NoQuery {}, &body).await {
                    Ok(r) => {
                        let mut msg = format!("Reassigned {} lead(s)", r.reassigned);
                        for row in r.rows.iter().filter(|row| !row.ok) {
                            msg.push_str(&format!("; #{}: {}", row.lead_id, row.message.clone().unwrap_or_default()));
                        }
                        toasts.info(&msg);
                        on_done.emit(());
                    }
                    Err(e) if e.status == 422 => error.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let pick = |state: UseStateHandle<String>| {
        crate::h::cb(move |e: Event| state.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
    };
    html! {
        <Modal title="Reassign leads" testid="reassign-dialog" on_close={props.on_close.clone()}>
            <form class="admin-form" onsubmit={on_submit} novalidate=true>
                if let Some(m) = &*error { <p class="error-box" role="alert">{ m.clone() }</p> }
                <p class="muted">{ format!("{} lead(s) get the reps chosen here.", props.selected.len()) }</p>
                <label for="reassign-lead-rep">{ "Lead rep" }</label>
                <select id="reassign-lead-rep" class="input" data-testid="reassign-lead-rep" onchange={pick(lead_rep.clone())}>
                    <option value={UNCHANGED} selected={*lead_rep == UNCHANGED}>{ "(unchanged)" }</option>
                    <option value="" selected={lead_rep.is_empty()}>{ "(none)" }</option>
                    { for lead_reps.iter().map(|u| html! {
                        <option value={u.id.to_string()} selected={*lead_rep == u.id.as_str()}>{ u.name.clone() }</option>
                    }) }
                </select>
                <label for="reassign-sales-rep">{ "Sales rep" }</label>
                <select id="reassign-sales-rep" class="input" data-testid="reassign-sales-rep" onchange={pick(sales_rep.clone())}>
                    <option value={UNCHANGED} selected={*sales_rep == UNCHANGED}>{ "(unchanged)" }</option>
                    { for sales_reps.iter().map(|u| html! {
                        <option value={u.id.to_string()} selected={*sales_rep == u.id.as_str()}>{ u.name.clone() }</option>
                    }) }
                </select>
                <div class="form-actions">
                    <button type="submit" class="button" disabled={*busy} data-testid="reassign-submit">{ "Reassign" }</button>
                </div>
            </form>
        </Modal>
    }
}
