//! The HTTP routes of the API and the Lambda function behind each. `infra/template.yaml`, `infra/openapi.yaml` and
//! the local runtime's router must list exactly these (a test in `tests/` checks it).

/// One route: API Gateway's route key (`GET /api/v1/leads/{id}`) and the function (binary) that serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// The binary in `functions/src/bin/` and the `Binary` build property in the template.
    pub function: &'static str,
    /// False for the few routes that take no session (health).
    pub auth: bool,
}

const fn route(method: &'static str, path: &'static str, function: &'static str) -> Route {
    Route { method, path, function, auth: true }
}

/// Routes deployed to API Gateway.
pub const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/api/v1/health", function: "health", auth: false },
    route("GET", "/api/v1/me", "me"),
    route("GET", "/api/v1/office-locations", "list_office_locations"),
    route("GET", "/api/v1/partners", "list_partners"),
    route("GET", "/api/v1/leads", "list_leads"),
    route("GET", "/api/v1/leads/{id}", "get_lead"),
    route("GET", "/api/v1/leads/form-options", "lead_form_options"),
    route("POST", "/api/v1/leads", "create_lead"),
    route("PATCH", "/api/v1/leads/{id}", "update_lead"),
    route("DELETE", "/api/v1/leads/{id}", "delete_lead"),
    route("POST", "/api/v1/leads/{id}/stage", "move_lead_stage"),
    route("PUT", "/api/v1/leads/{id}/tags", "set_lead_tags"),
    route("GET", "/api/v1/leads/{id}/preview", "preview_lead"),
    route("GET", "/api/v1/leads/{id}/history", "lead_history"),
    route("GET", "/api/v1/tags", "list_tags"),
    route("POST", "/api/v1/tags", "create_tag"),
    route("GET", "/api/v1/settings/lead-scoring", "get_lead_scoring"),
    route("PUT", "/api/v1/settings/lead-scoring", "put_lead_scoring"),
    route("GET", "/api/v1/customers", "list_customers"),
    route("GET", "/api/v1/customers/{id}", "get_customer"),
    route("GET", "/api/v1/customers/form-options", "customer_form_options"),
    route("GET", "/api/v1/customers/parent-candidates", "customer_parent_candidates"),
    route("POST", "/api/v1/customers", "create_customer"),
    route("PATCH", "/api/v1/customers/{id}", "update_customer"),
    route("DELETE", "/api/v1/customers/{id}", "delete_customer"),
    route("POST", "/api/v1/customers/{id}/duplicate", "duplicate_customer"),
    route("GET", "/api/v1/customers/{id}/history", "customer_history"),
    route("POST", "/api/v1/leads/{id}/convert", "convert_lead"),
    route("GET", "/api/v1/customers/{id}/archive-preview", "customer_archive_preview"),
    route("POST", "/api/v1/customers/{id}/archive", "archive_customer"),
    route("POST", "/api/v1/customers/{id}/unarchive", "unarchive_customer"),
    // Sub-records: one list and one create function serve every collection (the path's last segment names it).
    route("GET", "/api/v1/customers/{id}/notes", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/notes", "create_customer_item"),
    route("GET", "/api/v1/customers/{id}/contacts", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/contacts", "create_customer_item"),
    route("GET", "/api/v1/customers/{id}/equipment", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/equipment", "create_customer_item"),
    route("GET", "/api/v1/customers/{id}/appointments", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/appointments", "create_customer_item"),
    route("GET", "/api/v1/customers/{id}/recurring-invoices", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/recurring-invoices", "create_customer_item"),
    route("GET", "/api/v1/customers/{id}/scheduled-payments", "list_customer_items"),
    route("POST", "/api/v1/customers/{id}/scheduled-payments", "create_customer_item"),
    route("GET", "/api/v1/settings/custom-fields", "list_custom_fields"),
    route("POST", "/api/v1/settings/custom-fields", "create_custom_field"),
    route("PATCH", "/api/v1/settings/custom-fields/{id}", "update_custom_field"),
    route("DELETE", "/api/v1/settings/custom-fields/{id}", "delete_custom_field"),
    route("GET", "/api/v1/settings/mmr", "get_mmr_settings"),
    route("PUT", "/api/v1/settings/mmr", "put_mmr_settings"),
    route("GET", "/api/v1/customers/mmr-rates", "list_mmr_rates"),
    route("PUT", "/api/v1/customers/{id}/tags", "set_customer_tags"),
    route("GET", "/api/v1/outbox", "list_outbox"),
];

/// Routes that exist only in the local runtime (demo sign-in); never deployed.
pub const LOCAL_ONLY_ROUTES: &[Route] = &[
    Route { method: "GET", path: "/api/v1/dev/users", function: "dev_users", auth: false },
    Route { method: "POST", path: "/api/v1/dev/sign-in", function: "dev_sign_in", auth: false },
];

/// Functions that are not behind a route: queue workers and scheduled jobs.
pub const WORKERS: &[&str] = &["jobs_worker"];
pub const SCHEDULED: &[(&str, &str)] = &[("followup_reminders", "cron(0 13 * * ? *)")];
