//! The customer's Opportunities card: what a conversion opened (name, amount, stage, close date).

use crate::components::format;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::opportunities::Opportunity;
use vigil_api::ops;
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OpportunitiesCardProps {
    pub id: RecordId,
}

fn money(cents: u64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

#[component]
pub fn OpportunitiesCard(props: &OpportunitiesCardProps) -> Html {
    let session = use_session();
    let list = use_state(|| None::<Result<Vec<Opportunity>, String>>);
    {
        let (list, client) = (list.clone(), session.client());
        use_effect_with(props.id, move |id| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListOpportunities>(&RecordPath { id }, &NoQuery {}, &()).await;
                    list.set(Some(got.map(|l| l.items).map_err(|e| e.message())));
                });
            }
        });
    }
    let body = match &*list {
        None => html! { <p class="loading">{ "Loading opportunities…" }</p> },
        Some(Err(msg)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load the opportunities: {msg}") }</p> }
        }
        Some(Ok(items)) if items.is_empty() => {
            html! { <p class="muted" data-testid="opportunities-empty">{ "No opportunities." }</p> }
        }
        Some(Ok(items)) => html! {
            <div class="table-wrap">
                <table class="simple-table" data-testid="opportunities">
                    <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Amount" }</th><th scope="col">{ "Stage" }</th><th scope="col">{ "Close date" }</th></tr></thead>
                    <tbody>
                        { for items.iter().map(|o| html! {
                            <tr data-testid="opportunity" data-id={o.id.to_string()}>
                                <td data-testid="opportunity-name">{ o.name.clone() }</td>
                                <td class="num" data-testid="opportunity-amount">{ money(o.amount) }</td>
                                <td data-testid="opportunity-stage">{ format::key_label(&o.stage) }</td>
                                <td data-testid="opportunity-close">{ o.close_date.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card" aria-labelledby="card-opportunities" data-testid="card-opportunities">
            <h2 id="card-opportunities">{ "Opportunities" }</h2>
            { body }
        </section>
    }
}
