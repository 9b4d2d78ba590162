//! The JSON report of one run.

use crate::subscriber::Tally;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything one run measured.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// `sse-wire`, `axum` or `starlette`.
    pub server: &'static str,
    /// `memory` or `redis` (the sse-wire Hub's backend); `memory` for the others.
    pub backend: &'static str,
    /// How the server serves HTTP: `hyper` or `axum-serve` (the Rust servers, see
    /// `--stack`), `uvicorn` (the Python one).
    pub stack: &'static str,
    /// `load`, `storm-cut` (every connection cut by the clients) or `storm-restart` (the
    /// server killed and started again).
    pub mode: &'static str,
    /// The connections.
    pub connections: Connections,
    /// The events, checked per subscriber.
    pub events: Events,
    /// Publish-to-receive latency over every delivered event, in microseconds.
    pub latency_us: Latency,
    /// The server process.
    pub server_process: ServerProcess,
    /// CPU time of this load generator over the same span as `server_process.cpu_ms`: when
    /// it nears the wall time of that span, the client, not the server, sets the latency.
    pub load_generator_cpu_ms: u64,
    /// The reconnect storm, in storm modes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storm: Option<Storm>,
    /// Setup facts: the open-file limit, the listen backlog.
    pub notes: Vec<String>,
}

/// Connections asked for and held.
#[derive(Debug, Default, Serialize)]
pub struct Connections {
    /// Subscribers started.
    pub asked: usize,
    /// Streams open once the ramp ended (a 200 `text/event-stream` answer each).
    pub held: usize,
    /// Streams open at the end of the run.
    pub held_at_end: usize,
    /// From the first connection attempt to the last stream open, in milliseconds.
    pub ramp_ms: u64,
    /// Listen queue overflows during the ramp (machine-wide counter).
    pub listen_overflows: Option<u64>,
}

/// Delivery, checked against the publisher's sequence numbers.
#[derive(Debug, Default, Serialize)]
pub struct Events {
    /// Events published.
    pub published: u64,
    /// Publish rate asked for, per second.
    pub rate_per_s: f64,
    /// `published`: every subscriber should get every event exactly once.
    pub expected_per_subscriber: u64,
    /// Events delivered over all subscribers (each counted once).
    pub delivered: u64,
    /// Subscribers that got every event exactly once, in order.
    pub complete_subscribers: usize,
    /// Events some subscriber never got.
    pub lost: u64,
    /// Events some subscriber got twice.
    pub duplicates: u64,
    /// Events of another type (a resync signal, for example).
    pub signals: u64,
    /// Subscribers' streams that the server ended or broke.
    pub dropped_streams: u64,
    /// Subscribers that gave up, with the first reason.
    pub failed_subscribers: usize,
    /// The first failure reason, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
    /// From the first publish until every subscriber had every event (or the deadline), ms.
    pub delivery_ms: u64,
}

/// Latency percentiles.
#[derive(Debug, Default, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: u32,
    /// 99th percentile.
    pub p99: u32,
    /// Largest.
    pub max: u32,
}

/// What the server process cost.
#[derive(Debug, Default, Serialize)]
pub struct ServerProcess {
    /// Resident memory before any subscriber, bytes.
    pub rss_start_bytes: u64,
    /// Resident memory with every subscriber connected and idle, bytes.
    pub rss_held_bytes: u64,
    /// The difference per held connection, bytes.
    pub rss_per_idle_connection_bytes: u64,
    /// Resident memory at the end, bytes.
    pub rss_end_bytes: u64,
    /// CPU time (user + system) from the first publish until delivery ended, ms.
    pub cpu_ms: u64,
    /// The user-space part of it (the app, the HTTP stack, the runtime; the rest is the
    /// kernel, mostly loopback TCP), ms.
    pub cpu_user_ms: u64,
    /// CPU time (user + system) per delivered event, nanoseconds.
    pub cpu_ns_per_delivered_event: u64,
    /// User-space CPU time per delivered event, nanoseconds.
    pub cpu_user_ns_per_delivered_event: u64,
    /// `write`/`writev` system calls per delivered event: below 1 when events that were
    /// ready together went out in one write. Most of the server's CPU is the kernel's work
    /// per write. A server sending with `send` (uvicorn on uvloop) shows 0.
    pub writes_per_delivered_event: f64,
    /// With `--syscalls`: system calls per delivered event over the same span, by name
    /// (`all` for every call), from `perf stat` on the syscall tracepoints.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub syscalls_per_delivered_event: BTreeMap<String, f64>,
}

