//! `truce keys`: a key OpenSSL made (`openssl genpkey -algorithm ed25519`,
//! committed beside truce-ledger's tests) imported and exported back byte
//! for byte; a key `truce keygen` made exported for OpenSSL and imported
//! again; a broken PEM refused with its line and column.

use std::path::Path;
use std::process::Command;

use crate::support::{Scratch, truce};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../truce-ledger/tests/data")
        .join(name)
        .to_str()
        .expect("utf-8")
        .to_owned()
}

fn ok(args: &[&str]) -> String {
    let out = truce(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "truce {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

#[test]
fn an_openssl_key_is_imported_and_exported_back_byte_for_byte() {
    let dir = Scratch::new("keys-openssl");
    let secret = dir.0.join("side-a.key");
    let keys = dir.0.join("keys.json");
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    ok(&[
        "keys",
        "import",
        &fixture("openssl-ed25519.pem"),
        "--party",
        "side-a",
        "--out",
        &s(&secret),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key file is owner-only");
    }
    let pem = ok(&["keys", "export", &s(&secret)]);
    assert_eq!(pem, read(Path::new(&fixture("openssl-ed25519.pem"))));
    let public = ok(&["keys", "export", "--public", &s(&secret)]);
    assert_eq!(public, read(Path::new(&fixture("openssl-ed25519.pub.pem"))));
    // The public PEM goes into keys.json, beside a party already there.
    ok(&["keygen", "--party", "mediator", "--out", &s(&dir.0)]);
    ok(&[
        "keys",
        "import",
        &fixture("openssl-ed25519.pub.pem"),
        "--party",
        "side-a",
        "--out",
        &s(&keys),
    ]);
    let ring: serde_json::Value = serde_json::from_str(&read(&keys)).expect("keys.json");
    let ids: Vec<&str> = ring["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["mediator", "side-a"]);
    // Twice is refused unless forced.
    let again = truce(&[
        "keys",
        "import",
        &fixture("openssl-ed25519.pub.pem"),
        "--party",
        "side-a",
        "--out",
        &s(&keys),
    ]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn a_keygen_key_goes_to_openssl_and_back() {
    let dir = Scratch::new("keys-roundtrip");
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    ok(&["keygen", "--party", "relief", "--out", &s(&dir.0)]);
    let key = dir.0.join("relief.key");
    let pem = dir.0.join("relief.pem");
    ok(&["keys", "export", &s(&key), "--out", &s(&pem)]);
    if let Ok(out) = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&pem)
        .output()
    {
        // OpenSSL reads it and derives the public key truce derives.
        assert!(out.status.success(), "openssl refused the PEM");
        let ours = ok(&["keys", "export", "--public", &s(&key)]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), ours);
    }
    let back = dir.0.join("back.key");
    ok(&[
        "keys",
        "import",
        &s(&pem),
        "--party",
        "relief",
        "--out",
        &s(&back),
    ]);
    assert_eq!(read(&back), read(&key));
}

#[test]
fn a_broken_pem_is_refused_with_its_place() {
    let dir = Scratch::new("keys-broken");
    let bad = dir.0.join("bad.pem");
    let text = read(Path::new(&fixture("openssl-ed25519.pem"))).replacen("MC4C", "MC*C", 1);
    std::fs::write(&bad, text).expect("write");
    let out = truce(&[
        "keys",
        "import",
        bad.to_str().expect("utf-8"),
        "--party",
        "side-a",
        "--out",
        dir.0.join("x.key").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.pem:2:3: not an ed25519 PEM key: '*' is not a base64 character"),
        "{stderr}"
    );
    assert!(!dir.0.join("x.key").exists());
}
