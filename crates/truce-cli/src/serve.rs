//! `truce serve`: the mediator service until Ctrl-C.

use truce_server::ServeOptions;

use crate::cli::ServeArgs;
use crate::error::{CliError, Outcome};

/// The environment variable holding the token that may create deals; kept
/// out of the command line, which other users of the machine can read.
const ADMIN_TOKEN_VAR: &str = "TRUCE_ADMIN_TOKEN";

pub fn run(args: &ServeArgs) -> Result<Outcome, CliError> {
    let opts = ServeOptions {
        database_url: args.database_url.clone(),
        listen: args.listen,
        admin_token: std::env::var(ADMIN_TOKEN_VAR)
            .ok()
            .filter(|t| !t.is_empty()),
        service_key: args
            .service_key
            .as_deref()
            .map(|path| service_key(path, &args.service_name))
            .transpose()?,
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(truce_server::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the service: {e}")))?;
    runtime
        .block_on(truce_server::run(opts))
        .map_err(|e| CliError::Usage(format!("cannot serve: {e}")))?;
    Ok(Outcome::Success)
}

/// The service key in `path`, or a new one written there owner-only.
fn service_key(path: &std::path::Path, name: &str) -> Result<truce_ledger::ServiceKey, CliError> {
    let bad =
        |e: truce_ledger::CheckpointError| CliError::Usage(format!("{}: {e}", path.display()));
    match crate::files::read_limited(path, 64 * 1024) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::Usage(format!("{} is not UTF-8", path.display())))?;
            truce_ledger::ServiceKey::from_secret_file(&text).map_err(bad)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = truce_ledger::ServiceKey::generate(name, &mut rand::rng()).map_err(bad)?;
            crate::files::write_secret(path, key.to_secret_file().as_bytes())?;
            eprintln!(
                "created the service key {} (verifier key {})",
                path.display(),
                key.verifier().to_vkey()
            );
            Ok(key)
        }
        Err(source) => Err(CliError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}
