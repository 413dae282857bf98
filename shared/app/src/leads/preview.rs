//! The Leads list's preview panel.

use super::view::load;
use crate::items::from_item;
use crate::{tags, Actor, AppError, Services};
use serde_json::Value;
pub use vigil_api::leads::{Named, Preview};
use vigil_domain::{RecordId, User};
use vigil_store::{keys, Index, Query};

pub async fn preview(svc: &Services, actor: &Actor, id: RecordId) -> Result<Preview, AppError> {
    let r = load(svc, actor, id).await?;
    let co = actor.company();
    // The panel's contact details come from the masked record, so it shows what the lead read shows.
    let flat = crate::records::masked(svc, actor, &r)?;
    let text = |f: &str| flat.get(f).and_then(Value::as_str).map(str::to_owned);
    let tag_list = tags::named(svc, co, &r.tag_ids()).await?;
    let mut warnings = Vec::new();
    if r.lead.do_not_call {
        warnings.push("Do not call".to_owned());
    }
    if r.lead.email_opt_out {
        warnings.push("Opted out of email".to_owned());
    }
    if r.lead.hot {
        warnings.push("Hot lead".to_owned());
    }
    let lead_rep = match &r.lead_rep_id {
        Some(u) => svc
            .table
            .get(&keys::user(co, u))
            .await?
            .map(from_item::<User>)
            .transpose()?
            .map(|u| Named { id: u.id.to_string(), name: u.name }),
        None => None,
    };
    let source = match r.source_id {
        Some(p) => svc
            .table
            .get(&keys::partner(co, p))
            .await?
            .and_then(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .map(|name| Named { id: p, name }),
        None => None,
    };
    let campaign = match r.campaign_id {
        Some(c) => svc
            .table
            .get(&keys::campaign(co, c))
            .await?
            .and_then(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .map(|name| Named { id: c, name }),
        None => None,
    };
    let latest = svc
        .table
        .query(
            &Query::new(Index::Base, keys::record_pk(co, id))
                .sort(vigil_store::SortCond::BeginsWith("HIST#".into()))
                .backward()
                .limit(1),
        )
        .await?
        .items
        .into_iter()
        .next()
        .map(from_item)
        .transpose()?
        .and_then(|e| crate::records::mask_history(vec![e], r.kind, &actor.user.permissions).pop());
    Ok(Preview {
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        entered_at: r.created_at,
        city: r.city,
        state: r.state,
        stage: r.stage,
        tags: tag_list,
        warnings,
        primary_phone: text("primary_phone"),
        email: text("email"),
        lead_status: r.disposition,
        lead_rep,
        source,
        campaign,
        callback_date: r.next_followup,
        rating: r.rating,
        score: r.lead.score,
        latest_interaction: latest,
    })
}
