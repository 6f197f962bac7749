//! PEM keys against OpenSSL: a key OpenSSL made is read, its public half
//! derived here is the one OpenSSL derives, and the key written back is
//! OpenSSL's file byte for byte. With `openssl` on the PATH the key is made
//! at test time; the committed pair (`tests/data/openssl-ed25519*.pem`,
//! made by `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`)
//! is checked always.

use std::path::Path;
use std::process::Command;

use truce_ledger::{PartyKey, PemError, PemKey, read_pem_key};

use crate::fixture::party;

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).expect("fixture")
}

/// The secret PEM, its public PEM (both OpenSSL's): read, derived and
/// written back exactly as OpenSSL does.
fn check_against(secret_pem: &str, public_pem: &str) {
    let key = PartyKey::from_pkcs8_pem(party("side-a"), secret_pem).expect("openssl's key");
    assert_eq!(key.public_key().to_spki_pem(), public_pem);
    assert_eq!(key.to_pkcs8_pem(), secret_pem);
    match read_pem_key(public_pem).expect("openssl's public key") {
        PemKey::Public(public) => assert_eq!(public, key.public_key()),
        PemKey::Secret(_) => panic!("a public key read as secret"),
    }
    // The secret key file keeps the same key.
    let back = PartyKey::from_secret_file(&key.to_secret_file()).expect("secret file");
    assert_eq!(back.to_pkcs8_pem(), secret_pem);
}

#[test]
fn the_committed_openssl_key_reads_and_writes_back_byte_for_byte() {
    check_against(
        &data("openssl-ed25519.pem"),
        &data("openssl-ed25519.pub.pem"),
    );
}

#[test]
fn a_key_openssl_makes_now_reads_and_writes_back_byte_for_byte() {
    let Ok(out) = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519"])
        .output()
    else {
        // No openssl here: the committed pair above stands in for it.
        return;
    };
    assert!(out.status.success(), "openssl genpkey failed");
    let secret = String::from_utf8(out.stdout).expect("pem");
    let dir = std::env::temp_dir().join(format!("truce-pem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ours = PartyKey::from_pkcs8_pem(party("mediator"), &secret).expect("openssl's key");
    // OpenSSL reads what we write, and derives the same public key.
    let file = dir.join("ours.pem");
    std::fs::write(&file, ours.to_pkcs8_pem()).expect("write");
    let public = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&file)
        .output()
        .expect("openssl pkey");
    assert!(public.status.success(), "openssl refused our PEM");
    let public = String::from_utf8(public.stdout).expect("pem");
    let _ = std::fs::remove_dir_all(&dir);
    check_against(&secret, &public);
}

fn refused(text: &str) -> PemError {
    read_pem_key(text).expect_err("refused")
}

#[test]
fn a_broken_pem_is_refused_with_its_line_and_column() {
    let good = data("openssl-ed25519.pem");
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    lines[1].replace_range(4..5, "!");
    let e = refused(&(lines.join("\n") + "\n"));
    assert_eq!((e.line, e.column), (2, 5), "{e}");
    assert!(
        e.to_string().contains("'!' is not a base64 character"),
        "{e}"
    );

    let e = refused("hello\n");
    assert_eq!((e.line, e.column), (1, 1), "{e}");

    let cut: String = good.lines().take(2).map(|l| format!("{l}\n")).collect();
    let e = refused(&cut);
    assert!(
        e.to_string()
            .contains("no `-----END PRIVATE KEY-----` line"),
        "{e}"
    );

    let e = refused("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assert_eq!(e.line, 1, "{e}");
    assert!(e.to_string().contains("`RSA PRIVATE KEY`"), "{e}");

    let e = refused(&good.replace("MC4CAQAw", "MC4CAQEw"));
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    assert!(e.to_string().contains("PKCS#8"), "{e}");

    let e = refused(&format!("{good}{good}"));
    assert_eq!(e.line, 4, "{e}");

    let public = data("openssl-ed25519.pub.pem");
    let e = PartyKey::from_pkcs8_pem(party("side-a"), &public).expect_err("public is not secret");
    assert!(e.to_string().contains("public key"), "{e}");
}
