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
