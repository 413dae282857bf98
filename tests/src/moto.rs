//! One `moto_server` per test process, for running the DynamoDB and SQS backends without AWS.
//!
//! ```ignore
//! let moto = vigil_tests::moto::moto().await;
//! let table = moto.create_table("contract").await;           // a fresh table with Vigil's schema
//! let queues = moto.create_queues("jobs", &specs).await;     // fresh queues with redrive to their DLQs
//! ```
//!
//! The server is started on first use on a free `127.0.0.1` port, through a small Python wrapper that exits as soon
//! as the test process is gone, with its output in a log file (`Moto::log_path`), so it neither outlives the tests
//! nor holds their stdout/stderr open. When the `moto` Python package is missing, `pip install 'moto[server]'` runs
//! first. `VIGIL_PYTHON` names the Python interpreter (default `python3`).
//!
//! SDK clients are made per call (never shared across tests): each `#[tokio::test]` has its own runtime, and a
//! client's pooled connections belong to the runtime that opened them.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use vigil_store::{DynamoTable, QueueSpec, SqsQueue};

/// How long the server may take to answer after it was started.
const START_DEADLINE: Duration = Duration::from_secs(60);
/// Attempts at starting it (another process may take the chosen port in between).
const START_ATTEMPTS: u32 = 3;

const WRAPPER: &str = r#"
# Runs moto_server until the process that started it is gone.
import os, sys, threading, time

parent = int(sys.argv[1])
port = sys.argv[2]
start_ppid = os.getppid()

def watch():
    while True:
        if os.getppid() != start_ppid:
            os._exit(0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.25)

threading.Thread(target=watch, daemon=True).start()

# moto's TransactWriteItems snapshots the whole table for rollback once per item of the transaction, before any of
# them is applied, so every snapshot is the same: a 40-item transaction copied the table 40 times, and the tests of
# creates on moto spent minutes in copying. Within one call the first snapshot of a table is reused; rollback
# restores the same state as before.
try:
    import copy as _copy
    import moto.dynamodb.models as _ddb

    _snapshots = threading.local()

    class _SnapshotOnce:
        def __getattr__(self, name):
            return getattr(_copy, name)

        @staticmethod
        def deepcopy(obj, memo=None):
            taken = getattr(_snapshots, "taken", None)
            if taken is None or not isinstance(obj, _ddb.Table):
                return _copy.deepcopy(obj, memo)
            # The original is kept beside its copy, so its id is not reused by another object during the call.
            if id(obj) not in taken:
                taken[id(obj)] = (obj, _copy.deepcopy(obj, memo))
            return taken[id(obj)][1]

    _transact = _ddb.DynamoDBBackend.transact_write_items

    def _transact_snapshot_once(self, transact_items):
        _snapshots.taken = {}
        try:
            return _transact(self, transact_items)
        finally:
            _snapshots.taken = None

    _ddb.copy = _SnapshotOnce()
    _ddb.DynamoDBBackend.transact_write_items = _transact_snapshot_once
except (ImportError, AttributeError):
    pass

from moto.server import main
main(["-H", "127.0.0.1", "-p", port])
"#;

/// A running `moto_server`.
#[derive(Debug)]
pub struct Moto {
    endpoint: String,
    log_path: PathBuf,
    /// Kept, never waited for: the wrapper ends itself when this process is gone.
    child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();
static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// The test process's `moto_server`, started on first use. Panics (failing the test) with the server's log when it
/// cannot be started.
pub async fn moto() -> &'static Moto {
    if let Some(m) = MOTO.get() {
        return m;
    }
    match tokio::task::spawn_blocking(|| MOTO.get_or_init(start)).await {
        Ok(m) => m,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

impl Moto {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The server's output.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    pub fn pid(&self) -> u32 {
        self.child.lock().map(|c| c.id()).unwrap_or_else(|poisoned| poisoned.into_inner().id())
    }

    /// SDK configuration pointing at this server (region us-east-1, test credentials).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        vigil_store::aws::aws_config(Some(&self.endpoint)).await
    }

