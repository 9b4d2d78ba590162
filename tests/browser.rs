//! A real browser: headless Chromium (Debian's, driven by node's playwright-core) opens the
//! demo page, and its `EventSource` must receive exactly the events sent: types, data with
//! newlines and non-ASCII text, `lastEventId`, and nothing meant for another user.

#[path = "../examples/dashboard/mod.rs"]
mod dashboard;

use dashboard::{Audience, Config};
use serde_json::{json, Value};
use sse_wire::Event;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and node with playwright-core: run by scripts/test-all"]
async fn the_browsers_event_source_receives_exactly_what_was_sent() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "chromium is missing (apt-get install chromium)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/node/browser.mjs");
    let (address, dashboard) = dashboard::start(Config {
        tick: None,
        ..Config::default()
    })
    .await;

    let notification = |data: &str| Event::new().event("notification").data(data.to_owned());
    let sent: Vec<(Audience<'static>, Event)> = vec![
        (
            Audience::Everyone,
            notification("line one\nline two\r\nline three"),
        ),
        (
            Audience::User("tester"),
            Event::new().data(r#"{"private":true,"text":"ünïcödé ✓ 日本語 🚀"}"#),
        ),
        (
            Audience::User("someone-else"),
            notification("must not reach the tester"),
        ),
        (Audience::Everyone, Event::new().event("alert").data("")),
        (
            Audience::Everyone,
            notification("  two leading spaces, one kept\n"),
        ),
    ];
    let expected = |ids: &[sse_wire::EventId]| {
        json!([
            {"type": "notification", "data": "line one\nline two\nline three", "lastEventId": ids[0].as_str()},
            {"type": "message", "data": r#"{"private":true,"text":"ünïcödé ✓ 日本語 🚀"}"#, "lastEventId": ids[1].as_str()},
            {"type": "alert", "data": "", "lastEventId": ids[3].as_str()},
            {"type": "notification", "data": "  two leading spaces, one kept\n", "lastEventId": ids[4].as_str()},
        ])
    };

    let url = format!("http://{address}/?user=tester");
    let count = "4".to_owned();
    let mut node = Command::new("node")
        .args([script.to_str().unwrap(), &url, &count])
        .stdout(Stdio::piped())
        .spawn()
        .expect("node must be installed");
    let lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let (line_sender, mut line_receiver) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .for_each(|line| drop(line_sender.send(line)))
    });
    let mut next_line = async || {
        tokio::time::timeout(Duration::from_secs(60), line_receiver.recv())
            .await
            .ok()
            .flatten()
    };

    assert_eq!(
        next_line().await.as_deref(),
        Some("ready"),
        "the page did not open its EventSource"
    );
    let mut ids = Vec::new();
    for (audience, event) in sent {
        ids.push(dashboard.publish(audience, event).await.unwrap());
    }
    let received: Value =
        serde_json::from_str(&next_line().await.expect("the page's events")).unwrap();
    assert!(node.wait().unwrap().success());
    assert_eq!(received, expected(&ids));
}
