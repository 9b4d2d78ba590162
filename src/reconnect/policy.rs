//! [`Reconnect`]: the sans-IO state machine that decides when and how to reconnect.

use super::config::ReconnectConfig;
use crate::error::ResponseError;
use crate::response::check_response;
use crate::text::Text;
use core::time::Duration;

/// What the client should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Wait `delay`, then connect again, sending
    /// [`Reconnect::last_event_id`] as `Last-Event-ID` when it is not empty.
    Reconnect {
        /// How long to wait first.
        delay: Duration,
    },
    /// Do not reconnect.
    Stop(StopReason),
}

/// Why a [`Reconnect`] policy stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The response ruled the stream out (204, a status other than 200, a wrong content type).
    Response(ResponseError),
    /// Too many failed attempts in a row.
    TooManyAttempts {
        /// The attempts made.
        attempts: u32,
    },
    /// The caller closed the stream.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// A connection attempt is in flight (or about to be).
    Connecting,
    /// Reading a stream; the time anything last arrived.
    Open {
        last_activity: Duration,
    },
    /// Waiting before the next attempt.
    Waiting,
    Stopped(StopReason),
}

/// A sans-IO reconnection policy for event-stream clients.
///
/// Feed it what happened ([`on_response`](Self::on_response), [`on_event`](Self::on_event),
/// [`on_activity`](Self::on_activity), [`on_disconnect`](Self::on_disconnect),
/// [`check_idle`](Self::check_idle)) and it answers with a [`Decision`]: reconnect after a
/// delay, or stop. It does no IO and keeps no clock: `now` is whatever monotonic time the
/// caller measures from a fixed start, and jitter comes from a seeded generator, so tests are
/// deterministic.
///
/// The delay is the server's last `retry` (else 3 s), never below a floor; failures in a
/// row back it off exponentially up to a bound, with jitter; any event received resets the
/// backoff. Per the standard, a 204 or a status other than 200 or a wrong content type
/// stops; optionally 5xx is retried.
///
/// # Examples
/// ```
/// use sse_wire::{Decision, Reconnect, ReconnectConfig};
/// use std::time::Duration;
///
/// let mut policy = Reconnect::new(ReconnectConfig::default().jitter(0.0), 42);
/// let now = Duration::ZERO;
/// policy.on_response(200, Some(b"text/event-stream"), now)?;
/// policy.on_event("17", Some(Duration::from_secs(5)), now);
/// // The connection drops: wait the server's retry, then send Last-Event-ID: 17.
/// assert_eq!(policy.on_disconnect(now), Decision::Reconnect { delay: Duration::from_secs(5) });
/// assert_eq!(policy.last_event_id(), "17");
/// # Ok::<(), sse_wire::ResponseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reconnect {
    config: ReconnectConfig,
    state: State,
    last_event_id: Text,
    server_retry: Option<Duration>,
    /// Failed attempts since the last event received.
    failures: u32,
    rng: u64,
}

impl Reconnect {
    /// A policy about to make its first connection. `seed` drives the jitter: pass something
    /// random (the current time's nanoseconds will do) in production, a constant in tests.
    pub fn new(config: ReconnectConfig, seed: u64) -> Self {
        Self {
            config,
            state: State::Connecting,
            last_event_id: Text::default(),
            server_retry: None,
            failures: 0,
            // xorshift must not start at zero.
            rng: seed | 1,
        }
    }

    /// Starts from a known last event id (for example one the client persisted).
    pub fn with_last_event_id(mut self, id: &str) -> Self {
        self.last_event_id = Text::from(id);
        self
    }

    /// The id to send as `Last-Event-ID` (empty: send none).
    pub fn last_event_id(&self) -> &str {
        self.last_event_id.as_str()
    }

    /// The server's last valid `retry`, if any.
    pub fn server_retry(&self) -> Option<Duration> {
        self.server_retry
    }

    /// Failed attempts since the last event.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the policy has stopped for good.
    pub fn is_stopped(&self) -> bool {
        matches!(self.state, State::Stopped(_))
    }

    /// The caller is starting a connection attempt (after waiting the delay).
    pub fn on_connect(&mut self) {
        if !self.is_stopped() {
            self.state = State::Connecting;
        }
    }

