//! Selling the customer to a buying partner (the quick actions' Sell Customer): choose an active partner that buys
//! customers and, optionally, one of its outbound campaigns; the sale is accepted at once and delivered in the
//! background (the partner's page lists its deliveries).

use crate::api::ApiError;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::ops;
use vigil_api::partners::{CampaignDirection, CampaignView, PartnerView};
use vigil_api::selling::SellCustomer;
use vigil_domain::{CampaignId, PartnerId, RecordId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct SellProps {
    pub id: RecordId,
    pub name: String,
    pub on_close: Callback<()>,
}

/// The partners a customer may be sold to: active, buying customers, with a delivery method.
fn buyers(all: Vec<PartnerView>) -> Vec<PartnerView> {
    all.into_iter()
        .filter(|p| p.settings.active && p.settings.buys_customers && p.settings.customer_delivery_method.is_some())
        .collect()
}

#[component]
pub(super) fn SellDialog(props: &SellProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let partners = use_state(|| None::<Result<Vec<PartnerView>, ApiError>>);
    let partner = use_state(|| None::<PartnerId>);
    let campaigns = use_state(Vec::<CampaignView>::new);
    let campaign = use_state(|| None::<CampaignId>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    {
        let (partners, client) = (partners.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move { partners.set(Some(client.partner_views().await.map(buyers))) });
            }
        });
    }
    {
        // The chosen partner's outbound campaigns (an inbound one brings records in; it is not for selling).
        let (campaigns, campaign, client) = (campaigns.clone(), campaign.clone(), session.client());
        use_effect_with(*partner, move |p| {
            campaign.set(None);
            campaigns.set(vec![]);
            if let (Some(client), Some(p)) = (client, *p) {
                crate::spawn(async move {
                    if let Ok(all) = client.campaigns(p.0).await {
                        campaigns.set(all.into_iter().filter(|c| c.direction == CampaignDirection::Outbound).collect());
                    }
                });
            }
        });
    }
    let pick_partner = {
        let partner = partner.clone();
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            partner.set(PartnerId::parse(&v).ok());
        })
    };
    let pick_campaign = {
        let campaign = campaign.clone();
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            campaign.set(CampaignId::parse(&v).ok());
        })
    };
    let sell = {
        let (client, id, partner, campaign, error, busy, toasts, on_close, partners) = (
            session.client(),
            props.id,
            partner.clone(),
            campaign.clone(),
            error.clone(),
            busy.clone(),
            toasts.clone(),
            props.on_close.clone(),
            partners.clone(),
        );
        crate::h::cb(move |_| {
            let (Some(client), Some(partner_id)) = (client.clone(), *partner) else { return };
            let body = SellCustomer { partner_id, campaign_id: *campaign };
            let name = match &*partners {
                Some(Ok(list)) => list.iter().find(|p| p.id == partner_id).map(|p| p.settings.name.clone()),
                _ => None,
            }
            .unwrap_or_default();
            let (error, busy, toasts, on_close) = (error.clone(), busy.clone(), toasts.clone(), on_close.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.call::<ops::SellCustomer>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(sale) => {
                        toasts.info(&format!("Sold to {name}: sale #{} is being delivered", sale.sale_id));
                        on_close.emit(());
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    let field_error = |f: &str| {
        error.as_ref().and_then(|e| e.field_message(f)).map(|m| {
            html! { <p class="field-error" role="alert" data-testid={format!("sell-error-{f}")}>{ m }</p> }
        })
    };
    let body = match &*partners {
        None => html! { <p class="loading">{ "Loading the buying partners…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert" data-testid="sell-error">{ e.message() }</p> },
        Some(Ok(list)) if list.is_empty() => html! {
            <p class="muted" data-testid="sell-no-buyers">{ "No active partner company buys customers. Set one up in Admin › Partner Companies." }</p>
        },
        Some(Ok(list)) => html! {
            <>
                <label class="field">
                    <span class="label required">{ "Buying partner" }</span>
                    <select data-testid="sell-partner" onchange={pick_partner}>
                        <option value="" selected={partner.is_none()}>{ "Choose a partner…" }</option>
                        { for list.iter().map(|p| html! {
                            <option value={p.id.to_string()} selected={*partner == Some(p.id)}>{ p.settings.name.clone() }</option>
                        }) }
                    </select>
                    { for field_error("partner_id") }
                </label>
                <label class="field">
                    <span class="label">{ "Outbound campaign (optional)" }</span>
                    <select data-testid="sell-campaign" onchange={pick_campaign} disabled={partner.is_none()}>
                        <option value="" selected={campaign.is_none()}>{ "None" }</option>
                        { for campaigns.iter().map(|c| html! {
                            <option value={c.id.to_string()} selected={*campaign == Some(c.id)}>{ c.name.clone() }</option>
                        }) }
                    </select>
                    { for field_error("campaign_id") }
                </label>
            </>
        },
    };
    let other_error =
        error.as_ref().filter(|e| e.field_message("partner_id").is_none() && e.field_message("campaign_id").is_none());
    html! {
        <Modal title="Sell customer" testid="sell-dialog" on_close={props.on_close.clone()}>
            <p>{ format!("Sell #{} {} to a partner company that buys customers.", props.id, props.name) }</p>
            { body }
            { for other_error.map(|e| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ e.message() }</p> }) }
            <div class="actions">
                <button type="button" class="button" data-testid="sell-confirm" disabled={partner.is_none() || *busy} onclick={sell}>{ "Sell" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.adapt(|_| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}
