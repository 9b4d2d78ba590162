//! [`QuietTimer`]: when a keep-alive is due, with one timer per interval instead of one per
//! event, and no clock.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use pin_project_lite::pin_project;

pin_project! {
    /// Decides when a stream has been quiet long enough for a keep-alive, from the caller's
    /// sleep factory alone (the core has no clock).
    ///
    /// Re-arming a timer at every chunk costs more than the chunk's own work (a tokio `Sleep`
    /// leaves and joins the timer wheel), so a chunk only sets a flag. Two kinds of sleep:
    ///
    /// - *Idle*: armed when a silence begins (the first poll, or a keep-alive just sent), for
    ///   the whole interval. If it runs out, the silence lasted exactly the interval. The first
    ///   chunk that goes out while it runs drops it (one re-arm per burst, not per chunk) and
    ///   the timer turns *busy*.
    /// - *Busy*: ticks of half the interval, never dropped. A tick that saw a chunk go out
    ///   leaves the silence uncertain by at most one tick; quiet ticks add to it. The
    ///   keep-alive is due once the silence may have reached the interval: after two quiet
    ///   ticks, or one quiet tick following a tick that saw a chunk.
    ///
    /// So the silence never exceeds the interval (the promise proxies need), a keep-alive
    /// never goes out before half the interval of silence, and a stream that stays quiet gets
    /// one keep-alive per interval exactly.
    pub(crate) struct QuietTimer<F, T> {
        interval: Duration,
        make_sleep: F,
        #[pin]
        sleep: Option<T>,
        // The armed sleep is a busy tick (half the interval), not an idle sleep.
        busy: bool,
        // A chunk went out since the armed sleep was armed.
        sent: bool,
        // Busy ticks run out with nothing sent since the last chunk.
        quiet_ticks: u8,
        // The last chunk went out somewhere during a tick, not right when one was armed.
        uncertain: bool,
    }
}

impl<F, T> QuietTimer<F, T>
where
    F: FnMut(Duration) -> T,
    T: Future<Output = ()>,
{
    /// A timer for keep-alives after `interval` of silence; nothing armed until polled.
    pub(crate) fn new(interval: Duration, make_sleep: F) -> Self {
        Self {
            interval,
            make_sleep,
            sleep: None,
            busy: false,
            sent: false,
            quiet_ticks: 0,
            uncertain: false,
        }
    }

    /// The silence after which a keep-alive goes out.
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Something went out: a flag, unless an idle sleep runs (it is dropped, and the next
    /// silence is timed by busy ticks).
    pub(crate) fn sent(self: Pin<&mut Self>) {
        let mut this = self.project();
        *this.sent = true;
        if !*this.busy && this.sleep.is_some() {
            this.sleep.set(None);
            *this.busy = true;
        }
    }

    /// Stops the timer (the stream ended).
    pub(crate) fn stop(self: Pin<&mut Self>) {
        self.project().sleep.set(None);
    }

    /// `Ready` when a keep-alive is due now; the caller sends it, and the next silence starts.
    /// Arms a sleep if none runs; `Pending` registers `cx` with the armed sleep.
    pub(crate) fn poll_due(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        loop {
            if this.sleep.is_none() {
                // A silence starting now: the last chunk went out right before this poll.
                *this.sent = false;
                *this.quiet_ticks = 0;
                *this.uncertain = false;
                let length = if *this.busy {
                    *this.interval / 2
                } else {
                    *this.interval
                };
                this.sleep.set(Some((this.make_sleep)(length)));
            }
            let Some(sleep) = this.sleep.as_mut().as_pin_mut() else {
                return Poll::Pending;
            };
            core::task::ready!(sleep.poll(cx));
            let due = if !*this.busy {
                // An idle sleep still armed saw nothing go out (a chunk drops it).
                true
            } else if core::mem::take(this.sent) {
                *this.quiet_ticks = 0;
                *this.uncertain = true;
                false
            } else {
                *this.quiet_ticks += 1;
                *this.quiet_ticks + u8::from(*this.uncertain) >= 2
            };
            if due {
                this.sleep.set(None);
                *this.busy = false;
                return Poll::Ready(());
            }
            let tick = (this.make_sleep)(*this.interval / 2);
            this.sleep.set(Some(tick));
        }
    }
}