    pub async fn dynamo_client(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk_config().await)
    }

    pub async fn sqs_client(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk_config().await)
    }

    /// A new, empty table with Vigil's schema (PK/SK, GSI1..GSI4), named `{name}-{pid}-{n}` so every call gets its
    /// own.
    pub async fn create_table(&self, name: &str) -> DynamoTable {
        let table_name = format!("{name}-{}-{}", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed));
        match DynamoTable::create(self.dynamo_client().await, &table_name).await {
            Ok(table) => table,
            Err(e) => panic!("creating table {table_name} on moto failed: {e} (log: {})", self.log_path.display()),
        }
    }

    /// New, empty queues, one per spec, reachable by the specs' names; each one with a dead letter gets a
    /// `RedrivePolicy` (maxReceiveCount = `max_receives`) to it. Physical names are `{prefix}-{pid}-{n}-{name}`.
    pub async fn create_queues(&self, prefix: &str, specs: &[QueueSpec]) -> SqsQueue {
        let prefix = format!("{prefix}-{}-{}-", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed));
        match SqsQueue::create(self.sqs_client().await, &prefix, specs).await {
            Ok(queues) => queues,
            Err(e) => panic!("creating queues {prefix}* on moto failed: {e} (log: {})", self.log_path.display()),
        }
    }
}

fn python() -> String {
    std::env::var("VIGIL_PYTHON").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "python3".to_string())
}

fn start() -> Moto {
    remove_stale_dirs();
    let dir = std::env::temp_dir().join(format!("vigil-moto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let log_path = dir.join("moto.log");
    let wrapper = dir.join("moto_wrapper.py");
    std::fs::write(&wrapper, WRAPPER).unwrap_or_else(|e| panic!("writing {}: {e}", wrapper.display()));
    ensure_installed(&dir);

    let mut last_failure = String::new();
    for _ in 0..START_ATTEMPTS {
        let log = File::create(&log_path).unwrap_or_else(|e| panic!("creating {}: {e}", log_path.display()));
        let port = free_port();
        let mut child = Command::new(python())
            .arg(&wrapper)
            .arg(std::process::id().to_string())
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap_or_else(|e| panic!("log file: {e}")))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting moto_server with {}: {e}", python()));
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if answers_http(addr) {
                return Moto { endpoint: format!("http://{addr}"), log_path, child: Mutex::new(child) };
            }
            if let Ok(Some(status)) = child.try_wait() {
                last_failure = format!("moto_server exited with {status}:\n{}", log_tail(&log_path));
                break;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                last_failure =
                    format!("moto_server did not answer within {START_DEADLINE:?}:\n{}", log_tail(&log_path));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("could not start moto_server: {last_failure}");
}

/// Removes the directories (wrapper, log) of earlier test processes that are gone.
fn remove_stale_dirs() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("vigil-moto-")).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Installs `moto[server]` with pip when the interpreter cannot import it.
fn ensure_installed(dir: &Path) {
    let importable = || {
        Command::new(python())
            .args(["-c", "import moto.server, flask"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable() {
        return;
    }
    let pip_log = dir.join("pip.log");
    let log = File::create(&pip_log).unwrap_or_else(|e| panic!("creating {}: {e}", pip_log.display()));
    let status = Command::new(python())
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap_or_else(|e| panic!("log file: {e}")))
        .stderr(log)
        .status()
        .unwrap_or_else(|e| panic!("running pip with {}: {e}", python()));
    if !status.success() || !importable() {
        panic!("pip install 'moto[server]' failed ({status}):\n{}", log_tail(&pip_log));
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap_or_else(|e| panic!("finding a free port: {e}"));
    listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

/// Whether an HTTP server answers at `addr` (any status will do).
fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(250)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
