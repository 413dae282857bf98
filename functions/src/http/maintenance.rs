//! Handlers of the maintenance runs: the index backfill.

use super::{reply, Reply};
use vigil_api::ops;
use vigil_app::{reindex, Actor, Services};

pub async fn get_reindex(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetReindex>(reindex::get(svc, actor).await?)
}

pub async fn start_reindex(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::StartReindex>(reindex::start(svc, actor).await?)
}
