//! The hub's fan-out cost without sockets or a scheduler: one event published to 10,000
//! waiting subscribers, each polled until it has taken the event and waits again (waker
//! stored). Beside it, `tokio::sync::broadcast` with 10,000 receivers taking the event with
//! `try_recv` (no waker work at all, so a lower bound for what axum's broadcast apps pay
//! before encoding the event again per subscriber).

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::executor::block_on;
use futures::task::noop_waker_ref;
use futures::Stream;
use sse_wire::hub::{Hub, HubConfig, Target};
use sse_wire::Event;
use std::pin::Pin;
use std::task::{Context, Poll};

const SUBSCRIBERS: usize = 10_000;
const DATA: &str =
    r#"{"user":42,"kind":"message","text":"your order has shipped","at":"2026-11-24T06:00:00Z"}"#;

fn hub(c: &mut Criterion) {
    let mut group = c.benchmark_group("hub/10000_subscribers");
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));

    let hub = Hub::new(HubConfig::default());
    let mut subscriptions: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| block_on(hub.subscribe(&["news"], None)).unwrap())
        .collect();
    let mut context = Context::from_waker(noop_waker_ref());
    group.bench_function("hub_publish_and_deliver", |b| {
        b.iter(|| {
            block_on(hub.publish("news", Event::new().data(DATA))).unwrap();
            for subscription in &mut subscriptions {
                let Poll::Ready(Some(Ok(bytes))) =
                    Pin::new(&mut *subscription).poll_next(&mut context)
                else {
                    panic!("the event is there");
                };
                assert!(bytes.len() > DATA.len());
                assert!(Pin::new(&mut *subscription)
                    .poll_next(&mut context)
                    .is_pending());
            }
        });
    });
    drop(subscriptions);

    let (sender, _) = tokio::sync::broadcast::channel::<Bytes>(1024);
    let mut receivers: Vec<_> = (0..SUBSCRIBERS).map(|_| sender.subscribe()).collect();
    group.bench_function("broadcast_send_and_try_recv", |b| {
        b.iter(|| {
            sender.send(Event::new().data(DATA).to_bytes()).unwrap();
            for receiver in &mut receivers {
                assert!(receiver.try_recv().unwrap().len() > DATA.len());
                assert!(receiver.try_recv().is_err());
            }
        });
    });
    group.finish();

    let _ = Target::Everyone;
}

criterion_group!(benches, hub);
criterion_main!(benches);
