//! [`Reconnect`]: the sans-IO state machine that decides when and how to reconnect.

use super::config::ReconnectConfig;
use super::jitter::Jitter;
use crate::decode::Decoder;
use crate::error::ResponseError;
use crate::response::check_response;
use crate::text::Text;
use alloc::string::String;
use core::time::Duration;

/// What the client should do next.
///
/// Exhaustive: match both arms, or ask [`delay`](Self::delay).
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Decision {
    /// The wait before reconnecting, or `None` when the decision is to stop.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::{Decision, StopReason};
    /// use std::time::Duration;
    ///
    /// let wait = Decision::Reconnect { delay: Duration::from_secs(3) };
    /// assert_eq!(wait.delay(), Some(Duration::from_secs(3)));
    /// assert_eq!(Decision::Stop(StopReason::Closed).delay(), None);
    /// ```
    pub fn delay(&self) -> Option<Duration> {
        match self {
            Decision::Reconnect { delay } => Some(*delay),
            Decision::Stop(_) => None,
        }
    }

    /// Why to stop, or `None` when the decision is to reconnect.
    pub fn stop_reason(&self) -> Option<&StopReason> {
        match self {
            Decision::Reconnect { .. } => None,
            Decision::Stop(reason) => Some(reason),
        }
    }
}

/// Why a [`Reconnect`] policy (or a client driven by one) stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StopReason {
    /// The response ruled the stream out (204, a status other than 200, a wrong content type).
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// Too many failed attempts in a row.
    #[error("gave up after {attempts} failed connection attempts in a row")]
    TooManyAttempts {
        /// The attempts made.
        attempts: u32,
    },
    /// The caller closed the stream.
    #[error("the stream was closed by the caller")]
    Closed,
    /// The request itself cannot be sent (an invalid URL or header, a body that cannot be
    /// sent twice): trying again would fail the same way.
    #[error("the request cannot be sent: {message}")]
    InvalidRequest {
        /// What is wrong with it.
        message: String,
    },
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
/// Feed it what happened ([`on_response`](Self::on_response), [`on_decoded`](Self::on_decoded),
/// [`on_activity`](Self::on_activity), [`on_disconnect`](Self::on_disconnect),
/// [`check_idle`](Self::check_idle)) and it answers with a [`Decision`]: reconnect after a
/// delay, or stop. It does no IO and keeps no clock: `now` is whatever monotonic time the
/// caller measures from a fixed start, and jitter comes from a seeded generator, so tests are
/// deterministic.
///
/// The rules it keeps:
/// - It never reconnects sooner than the reconnection time (the server's last `retry`, else
///   3 s, never below a floor): failures in a row back it off exponentially up to a bound,
///   and jitter only ever *adds* to the wait. Any event received resets the backoff.
/// - Clients dropped together do not come back together: the jitter of policies seeded with
///   nearby values (a counter, timestamps) spreads over the whole jitter window.
/// - `Last-Event-ID` is the decoder's committed last event id, including ids set by blocks
///   without data (feed it with [`on_decoded`](Self::on_decoded)).
/// - No configuration and no server input makes it panic: huge durations saturate.
/// - Once stopped (by the caller, by a response, by too many attempts) it stays stopped.
/// - Per the standard, a 204, a status other than 200 or a wrong content type stops;
///   optionally 5xx, 408 and 429 are retried, honouring `Retry-After`.
///
/// # Examples
/// ```
/// use sse_wire::{Decision, Decoder, Reconnect, ReconnectConfig};
/// use std::time::Duration;
///
/// let mut policy = Reconnect::with_seed(ReconnectConfig::default().jitter(0.0), 42);
/// let mut decoder = Decoder::new();
/// let now = Duration::ZERO;
/// policy.on_response(200, Some(b"text/event-stream"), now)?;
/// decoder.push("retry: 5000\nid: 17\ndata: hello\n\nid: 18\n\n");
/// while let Some(message) = decoder.next_event() {
///     policy.on_message(&message?, now);
/// }
/// policy.on_decoded(&decoder); // the id-only block counts too
/// // The connection drops: wait the server's retry, then send Last-Event-ID: 18.
/// assert_eq!(policy.on_disconnect(now), Decision::Reconnect { delay: Duration::from_secs(5) });
/// assert_eq!(policy.last_event_id(), "18");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reconnect {
    config: ReconnectConfig,
    state: State,
    last_event_id: Text,
    server_retry: Option<Duration>,
    /// The server's `Retry-After` for the next attempt only.
    retry_after: Option<Duration>,
    /// Failed attempts since the last event received.
    failures: u32,
    jitter: Jitter,
}

#[cfg(feature = "std")]
impl Default for Reconnect {
    /// [`Reconnect::new`] with the default [`ReconnectConfig`].
    fn default() -> Self {
        Self::new(ReconnectConfig::default())
    }
}

impl Reconnect {
    /// A policy about to make its first connection, seeding its jitter itself (from the
    /// process's random hash keys, the clock and a counter), so two clients never share a
    /// schedule.
    ///
    /// Without the `std` feature there is no entropy to draw from: use
    /// [`with_seed`](Self::with_seed).
    #[cfg(feature = "std")]
    pub fn new(config: ReconnectConfig) -> Self {
        Self::with_seed(config, super::jitter::entropy_seed())
    }

    /// A policy about to make its first connection, with its jitter driven by `seed`: a
    /// constant in tests, something that differs between clients in production (any values
    /// do, even consecutive ones: they are mixed before use).
    pub fn with_seed(config: ReconnectConfig, seed: u64) -> Self {
        Self {
            config,
            state: State::Connecting,
            last_event_id: Text::default(),
            server_retry: None,
            retry_after: None,
            failures: 0,
            jitter: Jitter::new(seed),
        }
    }

