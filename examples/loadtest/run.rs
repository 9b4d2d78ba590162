//! One measured run: start a server, ramp the subscribers up, publish, (optionally) storm,
//! wait for delivery, and report.

use crate::child::Spec;
use crate::http1::Publisher;
use crate::procfs;
use crate::redis_server;
use crate::report::{Connections, Events, Latency, Report, ServerProcess, Storm};
use crate::servers::{Kind, Stack};
use crate::subscriber::{self, Control, Shared, Tally};
use crate::syscalls;
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Mutex, Semaphore};
use tokio::task::JoinHandle;

/// How long the ramp may take before the run goes on with the streams it has.
const RAMP_TIMEOUT: Duration = Duration::from_secs(120);
/// Pause before memory readings, so the server's allocations settle.
const SETTLE: Duration = Duration::from_secs(1);
/// With every subscriber connected and nothing delivered for this long, delivery is over.
const QUIET: Duration = Duration::from_secs(3);
/// How often the controller looks at the shared counters.
const POLL: Duration = Duration::from_millis(5);

/// The reconnect storm to cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StormKind {
    /// Every client drops its connection at once and reconnects within the window.
    Cut,
    /// The server is killed (SIGKILL) and started again on the same port.
    Restart,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server.
    pub kind: Kind,
    /// How the Rust servers serve connections.
    pub stack: Stack,
    /// Concurrent subscribers.
    pub connections: usize,
    /// Events to publish.
    pub events: u64,
    /// Events per second.
    pub rate: f64,
    /// Padding bytes added to each event's data.
    pub payload: usize,
    /// A reconnect storm halfway through publishing.
    pub storm: Option<StormKind>,
    /// The sse-wire Hub on Redis Streams (a `redis-server` is started for it).
    pub redis: bool,
    /// Listen backlog asked for.
    pub backlog: u32,
    /// Connection attempts in flight during the ramp.
    pub ramp: usize,
    /// Reconnects after a lost connection spread over this window.
    pub reconnect_window: Duration,
    /// How long to wait for delivery after the last publish.
    pub deadline: Duration,
    /// Count the server's system calls while it delivers.
    pub syscalls: bool,
}

