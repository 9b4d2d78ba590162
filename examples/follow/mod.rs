//! A resilient event-stream client loop: reqwest for HTTP, `DecodeStream` for the format,
//! `Reconnect` for when and how to come back. Shared by `examples/client.rs` and the
//! integration tests, so what the tests prove is what the example does.

#![allow(dead_code)] // each example or test uses its own part

use futures::StreamExt;
use sse_wire::stream::DecodeStream;
use sse_wire::{Decision, Decoder, Message, Reconnect, StopReason, StreamError};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a [`follow`] run ended, and what it went through.
#[derive(Debug)]
pub struct Followed {
    /// `None` when the callback asked to stop; otherwise why the policy stopped.
    pub stopped: Option<StopReason>,
    /// Connections opened (the first one included).
    pub connections: u32,
}

/// Opens the stream `request` builds and hands every event to `on_message` until it returns
/// `Break`, reconnecting as `policy` decides (with `Last-Event-ID`, delays, backoff and the
/// read-idle timeout).
pub async fn follow(
    request: impl Fn() -> reqwest::RequestBuilder,
    policy: &mut Reconnect,
    mut on_message: impl FnMut(Message) -> ControlFlow<()>,
) -> Followed {
    let started = Instant::now();
    let now = || started.elapsed();
    let mut decoder = Decoder::new();
    let mut connections = 0;
    loop {
        policy.on_connect();
        connections += 1;
        let mut builder = request().header("accept", sse_wire::http::ACCEPT);
        if !policy.last_event_id().is_empty() {
            builder = builder.header(sse_wire::http::LAST_EVENT_ID, policy.last_event_id());
        }
        let decision = match builder.send().await {
            Err(error) => {
                eprintln!("connect failed: {error:?}");
                None
            }
            Ok(response) => {
                let content_type = response
                    .headers()
                    .get("content-type")
                    .map(|value| value.as_bytes());
                match policy.on_response(response.status().as_u16(), content_type, now()) {
                    Err(error) => {
                        eprintln!("refused: {error}");
                        None
                    }
                    Ok(()) => {
                        let (decision, ended, used) =
                            read(response, decoder, policy, started, &mut on_message).await;
                        decoder = used;
                        if ended {
                            return Followed {
                                stopped: None,
                                connections,
                            };
                        }
                        decision
                    }
                }
            }
        };
        decoder.reset();
        match decision.unwrap_or_else(|| policy.on_disconnect(now())) {
            Decision::Reconnect { delay } => tokio::time::sleep(delay).await,
            Decision::Stop(reason) => {
                return Followed {
                    stopped: Some(reason),
                    connections,
                }
            }
            _ => unreachable!("no other decisions exist yet"),
        }
    }
}

/// Reads one connection's events. Returns the idle-timeout decision if that ended it,
/// whether the callback asked to stop, and the decoder for the next connection.
async fn read(
    response: reqwest::Response,
    decoder: Decoder,
    policy: &mut Reconnect,
    started: Instant,
    on_message: &mut impl FnMut(Message) -> ControlFlow<()>,
) -> (Option<Decision>, bool, Decoder) {
    let now = || started.elapsed();
    // Every chunk counts as activity, keep-alive comments included.
    let last_activity = Arc::new(AtomicU64::new(now().as_millis() as u64));
    let body = {
        let last_activity = last_activity.clone();
        response.bytes_stream().inspect(move |_| {
            last_activity.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        })
    };
    let mut events = DecodeStream::with_decoder(Box::pin(body), decoder);
    loop {
        // A `retry` usually arrives in a block without data, so it reaches the policy here.
        if let Some(retry) = events.retry() {
            policy.on_retry(retry);
        }
        let idle_check = match policy.idle_deadline() {
            Some(deadline) => deadline.saturating_sub(now()),
            None => Duration::from_secs(3600),
        };
        tokio::select! {
            item = events.next() => match item {
                Some(Ok(message)) => {
                    policy.on_message(&message, now());
                    if on_message(message).is_break() {
                        return (None, true, events.into_parts().1);
                    }
                }
                Some(Err(StreamError::Decode(error))) => eprintln!("skipped an event: {error}"),
                Some(Err(error)) => {
                    eprintln!("connection lost: {error}");
                    return (None, false, finish(events, policy));
                }
                None => return (None, false, finish(events, policy)),
            },
            () = tokio::time::sleep(idle_check) => {
                policy.on_activity(Duration::from_millis(last_activity.load(Ordering::Relaxed)));
                if let Some(decision) = policy.check_idle(now()) {
                    eprintln!("no data for too long: reconnecting");
                    return (Some(decision), false, events.into_parts().1);
                }
            }
        }
    }
}

/// The decoder of a finished connection, after handing the policy its last `retry`.
fn finish<S>(events: DecodeStream<S>, policy: &mut Reconnect) -> Decoder {
    if let Some(retry) = events.retry() {
        policy.on_retry(retry);
    }
    events.into_parts().1
}
