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
            (Some(cert), Some(key)) => {
                // The service reads the PEM files itself (rustls); checked
                // here first as every file the CLI names is: regular and
                // under the certificate cap, so a FIFO or a huge file is
                // refused before the service starts.
                for path in [cert, key] {
                    crate::files::read_file(path, crate::files::FileKind::Certificate)?;
                }
                Some(truce_server::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                })
            }
            _ => None,
        },
        at_rest: at_rest_keys()?,
        limits: truce_server::Limits {
            max_connections: args.max_connections,
            max_connections_per_peer: args.max_connections_per_peer,
            ..truce_server::Limits::default()
        },
    };
    if args.max_connections_per_peer > args.max_connections {
        return Err(CliError::Usage(format!(
            "--max-connections-per-peer {} is larger than --max-connections {}",
            args.max_connections_per_peer, args.max_connections
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::System {
            context: "cannot start the service".to_owned(),
            source,
        })?;
    runtime
        .block_on(truce_server::run(opts))
        .map_err(|source| CliError::Serve {
            context: "cannot serve".to_owned(),
            source,
        })?;
    Ok(Outcome::Success)
}

/// The service key in `path`, or a new one written there owner-only.
fn service_key(path: &std::path::Path, name: &str) -> Result<truce_ledger::ServiceKey, CliError> {
    let bad = |source| CliError::Checkpoint {
        context: path.display().to_string(),
        source,
    };
    let kind = crate::files::FileKind::ServiceKey;
    match crate::files::read_file(path, kind) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::Input(format!("{} is not UTF-8", path.display())))?;
            truce_ledger::ServiceKey::from_secret_file(&text).map_err(bad)
        }
        Err(CliError::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            let key = truce_ledger::ServiceKey::generate(name, &mut rand::rng()).map_err(bad)?;
            crate::files::write_secret(path, key.to_secret_file().as_bytes())?;
            eprintln!(
                "created the service key {} (verifier key {})",
                path.display(),
                key.verifier().to_vkey()
            );
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

/// The environment variables holding the at-rest key (64 hex digits, or a
/// file holding them), and the previous key during a rotation.
const AT_REST_KEY: &str = "TRUCE_AT_REST_KEY";
const AT_REST_PREVIOUS_KEY: &str = "TRUCE_AT_REST_PREVIOUS_KEY";

/// One key from `VAR` (hex) or `VAR_FILE` (a file holding the hex).
fn at_rest_key(var: &str) -> Result<Option<truce_server::SealKey>, CliError> {
    let file_var = format!("{var}_FILE");
    let (hex, from) = match (std::env::var(var), std::env::var(&file_var)) {
        (Ok(hex), _) if !hex.is_empty() => (hex, var.to_owned()),
        (_, Ok(path)) if !path.is_empty() => {
            let path = std::path::Path::new(&path);
            let text = crate::files::read_text(path, crate::files::FileKind::Event)?;
            (text, path.display().to_string())
        }
        _ => return Ok(None),
    };
    truce_server::SealKey::from_hex(&hex)
        .map(Some)
        .map_err(|source| CliError::AtRestKey {
            context: from,
            source,
        })
}

/// The at-rest keys from the environment: `TRUCE_AT_REST_KEY` (or
/// `…_FILE`) seals; `TRUCE_AT_REST_PREVIOUS_KEY` (or `…_FILE`) still opens
/// what it sealed, while a rotation re-seals it at start.
fn at_rest_keys() -> Result<Option<truce_server::SealKeys>, CliError> {
    let previous = at_rest_key(AT_REST_PREVIOUS_KEY)?;
    match at_rest_key(AT_REST_KEY)? {
        Some(current) => Ok(Some(truce_server::SealKeys::new(
            current,
            previous.into_iter().collect(),
        ))),
        None if previous.is_some() => Err(CliError::Usage(format!(
            "{AT_REST_PREVIOUS_KEY} is set without {AT_REST_KEY}: a rotation needs the new key too"
        ))),
        None => Ok(None),
    }
}
