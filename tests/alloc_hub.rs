//! What the hub allocates: an idle subscriber costs a few hundred bytes at most (the load test
//! wants under 16 KiB per connection with the HTTP stack), and publishing costs the same
//! number of allocations for 10 subscribers as for 10,000. Its own test binary: the counting
//! allocator is global.
#![cfg(feature = "tokio")]

use futures::executor::block_on;
use futures::task::noop_waker_ref;
use futures::Stream;
use sse_wire::hub::{Hub, HubConfig, Subscription, Target};
use sse_wire::Event;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Opens `count` subscriptions and polls each once (so it waits, with its waker stored).
fn subscribe(hub: &Hub, count: usize, topics: &[&str]) -> Vec<Subscription> {
    let mut subscriptions = Vec::with_capacity(count);
    for _ in 0..count {
        let mut subscription = block_on(hub.subscribe(topics, None)).unwrap();
        assert!(poll(&mut subscription).is_pending());
        subscriptions.push(subscription);
    }
    subscriptions
}

fn poll(
    subscription: &mut Subscription,
) -> Poll<Option<Result<bytes::Bytes, std::convert::Infallible>>> {
    Pin::new(subscription).poll_next(&mut Context::from_waker(noop_waker_ref()))
}

#[test]
fn an_idle_subscriber_costs_a_few_hundred_bytes() {
    const COUNT: usize = 10_000;
    let hub = Hub::new(HubConfig::default());
    let mut kept = Vec::new();
    let info = allocation_counter::measure(|| {
        kept = subscribe(&hub, COUNT, &["user:ann"]);
    });
    let outside = (COUNT * std::mem::size_of::<Subscription>()) as u64; // the Vec holding them
    let per_subscriber = (info.bytes_current as u64 - outside) / COUNT as u64
        + std::mem::size_of::<Subscription>() as u64;
    println!("{per_subscriber} bytes per idle subscriber");
    assert!(
        per_subscriber <= 256,
        "{per_subscriber} bytes per idle subscriber"
    );
    drop(kept);
}

#[test]
fn publishing_allocates_the_same_for_ten_or_ten_thousand_subscribers() {
    let counts: Vec<u64> = [10, 10_000]
        .into_iter()
        .map(|subscribers| {
            let hub = Hub::new(HubConfig::default());
            let mut subscriptions = subscribe(&hub, subscribers, &[]);
            // Warm up the ring (its buffer grows once).
            block_on(hub.publish(Target::Everyone, Event::new().data("warm up"))).unwrap();
            subscriptions
                .iter_mut()
                .for_each(|s| assert!(poll(s).is_ready()));
            subscriptions
                .iter_mut()
                .for_each(|s| assert!(poll(s).is_pending()));
            let info = allocation_counter::measure(|| {
                block_on(hub.publish(Target::Everyone, Event::new().data("news"))).unwrap();
                // Every subscriber takes the event and waits again: no allocation at all.
                for subscription in &mut subscriptions {
                    assert!(poll(subscription).is_ready());
                    assert!(poll(subscription).is_pending());
                }
            });
            info.count_total
        })
        .collect();
    println!("allocations per publish: {counts:?}");
    assert_eq!(
        counts[0], counts[1],
        "independent of the number of subscribers"
    );
    assert!(counts[0] <= 8, "{counts:?}");
}