    /// Starts from a known last event id (for example one the client persisted).
    pub fn with_last_event_id(mut self, id: &str) -> Self {
        self.last_event_id = Text::from(id);
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &ReconnectConfig {
        &self.config
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

    /// Why the policy stopped, if it did.
    pub fn stop_reason(&self) -> Option<&StopReason> {
        match &self.state {
            State::Stopped(reason) => Some(reason),
            _ => None,
        }
    }

    /// The caller is starting a connection attempt (after waiting the delay).
    pub fn on_connect(&mut self) {
        if !self.is_stopped() {
            self.state = State::Connecting;
        }
    }

    /// The response head arrived.
    ///
    /// A stopped policy stays stopped: the response is checked, but even a `200` does not
    /// revive it (check [`is_stopped`](Self::is_stopped) before reading).
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
        let checked = check_response(status, content_type);
        if self.is_stopped() {
            return checked;
        }
        match &checked {
            Ok(()) => self.state = State::Open { last_activity: now },
            Err(error) => {
                let retryable =
                    self.config.retry_server_errors && matches!(status, 408 | 429 | 500..=599);
                if !retryable {
                    self.state = State::Stopped(StopReason::Response(error.clone()));
                }
            }
        }
        checked
    }

    /// The server asked, with `Retry-After` on a retried response, to wait at least `wait`
    /// before the next attempt. Applies to the next delay only; never shortens it.
    pub fn on_retry_after(&mut self, wait: Duration) {
        self.retry_after = Some(self.retry_after.map_or(wait, |earlier| earlier.max(wait)));
    }

    /// An event was dispatched: `last_event_id` is the id it carries, `retry` the
    /// reconnection time in force (from [`Message`](crate::Message) or the decoder). Resets the
    /// backoff.
    pub fn on_event(&mut self, last_event_id: &str, retry: Option<Duration>, now: Duration) {
        self.set_last_event_id(last_event_id);
        if retry.is_some() {
            self.server_retry = retry;
        }
        self.failures = 0;
        self.on_activity(now);
    }

    /// Takes the decoder's committed last event id and reconnection time: call it after
    /// pulling items and when a connection ends. Unlike [`on_message`](Self::on_message) it
    /// also sees what blocks without data set (`id: 2\n\n`, `id\n\n` which clears the id,
    /// `retry: 5000\n\n`), since those dispatch no event.
    pub fn on_decoded(&mut self, decoder: &Decoder) {
        self.set_last_event_id(decoder.last_event_id());
        if let Some(retry) = decoder.retry() {
            self.server_retry = Some(retry);
        }
    }

    /// Sets the id to send as `Last-Event-ID` (empty: none).
    pub fn set_last_event_id(&mut self, id: &str) {
        if self.last_event_id.as_str() != id {
            self.last_event_id = Text::from(id);
        }
    }

    /// The stream's reconnection time changed: pass [`Decoder::retry`](crate::Decoder::retry)
    /// (or `DecodeStream::retry`). [`on_decoded`](Self::on_decoded) does this too.
    pub fn on_retry(&mut self, retry: Duration) {
        self.server_retry = Some(retry);
    }

    /// [`on_event`](Self::on_event) for a decoded [`Message`](crate::Message). It sees only
    /// what the event itself carried; blocks without data reach the policy through
    /// [`on_decoded`](Self::on_decoded).
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
    /// and a stream is open (`None` too when the deadline lies beyond any representable time).
    pub fn idle_deadline(&self) -> Option<Duration> {
        match (&self.state, self.config.idle_timeout) {
            (State::Open { last_activity }, Some(timeout)) => last_activity.checked_add(timeout),
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
                return self.stop(StopReason::TooManyAttempts { attempts: limit });
            }
        }
        self.state = State::Waiting;
        Decision::Reconnect {
            delay: self.delay(),
        }
    }

    /// The caller gives up on the stream (for example the user closed the page). A policy
    /// that had already stopped keeps its first reason.
    pub fn close(&mut self) {
        self.stop(StopReason::Closed);
    }

    /// Stops for `reason` unless already stopped; returns the decision in force.
    pub fn stop(&mut self, reason: StopReason) -> Decision {
        if let State::Stopped(first) = &self.state {
            return Decision::Stop(first.clone());
        }
        self.state = State::Stopped(reason.clone());
        Decision::Stop(reason)
    }

    /// The delay before the next attempt: the base (never below the floor), backed off by
    /// failures in a row (the first drop after an event waits just the base), capped, then
    /// lengthened by jitter and by any `Retry-After`. Saturating: huge values cannot panic.
    fn delay(&mut self) -> Duration {
        let base = self
            .server_retry
            .unwrap_or(self.config.default_delay)
            .max(self.config.min_delay);
        let doublings = self.failures.saturating_sub(1).min(32);
        let factor = self.config.backoff.saturating_pow(doublings);
        let backed_off = base
            .saturating_mul(factor)
            .min(self.config.max_delay.max(base));
        let extra_secs =
            backed_off.as_secs_f64() * self.config.jitter * self.jitter.next_fraction();
        let extra = Duration::try_from_secs_f64(extra_secs).unwrap_or(if extra_secs > 0.0 {
            Duration::MAX
        } else {
            Duration::ZERO
        });
        let delay = backed_off.saturating_add(extra);
        delay.max(self.retry_after.take().unwrap_or_default())
    }
}
