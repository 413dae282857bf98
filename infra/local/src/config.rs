//! Settings, from the environment: `VIGIL_PORT` (8080), `VIGIL_DATA_DIR` (`.vigil`), `VIGIL_BACKEND`
//! (`embedded` | `aws`), `VIGIL_WEB_DIR` (`web/dist`), `VIGIL_SEED` (`true`), `VIGIL_SEED_LEADS` / `VIGIL_SEED_CUSTOMERS`
//! (2000 / 500 a company), `VIGIL_TIMER_SECS` (60). With `aws`, the `functions` crate's variables name the table
//! and queues (`VIGIL_TABLE`, `VIGIL_QUEUE_URL_JOBS`, `VIGIL_AWS_ENDPOINT`, …), and the user pool whose tokens the
//! authorizer accepts: `VIGIL_COGNITO_ISSUER`, `VIGIL_COGNITO_CLIENT_ID` and, where the keys are not at
//! `<issuer>/.well-known/jwks.json` (an emulator), `VIGIL_COGNITO_JWKS_URL`.

use crate::cognito::CognitoSettings;
use crate::seed::SeedSize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use vigil_store::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Aws,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub backend: Backend,
    pub web_dir: PathBuf,
    /// `None` leaves the data as it is.
    pub seed: Option<SeedSize>,
    /// How often scheduled jobs and the TTL sweep run.
    pub timer: Duration,
    /// How long a signed-in session lasts.
    pub session: Duration,
    /// The AWS backend's settings; `None` reads them from the environment like a Lambda does.
    pub aws: Option<vigil_functions::env::AwsSettings>,
    /// The user pool whose ID tokens the authorizer accepts; required with the AWS backend (which serves no demo
    /// sign-in), unused with the embedded one.
    pub cognito: Option<CognitoSettings>,
    /// How many API requests the handlers serve at once; more wait their turn. In AWS each Lambda instance serves
    /// one request and the function's reserved concurrency bounds the instances; one process on a laptop (or an
    /// emulator behind it) is bounded the same way, so a burst queues instead of thrashing.
    pub concurrency: usize,
    /// Wraps the embedded table before the store retries do (tests inject contention and faults with it).
    pub table_layer: Option<TableLayer>,
}

/// A function from the embedded table to the table the services use (see [`Config::table_layer`]).
#[derive(Clone)]
pub struct TableLayer(Arc<WrapTable>);

type WrapTable = dyn Fn(Arc<dyn Table>) -> Arc<dyn Table> + Send + Sync;

impl TableLayer {
    pub fn new(wrap: impl Fn(Arc<dyn Table>) -> Arc<dyn Table> + Send + Sync + 'static) -> Self {
        Self(Arc::new(wrap))
    }

    pub fn apply(&self, table: Arc<dyn Table>) -> Arc<dyn Table> {
        (self.0)(table)
    }
}

impl std::fmt::Debug for TableLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableLayer")
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            data_dir: PathBuf::from(".vigil"),
            backend: Backend::Embedded,
            web_dir: PathBuf::from("web/dist"),
            seed: Some(SeedSize::default()),
            timer: Duration::from_secs(60),
            session: Duration::from_secs(12 * 3600),
            aws: None,
            cognito: None,
            concurrency: 8,
            table_layer: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut c = Config::default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        fn num<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError> {
            v.parse().map_err(|_| ConfigError { name, reason: format!("{v:?} is not a number") })
        }
        if let Some(p) = var("VIGIL_PORT") {
            c.addr.set_port(num("VIGIL_PORT", p)?);
        }
        if let Some(h) = var("VIGIL_HOST") {
            c.addr.set_ip(
                h.parse()
                    .map_err(|_| ConfigError { name: "VIGIL_HOST", reason: format!("{h:?} is not an IP address") })?,
            );
        }
        if let Some(d) = var("VIGIL_DATA_DIR") {
            c.data_dir = d.into();
        }
        if let Some(w) = var("VIGIL_WEB_DIR") {
            c.web_dir = w.into();
        }
        c.backend = match var("VIGIL_BACKEND").as_deref() {
            None | Some("embedded") => Backend::Embedded,
            Some("aws") => Backend::Aws,
            Some(other) => {
                return Err(ConfigError { name: "VIGIL_BACKEND", reason: format!("{other:?} is not embedded or aws") })
            }
        };
        let mut size = SeedSize::default();
        if let Some(n) = var("VIGIL_SEED_LEADS") {
            size.leads = num("VIGIL_SEED_LEADS", n)?;
        }
        if let Some(n) = var("VIGIL_SEED_CUSTOMERS") {
            size.customers = num("VIGIL_SEED_CUSTOMERS", n)?;
        }
        c.seed = match var("VIGIL_SEED").as_deref() {
            None | Some("true") | Some("1") => Some(size),
            Some("false") | Some("0") => None,
            Some(other) => {
                return Err(ConfigError { name: "VIGIL_SEED", reason: format!("{other:?} is not true or false") })
            }
        };
        c.cognito = match (var("VIGIL_COGNITO_ISSUER"), var("VIGIL_COGNITO_CLIENT_ID")) {
            (Some(issuer), Some(client)) => {
                let mut settings = CognitoSettings::new(issuer, client);
                if let Some(url) = var("VIGIL_COGNITO_JWKS_URL") {
                    settings.jwks_url = url;
                }
                Some(settings)
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError {
                    name: "VIGIL_COGNITO_CLIENT_ID",
                    reason: "must be set with the issuer".into(),
                })
            }
            (None, Some(_)) => {
                return Err(ConfigError {
                    name: "VIGIL_COGNITO_ISSUER",
                    reason: "must be set with the client ID".into(),
                })
            }
        };
        if let Some(s) = var("VIGIL_TIMER_SECS") {
            c.timer = Duration::from_secs(num("VIGIL_TIMER_SECS", s)?);
        }
        Ok(c)
    }
}
