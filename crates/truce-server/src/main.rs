//! `truce-server DATABASE_URL LISTEN`: the service as a child process for
//! the crash test (`tests/it/crash.rs`) and the load example. Users run
//! `truce serve`.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [database_url, listen] = args.as_slice() else {
        eprintln!("usage: truce-server DATABASE_URL LISTEN_ADDR");
        return std::process::ExitCode::from(2);
    };
    let Ok(listen) = listen.parse() else {
        eprintln!("error: bad listen address");
        return std::process::ExitCode::from(2);
    };
    let opts = truce_server::ServeOptions {
        database_url: database_url.clone(),
        listen,
        admin_token: None,
        service_key: None,
        tls: None,
        at_rest: None,
        limits: truce_server::Limits::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(truce_server::run(opts)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
