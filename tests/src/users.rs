//! The demo users the seed creates, by role: Acme is the full-featured company, Bluebird the other tenant.

pub const ADMIN: &str = "admin@acme.example";
pub const OFFICE: &str = "office@acme.example";
pub const SALES: &str = "sales.rep@acme.example";
pub const LEAD_REP: &str = "lead.rep@acme.example";
pub const INSTALLER: &str = "installer@acme.example";
pub const PARTNER: &str = "partner@acme.example";
/// Bluebird's admin: another company, so every Acme ID is "not found" to them.
pub const OTHER_ADMIN: &str = "admin@bluebird.example";
