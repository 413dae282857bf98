//! The routes in the typed contract (`vigil_api::routes`) are the source of truth. The SAM template must deploy exactly those (one
//! function per binary, one HttpApi event per route, the authorizer on every route that wants a session), the OpenAPI
//! description must document exactly those, and the local-only demo routes must never reach the template.

use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use vigil_api::routes::{deployed_functions, Route, Scheduled, StreamWorker, Worker, LOCAL_ONLY_ROUTES, ROUTES};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repository").to_path_buf()
}

/// Reads a YAML file, turning CloudFormation short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub s`) into their long
/// forms (`{Ref: X}`, `{Fn::GetAtt: [A, B]}`, `{Fn::Sub: s}`), so the rest of the test reads plain mappings.
fn load(rel: &str) -> Value {
    let path = repo().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let value: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    untag(value)
}

fn untag(v: Value) -> Value {
    match v {
        Value::Tagged(t) => {
            let name = t.tag.to_string();
            let name = name.trim_start_matches('!');
            let key = if name == "Ref" { "Ref".to_string() } else { format!("Fn::{name}") };
            let inner = match (name, untag(t.value)) {
                ("GetAtt", Value::String(s)) => {
                    Value::Sequence(s.splitn(2, '.').map(|p| Value::String(p.to_string())).collect())
                }
                (_, other) => other,
            };
            let mut m = Mapping::new();
            m.insert(Value::String(key), inner);
            Value::Mapping(m)
        }
        Value::Mapping(m) => Value::Mapping(m.into_iter().map(|(k, v)| (untag(k), untag(v))).collect()),
        Value::Sequence(s) => Value::Sequence(s.into_iter().map(untag).collect()),
        other => other,
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

/// `{Ref: X}` → X.
fn ref_target(v: &Value) -> Option<&str> {
    text(v, &["Ref"])
}

/// `{Fn::GetAtt: [X, attr]}` → X.
fn getatt_target(v: &Value) -> Option<&str> {
    get(v, &["Fn::GetAtt"]).and_then(|s| s.get(0)).and_then(Value::as_str)
}

fn route_key(method: &str, path: &str) -> (String, String) {
    (method.to_ascii_uppercase(), path.to_string())
}

fn route_keys<F>(routes: &[Route<F>]) -> BTreeSet<(String, String)> {
    routes.iter().map(|r| route_key(r.method.as_str(), r.path)).collect()
}

/// Every function the template deploys: binary name → (logical ID, resource).
struct Template {
    doc: Value,
}

#[derive(Debug)]
struct Function<'a> {
    logical_id: String,
    binary: Option<String>,
    resource: &'a Value,
}

#[derive(Debug)]
struct HttpEvent {
    function_binary: String,
    method: String,
    path: String,
    api: Option<String>,
    authorizer: Option<String>,
}

impl Template {
    fn load() -> Self {
        Template { doc: load("infra/template.yaml") }
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .expect("template has Resources")
            .iter()
            .map(|(k, v)| (k.as_str().expect("logical IDs are strings"), v))
    }

    fn resource(&self, logical_id: &str) -> &Value {
        self.doc
            .get("Resources")
            .and_then(|r| r.get(logical_id))
            .unwrap_or_else(|| panic!("template has no resource {logical_id}"))
    }

    fn functions(&self) -> Vec<Function<'_>> {
        self.resources()
            .filter(|(_, r)| text(r, &["Type"]) == Some("AWS::Serverless::Function"))
            .map(|(id, r)| Function {
                logical_id: id.to_string(),
                binary: text(r, &["Metadata", "BuildProperties", "Binary"]).map(str::to_string),
                resource: r,
            })
            .collect()
    }

    fn function(&self, binary: &str) -> Function<'_> {
        let mut found: Vec<_> = self.functions().into_iter().filter(|f| f.binary.as_deref() == Some(binary)).collect();
        let ids: Vec<_> = found.iter().map(|f| f.logical_id.as_str()).collect();
        assert_eq!(found.len(), 1, "exactly one template function must build binary {binary}, found {ids:?}");
        found.remove(0)
    }

    /// A function property, falling back to `Globals.Function`.
    fn property<'a>(&'a self, f: &Function<'a>, name: &str) -> Option<&'a Value> {
        get(f.resource, &["Properties", name]).or_else(|| get(&self.doc, &["Globals", "Function", name]))
    }

    fn events<'a>(&self, f: &Function<'a>, kind: &str) -> Vec<&'a Value> {
        get(f.resource, &["Properties", "Events"])
            .and_then(Value::as_mapping)
            .map(|events| events.values().filter(|e| text(e, &["Type"]) == Some(kind)).collect())
            .unwrap_or_default()
    }

    fn http_events(&self) -> Vec<HttpEvent> {
        let mut out = vec![];
        for f in self.functions() {
            for e in self.events(&f, "HttpApi") {
                out.push(HttpEvent {
                    function_binary: f.binary.clone().unwrap_or_else(|| format!("<no Binary on {}>", f.logical_id)),
                    method: text(e, &["Properties", "Method"])
                        .expect("HttpApi events name a Method")
                        .to_ascii_uppercase(),
                    path: text(e, &["Properties", "Path"]).expect("HttpApi events name a Path").to_string(),
                    api: get(e, &["Properties", "ApiId"]).and_then(ref_target).map(str::to_string),
                    authorizer: text(e, &["Properties", "Auth", "Authorizer"]).map(str::to_string),
                });
            }
        }
        out
    }
}

