//! `vigil-local`: the whole portal on one machine. Settings: see `config.rs` (`VIGIL_PORT`, `VIGIL_DATA_DIR`, …).

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
    let running = match vigil_local::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil-local: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    eprintln!("Vigil is running at {} — sign in as any demo user. Ctrl-C stops it.", running.base_url());
    tokio::select! {
        _ = tokio::signal::ctrl_c() => running.stop().await,
    }
    std::process::ExitCode::SUCCESS
}
