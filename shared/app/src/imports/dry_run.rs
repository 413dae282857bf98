//! The dry run (every row validated, nothing created) and the errors CSV.

use super::chunk::{error_items, row_errors};
use super::rows::{check_options, existing_duplicates, Prepared, Rows};
use super::start::read_header;
use super::{csvfile, load, CHUNK_ROWS, MAX_STORED_ERRORS, WINDOW_BYTES};
use crate::clock::{date, rfc3339};
use crate::leads::dup_hash;
use crate::{leads, Actor, AppError, Services};
use serde_json::Value;
use std::collections::HashSet;
use vigil_api::imports::{DryRunReport, ImportOptions, ImportState, RowDuplicate, RowError};
use vigil_domain::FieldError;
use vigil_store::{keys, Index, Item, Key, Query, SortCond};

/// How many errors and duplicates the answer lists (the CSV has every stored one).
const LISTED: usize = 100;

/// `POST /api/v1/imports/{id}/dry-run`.
pub async fn dry_run(svc: &Services, actor: &Actor, id: u32, options: ImportOptions) -> Result<DryRunReport, AppError> {
    let mut import = load(svc, actor, id).await?;
    read_header(svc, actor.company(), &mut import).await?;
    check_options(svc, actor, &import.columns, &options).await?;
    let co = actor.company();
    let object = keys::import_object(co, u64::from(id));
    let size = svc.objects.size(&object).await?.unwrap_or(0);
    let mut rows = Rows::new(svc, actor, &import.columns, &options, rfc3339(svc.clock.now())).await?;
    let today = date(svc.clock.now());
    let (mut errors, mut dups) = (Vec::<RowError>::new(), Vec::<RowDuplicate>::new());
    let (mut total, mut valid, mut errors_total) = (0u64, 0u64, 0u64);
    let mut hashes = HashSet::new();
    let mut at = import.data_start;
    while at < size {
        let len = WINDOW_BYTES.min(size - at);
        let bytes = svc.objects.read_range(&object, at, len).await?;
        let w = csvfile::rows(&bytes, at, CHUNK_ROWS, at + len >= size)
            .map_err(|m| AppError::from(vigil_domain::Invalid::from(FieldError::new("file", "invalid", m))))?;
        let mut unchecked: Vec<(u64, String)> = Vec::new();
        for row in &w.rows {
            total += 1;
            let problems = match rows.prepare(svc, row).await? {
                Prepared::Invalid(e) => e,
                Prepared::Update { id: lead, fields } => match leads::load(svc, actor, lead).await {
                    Ok(current) => vigil_domain::lead::edit_lead(&current, &fields, &today)
                        .err()
                        .map(|i| i.errors)
                        .unwrap_or_default(),
                    Err(AppError::NotFound(_) | AppError::Forbidden(_)) => {
                        vec![FieldError::new("id", "forbidden", "you may not change the matching lead")]
                    }
                    Err(e) => return Err(e),
                },
                Prepared::Create(r) => {
                    let hash = dup_hash(&r);
                    if !hashes.insert(hash.clone()) {
                        dups.push(RowDuplicate { row: total, lead_id: None });
                    } else {
                        unchecked.push((total, hash));
                    }
                    vec![]
                }
            };
            if problems.is_empty() {
                valid += 1;
            } else {
                errors_total += problems.len() as u64;
                if (errors.len() as u64) < MAX_STORED_ERRORS {
                    errors.extend(row_errors(total, problems));
                }
            }
        }
        let (numbers, hashes_asked): (Vec<u64>, Vec<String>) = unchecked.into_iter().unzip();
        let found = existing_duplicates(svc, co, hashes_asked, 0..0).await?;
        for (row, existing) in numbers.into_iter().zip(found) {
            if let Some(existing) = existing {
                dups.push(RowDuplicate { row, lead_id: Some(existing) });
            }
        }
        if w.at_eof || w.end <= at {
            break;
        }
        at = w.end;
    }
    dups.sort_by_key(|d| d.row);
    // The last dry run's errors replace the previous one's.
    let old = page_all(svc, co, id, "ERR#").await?;
    svc.table.batch_delete(&old.iter().filter_map(Key::of).collect::<Vec<_>>()).await?;
    svc.table.batch_put(&error_items(co, id, "ERR#", 0, &errors)).await?;
    let dups_total = dups.len() as u64;
    errors.truncate(LISTED);
    dups.truncate(LISTED);
    Ok(DryRunReport {
        rows_total: total,
        valid_rows: valid,
        errors,
        errors_total,
        duplicates: dups,
        duplicates_total: dups_total,
        errors_csv_path: format!("/api/v1/imports/{id}/errors.csv"),
    })
}

/// Every stored row report under `prefix`, a page at a time (at most [`MAX_STORED_ERRORS`]).
async fn page_all(svc: &Services, co: &vigil_domain::CompanyId, id: u32, prefix: &str) -> Result<Vec<Item>, AppError> {
    let mut q = Query::new(Index::Base, keys::import_pk(co, u64::from(id)))
        .sort(SortCond::BeginsWith(prefix.into()))
        .limit(1000);
    let mut out = Vec::new();
    loop {
        let page = svc.table.query(&q).await?;
        out.extend(page.items);
        match page.last_key {
            Some(k) if (out.len() as u64) < MAX_STORED_ERRORS => q.start = Some(k),
            _ => return Ok(out),
        }
    }
}

/// `GET /api/v1/imports/{id}/errors.csv`: `row,field,message`, the run's errors once it ran, else the last dry
/// run's. Messages name the problem, never the value.
pub async fn errors_csv(svc: &Services, actor: &Actor, id: u32) -> Result<String, AppError> {
    let import = load(svc, actor, id).await?;
    let prefix = if import.status == ImportState::New { "ERR#" } else { "RUNERR#" };
    let items = page_all(svc, actor.company(), id, prefix).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(format!("errors CSV: {e}"));
    w.write_record(["row", "field", "message"]).map_err(fail)?;
    for item in items {
        let row = item.get("row").and_then(Value::as_u64).unwrap_or(0).to_string();
        let field = item.get("field").and_then(Value::as_str).unwrap_or("");
        let message = item.get("message").and_then(Value::as_str).unwrap_or("");
        w.write_record([row.as_str(), field, message]).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::Internal(format!("errors CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal("errors CSV is not UTF-8".into()))
}
