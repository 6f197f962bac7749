//! SIGTERM (what `docker stop`, systemd and Kubernetes send) and SIGINT
//! (Ctrl-C) drain the service: a request in flight when the signal comes
//! is answered, no new connection is accepted, and the process exits 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::crash::{WAIT, spawn_server};
use crate::support::*;

fn drain_on(signal: &str) {
    let mut server = spawn_server(&database_url());
    let body = create_body(&unique("drain"), 3).to_string();
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    // `Expect: 100-continue`: the service says `100 Continue` when its
    // handler starts reading the body, the readiness signal that the
    // request is in flight.
    let head = format!(
        "POST /api/v1/deals HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    let interim = read_head(&mut stream);
    assert!(
        interim.starts_with("HTTP/1.1 100 Continue\r\n"),
        "{interim}"
    );
    stream.write_all(first).expect("write");
    let pid = server.child.id().to_string();
    let sent = Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    // The service has taken the signal when it stops listening (it drops
    // its listener, then drains): only then is the rest of the body sent.
    let start = Instant::now();
    while TcpStream::connect(server.addr).is_ok() {
        assert!(start.elapsed() < WAIT, "the service kept listening");
        std::thread::sleep(Duration::from_millis(20));
    }
    stream
        .write_all(rest)
        .expect("the connection in flight stays open");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 201 Created\r\n"), "{answer}");
    // The server exits 0 once the request is answered.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(start.elapsed() < WAIT, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{signal}");
}

/// Reads one response head (up to its blank line), byte by byte so that
/// nothing after it is taken from the stream.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[test]
fn sigterm_answers_the_request_in_flight_and_exits_0() {
    drain_on("-TERM");
}

#[test]
fn sigint_answers_the_request_in_flight_and_exits_0() {
    drain_on("-INT");
}
