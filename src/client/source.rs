//! [`EventSource`]: the reconnecting client loop, over any [`Transport`].

use super::event::{ClientEvent, Disconnect};
use super::transport::{Attempt, Body, Connecting, Transport};
use crate::decode::{Decoder, DecoderConfig, Frame};
use crate::field::EventId;
use crate::reconnect::{Decision, Reconnect, ReconnectConfig, StopReason};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::{FusedStream, Stream};
use std::sync::Arc;
use tokio::time::{Instant, Sleep};

/// A reconnecting Server-Sent Events client, like a browser's `EventSource`: a
/// [`Stream`] of [`ClientEvent`]s.
///
/// It sends `Accept: text/event-stream` and, on reconnects, `Last-Event-ID` (the decoder's
/// committed last event id, so blocks without data count); it checks each response (204,
/// a status other than 200 or a wrong content type stop it, per the standard); it waits the
/// server's `retry` between attempts, backing off on failures in a row, with jitter that
/// only lengthens the wait; it can retry 5xx, 408 and 429 honouring `Retry-After`, and
/// replace a connection silent for longer than an idle timeout. All of that policy is a
/// [`Reconnect`], configured with [`reconnect`](Self::reconnect).
///
/// The stream ends after an `Err(`[`StopReason`]`)` saying why it stopped, or with no error
/// after [`close`](Self::close). Timers are tokio's: poll it inside a tokio runtime.
///
/// HTTP comes from a [`Transport`]: reqwest with the `reqwest` feature
/// ([`get`](Self::get), [`from_request`](Self::from_request), [`from_fn`](Self::from_fn)), or
/// any other client through [`new`](Self::new).
///
/// # Examples
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # #[allow(dead_code)]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures::StreamExt;
/// use sse_wire::client::{ClientEvent, EventSource};
///
/// let mut events = EventSource::get("http://127.0.0.1:3000/events");
/// while let Some(event) = events.next().await {
///     match event? {
///         ClientEvent::Message(message) => println!("{}: {}", message.event_type(), message.data()),
///         ClientEvent::Reconnecting { delay, cause, .. } => eprintln!("{cause}; again in {delay:?}"),
///         ClientEvent::Open | ClientEvent::Comment(_) | ClientEvent::Skipped(_) => {}
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct EventSource {
    transport: Box<dyn Transport + Send>,
    policy: Reconnect,
    decoder: Decoder,
    state: State,
    /// Where the policy's clock starts.
    started: Instant,
    connections: u32,
}

enum State {
    /// About to connect.
    Idle,
    Connecting(Connecting),
    Open {
        body: Body,
        /// Armed when an idle timeout is set.
        idle: Option<Pin<Box<Sleep>>>,
        /// The body ended: hand out what the finished decoder holds, then reconnect.
        ended: bool,
    },
    Waiting(Pin<Box<Sleep>>),
    /// Stopped for good (the reason, if any, was handed out as the last item).
    Stopped,
}

impl core::fmt::Debug for EventSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match &self.state {
            State::Idle => "idle",
            State::Connecting(_) => "connecting",
            State::Open { .. } => "open",
            State::Waiting(_) => "waiting",
            State::Stopped => "stopped",
        };
        f.debug_struct("EventSource")
            .field("state", &state)
            .field("policy", &self.policy)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

impl EventSource {
    /// A client over `transport`, with the default [`ReconnectConfig`] (self-seeded jitter)
    /// and [`DecoderConfig`]. It connects when first polled.
    pub fn new(transport: impl Transport + Send + 'static) -> Self {
        Self {
            transport: Box::new(transport),
            policy: Reconnect::new(ReconnectConfig::default()),
            decoder: Decoder::new(),
            state: State::Idle,
            started: Instant::now(),
            connections: 0,
        }
    }

