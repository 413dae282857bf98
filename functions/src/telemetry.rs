//! Tracing set-up, once per process: JSON lines (CloudWatch-friendly) unless `VIGIL_LOG_FORMAT=pretty`.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_env("VIGIL_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let pretty = std::env::var("VIGIL_LOG_FORMAT").is_ok_and(|v| v == "pretty");
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    // try_init: the local runtime and tests may call this more than once.
    let _ = if pretty {
        builder.try_init()
    } else {
        // The current span carries the request's (or job's) ids, company, user and operation, so every line a use
        // case logs can be tied to what it served.
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    };
}
