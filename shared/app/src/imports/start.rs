//! Creating an import with its upload URL, the upload token the local runtime's upload route spends, reading the
//! file's header, and starting the run.

use super::rows::check_options;
use super::{csvfile, import_item, load, Import, UPLOAD_URL_SECS, WINDOW_BYTES};
use crate::clock::rfc3339;
use crate::jobs::{self, Job};
use crate::{Actor, AppError, Services};
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vigil_api::imports::{ImportAnalysis, ImportCreated, ImportOptions, ImportState, ImportStatus, NewImport};
use vigil_domain::identity::Target;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::objects::MAX_UPLOAD_BYTES;
use vigil_store::{keys, Condition, StoreError, TxOp, Update};

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /api/v1/imports`.
pub async fn create(svc: &Services, actor: &Actor, body: NewImport) -> Result<ImportCreated, AppError> {
    actor.require(
        Resource::Leads,
        Action::Create,
        Target { location: Some(actor.user.home_location), owner: Some(actor.id()), source: None },
    )?;
    let filename = body.filename.trim().to_owned();
    if filename.is_empty() || filename.chars().count() > 200 {
        return Err(Invalid::from(FieldError::new("filename", "invalid", "must be 1 to 200 characters")).into());
    }
    let co = actor.company();
    let id = svc.table.increment(&keys::import_sequence(co), 1).await?;
    let id = u32::try_from(id).map_err(|_| AppError::Internal("import sequence out of range".into()))?;
    let now = svc.clock.now();
    let import = Import {
        id,
        filename,
        status: ImportState::New,
        created_at: rfc3339(now),
        created_by: actor.id().clone(),
        columns: vec![],
        data_start: 0,
        options: None,
        rows_total: 0,
        rows_done: 0,
        created: 0,
        updated: 0,
        duplicates: 0,
        errors: 0,
        next_chunk: 0,
        next_offset: 0,
        revert_chunk: 0,
        reason: None,
        version: 1,
    };
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let mut grant = keys::upload_token(&token_hash(&token)).to_item();
    grant.insert("company".into(), json!(co));
    grant.insert("import_id".into(), json!(id));
    grant.insert("max_bytes".into(), json!(MAX_UPLOAD_BYTES));
    let expires = now.unix_timestamp() + UPLOAD_URL_SECS as i64;
    grant.insert(vigil_store::EXPIRES_AT.into(), json!(expires));
    svc.table
        .transact(vec![
            TxOp::Put { item: import_item(co, &import), cond: Some(Condition::NotExists) },
            TxOp::Put { item: grant, cond: Some(Condition::NotExists) },
        ])
        .await?;
    let object = keys::import_object(co, u64::from(id));
    let upload_url = svc.objects.upload_url(&object, &token, UPLOAD_URL_SECS).await?;
    tracing::info!(company = %co, import = id, "import created");
    Ok(ImportCreated { id, upload_url })
}

/// What an upload token allows: one file, to this object, at most this big.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    pub company: CompanyId,
    pub import_id: u32,
    pub object: String,
    pub max_bytes: u64,
}

/// Spends an upload token: the first call gets the grant, every later one (and an expired or unknown token) `None`.
pub async fn consume_upload_token(svc: &Services, token: &str) -> Result<Option<UploadGrant>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let key = keys::upload_token(&token_hash(token));
    let item = match svc.table.delete(&key, Some(Condition::Exists)).await {
        Ok(Some(item)) => item,
        Ok(None) | Err(StoreError::ConditionFailed { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let expires = item.get(vigil_store::EXPIRES_AT).and_then(Value::as_i64).unwrap_or(0);
    if expires < svc.clock.now().unix_timestamp() {
        return Ok(None);
    }
    let company = item.get("company").and_then(Value::as_str).and_then(|c| CompanyId::parse(c).ok());
    let import_id = item.get("import_id").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let (Some(company), Some(import_id)) = (company, import_id) else { return Ok(None) };
    let max_bytes = item.get("max_bytes").and_then(Value::as_u64).unwrap_or(MAX_UPLOAD_BYTES);
    let object = keys::import_object(&company, u64::from(import_id));
    Ok(Some(UploadGrant { company, import_id, object, max_bytes }))
}

/// `GET /api/v1/imports/{id}`.
pub async fn get(svc: &Services, actor: &Actor, id: u32) -> Result<ImportStatus, AppError> {
    Ok(load(svc, actor, id).await?.status())
}

fn not_uploaded() -> AppError {
    AppError::Conflict { message: "the file has not been uploaded yet".into(), current: None }
}

/// Reads the header (once) and stores the columns on the import.
pub(crate) async fn read_header(svc: &Services, co: &CompanyId, import: &mut Import) -> Result<Vec<u8>, AppError> {
    let object = keys::import_object(co, u64::from(import.id));
    let size = svc.objects.size(&object).await?.ok_or_else(not_uploaded)?;
    let head = svc.objects.read_range(&object, 0, WINDOW_BYTES.min(size)).await?;
    if import.columns.is_empty() {
        let (columns, start) =
            csvfile::header(&head).map_err(|m| AppError::from(Invalid::from(FieldError::new("file", "invalid", m))))?;
        let update = Update::default()
            .set("columns", json!(columns))
            .set("data_start", json!(start))
            .set("next_offset", json!(start))
            .add("version", 1);
        svc.table
            .update(&keys::import(co, u64::from(import.id)), update, Some(Condition::VersionIs(import.version)))
            .await
            .map_err(|e| match e {
                StoreError::ConditionFailed { .. } => {
                    AppError::Conflict { message: "the import changed meanwhile; try again".into(), current: None }
                }
                e => e.into(),
            })?;
        import.columns = columns;
        import.data_start = start;
        import.next_offset = start;
        import.version += 1;
    }
    Ok(head)
}

/// `POST /api/v1/imports/{id}/analyze`.
pub async fn analyze(svc: &Services, actor: &Actor, id: u32) -> Result<ImportAnalysis, AppError> {
    let mut import = load(svc, actor, id).await?;
    let head = read_header(svc, actor.company(), &mut import).await?;
    let start = usize::try_from(import.data_start).unwrap_or(usize::MAX);
    let rest = head.get(start..).unwrap_or_default();
    let sample = csvfile::rows(rest, import.data_start, 5, true).map(|w| w.rows).unwrap_or_default();
    Ok(ImportAnalysis {
        suggested_mapping: csvfile::suggested_mapping(&import.columns),
        columns: import.columns,
        sample,
        fields: csvfile::mappable_fields(),
    })
}

/// `POST /api/v1/imports/{id}/run`: queues the first chunk; the import is `queued` until it starts.
pub async fn run(svc: &Services, actor: &Actor, id: u32, options: ImportOptions) -> Result<ImportStatus, AppError> {
    let mut import = load(svc, actor, id).await?;
    if import.status != ImportState::New {
        return Err(AppError::Conflict {
            message: format!("the import is {} already", import.status.as_str()),
            current: None,
        });
    }
    read_header(svc, actor.company(), &mut import).await?;
    check_options(svc, actor, &import.columns, &options).await?;
    let co = actor.company();
    let job = Job::ImportChunk { company: co.clone(), import_id: id, chunk: 0 };
    let update = Update::default()
        .set("status", json!(ImportState::Queued))
        .set("options", serde_json::to_value(&options).map_err(|e| AppError::Internal(e.to_string()))?)
        .set("next_chunk", json!(0))
        .add("version", 1);
    let ops = vec![
        TxOp::Update { key: keys::import(co, u64::from(id)), update, cond: Some(Condition::VersionIs(import.version)) },
        jobs::pending(co, format!("import:{co}:{id}:0"), job)?,
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: "the import changed meanwhile; try again".into(), current: None })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, import = id, "import queued");
    import.status = ImportState::Queued;
    import.options = Some(options);
    Ok(import.status())
}
