//! The daily follow-up reminder: each lead rep gets one email listing the leads whose next follow-up is today.

use crate::clock::date;
use crate::directory::{all_companies, users};
use crate::items::from_item;
use crate::jobs::{enqueue, Job};
use crate::{AppError, Services};
use std::collections::BTreeMap;
use vigil_domain::record::Record;
use vigil_domain::RecordId;
use vigil_store::{keys, Index, Query};

/// Queues today's reminders for every company; returns how many emails were queued. Safe to run more than once a
/// day: each reminder's idempotency key names the company, day and rep.
pub async fn queue_reminders(svc: &Services) -> Result<usize, AppError> {
    let today = date(svc.clock.now());
    let mut queued = 0;
    for company in all_companies(svc).await? {
        let co = &company.id;
        let (pk, _) = keys::followups_gsi4(co, &today, RecordId(1));
        let mut by_rep: BTreeMap<String, Vec<Record>> = BTreeMap::new();
        for item in svc.table.query_all(&Query::new(Index::Gsi4, pk)).await? {
            let r: Record = from_item(item)?;
            if let Some(rep) = &r.lead_rep_id {
                by_rep.entry(rep.to_string()).or_default().push(r);
            }
        }
        if by_rep.is_empty() {
            continue;
        }
        let people = users(svc, co).await?;
        for (rep, leads) in by_rep {
            let Some(user) = people.iter().find(|u| u.id.as_str() == rep && u.active) else { continue };
            let lines: Vec<String> =
                leads.iter().map(|l| format!("#{} {} ({}, {})", l.id, l.display_name(), l.city, l.state)).collect();
            let job = Job::SendEmail {
                company: co.clone(),
                to: user.email.clone(),
                subject: format!("{} follow-up{} due today", leads.len(), if leads.len() == 1 { "" } else { "s" }),
                body: format!(
                    "Hello {},\n\nThese leads are due for a follow-up today ({today}):\n{}\n",
                    user.name,
                    lines.join("\n")
                ),
            };
            match enqueue(svc, format!("followup:{co}:{today}:{rep}"), job).await {
                Ok(_) => queued += 1,
                // One rep's bad address must not stop everyone else's reminder.
                Err(AppError::Invalid(_)) => {
                    tracing::warn!(company = %co, rep, "follow-up reminder skipped: the rep's address cannot be delivered")
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(queued)
}