/// The reconnect storm.
#[derive(Debug, Default, Serialize)]
pub struct Storm {
    /// Events published when the storm hit (every subscriber had at least half of them).
    pub after_event: u64,
    /// Time the restarted server took to listen again (restart mode), ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_ms: Option<u64>,
    /// From the cut (or kill) until every subscriber had a stream open again, ms.
    pub all_back_ms: Option<u64>,
    /// From the cut (or kill) until every subscriber had every event, ms.
    pub all_caught_up_ms: Option<u64>,
    /// CPU time of the server from the cut (or its restart) until every subscriber was back,
    /// ms: near twice `all_back_ms` on 2 cores, the machine was the limit.
    pub server_cpu_ms: u64,
    /// CPU time of the load generator over the same span, ms.
    pub load_generator_cpu_ms: u64,
    /// Failed connection attempts over the run (refused while the server restarted).
    pub failed_attempts: u64,
    /// Listen queue overflows during the storm (machine-wide counter).
    pub listen_overflows: Option<u64>,
}

impl Latency {
    /// Percentiles of `samples` (sorted here).
    pub fn of(samples: &mut [u32]) -> Latency {
        samples.sort_unstable();
        let at = |quantile: f64| {
            if samples.is_empty() {
                return 0;
            }
            let index = ((samples.len() - 1) as f64 * quantile).round() as usize;
            samples[index]
        };
        Latency {
            p50: at(0.50),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or(0),
        }
    }
}

impl Events {
    /// Sums the subscribers' tallies against `published` events.
    pub fn of(tallies: &[Tally], published: u64) -> Events {
        let mut events = Events {
            published,
            expected_per_subscriber: published,
            ..Events::default()
        };
        for tally in tallies {
            let missing_at_end = published.saturating_sub(tally.next_seq);
            let lost = tally.skipped + missing_at_end;
            events.delivered += tally.delivered;
            events.lost += lost;
            events.duplicates += tally.duplicates;
            events.signals += tally.signals;
            events.dropped_streams += u64::from(tally.dropped);
            if lost == 0 && tally.duplicates == 0 && tally.error.is_none() {
                events.complete_subscribers += 1;
            }
            if let Some(error) = &tally.error {
                events.failed_subscribers += 1;
                events.first_failure.get_or_insert_with(|| error.clone());
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    // Paths in full: see the note in `http1`'s tests.

    #[test]
    fn percentiles_pick_ranked_samples() {
        let mut samples: Vec<u32> = (1..=100).rev().collect();
        let latency = super::Latency::of(&mut samples);
        assert_eq!((latency.p50, latency.p99, latency.max), (51, 99, 100));
    }

    #[test]
    fn events_count_gaps_duplicates_and_missing_tails() {
        let whole = super::Tally {
            next_seq: 10,
            delivered: 10,
            ..super::Tally::default()
        };
        let gappy = super::Tally {
            next_seq: 8,
            delivered: 6,
            skipped: 2,
            duplicates: 1,
            ..super::Tally::default()
        };
        let events = super::Events::of(&[whole, gappy], 10);
        assert_eq!(events.delivered, 16);
        assert_eq!(events.lost, 4, "2 skipped + 2 never arrived");
        assert_eq!(events.duplicates, 1);
        assert_eq!(events.complete_subscribers, 1);
    }
}