fn all_functions() -> BTreeSet<&'static str> {
    deployed_functions().collect()
}

#[test]
fn routes_rs_is_consistent_with_itself() {
    let deployed = route_keys(ROUTES);
    assert_eq!(deployed.len(), ROUTES.len(), "a route is listed twice in ROUTES");
    for r in LOCAL_ONLY_ROUTES {
        assert!(
            !deployed.contains(&route_key(r.method.as_str(), r.path)),
            "{} {} is both deployed and local-only",
            r.method,
            r.path
        );
        assert!(!all_functions().contains(r.function.name()), "local-only function {} is also deployed", r.function);
    }
    for (_, path, _) in every_route() {
        assert!(path.starts_with("/api/v1/"), "{path} is outside /api/v1");
    }
}

/// Method, path and whether it wants a session, of every route, deployed and local-only.
fn every_route() -> Vec<(vigil_api::Method, &'static str, bool)> {
    let deployed = ROUTES.iter().map(|r| (r.method, r.path, r.auth));
    deployed.chain(LOCAL_ONLY_ROUTES.iter().map(|r| (r.method, r.path, r.auth))).collect()
}

#[test]
fn template_http_events_are_exactly_the_routes() {
    let t = Template::load();
    let events = t.http_events();
    let mut seen = BTreeMap::new();
    for e in &events {
        if let Some(prev) = seen.insert(route_key(&e.method, &e.path), &e.function_binary) {
            panic!("{} {} is served twice in the template ({prev} and {})", e.method, e.path, e.function_binary);
        }
    }
    let in_template: BTreeSet<_> = seen.keys().cloned().collect();
    let expected = route_keys(ROUTES);
    let missing: Vec<_> = expected.difference(&in_template).collect();
    let extra: Vec<_> = in_template.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "template routes differ from ROUTES: missing {missing:?}, extra {extra:?}"
    );

    for r in ROUTES {
        let served_by = seen[&route_key(r.method.as_str(), r.path)];
        assert_eq!(
            served_by,
            r.function.name(),
            "{} {} must be served by the {} function",
            r.method,
            r.path,
            r.function
        );
    }
}

#[test]
fn local_only_routes_are_not_deployed() {
    let t = Template::load();
    let events: BTreeSet<_> = t.http_events().iter().map(|e| route_key(&e.method, &e.path)).collect();
    let binaries: BTreeSet<_> = t.functions().into_iter().filter_map(|f| f.binary).collect();
    for r in LOCAL_ONLY_ROUTES {
        assert!(
            !events.contains(&route_key(r.method.as_str(), r.path)),
            "local-only {} {} is in the template",
            r.method,
            r.path
        );
        assert!(!binaries.contains(r.function.name()), "local-only function {} is in the template", r.function);
        let resources = serde_yaml::to_string(&t.doc["Resources"]).unwrap();
        assert!(!resources.contains(r.path), "local-only path {} appears somewhere in the template", r.path);
    }
}

