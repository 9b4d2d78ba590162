//! What `Sse` costs over the adapters it replaces, per event, when events trickle in (the
//! body goes quiet between any two): the worst case for its boxed keep-alive timer, which
//! is made anew for every quiet period.
//! - `encode_stream`: `EncodeStream` alone (the floor);
//! - `keep_alive_adapter`: `KeepAlive` over it, with the timer type known (no box);
//! - `sse`: `Sse` without keep-alive; `sse_keep_alive`: with it (one boxed timer per event);
//! - `channel_sse`: events through `stream::channel` into `Sse` (one lock per send and take).

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::executor::block_on;
use futures::{future, stream, Stream, StreamExt};
use sse_wire::stream::{channel, EncodeStream, KeepAlive};
use sse_wire::{Event, Sse};
use std::task::Poll;
use std::time::Duration;

const EVENTS: usize = 1000;

fn events() -> Vec<Event> {
    (0..EVENTS as u32)
        .map(|n| {
            Event::new()
                .id(n)
                .data(format!(r#"{{"n":{n},"status":"ok"}}"#))
        })
        .collect()
}

/// The events as a server's live source gives them: one ready, then nothing ready (and an
/// immediate wake) for the body's next two polls, so the body goes quiet between events
/// and a keep-alive timer starts every time.
fn trickle(events: &[Event]) -> impl Stream<Item = Event> + Send + '_ {
    let mut events = events.iter();
    let mut phase = 0_u8;
    stream::poll_fn(move |cx| {
        phase = (phase + 1) % 3;
        if phase == 1 {
            Poll::Ready(events.next().cloned())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

/// Drains a body, checking that every event went out; returns the bytes.
fn drain<S, E>(body: S, expected: usize) -> usize
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Debug,
{
    let (chunks, bytes) = block_on(body.fold((0, 0), |(chunks, bytes), chunk| {
        let len = chunk.unwrap().len();
        async move { (chunks + 1, bytes + len) }
    }));
    assert_eq!(chunks, expected, "one chunk per event");
    bytes
}

/// A timer that never fires, but holds its deadline as a real one does (a zero-sized
/// future would make boxing it free and hide the allocation).
fn sleep(interval: Duration) -> impl std::future::Future<Output = ()> + Send {
    future::poll_fn(move |_| {
        std::hint::black_box(interval);
        Poll::Pending
    })
}

fn serve(c: &mut Criterion) {
    let events = events();
    let mut group = c.benchmark_group("serve/trickle_1000");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("encode_stream", |b| {
        b.iter(|| drain(EncodeStream::new(trickle(&events)), EVENTS))
    });
    group.bench_function("keep_alive_adapter", |b| {
        b.iter(|| {
            let body = EncodeStream::new(trickle(&events));
            drain(KeepAlive::new(body, Duration::from_secs(15), sleep), EVENTS)
        })
    });
    group.bench_function("sse", |b| {
        b.iter(|| drain(Sse::new(trickle(&events)), EVENTS))
    });
    group.bench_function("sse_keep_alive", |b| {
        b.iter(|| {
            let body = Sse::new(trickle(&events)).keep_alive_with(Duration::from_secs(15), sleep);
            drain(body, EVENTS)
        })
    });
    group.bench_function("channel_sse", |b| {
        b.iter(|| {
            let (sender, receiver) = channel(EVENTS);
            for event in &events {
                sender.send(event.clone()).unwrap();
            }
            drop(sender);
            // All queued at once: one chunk per event, so the count check holds.
            let body = Sse::new(receiver).coalesce(0);
            drain(body, EVENTS)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = serve
}
criterion_main!(benches);
