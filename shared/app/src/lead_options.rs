//! What the New Lead form offers (`GET /api/v1/leads/form-options`) and the company lists behind it: lead statuses
//! (dispositions) and account classes, stored as company items.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::de::DeserializeOwned;
pub use vigil_api::leads::{AccountClass, Choice, Disposition, LeadFormOptions as FormOptions, StateOption};
use vigil_domain::lead::{AccountType, INDUSTRIES, LANGUAGES, STATES};
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Index, Item, Query, SortCond};

pub fn disposition_item(co: &CompanyId, d: &Disposition) -> Item {
    item_of(&keys::disposition(co, d.id), d, &[])
}

pub fn account_class_item(co: &CompanyId, c: &AccountClass) -> Item {
    item_of(&keys::account_class(co, c.id), c, &[])
}

async fn read_all<T: DeserializeOwned>(svc: &Services, co: &CompanyId, prefix: &str) -> Result<Vec<T>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(prefix.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

pub async fn dispositions(svc: &Services, co: &CompanyId) -> Result<Vec<Disposition>, AppError> {
    read_all(svc, co, keys::DISPOSITION_PREFIX).await
}

pub async fn account_classes(svc: &Services, co: &CompanyId) -> Result<Vec<AccountClass>, AppError> {
    read_all(svc, co, keys::ACCOUNT_CLASS_PREFIX).await
}

/// US states, DC, territories and Canadian provinces, as every address select offers them.
pub fn states() -> Vec<StateOption> {
    STATES
        .iter()
        .map(|(code, name, country)| StateOption { code: (*code).into(), name: (*name).into(), country: *country })
        .collect()
}

pub fn languages() -> Vec<Choice> {
    LANGUAGES.iter().map(|(value, label)| Choice { value: (*value).into(), label: (*label).into() }).collect()
}

/// Whoever may create a lead may read what the form offers.
pub async fn form_options(svc: &Services, actor: &Actor) -> Result<FormOptions, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Create)?;
    let co = actor.company();
    let sources = crate::partners::sources_of(svc, co, vigil_domain::record::Kind::Lead).await?;
    Ok(FormOptions {
        sources,
        dispositions: dispositions(svc, co).await?.into_iter().filter(|d| d.active).collect(),
        states: states(),
        account_types: AccountType::ALL
            .iter()
            .map(|t| Choice { value: t.as_str().into(), label: t.label().into() })
            .collect(),
        account_classes: account_classes(svc, co).await?.into_iter().filter(|c| c.active).collect(),
        languages: languages(),
        industries: INDUSTRIES.iter().map(|i| (*i).to_owned()).collect(),
    })
}