#[test]
fn every_function_has_exactly_one_template_function() {
    let t = Template::load();
    let wanted = all_functions();
    for name in &wanted {
        let f = t.function(name);
        assert_eq!(text(f.resource, &["Metadata", "BuildMethod"]), Some("rust-cargolambda"), "{name}: BuildMethod");
        assert_eq!(t.property(&f, "Runtime").and_then(Value::as_str), Some("provided.al2023"), "{name}: Runtime");
        assert_eq!(t.property(&f, "Handler").and_then(Value::as_str), Some("bootstrap"), "{name}: Handler");
        let arch: Vec<_> = t
            .property(&f, "Architectures")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(arch, ["arm64"], "{name}: Architectures");
        assert!(t.property(&f, "CodeUri").is_some(), "{name}: CodeUri");
    }
    for f in t.functions() {
        let binary =
            f.binary.as_deref().unwrap_or_else(|| panic!("{} has no Metadata.BuildProperties.Binary", f.logical_id));
        assert!(
            wanted.contains(binary),
            "template function {} builds {binary}, which routes.rs does not list",
            f.logical_id
        );
    }
}

#[test]
fn the_authorizer_guards_every_route_that_wants_a_session() {
    let t = Template::load();
    let events = t.http_events();
    for r in ROUTES {
        let e = events
            .iter()
            .find(|e| (e.method.as_str(), e.path.as_str()) == (r.method.as_str(), r.path))
            .unwrap_or_else(|| panic!("{} {} is not in the template", r.method, r.path));
        let api_id = e.api.as_deref().unwrap_or_else(|| panic!("{} {} names no ApiId", r.method, r.path));
        let api = t.resource(api_id);
        assert_eq!(text(api, &["Type"]), Some("AWS::Serverless::HttpApi"));
        let default = text(api, &["Properties", "Auth", "DefaultAuthorizer"]);
        let effective = match e.authorizer.as_deref() {
            Some("NONE") => None,
            Some(named) => Some(named),
            None => default,
        };
        if r.auth {
            let name = effective.unwrap_or_else(|| panic!("{} {} has no authorizer", r.method, r.path));
            let authorizer = get(api, &["Properties", "Auth", "Authorizers", name])
                .unwrap_or_else(|| panic!("{} {}: authorizer {name} is not defined on {api_id}", r.method, r.path));
            assert!(get(authorizer, &["JwtConfiguration", "issuer"]).is_some(), "{name} must be a JWT authorizer");
        } else {
            assert_eq!(effective, None, "{} {} takes no session but has an authorizer", r.method, r.path);
        }
    }
}

/// Whether an event source asks for partial batch failures (`FunctionResponseTypes: [ReportBatchItemFailures]`).
fn reports_partial_failures(event: &Value) -> bool {
    get(event, &["Properties", "FunctionResponseTypes"])
        .and_then(Value::as_sequence)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("ReportBatchItemFailures")))
}

#[test]
fn workers_consume_their_queue_with_partial_batch_failures() {
    let t = Template::load();
    for name in Worker::ALL.iter().map(|w| w.name()) {
        let f = t.function(name);
        let events = t.events(&f, "SQS");
        assert_eq!(events.len(), 1, "{name} must have one SQS event");
        let e = events[0];
        assert!(reports_partial_failures(e), "{name} must report partial batch failures");

        let queue_id = get(e, &["Properties", "Queue"])
            .and_then(getatt_target)
            .expect("the SQS event names its queue with GetAtt");
        let queue = t.resource(queue_id);
        assert_eq!(text(queue, &["Type"]), Some("AWS::SQS::Queue"));
        // `jobs_worker` consumes the `jobs` queue.
        let stem = name.trim_end_matches("_worker").replace('_', "");
        assert!(
            queue_id.to_ascii_lowercase().starts_with(&stem),
            "{name} consumes {queue_id}, expected the {stem} queue"
        );

        let timeout = t.property(&f, "Timeout").and_then(Value::as_u64).expect("function timeout");
        let visibility =
            get(queue, &["Properties", "VisibilityTimeout"]).and_then(Value::as_u64).expect("queue VisibilityTimeout");
        let window = get(e, &["Properties", "MaximumBatchingWindowInSeconds"]).and_then(Value::as_u64).unwrap_or(0);
        assert!(
            visibility >= 6 * timeout + window,
            "{queue_id} VisibilityTimeout {visibility} < 6 x {name} timeout {timeout} + batching window {window}"
        );

        let max_receive = get(queue, &["Properties", "RedrivePolicy", "maxReceiveCount"])
            .and_then(Value::as_u64)
            .expect("maxReceiveCount");
        assert!(max_receive >= 5, "{queue_id} maxReceiveCount {max_receive} < 5");
        let dlq = get(queue, &["Properties", "RedrivePolicy", "deadLetterTargetArn"])
            .and_then(getatt_target)
            .expect("DLQ by GetAtt");
        assert_eq!(text(t.resource(dlq), &["Type"]), Some("AWS::SQS::Queue"));

        // The queue's URL reaches every function as VIGIL_QUEUE_URL_<NAME>.
        let var = format!("VIGIL_QUEUE_URL_{}", name.trim_end_matches("_worker").to_ascii_uppercase());
        let env = get(&t.doc, &["Globals", "Function", "Environment", "Variables", &var]).and_then(ref_target);
        assert_eq!(env, Some(queue_id), "Globals must set {var} to {queue_id}");
    }
}