    /// The response head arrived.
    ///
    /// # Errors
    /// [`ResponseError`] when the stream must not be read. The policy has then decided; call
    /// [`on_disconnect`](Self::on_disconnect) to learn whether that means stop or retry
    /// (only with [`retry_server_errors`](ReconnectConfig::retry_server_errors)).
    pub fn on_response(
        &mut self,
        status: u16,
        content_type: Option<&[u8]>,
        now: Duration,
    ) -> Result<(), ResponseError> {
        match check_response(status, content_type) {
            Ok(()) => {
                self.state = State::Open { last_activity: now };
                Ok(())
            }
            Err(error) => {
                let retryable =
                    self.config.retry_server_errors && matches!(status, 408 | 429 | 500..=599);
                if !retryable {
                    self.state = State::Stopped(StopReason::Response(error.clone()));
                }
                Err(error)
            }
        }
    }

    /// An event was dispatched: `last_event_id` is the id it carries, `retry` the
    /// reconnection time in force (from [`Message`](crate::Message) or the decoder). Resets the
    /// backoff.
    pub fn on_event(&mut self, last_event_id: &str, retry: Option<Duration>, now: Duration) {
        if self.last_event_id.as_str() != last_event_id {
            self.last_event_id = Text::from(last_event_id);
        }
        if retry.is_some() {
            self.server_retry = retry;
        }
        self.failures = 0;
        self.on_activity(now);
    }

    /// The stream's reconnection time changed: pass [`Decoder::retry`](crate::Decoder::retry)
    /// (or `DecodeStream::retry`). Needed because a `retry` usually comes in a block without
    /// data, which dispatches no event.
    pub fn on_retry(&mut self, retry: Duration) {
        self.server_retry = Some(retry);
    }

    /// [`on_event`](Self::on_event) for a decoded [`Message`](crate::Message). It sees only
    /// a `retry` sent within the event itself; see [`on_retry`](Self::on_retry).
    pub fn on_message(&mut self, message: &crate::Message, now: Duration) {
        self.on_event(message.last_event_id(), message.retry(), now);
    }

    /// Bytes arrived (an event, a comment keep-alive, anything): the connection is alive.
    pub fn on_activity(&mut self, now: Duration) {
        if let State::Open { last_activity } = &mut self.state {
            *last_activity = now;
        }
    }

    /// When [`check_idle`](Self::check_idle) should next be called, if an idle timeout is set
    /// and a stream is open.
    pub fn idle_deadline(&self) -> Option<Duration> {
        match (&self.state, self.config.idle_timeout) {
            (State::Open { last_activity }, Some(timeout)) => Some(*last_activity + timeout),
            _ => None,
        }
    }

    /// Whether the open connection has been silent past the idle timeout; if so it counts as
    /// dropped and the decision to reconnect is returned (close the connection).
    pub fn check_idle(&mut self, now: Duration) -> Option<Decision> {
        let deadline = self.idle_deadline()?;
        (now >= deadline).then(|| self.on_disconnect(now))
    }

    /// The connection ended (cleanly or with an error), or an attempt failed to connect.
    pub fn on_disconnect(&mut self, _now: Duration) -> Decision {
        if let State::Stopped(reason) = &self.state {
            return Decision::Stop(reason.clone());
        }
        self.failures = self.failures.saturating_add(1);
        if let Some(limit) = self.config.max_attempts {
            if self.failures > limit {
                let reason = StopReason::TooManyAttempts { attempts: limit };
                self.state = State::Stopped(reason.clone());
                return Decision::Stop(reason);
            }
        }
        self.state = State::Waiting;
        Decision::Reconnect {
            delay: self.delay(),
        }
    }

    /// The caller gives up on the stream (for example the user closed the page).
    pub fn close(&mut self) {
        self.state = State::Stopped(StopReason::Closed);
    }

    /// The delay before the next attempt: base, backed off by failures in a row (the first
    /// drop after an event waits just the base), jittered, clamped.
    fn delay(&mut self) -> Duration {
        let base = self.server_retry.unwrap_or(self.config.default_delay);
        let doublings = self.failures.saturating_sub(1).min(32);
        let factor = self.config.backoff.saturating_pow(doublings);
        let backed_off = base
            .saturating_mul(factor)
            .min(self.config.max_delay.max(base));
        let jittered = backed_off.mul_f64(1.0 - self.config.jitter * self.next_fraction());
        jittered.max(self.config.min_delay)
    }

    /// A uniform fraction in [0, 1) from xorshift64.
    fn next_fraction(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        // The top 53 bits fill an f64 mantissa exactly.
        (self.rng >> 11) as f64 / (1_u64 << 53) as f64
    }
}
