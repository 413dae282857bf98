//! `vigil-local`: the whole portal on one machine. Settings: see `config.rs` (`VIGIL_PORT`, `VIGIL_DATA_DIR`, …).

/// A CSV import builds and frees millions of small JSON maps on several threads at once; with glibc's allocator a
/// third of its time went to malloc and free (measured with a sampling profile of the import benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    vigil_functions::telemetry::init();
    let config = match vigil_local::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vigil-local: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let backend = config.backend;
    let running = match vigil_local::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil-local: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let sign_in = match backend {
        vigil_local::Backend::Embedded => "sign in as any demo user",
        vigil_local::Backend::Aws => "bearer tokens are the user pool's ID tokens",
    };
    eprintln!("Vigil is running at {} — {sign_in}. Ctrl-C stops it.", running.base_url());
    tokio::select! {
        _ = tokio::signal::ctrl_c() => running.stop().await,
    }
    std::process::ExitCode::SUCCESS
}
