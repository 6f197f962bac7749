//! `truce demo --serve`: after the story the room stays open, with one
//! sign-in link per party (a one-time code in the fragment, never a
//! token) and each party's key file; Ctrl-C stops it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// One HTTP/1.1 request on its own connection: (status, headers, body).
fn http(addr: &str, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the room");
    s.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

fn header_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
}

/// Sign in with a one-time code: the status of the POST.
fn sign_in_with(addr: &str, code: &str) -> (u16, String) {
    let (_, head, _) = http(
        addr,
        &format!("GET /room/signin HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let pre = header_cookie(&head, "truce_signin").expect("the sign-in form's cookie");
    let body = format!("csrf={pre}&code={code}");
    let (status, head, _) = http(
        addr,
        &format!(
            "POST /room/signin HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: truce_signin={pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    (status, head)
}

#[test]
fn the_demo_keeps_the_room_open_with_one_link_per_party() {
    let mut child = Command::new(trycmd::cargo::cargo_bin!("truce"))
        .args(["demo", "--serve"])
        .env_remove("TRUCE_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("truce demo --serve runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut links = Vec::new();
    let mut key_files = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some((_, link)) = line.split_once("http://")
            && let Some((addr, code)) = link.split_once("/room/signin#code=")
        {
            let party = line.split_whitespace().next().expect("party").to_owned();
            links.push((party, addr.to_owned(), code.trim().to_owned()));
        }
        if let Some((_, path)) = line.split_once("key file to sign in the page: ") {
            key_files.push(path.trim().to_owned());
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let parties: Vec<&str> = links.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(parties.len(), key_files.len());
    for role_party in ["mediator", "relief", "side-a", "side-b"] {
        assert!(parties.contains(&role_party), "{parties:?}");
    }
    for (party, addr, code) in &links {
        // The link carries a one-time code, not the party's token (tokens
        // are 70 characters).
        assert!(code.len() < 64, "{party}: {code}");
        let (status, head) = sign_in_with(addr, code);
        assert_eq!(status, 303, "{party}: {head}");
        assert!(header_cookie(&head, "truce_session").is_some());
        let (again, _) = sign_in_with(addr, code);
        assert_eq!(again, 401, "{party}: a code works once");
    }
    for (file, (party, _, _)) in key_files.iter().zip(&links) {
        let text = std::fs::read_to_string(file).expect("the key file exists");
        let key: serde_json::Value = serde_json::from_str(&text).expect("a key file");
        assert_eq!(key["party"], party.as_str());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "{file} is owner-only");
        }
    }
    // Ctrl-C: the room stops and its files go.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let exit = child.wait().expect("the demo exits");
    assert_eq!(exit.code(), Some(0), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("Stopping the room")),
        "{rest:?}"
    );
    for file in &key_files {
        assert!(!std::path::Path::new(file).exists(), "{file} removed");
    }
}