    /// Paces reconnections with `config` (delays, backoff, jitter, attempts, idle timeout,
    /// retrying 5xx/408/429).
    pub fn reconnect(self, config: ReconnectConfig) -> Self {
        let policy = Reconnect::new(config);
        self.policy(policy)
    }

    /// Uses this policy as it is (for a fixed jitter seed in tests, say). A last event id it
    /// holds is where the stream resumes.
    pub fn policy(mut self, policy: Reconnect) -> Self {
        let keep = self.policy.last_event_id().to_owned();
        self.policy = policy;
        if self.policy.last_event_id().is_empty() {
            self.policy.set_last_event_id(&keep);
        }
        let id = self.policy.last_event_id().to_owned();
        self.decoder = seeded(*self.decoder.config(), &id);
        self
    }

    /// Decodes with these limits and options; with
    /// [`comments(true)`](DecoderConfig::comments) comments are reported as
    /// [`ClientEvent::Comment`].
    pub fn decoder_config(mut self, config: DecoderConfig) -> Self {
        self.decoder = seeded(config, self.policy.last_event_id());
        self
    }

    /// Resumes after this id (one the application persisted): the first request sends it as
    /// `Last-Event-ID`, and events without an id carry it, as if the stream had set it.
    pub fn last_event_id(mut self, id: EventId) -> Self {
        self.policy.set_last_event_id(id.as_str());
        self.decoder = seeded(*self.decoder.config(), id.as_str());
        self
    }

    /// The last event id committed so far: what the next connection sends.
    pub fn current_last_event_id(&self) -> &str {
        self.decoder.last_event_id()
    }

    /// The reconnection policy, with its state (failures in a row, the server's retry).
    pub fn reconnect_policy(&self) -> &Reconnect {
        &self.policy
    }

    /// Connections attempted so far.
    pub fn connections(&self) -> u32 {
        self.connections
    }

