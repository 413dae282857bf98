//! Customer workflows: the definitions under Settings (versioned; never deleted, only deactivated), a customer's
//! enrollments (the Workflows tab) and one enrollment with its steps.

use crate::operation::PathParams;
use serde::{Deserialize, Serialize};
use vigil_domain::workflow::{
    Completion, ConfirmField, EnrollmentStatus, Generates, Lang, Layout, Outcome, Step, StepKind, StepStatus, StepType,
    Texts,
};
use vigil_domain::{RecordId, UserId};
use vigil_json::{FromJson, ToJson};

/// One step of a definition as the API spells it (`fields` is empty unless the type confirms fields).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkflowStep {
    /// The title in every language of the workflow.
    pub title: Texts,
    /// Instructions or a call script in every language; merge fields such as `{{customer.first_name}}` or
    /// `{{company.name}}` are filled in from the customer.
    pub content: Texts,
    #[serde(rename = "type")]
    pub step_type: StepType,
    /// What a `confirm_fields` step confirms (at least one); ignored for other types.
    #[serde(default)]
    pub fields: Vec<ConfirmField>,
    pub completion: Completion,
    #[serde(default)]
    pub optional: bool,
    /// A ticket or an appointment created when the step completes, or null.
    #[serde(default)]
    pub generates: Option<Generates>,
}

impl From<&Step> for WorkflowStep {
    fn from(s: &Step) -> Self {
        WorkflowStep {
            title: s.title.clone(),
            content: s.content.clone(),
            step_type: s.kind.step_type(),
            fields: match &s.kind {
                StepKind::ConfirmFields { fields } => fields.clone(),
                _ => vec![],
            },
            completion: s.completion,
            optional: s.optional,
            generates: s.generates.clone(),
        }
    }
}

/// A workflow definition (one version of it).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkflowDefinition {
    pub id: u32,
    pub name: String,
    /// Inactive workflows are not offered by New Workflow; their enrollments keep working.
    pub active: bool,
    pub layout: Layout,
    pub languages: Vec<Lang>,
    pub steps: Vec<WorkflowStep>,
    /// Goes up by one on every edit; each version stays readable (`?version=`).
    pub version: u64,
}

/// `POST /api/v1/settings/customer-workflows`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewWorkflow {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    pub layout: Layout,
    pub languages: Vec<Lang>,
    pub steps: Vec<WorkflowStep>,
}

/// `PATCH /api/v1/settings/customer-workflows/{id}`: the fields changed and the version read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkflowPatch {
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<Lang>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<WorkflowStep>>,
}

/// `GET /api/v1/settings/customer-workflows/{id}?version=`: an older version (the current one by default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkflowVersionQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The `{id}` of a workflow definition route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowPath {
    pub id: u32,
}

impl PathParams for WorkflowPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

/// The `{id}` of an enrollment route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrollmentPath {
    pub id: u64,
}

impl PathParams for EnrollmentPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

/// The `{id}` and `{step_id}` of a step route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepPath {
    pub id: u64,
    pub step_id: u32,
}

impl PathParams for StepPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string()).replace("{step_id}", &self.step_id.to_string())
    }
}

/// `POST /api/v1/customers/{id}/workflows`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewEnrollment {
    pub workflow_id: u32,
    /// One of the workflow's languages (its first by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Lang>,
}

/// "3 of 7": steps done (optional ones included) out of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// A row of the Workflows tab.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EnrollmentSummary {
    pub id: u64,
    pub customer_id: RecordId,
    pub workflow_id: u32,
    /// The definition version the enrollment follows (edits after it started do not change it).
    pub workflow_version: u64,
    pub name: String,
    pub status: EnrollmentStatus,
    pub language: Lang,
    pub progress: Progress,
    /// A failed required step, or an automatic step whose requirement stopped holding.
    pub warning: bool,
    pub started_at: String,
    pub version: u64,
}

/// `GET /api/v1/customers/{id}/workflows`: ordered by status (pending, in progress, completed, failed).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerWorkflows {
    pub items: Vec<EnrollmentSummary>,
    /// Whether the caller may start workflows and complete steps for this customer (New Workflow).
    pub can_start: bool,
}

/// One step of an enrollment, its text in the enrollment's language with the customer's fields filled in.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EnrollmentStep {
    pub id: u32,
    pub status: StepStatus,
    pub warning: bool,
    pub title: String,
    /// Merge fields filled in as the caller may read them (a confidential field without the grant reads `***`).
    pub content: String,
    #[serde(rename = "type")]
    pub step_type: StepType,
    pub fields: Vec<ConfirmField>,
    pub completion: Completion,
    pub optional: bool,
    pub generates: Option<Generates>,
    /// For automatic steps: whether the type's requirement holds now.
    pub requirement_met: Option<bool>,
    pub completed_at: Option<String>,
    pub completed_by: Option<UserId>,
}

/// `GET /api/v1/enrollments/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EnrollmentView {
    pub id: u64,
    pub customer_id: RecordId,
    pub workflow_id: u32,
    pub workflow_version: u64,
    pub name: String,
    pub layout: Layout,
    pub languages: Vec<Lang>,
    pub status: EnrollmentStatus,
    pub language: Lang,
    pub progress: Progress,
    pub warning: bool,
    pub steps: Vec<EnrollmentStep>,
    /// Whether the caller may complete steps (Customer Workflows Create on the customer's location).
    pub can_complete: bool,
    pub version: u64,
}

/// `GET /api/v1/enrollments/{id}?language=`: the steps in another of the workflow's languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EnrollmentQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `POST /api/v1/enrollments/{id}/steps/{step_id}/complete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CompleteStep {
    /// `passed` or `failed` for pass/fail steps, `acknowledged` for acknowledge steps; automatic steps complete
    /// themselves.
    pub outcome: Outcome,
    /// The enrollment's version as read.
    pub version: u64,
}