/// The outbox relay reads the table's stream (with the new image), reports partial batch failures, sees only pending
/// jobs (the key prefix the app writes them under) and sends what keeps failing to the DLQ.
#[test]
fn the_outbox_dispatcher_reads_pending_jobs_from_the_table_stream() {
    let t = Template::load();
    let view = text(t.resource("Table"), &["Properties", "StreamSpecification", "StreamViewType"]);
    assert!(matches!(view, Some("NEW_IMAGE" | "NEW_AND_OLD_IMAGES")), "the table streams new images: {view:?}");
    for name in StreamWorker::ALL.iter().map(|w| w.name()) {
        let f = t.function(name);
        let events = t.events(&f, "DynamoDB");
        assert_eq!(events.len(), 1, "{name} must have one DynamoDB stream event");
        let e = events[0];
        assert_eq!(get(e, &["Properties", "Stream"]).and_then(getatt_target), Some("Table"));
        assert!(reports_partial_failures(e), "{name} must report partial batch failures");
        let pattern = get(e, &["Properties", "FilterCriteria", "Filters"])
            .and_then(|f| f.get(0))
            .and_then(|f| text(f, &["Pattern"]))
            .expect("a filter pattern");
        let prefix = format!(r#"{{"prefix": "{}"}}"#, vigil_store::keys::PENDING_JOB_PREFIX);
        assert!(pattern.contains(&prefix), "{name} must see only pending jobs: {pattern}");
        let on_failure =
            get(e, &["Properties", "DestinationConfig", "OnFailure", "Destination"]).and_then(getatt_target);
        assert_eq!(on_failure, Some("JobsDeadLetterQueue"), "{name}: records that keep failing go to the DLQ");
    }
}

#[test]
fn functions_get_the_environment_the_code_reads() {
    let t = Template::load();
    let vars = get(&t.doc, &["Globals", "Function", "Environment", "Variables"]).expect("Globals environment");
    // functions/src/env.rs: required in AWS mode.
    for name in ["VIGIL_BACKEND", "VIGIL_TABLE", "VIGIL_QUEUE_URL_JOBS", "VIGIL_CURSOR_SECRET"] {
        assert!(vars.get(name).is_some(), "Globals must set {name}");
    }
    assert_eq!(text(vars, &["VIGIL_BACKEND"]), Some("aws"));
}

#[test]
fn scheduled_functions_run_on_their_schedule() {
    let t = Template::load();
    for (name, expression) in Scheduled::ALL.iter().map(|s| (s.name(), s.schedule())) {
        let f = t.function(name);
        let schedules: Vec<_> =
            t.events(&f, "Schedule").into_iter().filter_map(|e| text(e, &["Properties", "Schedule"])).collect();
        assert_eq!(schedules, [expression], "{name} must run on {expression}");
    }
}

#[test]
fn table_and_queues_match_the_key_design() {
    let t = Template::load();
    let table = t.resource("Table");
    let p = |k: &str| get(table, &["Properties", k]);
    assert_eq!(p("BillingMode").and_then(Value::as_str), Some("PAY_PER_REQUEST"));
    let gsis = p("GlobalSecondaryIndexes").and_then(Value::as_sequence).expect("GSIs");
    let names: Vec<_> = gsis.iter().filter_map(|g| text(g, &["IndexName"])).collect();
    assert_eq!(names, ["GSI1", "GSI2", "GSI3", "GSI4"]);
    for g in gsis {
        let n = text(g, &["IndexName"]).unwrap();
        let keys: Vec<_> = g["KeySchema"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|k| (text(k, &["AttributeName"]).unwrap(), text(k, &["KeyType"]).unwrap()))
            .collect();
        assert_eq!(keys, [(format!("{n}PK").as_str(), "HASH"), (format!("{n}SK").as_str(), "RANGE")]);
        assert_eq!(text(g, &["Projection", "ProjectionType"]), Some("ALL"));
    }
    assert_eq!(
        get(table, &["Properties", "TimeToLiveSpecification", "AttributeName"]).and_then(Value::as_str),
        Some("expires_at")
    );
    assert_eq!(
        get(table, &["Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"])
            .and_then(Value::as_bool),
        Some(true)
    );
    assert_eq!(get(table, &["Properties", "SSESpecification", "SSEType"]).and_then(Value::as_str), Some("KMS"));
}

// ------------------------------------------------------------------------------------------------------- OpenAPI ---

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

struct Operation<'a> {
    method: String,
    path: String,
    local_only: bool,
    op: &'a Value,
}

fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let paths = doc.get("paths").and_then(Value::as_mapping).expect("openapi has paths");
    let mut out = vec![];
    for (path, item) in paths {
        let path = path.as_str().expect("path keys are strings");
        for (method, op) in item.as_mapping().expect("path items are mappings") {
            let method = method.as_str().unwrap_or_default();
            if !METHODS.contains(&method) {
                continue;
            }
            out.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.to_string(),
                local_only: op.get("x-local-only").and_then(Value::as_bool) == Some(true),
                op,
            });
        }
    }
    out
}

#[test]
fn openapi_documents_exactly_the_routes() {
    let doc = load("infra/openapi.yaml");
    let ops = operations(&doc);
    let deployed: BTreeSet<_> = ops.iter().filter(|o| !o.local_only).map(|o| route_key(&o.method, &o.path)).collect();
    let local: BTreeSet<_> = ops.iter().filter(|o| o.local_only).map(|o| route_key(&o.method, &o.path)).collect();

    let expected = route_keys(ROUTES);
    let missing: Vec<_> = expected.difference(&deployed).collect();
    let extra: Vec<_> = deployed.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "OpenAPI operations differ from ROUTES: missing {missing:?}, extra {extra:?}"
    );

    let expected_local = route_keys(LOCAL_ONLY_ROUTES);
    assert_eq!(local, expected_local, "operations marked x-local-only must be exactly LOCAL_ONLY_ROUTES");
}

