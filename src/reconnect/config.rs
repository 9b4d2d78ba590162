//! [`ReconnectConfig`]: delays, backoff, jitter, limits.

use core::time::Duration;

/// How a [`Reconnect`](crate::Reconnect) policy paces reconnections.
///
/// # Examples
/// ```
/// use sse_wire::ReconnectConfig;
/// use std::time::Duration;
///
/// let config = ReconnectConfig::default()
///     .max_delay(Duration::from_secs(30))
///     .max_attempts(Some(10))
///     .idle_timeout(Some(Duration::from_secs(45)));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct ReconnectConfig {
    pub(crate) default_delay: Duration,
    pub(crate) min_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) backoff: u32,
    pub(crate) jitter: f64,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) retry_server_errors: bool,
}

impl Default for ReconnectConfig {
    fn default() -> Self {
        Self {
            default_delay: Duration::from_secs(3),
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            backoff: 2,
            jitter: 0.5,
            max_attempts: None,
            idle_timeout: None,
            retry_server_errors: false,
        }
    }
}

impl ReconnectConfig {
    /// The delay when the server never sent `retry` (default 3 s, as browsers use).
    pub fn default_delay(mut self, delay: Duration) -> Self {
        self.default_delay = delay;
        self
    }

    /// The shortest delay ever used (default 500 ms): a `retry: 0` from a server must not
    /// turn into a tight reconnect loop.
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest delay backoff can reach (default 60 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The factor the delay grows by after each failure in a row (default 2; 1 disables
    /// backoff).
    pub fn backoff(mut self, factor: u32) -> Self {
        self.backoff = factor.max(1);
        self
    }

    /// How much each delay may be lengthened at random, as a fraction of it: a wait lies
    /// between the delay and the delay × (1 + `fraction`). Default 0.5, so clients dropped
    /// together do not return together. Jitter only adds: no client ever reconnects sooner
    /// than the reconnection time. Clamped to 0.0..=1.0; NaN means 0.0.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// Stop after this many failed attempts in a row (default: never stop). Any event
    /// received starts the count again.
    pub fn max_attempts(mut self, attempts: Option<u32>) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Treat an open connection as dead when nothing at all (not even a keep-alive comment)
    /// arrives for this long (default: no timeout). Set it above the server's keep-alive
    /// interval.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Whether `5xx`, `429` and `408` responses are retried with backoff (default `false`:
    /// the standard fails the connection on any status but 200). `4xx` errors other than
    /// those two are never retried. A client honours their `Retry-After` with
    /// [`Reconnect::on_retry_after`](crate::Reconnect::on_retry_after).
    pub fn retry_server_errors(mut self, retry: bool) -> Self {
        self.retry_server_errors = retry;
        self
    }
}