    /// Stops for good: drops the connection or the pending wait; the stream then ends
    /// without an error.
    pub fn close(&mut self) {
        self.policy.close();
        self.state = State::Stopped;
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// The connection is gone: ask the policy what next.
    fn disconnected(&mut self, cause: Disconnect) -> Poll<Option<Result<ClientEvent, StopReason>>> {
        self.policy.on_decoded(&self.decoder);
        self.decoder.reset();
        let decision = self.policy.on_disconnect(self.now());
        self.decide(decision, cause)
    }

    fn decide(
        &mut self,
        decision: Decision,
        cause: Disconnect,
    ) -> Poll<Option<Result<ClientEvent, StopReason>>> {
        match decision {
            Decision::Reconnect { delay } => {
                self.state = State::Waiting(Box::pin(tokio::time::sleep(delay)));
                Poll::Ready(Some(Ok(ClientEvent::Reconnecting {
                    attempt: self.policy.failures(),
                    delay,
                    cause,
                })))
            }
            Decision::Stop(reason) => self.stop(reason),
        }
    }

    fn stop(&mut self, reason: StopReason) -> Poll<Option<Result<ClientEvent, StopReason>>> {
        self.state = State::Stopped;
        match reason {
            StopReason::Closed => Poll::Ready(None),
            reason => Poll::Ready(Some(Err(reason))),
        }
    }

    fn connect(&mut self) {
        self.policy.on_connect();
        self.connections = self.connections.saturating_add(1);
        let attempt = Attempt {
            number: self.connections,
            last_event_id: self.decoder.last_event_id().to_owned(),
        };
        self.state = State::Connecting(self.transport.connect(&attempt));
    }
}

/// The idle timer for the policy's current deadline, if there is one.
fn idle_timer(policy: &Reconnect, started: Instant) -> Option<Pin<Box<Sleep>>> {
    let deadline = started.checked_add(policy.idle_deadline()?)?;
    Some(Box::pin(tokio::time::sleep_until(deadline)))
}

/// A decoder whose committed last event id is `id`: fed an id-only block, the public way to
/// set it, then reset so stream offsets start at zero.
fn seeded(config: DecoderConfig, id: &str) -> Decoder {
    let mut decoder = Decoder::with_config(config);
    if !id.is_empty() && EventId::try_from(id).is_ok() {
        decoder.push(["id: ", id, "\n\n"].concat());
        while decoder.next_frame().is_some() {}
        decoder.reset();
    }
    decoder
}

impl Stream for EventSource {
    type Item = Result<ClientEvent, StopReason>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Stopped => return Poll::Ready(None),
                State::Idle => this.connect(),
                State::Waiting(sleep) => {
                    core::task::ready!(sleep.as_mut().poll(cx));
                    this.connect();
                }
                State::Connecting(connecting) => {
                    let result = core::task::ready!(connecting.as_mut().poll(cx));
                    let connection = match result {
                        Ok(connection) => connection,
                        Err(error) if error.is_permanent() => {
                            let message = chain(&*error.into_inner());
                            return this.stop(StopReason::InvalidRequest { message });
                        }
                        Err(error) => {
                            let cause = Disconnect::Transport(Arc::from(error.into_inner()));
                            return this.disconnected(cause);
                        }
                    };
                    let now = this.now();
                    let checked = this.policy.on_response(
                        connection.status,
                        connection.content_type.as_deref(),
                        now,
                    );
                    if let Some(reason) = this.policy.stop_reason().cloned() {
                        return this.stop(reason);
                    }
                    if let Err(error) = checked {
                        if let Some(wait) = connection.retry_after {
                            this.policy.on_retry_after(wait);
                        }
                        return this.disconnected(Disconnect::Response(error));
                    }
                    this.state = State::Open {
                        body: connection.body,
                        idle: idle_timer(&this.policy, this.started),
                        ended: false,
                    };
                    return Poll::Ready(Some(Ok(ClientEvent::Open)));
                }
                State::Open { body, idle, ended } => {
                    if let Some(item) = this.decoder.next_frame() {
                        let event = match item {
                            Ok(Frame::Event(message)) => {
                                this.policy.on_message(&message, this.started.elapsed());
                                ClientEvent::Message(message)
                            }
                            Ok(Frame::Comment(comment)) => ClientEvent::Comment(comment),
                            Err(error) => ClientEvent::Skipped(error),
                        };
                        this.policy.on_decoded(&this.decoder);
                        return Poll::Ready(Some(Ok(event)));
                    }
                    if *ended {
                        return this.disconnected(Disconnect::Ended);
                    }
                    if let Some(timer) = idle {
                        if timer.as_mut().poll(cx).is_ready() {
                            let now = this.started.elapsed();
                            match this.policy.check_idle(now) {
                                Some(decision) => {
                                    this.policy.on_decoded(&this.decoder);
                                    this.decoder.reset();
                                    return this.decide(decision, Disconnect::IdleTimeout);
                                }
                                // Activity moved the deadline: wait for the new one.
                                None => {
                                    *idle = idle_timer(&this.policy, this.started);
                                    continue;
                                }
                            }
                        }
                    }
                    match core::task::ready!(body.as_mut().poll_next(cx)) {
                        Some(Ok(chunk)) => {
                            this.decoder.push_bytes(chunk);
                            let now = this.started.elapsed();
                            this.policy.on_activity(now);
                            // Every chunk counts as activity, keep-alive comments included.
                            let deadline = this.policy.idle_deadline();
                            if let (Some(timer), Some(deadline)) = (
                                idle.as_mut(),
                                deadline.and_then(|deadline| this.started.checked_add(deadline)),
                            ) {
                                timer.as_mut().reset(deadline);
                            }
                        }
                        Some(Err(error)) => {
                            return this.disconnected(Disconnect::Transport(Arc::from(error)));
                        }
                        None => {
                            this.decoder.finish();
                            *ended = true;
                        }
                    }
                }
            }
        }
    }
}

impl FusedStream for EventSource {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Stopped)
    }
}

/// An error and its sources, joined with ": ".
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