#[test]
fn openapi_security_and_parameters_match_the_routes() {
    let doc = load("infra/openapi.yaml");
    let global_security = doc.get("security").and_then(Value::as_sequence).map(|s| !s.is_empty()).unwrap_or(false);
    assert!(
        get(&doc, &["components", "securitySchemes", "bearer", "scheme"]).and_then(Value::as_str) == Some("bearer")
    );
    let ops = operations(&doc);
    for (method, path, auth) in every_route() {
        let o = ops
            .iter()
            .find(|o| (o.method.as_str(), o.path.as_str()) == (method.as_str(), path))
            .unwrap_or_else(|| panic!("{} {} is not in the OpenAPI description", method, path));
        let secured = match o.op.get("security").and_then(Value::as_sequence) {
            Some(s) => !s.is_empty(),
            None => global_security,
        };
        assert_eq!(secured, auth, "{} {}: OpenAPI security must match auth={}", method, path, auth);

        // Every {param} of the path is declared as a path parameter (inline or by $ref).
        let declared: BTreeSet<String> =
            o.op.get("parameters")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .map(|p| resolve(&doc, p))
                .filter(|p| text(p, &["in"]) == Some("path"))
                .filter_map(|p| text(p, &["name"]).map(str::to_string))
                .collect();
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        assert_eq!(declared, in_path, "{} {}: path parameters", method, path);

        let ok = get(o.op, &["responses", "200"])
            .or_else(|| get(o.op, &["responses", "201"]))
            // 202: a sale to a partner is accepted and delivered by a job.
            .or_else(|| get(o.op, &["responses", "202"]))
            .or_else(|| get(o.op, &["responses", "204"]));
        assert!(ok.is_some(), "{} {} documents no success response", method, path);
        if auth {
            assert!(get(o.op, &["responses", "401"]).is_some(), "{} {} documents no 401", method, path);
        }
    }
    let problem = get(&doc, &["components", "schemas", "Problem", "properties"]).expect("Problem schema");
    for field in ["type", "title", "status", "detail", "errors"] {
        assert!(problem.get(field).is_some(), "Problem lacks {field}");
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match text(v, &["$ref"]) {
        Some(r) => {
            let path: Vec<&str> = r.trim_start_matches("#/").split('/').collect();
            get(doc, &path).unwrap_or_else(|| panic!("dangling $ref {r}"))
        }
        None => v,
    }
}

/// The table actions a function's policies allow: `DynamoDBReadPolicy` reads, `DynamoDBCrudPolicy` and
/// `DynamoDBWritePolicy` write, and a statement naming `dynamodb:` actions says which itself.
fn table_access(f: &Function<'_>) -> (bool, bool) {
    let (mut reads, mut writes) = (false, false);
    let policies =
        get(f.resource, &["Properties", "Policies"]).and_then(Value::as_sequence).cloned().unwrap_or_default();
    for p in &policies {
        reads |= p.get("DynamoDBReadPolicy").is_some() || p.get("DynamoDBCrudPolicy").is_some();
        writes |= p.get("DynamoDBCrudPolicy").is_some() || p.get("DynamoDBWritePolicy").is_some();
        for st in get(p, &["Statement"]).and_then(Value::as_sequence).into_iter().flatten() {
            let actions: Vec<&str> = match get(st, &["Action"]) {
                Some(Value::String(a)) => vec![a.as_str()],
                Some(Value::Sequence(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            for a in actions.iter().filter(|a| a.starts_with("dynamodb:")) {
                let read_only = ["Get", "Query", "Scan", "BatchGet", "Describe", "ConditionCheck"]
                    .iter()
                    .any(|r| a.trim_start_matches("dynamodb:").starts_with(r));
                reads |= read_only;
                writes |= !read_only;
            }
        }
    }
    (reads, writes)
}

/// Least privilege on the table: a function that serves only GET routes cannot write, and every function that serves
/// a write route can (or its requests would fail in AWS only).
#[test]
fn read_only_functions_cannot_write_the_table() {
    let t = Template::load();
    let mut methods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in ROUTES {
        methods.entry(r.function.name()).or_default().insert(r.method.as_str());
    }
    assert!(!methods.is_empty());
    for (name, ms) in &methods {
        let f = t.function(name);
        let (reads, writes) = table_access(&f);
        // A POST that only renders (the template preview takes a body, and writes nothing) stays read-only.
        let renders_only = ["preview_message_template"].contains(name);
        if ms.iter().all(|m| *m == "GET" || *m == "OPTIONS") || renders_only {
            assert!(!writes, "{name} serves only GET routes but may write the table");
        } else {
            assert!(writes, "{name} serves {ms:?} but may not write the table");
        }
        if *name != "health" {
            assert!(reads, "{name} cannot read the table");
        }
    }
}

/// Every function logs to one group with a retention, an alarm watches the errors logged there, the DLQ depth and
/// the API's 5xx, and all of them notify the operator topic.
#[test]
fn logs_are_retained_and_alarms_reach_the_operator() {
    let t = Template::load();
    let group = get(&t.doc, &["Globals", "Function", "LoggingConfig", "LogGroup"])
        .and_then(ref_target)
        .expect("Globals.Function.LoggingConfig.LogGroup names the functions' log group");
    for f in t.functions() {
        let own = get(f.resource, &["Properties", "LoggingConfig", "LogGroup"]).and_then(ref_target);
        assert!(own.is_none_or(|g| g == group), "{} logs to its own group {own:?}", f.logical_id);
    }
    for (id, r) in t.resources().filter(|(_, r)| text(r, &["Type"]) == Some("AWS::Logs::LogGroup")) {
        assert!(get(r, &["Properties", "RetentionInDays"]).is_some(), "log group {id} keeps logs forever");
    }
    let filter = t
        .resources()
        .find(|(_, r)| {
            text(r, &["Type"]) == Some("AWS::Logs::MetricFilter")
                && get(r, &["Properties", "LogGroupName"]).and_then(ref_target) == Some(group)
        })
        .map(|(_, r)| r)
        .expect("a metric filter counts the errors in the functions' log group");
    let pattern = text(filter, &["Properties", "FilterPattern"]).expect("FilterPattern");
    assert!(pattern.contains(r#"$.level = "ERROR""#) && pattern.contains("platform.runtimeDone"), "{pattern}");
    let metric = get(filter, &["Properties", "MetricTransformations"])
        .and_then(|m| m.get(0))
        .and_then(|m| text(m, &["MetricName"]))
        .expect("the filter's metric");

    let alarms: Vec<(&str, &Value)> =
        t.resources().filter(|(_, r)| text(r, &["Type"]) == Some("AWS::CloudWatch::Alarm")).collect();
    let topic = t
        .resources()
        .find(|(_, r)| text(r, &["Type"]) == Some("AWS::SNS::Topic"))
        .map(|(id, _)| id)
        .expect("an SNS topic for the operator");
    for (id, a) in &alarms {
        let actions = get(a, &["Properties", "AlarmActions"]).and_then(Value::as_sequence).expect("AlarmActions");
        assert!(actions.iter().any(|x| ref_target(x) == Some(topic)), "alarm {id} does not notify {topic}");
    }
    let watches = |ns: &str, name: &str| {
        alarms.iter().any(|(_, a)| {
            text(a, &["Properties", "MetricName"]) == Some(name)
                && (ns.is_empty() || text(a, &["Properties", "Namespace"]) == Some(ns))
        })
    };
    assert!(watches("AWS/SQS", "ApproximateNumberOfMessagesVisible"), "no alarm on the DLQ's depth");
    let dlq_alarm = alarms
        .iter()
        .find(|(_, a)| text(a, &["Properties", "MetricName"]) == Some("ApproximateNumberOfMessagesVisible"))
        .map(|(_, a)| *a)
        .expect("DLQ alarm");
    let dims = get(dlq_alarm, &["Properties", "Dimensions"]).and_then(Value::as_sequence).expect("Dimensions");
    assert!(
        dims.iter().any(|d| get(d, &["Value"]).and_then(getatt_target) == Some("JobsDeadLetterQueue")),
        "the DLQ alarm watches another queue"
    );
    assert!(watches("", metric), "no alarm on the logged function errors");
    assert!(watches("AWS/ApiGateway", "5xx"), "no alarm on the API's 5xx");
}

/// The portal's responses carry a Content-Security-Policy that allows only its own origin (and compiling its wasm).
#[test]
fn the_portal_sends_a_content_security_policy() {
    let t = Template::load();
    let dist = t.resource("PortalDistribution");
    let default = get(dist, &["Properties", "DistributionConfig", "DefaultCacheBehavior", "ResponseHeadersPolicyId"])
        .and_then(ref_target)
        .expect("the portal's behaviour uses the stack's response headers policy");
    let policy = t.resource(default);
    let csp = text(
        policy,
        &[
            "Properties",
            "ResponseHeadersPolicyConfig",
            "SecurityHeadersConfig",
            "ContentSecurityPolicy",
            "ContentSecurityPolicy",
        ],
    )
    .expect("a Content-Security-Policy");
    assert_eq!(csp, vigil_api::CONTENT_SECURITY_POLICY, "the template and the local runtime send different policies");
}

/// cfn-lint applies the SAM transform and checks the result; the CI command runs it too. Skipped (with a note) when
/// cfn-lint is not installed.
#[test]
fn cfn_lint_passes() {
    let out = match std::process::Command::new("cfn-lint").arg("infra/template.yaml").current_dir(repo()).output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("cfn-lint not run ({e}); install it with `pip install cfn-lint`");
            return;
        }
    };
    assert!(
        out.status.success(),
        "cfn-lint infra/template.yaml failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The SSN data keys are unwrapped with `kms:Decrypt` on `DataKey`, and the key ring's first one generated with
/// `kms:GenerateDataKey`, only by the functions whose code reads or writes SSNs; no other function can use the key,
/// and no SSN key is in any function's environment (issue 9).
#[test]
fn only_the_functions_that_touch_ssns_can_use_the_data_key() {
    // Their requests decrypt an SSN (a lead or customer view for a user holding the SSN grant:
    // `vigil_app::leads::view`, which `customers::get` and every lead write's answer go through) or compute its blind
    // index (the lists' SSN-digits search, whose key derives from the first data key).
    let reads: BTreeSet<&str> = [
        "list_leads",
        "get_lead",
        "update_lead",
        "move_lead_stage",
        "set_lead_tags",
        "list_customers",
        "get_customer",
        "create_customer",
        "update_customer",
        "convert_lead",
        "archive_customer",
        "unarchive_customer",
        "set_customer_tags",
        // The lead queue answers with the lead (the same masking read).
        "request_lead",
        "move_lead_location",
        // They seal partners' post keys under the same key ring (`vigil_app::partners::seal_post_key`), and the
        // template preview reads a record through the masking read.
        "create_partner",
        "update_partner",
        "preview_message_template",
        // It opens a buying partner's post key to deliver a sale (`vigil_app::selling::deliver`), and a customer's
        // SSN for a credit pull (`vigil_app::credit::pull`).
        "jobs_worker",
        // They answer with the customer's Home page (`customers::get`).
        "apply_credit_check",
        "enter_credit_score",
        // The wizard answers with the customer's Home page (`customers::get`).
        "get_customer_wizard",
        "advance_customer_wizard",
    ]
    .into();
    // Their requests encrypt an SSN (`vigil_app::leads::set_ssn`), and the first one to do so creates the key ring.
    let writes: BTreeSet<&str> =
        ["update_lead", "create_customer", "update_customer", "create_partner", "update_partner"].into();
    assert!(writes.is_subset(&reads), "a function that encrypts SSNs shows them too");

    let t = Template::load();
    let (mut decrypt, mut generate) = (BTreeSet::new(), BTreeSet::new());
    for f in t.functions() {
        let name = f.binary.clone().unwrap_or_else(|| f.logical_id.clone());
        for policy in t.property(&f, "Policies").and_then(Value::as_sequence).into_iter().flatten() {
            if let Some(p) = get(policy, &["KMSDecryptPolicy"]) {
                assert_eq!(get(p, &["KeyId"]).and_then(ref_target), Some("DataKey"), "{name}: decrypts with DataKey");
                decrypt.insert(name.clone());
            }
            for other in ["KMSEncryptPolicy", "KMSDecryptPolicyWithGrants", "AWSSecretsManagerGetSecretValuePolicy"] {
                assert!(get(policy, &[other]).is_none(), "{name} must not carry {other}");
            }
            for statement in get(policy, &["Statement"]).and_then(Value::as_sequence).into_iter().flatten() {
                let actions: Vec<String> = match get(statement, &["Action"]) {
                    Some(Value::String(a)) => vec![a.to_ascii_lowercase()],
                    Some(Value::Sequence(a)) => {
                        a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect()
                    }
                    _ => vec![],
                };
                for a in actions {
                    if a == "kms:*" || a == "kms:decrypt" || a.starts_with("kms:decrypt") {
                        decrypt.insert(name.clone());
                    }
                    if a == "kms:*" || a.starts_with("kms:generatedatakey") {
                        assert_eq!(
                            get(statement, &["Resource"]).and_then(getatt_target),
                            Some("DataKey"),
                            "{name}: generates data keys under DataKey only"
                        );
                        generate.insert(name.clone());
                    }
                }
            }
        }
        let env = get(f.resource, &["Properties", "Environment", "Variables"]);
        assert!(
            env.and_then(|v| v.get("VIGIL_SSN_KEY")).is_none(),
            "{name} must not get an SSN key in its environment"
        );
    }
    let names = |s: &BTreeSet<&str>| s.iter().map(|n| n.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(decrypt, names(&reads), "functions with kms:Decrypt on the SSN data keys");
    assert_eq!(generate, names(&writes), "functions with kms:GenerateDataKey");

    let globals = get(&t.doc, &["Globals", "Function", "Environment", "Variables"]).expect("Globals environment");
    assert!(globals.get("VIGIL_SSN_KEY").is_none(), "no SSN key in the functions' environment");
    assert_eq!(get(globals, &["VIGIL_KMS_KEY_ID"]).and_then(getatt_target), Some("DataKey"));
    assert!(t.resources().all(|(id, _)| id != "SsnKeySecret"), "the SSN key is not a Secrets Manager secret any more");
}
