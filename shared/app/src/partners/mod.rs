//! Partner companies (admin): every setting of the manual, their campaigns, the message templates their emails are
//! rendered from, and which partners the lead and customer forms offer as sources.
//!
//! One file per job; this module re-exports the public ones, so callers name `partners::create`.

mod campaigns;
mod delete;
pub mod emails;
mod form;
mod history;
mod login;
mod read;
pub(crate) mod returns;
mod save;
mod secret;
mod sources;
mod stored;
mod templates;

pub use campaigns::{create_campaign, delete_campaign, list_campaigns, update_campaign};
pub use delete::delete;
pub use form::post_url_problem;
pub use history::history;
pub use login::{login_user, login_user_id, sync_login};
pub use read::{get, list};
pub use returns::returns;
pub use save::{create, update};
pub use secret::{open_post_key, seal_post_key, PostKeyKind};
pub use sources::sources_of;
pub use stored::{campaign_name_item, partner_name_item, StoredCampaign, StoredPartner};
pub(crate) use stored::{campaigns_of as campaigns, load_partner as load};
pub use templates::{
    create_template, delete_template, get_template, list_templates, preview_template, render, unknown_merge_fields,
    update_template,
};
pub use vigil_api::partners::{
    CampaignDirection, CampaignView, DeliveryMethod, LeadLocation, MessageTemplate, PartnerChange, PartnerKind,
    PartnerSettings, PartnerView, QueuePriority, RenderedMessage,
};
