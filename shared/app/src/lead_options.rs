//! What the New Lead form offers (`GET /api/v1/leads/form-options`) and the company lists behind it: lead statuses
//! (dispositions) and account classes, stored as company items.

use crate::directory::{self, Partner};
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use vigil_domain::lead::{AccountType, Country, INDUSTRIES, LANGUAGES, STATES};
use vigil_domain::{AccountClassId, Action, CompanyId, DispositionId, Resource};
use vigil_store::{keys, Index, Item, Query, SortCond};

/// A company lead status (the manual's "Status"): Hot, Warm, Cold, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    pub id: DispositionId,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountClass {
    pub id: AccountClassId,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

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

#[derive(Debug, Clone, Serialize)]
pub struct StateOption {
    pub code: &'static str,
    pub name: &'static str,
    pub country: Country,
}

#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormOptions {
    /// Partner companies with their campaigns.
    pub sources: Vec<Partner>,
    /// Active lead statuses.
    pub dispositions: Vec<Disposition>,
    pub states: Vec<StateOption>,
    pub account_types: Vec<Choice>,
    /// Active account classes.
    pub account_classes: Vec<AccountClass>,
    pub languages: Vec<Choice>,
    pub industries: Vec<&'static str>,
}

/// US states, DC, territories and Canadian provinces, as every address select offers them.
pub fn states() -> Vec<StateOption> {
    STATES.iter().map(|(code, name, country)| StateOption { code, name, country: *country }).collect()
}

pub fn languages() -> Vec<Choice> {
    LANGUAGES.iter().map(|(value, label)| Choice { value, label }).collect()
}

/// Whoever may create a lead may read what the form offers.
pub async fn form_options(svc: &Services, actor: &Actor) -> Result<FormOptions, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Create)?;
    let co = actor.company();
    let sources = directory::partners_of(svc, co).await?;
    Ok(FormOptions {
        sources,
        dispositions: dispositions(svc, co).await?.into_iter().filter(|d| d.active).collect(),
        states: states(),
        account_types: AccountType::ALL.iter().map(|t| Choice { value: t.as_str(), label: t.label() }).collect(),
        account_classes: account_classes(svc, co).await?.into_iter().filter(|c| c.active).collect(),
        languages: languages(),
        industries: INDUSTRIES.to_vec(),
    })
}