/// Runs once and reports.
pub async fn run(options: &Options) -> io::Result<Report> {
    let redis = if options.redis {
        Some(redis_server::start().await?)
    } else {
        None
    };
    let mut spec = Spec {
        kind: options.kind,
        stack: options.stack,
        port: 0,
        backlog: options.backlog,
        redis: redis.as_ref().map(|redis| redis.url.clone()),
    };
    let mut server = spec.start().await?;
    spec.port = server.addr.port();
    let pid = server.pid;
    tokio::time::sleep(SETTLE).await;
    let mut process = ServerProcess {
        rss_start_bytes: procfs::rss_bytes(pid)?,
        ..ServerProcess::default()
    };

    let (control, control_receiver) = watch::channel(Control::default());
    let shared = Arc::new(Shared {
        addr: server.addr,
        epoch: Instant::now(),
        connected: AtomicUsize::new(0),
        opened: AtomicU64::new(0),
        gave_up: AtomicUsize::new(0),
        delivered: AtomicU64::new(0),
        ramp: Semaphore::new(options.ramp.max(1)),
        reconnect_window: options.reconnect_window,
        control: control_receiver,
    });
    let (subscribers, mut connections) = ramp_up(&shared, options).await;
    let held = connections.held;
    tokio::time::sleep(SETTLE).await;
    process.rss_held_bytes = procfs::rss_bytes(pid)?;
    process.rss_per_idle_connection_bytes = process
        .rss_held_bytes
        .saturating_sub(process.rss_start_bytes)
        / held.max(1) as u64;

    // Publish, with the storm halfway. (After a restart, the process counted is gone.)
    let counting = if options.syscalls && options.storm != Some(StormKind::Restart) {
        Some(syscalls::start(pid).await?)
    } else {
        None
    };
    let cpu_start = procfs::cpu_ticks(pid)?;
    let writes_start = procfs::write_calls(pid)?;
    let client_cpu_start = procfs::cpu_ticks(std::process::id())?;
    let progress = Progress {
        shared: Arc::clone(&shared),
        held,
        published: Arc::new(AtomicU64::new(0)),
        delivered_before: shared.delivered.load(Ordering::Relaxed),
        started: Instant::now(),
    };
    let publisher = Arc::new(Mutex::new(Publisher::new(server.addr)));
    let publishing = tokio::spawn(publish(
        Arc::clone(&publisher),
        Arc::clone(&progress.published),
        options.clone(),
        shared.epoch,
    ));
    let mut storm = None;
    if let Some(kind) = options.storm {
        progress
            .wait_until_all_have((options.events / 2).max(1), &publishing, options.deadline)
            .await;
        let overflows = procfs::listen_overflows();
        let opened_before = shared.opened.load(Ordering::Relaxed);
        let mut report = Storm {
            after_event: progress.published.load(Ordering::Relaxed),
            ..Storm::default()
        };
        let server_cpu_before = procfs::cpu_ticks(server.pid)?;
        let client_cpu_before = procfs::cpu_ticks(std::process::id())?;
        let hit = Instant::now();
        match kind {
            StormKind::Cut => control.send_modify(|control| control.cuts += 1),
            StormKind::Restart => {
                // Hold the publisher so no publish straddles the kill.
                let _publisher = publisher.lock().await;
                server.kill().await?;
                let restarting = Instant::now();
                server = spec.start().await?;
                report.restart_ms = Some(restarting.elapsed().as_millis() as u64);
            }
        }
        let all_back = || {
            shared.opened.load(Ordering::Relaxed) - opened_before >= held as u64
                && shared.connected.load(Ordering::Relaxed) >= held
        };
        while !all_back() && hit.elapsed() < options.deadline {
            tokio::time::sleep(POLL).await;
        }
        report.all_back_ms = all_back().then(|| hit.elapsed().as_millis() as u64);
        // A restarted server's whole life is the storm so far.
        let server_cpu_before = match kind {
            StormKind::Cut => server_cpu_before,
            StormKind::Restart => procfs::CpuTicks::default(),
        };
        let ticks = procfs::ticks_per_second();
        report.server_cpu_ms = procfs::cpu_ticks(server.pid)?
            .since(server_cpu_before)
            .total()
            * 1000
            / ticks;
        report.load_generator_cpu_ms = procfs::cpu_ticks(std::process::id())?
            .since(client_cpu_before)
            .total()
            * 1000
            / ticks;
        report.listen_overflows = difference(overflows, procfs::listen_overflows());
        storm = Some((hit, report));
    }
    let published = publishing.await.map_err(io::Error::other)??;
    let all_delivered = progress
        .wait_for_delivery(published, options.deadline)
        .await;
    let delivery_ms = progress.started.elapsed().as_millis() as u64;

    let ticks = procfs::ticks_per_second();
    if options.storm != Some(StormKind::Restart) {
        // (After a restart, the process that did the work is gone.)
        let cpu = procfs::cpu_ticks(pid)?.since(cpu_start);
        let per_event = |used: u64| used * 1_000_000_000 / ticks / progress.delivered().max(1);
        process.cpu_ms = cpu.total() * 1000 / ticks;
        process.cpu_user_ms = cpu.user * 1000 / ticks;
        process.cpu_ns_per_delivered_event = per_event(cpu.total());
        process.cpu_user_ns_per_delivered_event = per_event(cpu.user);
        let writes = procfs::write_calls(pid)?.saturating_sub(writes_start);
        process.writes_per_delivered_event = writes as f64 / progress.delivered().max(1) as f64;
    }
    if let Some(counting) = counting {
        let delivered = progress.delivered().max(1) as f64;
        process.syscalls_per_delivered_event = counting
            .stop()
            .await?
            .into_iter()
            .map(|(call, count)| (call, count as f64 / delivered))
            .collect();
    }
    let client_cpu = procfs::cpu_ticks(std::process::id())?.since(client_cpu_start);
    process.rss_end_bytes = procfs::rss_bytes(server.pid).unwrap_or(0);
    connections.held_at_end = shared.connected.load(Ordering::Relaxed);
    let storm = storm.map(|(hit, mut report)| {
        report.all_caught_up_ms = all_delivered.then(|| hit.elapsed().as_millis() as u64);
        report
    });

    // Stop every subscriber and sum up.
    control.send_modify(|control| control.stop = true);
    let mut tallies: Vec<Tally> = Vec::with_capacity(subscribers.len());
    for subscriber in subscribers {
        tallies.push(subscriber.await.map_err(io::Error::other)?);
    }
    let _ = server.kill().await;
    drop(redis);

    let mut latencies: Vec<u32> = tallies
        .iter_mut()
        .flat_map(|tally| std::mem::take(&mut tally.latencies_us))
        .collect();
    let mut events = Events::of(&tallies, published);
    events.rate_per_s = options.rate;
    events.delivery_ms = delivery_ms;
    let storm = storm.map(|mut storm| {
        storm.failed_attempts = tallies
            .iter()
            .map(|tally| u64::from(tally.failed_attempts))
            .sum();
        storm
    });
    Ok(Report {
        server: options.kind.name(),
        backend: if options.redis { "redis" } else { "memory" },
        stack: match options.kind {
            Kind::Starlette => "uvicorn",
            Kind::SseWire | Kind::Axum => options.stack.name(),
        },
        mode: match options.storm {
            None => "load",
            Some(StormKind::Cut) => "storm-cut",
            Some(StormKind::Restart) => "storm-restart",
        },
        connections,
        events,
        latency_us: Latency::of(&mut latencies),
        server_process: process,
        load_generator_cpu_ms: client_cpu.total() * 1000 / ticks,
        storm,
        notes: Vec::new(),
    })
}

