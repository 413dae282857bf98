//! The company's own reference data: the company, its office locations, users, partner companies and campaigns.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
pub use vigil_api::directory::{Campaign, Me, Nav, OfficeLocation, Partner};
use vigil_api::Function;
use vigil_domain::{Action, CompanyId, Resource, User};
use vigil_store::{keys, Index, Item, Query, SortCond};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    #[serde(default)]
    pub settings: CompanySettings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompanySettings {
    /// Parent/sub-customer links (billing families).
    #[serde(default)]
    pub parent_child_billing: bool,
    /// Search mode: the Leads and Customers lists stay empty until a filter is given.
    #[serde(default)]
    pub do_not_show_customer_list: bool,
    /// The customer's Lead Rep cannot be changed on the Home page.
    #[serde(default)]
    pub lock_lead_rep: bool,
}

impl Company {
    pub fn to_item(&self) -> Item {
        item_of(
            &keys::company(&self.id),
            self,
            &[("GSI1PK", keys::COMPANIES_GSI1PK.into()), ("GSI1SK", self.id.to_string())],
        )
    }
}

pub fn location_item(co: &CompanyId, loc: &OfficeLocation) -> Item {
    item_of(&keys::location(co, loc.id), loc, &[])
}

pub fn user_item(user: &User) -> Item {
    item_of(
        &keys::user(&user.company, &user.id),
        user,
        &[("GSI1PK", keys::user_email_gsi1pk(&user.email)), ("GSI1SK", user.company.to_string())],
    )
}

/// A partner company's item (campaigns are separate items).
pub fn partner_item(co: &CompanyId, p: &Partner) -> Item {
    let bare = Partner { campaigns: vec![], ..p.clone() };
    let mut item = item_of(&keys::partner(co, p.id), &bare, &[]);
    item.remove("campaigns");
    item
}

pub fn campaign_item(co: &CompanyId, c: &Campaign) -> Item {
    item_of(
        &keys::campaign(co, c.id),
        c,
        &[("GSI1PK", keys::partner_campaigns_gsi1pk(co, c.partner_id)), ("GSI1SK", format!("{:08}", c.id.0))],
    )
}

/// Every item of the company partition whose sort key starts with `prefix`, read to the end.
async fn read_prefix(svc: &Services, co: &CompanyId, prefix: &str) -> Result<Vec<Item>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(prefix.into()));
    Ok(svc.table.query_all(&q).await?)
}

pub async fn company(svc: &Services, co: &CompanyId) -> Result<Company, AppError> {
    let item = svc.table.get(&keys::company(co)).await?.ok_or(AppError::NotFound("company"))?;
    from_item(item)
}

/// Every company (platform view: the local sign-in page and scheduled jobs).
pub async fn all_companies(svc: &Services) -> Result<Vec<Company>, AppError> {
    svc.table.query_all(&Query::new(Index::Gsi1, keys::COMPANIES_GSI1PK)).await?.into_iter().map(from_item).collect()
}

pub async fn office_locations(svc: &Services, actor: &Actor) -> Result<Vec<OfficeLocation>, AppError> {
    // Every signed-in user needs the location names to read a record; no grant is required to list them.
    read_prefix(svc, actor.company(), keys::LOCATION_PREFIX).await?.into_iter().map(from_item).collect()
}

pub async fn users(svc: &Services, co: &CompanyId) -> Result<Vec<User>, AppError> {
    read_prefix(svc, co, keys::USER_PREFIX).await?.into_iter().map(from_item).collect()
}

/// Partner companies with every setting and their campaigns, in ID order (`crate::partners::list`).
pub async fn partners(svc: &Services, actor: &Actor) -> Result<Vec<vigil_api::partners::PartnerView>, AppError> {
    crate::partners::list(svc, actor).await
}

/// Partner companies with their campaigns, without a permission check: for forms that offer them as lead sources.
pub async fn partners_of(svc: &Services, co: &CompanyId) -> Result<Vec<Partner>, AppError> {
    let mut partners: Vec<Partner> =
        read_prefix(svc, co, keys::PARTNER_PREFIX).await?.into_iter().map(from_item).collect::<Result<_, _>>()?;
    let campaigns: Vec<Campaign> =
        read_prefix(svc, co, keys::CAMPAIGN_PREFIX).await?.into_iter().map(from_item).collect::<Result<_, _>>()?;
    for c in campaigns {
        if let Some(p) = partners.iter_mut().find(|p| p.id == c.partner_id) {
            p.campaigns.push(c);
        }
    }
    Ok(partners)
}

pub async fn me(svc: &Services, actor: &Actor) -> Result<Me, AppError> {
    let company = company(svc, actor.company()).await?;
    let u = &actor.user;
    let p = &u.permissions;
    Ok(Me {
        id: u.id.to_string(),
        email: u.email.clone(),
        name: u.name.clone(),
        company: company.id.to_string(),
        company_name: company.name,
        role: u.role,
        role_label: u.role.label().into(),
        home_location_id: u.home_location,
        partner_id: u.partner_id,
        permissions: p.clone(),
        // A section is offered when its list operation is admitted (a partner login: Customers only) and granted.
        nav: Nav {
            leads: actor.admit(Function::ListLeads).is_ok() && p.allows_somewhere(Resource::Leads, Action::View),
            customers: actor.admit(Function::ListCustomers).is_ok()
                && p.allows_somewhere(Resource::Customers, Action::View),
            admin: p.allows_somewhere(Resource::Users, Action::View)
                || p.allows_somewhere(Resource::CompanySettings, Action::View),
        },
    })
}
