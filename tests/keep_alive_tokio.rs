//! `KeepAlive::tokio` on tokio's paused clock: time moves only when the test says so.
#![cfg(feature = "tokio")]

use futures::StreamExt;
use sse_wire::stream::{EncodeStream, KeepAlive};
use sse_wire::Event;
use std::time::Duration;
use tokio::sync::mpsc;

#[tokio::test(start_paused = true)]
async fn sends_a_comment_after_each_quiet_interval() {
    let (events, receiver) = mpsc::channel::<Event>(4);
    let source = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|event| (event, receiver))
    });
    let mut body = Box::pin(KeepAlive::tokio(
        EncodeStream::new(source),
        Duration::from_secs(15),
    ));

    let started = tokio::time::Instant::now();
    assert_eq!(body.next().await.unwrap().unwrap(), ":\n\n");
    assert_eq!(started.elapsed(), Duration::from_secs(15));

    tokio::time::advance(Duration::from_secs(10)).await;
    events.send(Event::new().data("tick")).await.unwrap();
    assert_eq!(body.next().await.unwrap().unwrap(), "data: tick\n\n");
    let after_event = tokio::time::Instant::now();
    assert_eq!(body.next().await.unwrap().unwrap(), ":\n\n");
    assert_eq!(
        after_event.elapsed(),
        Duration::from_secs(15),
        "the event reset the timer"
    );

    drop(events);
    assert!(body.next().await.is_none());
}