/// Starts every subscriber and waits until each has a stream open (or gave up, or the ramp
/// timed out); the semaphore in `shared` bounds attempts in flight.
async fn ramp_up(shared: &Arc<Shared>, options: &Options) -> (Vec<JoinHandle<Tally>>, Connections) {
    let overflows = procfs::listen_overflows();
    let started = Instant::now();
    let subscribers = (0..options.connections as u64)
        .map(|index| {
            let shared = Arc::clone(shared);
            tokio::spawn(async move { subscriber::run(&shared, index).await })
        })
        .collect();
    let all_connected = || {
        shared.connected.load(Ordering::Relaxed) + shared.gave_up.load(Ordering::Relaxed)
            >= options.connections
    };
    while !all_connected() && started.elapsed() < RAMP_TIMEOUT {
        tokio::time::sleep(POLL).await;
    }
    let connections = Connections {
        asked: options.connections,
        held: shared.connected.load(Ordering::Relaxed),
        ramp_ms: started.elapsed().as_millis() as u64,
        listen_overflows: difference(overflows, procfs::listen_overflows()),
        ..Connections::default()
    };
    (subscribers, connections)
}

/// Publishing and delivery so far.
struct Progress {
    shared: Arc<Shared>,
    /// Subscribers connected when publishing began.
    held: usize,
    /// Events published.
    published: Arc<AtomicU64>,
    /// Deliveries counted before publishing began (none, unless a subscriber reconnected).
    delivered_before: u64,
    /// When publishing began.
    started: Instant,
}

impl Progress {
    fn delivered(&self) -> u64 {
        self.shared.delivered.load(Ordering::Relaxed) - self.delivered_before
    }

    /// Waits until every subscriber has the first `events` events (so each holds a
    /// Last-Event-ID; later ones may be in flight), publishing ends, or `limit` passes.
    async fn wait_until_all_have(
        &self,
        events: u64,
        publishing: &JoinHandle<io::Result<u64>>,
        limit: Duration,
    ) {
        while (self.published.load(Ordering::Relaxed) < events
            || self.delivered() < self.held as u64 * events)
            && !publishing.is_finished()
            && self.started.elapsed() < limit
        {
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until every subscriber has all `published` events, or `limit` passes, or the
    /// server has delivered nothing for [`QUIET`] with every subscriber connected (what is
    /// missing by then was lost, as with a server without history after a storm). Returns
    /// whether everything was delivered.
    async fn wait_for_delivery(&self, published: u64, limit: Duration) -> bool {
        let expected = self.held as u64 * published;
        let deadline = Instant::now() + limit;
        let (mut last_count, mut last_change) = (0, Instant::now());
        loop {
            let count = self.delivered();
            if count >= expected {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            if count != last_count {
                (last_count, last_change) = (count, Instant::now());
            } else if last_change.elapsed() >= QUIET
                && self.shared.connected.load(Ordering::Relaxed) >= self.held
            {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Publishes `options.events` events at `options.rate`; data is `SEQ NANOS [padding]`.
/// Returns how many were published.
async fn publish(
    publisher: Arc<Mutex<Publisher>>,
    published: Arc<AtomicU64>,
    options: Options,
    epoch: Instant,
) -> io::Result<u64> {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / options.rate.max(0.001)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let padding = "x".repeat(options.payload);
    for seq in 0..options.events {
        ticks.tick().await;
        let mut publisher = publisher.lock().await;
        let mut attempts = 0;
        loop {
            let sent = epoch.elapsed().as_nanos();
            let data = if padding.is_empty() {
                format!("{seq} {sent}")
            } else {
                format!("{seq} {sent} {padding}")
            };
            match publisher.publish(&data).await {
                Ok(()) => break,
                Err(error) if attempts >= 50 => {
                    return Err(io::Error::other(format!("publish {seq} failed: {error}")))
                }
                Err(_) => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        published.store(seq + 1, Ordering::Relaxed);
    }
    Ok(options.events)
}

fn difference(before: Option<u64>, after: Option<u64>) -> Option<u64> {
    Some(after?.saturating_sub(before?))
}
