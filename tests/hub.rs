//! The in-memory hub through its public API: routing, replay then live under concurrent
//! publishing, resync (too old, unknown, from before a restart), slow subscribers, counts.
#![cfg(feature = "tokio")]

use bytes::Bytes;
use futures::FutureExt;
use futures::StreamExt;
use sse_wire::hub::{Hub, HubConfig, HubError, LagPolicy, Subscription, Target};
use sse_wire::{Decoder, Event, EventId, Message};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The next chunk, which must come in time.
async fn next_bytes(subscription: &mut Subscription) -> Bytes {
    tokio::time::timeout(WAIT, subscription.next())
        .await
        .expect("an event in time")
        .expect("the stream is open")
        .unwrap()
}

/// The chunk decoded: exactly one event.
fn decode(bytes: &Bytes) -> Message {
    let mut decoder = Decoder::new();
    decoder.push_bytes(bytes.clone());
    let message = decoder.next_event().expect("one event").unwrap();
    assert!(decoder.next_event().is_none(), "one event per chunk");
    message
}

/// The chunk decoded: the last event id it leaves the client with, and its events.
fn decode_all(bytes: &Bytes) -> (String, Vec<Message>) {
    let mut decoder = Decoder::new();
    decoder.push_bytes(bytes.clone());
    let events = std::iter::from_fn(|| decoder.next_event())
        .map(Result::unwrap)
        .collect();
    (decoder.last_event_id().to_owned(), events)
}

/// The counter of a hub id (`START-N`): the N-th event this hub published.
fn sequence(id: &str) -> usize {
    let (_, n) = id.split_once('-').expect("a hub id");
    n.parse().expect("a counter")
}

async fn next(subscription: &mut Subscription) -> Message {
    decode(&next_bytes(subscription).await)
}

/// Whether the stream has nothing ready now.
fn is_idle(subscription: &mut Subscription) -> bool {
    futures::FutureExt::now_or_never(subscription.next()).is_none()
}

fn text(data: &str) -> Event {
    Event::new().data(data.to_owned())
}

#[tokio::test]
async fn delivers_to_everyone_one_topic_or_several_and_once_each() {
    let hub = Hub::new(HubConfig::default());
    let mut ann = hub.subscribe(&["user:ann"], None).await.unwrap();
    let mut both = hub
        .subscribe(&["user:ann", "user:bob"], None)
        .await
        .unwrap();
    let mut nobody = hub.subscribe(&[], None).await.unwrap();

    hub.publish(Target::Everyone, text("all")).await.unwrap();
    hub.publish("user:bob", text("bob")).await.unwrap();
    hub.publish(&["user:ann", "user:bob"], text("pair"))
        .await
        .unwrap();
    hub.publish(&String::from("user:ann"), text("ann"))
        .await
        .unwrap();

    let data = |messages: Vec<Message>| {
        messages
            .iter()
            .map(|message| message.data().to_owned())
            .collect::<Vec<_>>()
    };
    let take = async |subscription: &mut Subscription, count: usize| {
        let mut messages = Vec::new();
        for _ in 0..count {
            messages.push(next(subscription).await);
        }
        assert!(is_idle(subscription), "nothing more");
        messages
    };
    assert_eq!(data(take(&mut ann, 3).await), ["all", "pair", "ann"]);
    assert_eq!(
        data(take(&mut both, 4).await),
        ["all", "bob", "pair", "ann"]
    );
    assert_eq!(data(take(&mut nobody, 1).await), ["all"]);
}

#[tokio::test]
async fn every_subscriber_and_the_history_share_one_encoding() {
    let hub = Hub::new(HubConfig::default());
    let mut first = hub.subscribe(&["t"], None).await.unwrap();
    let mut second = hub.subscribe(&["t"], None).await.unwrap();
    let before = hub.publish("t", text("before")).await.unwrap();
    hub.publish("t", text("shared")).await.unwrap();
    let _ = next_bytes(&mut first).await;
    let _ = next_bytes(&mut second).await;
    let a = next_bytes(&mut first).await;
    let b = next_bytes(&mut second).await;
    let mut replayed = hub.subscribe(&["t"], Some(before.as_str())).await.unwrap();
    let c = next_bytes(&mut replayed).await;
    assert_eq!(a, b);
    assert_eq!(a.as_ptr(), b.as_ptr(), "no copy per subscriber");
    assert_eq!(a.as_ptr(), c.as_ptr(), "no copy for the replay");
}

#[tokio::test]
async fn hub_ids_sort_and_caller_ids_are_kept() {
    let hub = Hub::new(HubConfig::default());
    let first = hub.publish("t", text("a")).await.unwrap();
    let kept = hub.publish("t", text("b").id("custom-7")).await.unwrap();
    let third = hub.publish("t", text("c")).await.unwrap();
    assert_eq!(kept, "custom-7");
    let (start, n) = first.as_str().split_once('-').unwrap();
    assert!(start.parse::<u64>().unwrap() > 1_700_000_000_000, "{first}");
    assert_eq!(n, "1");
    assert_eq!(third.as_str(), format!("{start}-3"));

    // Resuming from the caller's id works like resuming from the hub's.
    let mut resumed = hub.subscribe(&["t"], Some("custom-7")).await.unwrap();
    let message = next(&mut resumed).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("c", third.as_str())
    );
    assert!(is_idle(&mut resumed));
}

#[tokio::test]
async fn publish_encoded_keeps_the_callers_id_or_adds_the_hubs() {
    let hub = Hub::new(HubConfig::default());
    let mut live = hub.subscribe(&["t"], None).await.unwrap();
    let theirs = Event::new()
        .id(EventId::from(41_u32))
        .data("forwarded")
        .to_bytes();
    let kept = hub
        .publish_encoded("t", Some(EventId::from(41_u32)), theirs.clone())
        .await
        .unwrap();
    assert_eq!(kept, "41");
    assert_eq!(next_bytes(&mut live).await.as_ptr(), theirs.as_ptr());

    let added = hub
        .publish_encoded("t", None, Bytes::from_static(b"data: bare\r\n\r\n"))
        .await
        .unwrap();
    let message = next(&mut live).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("bare", added.as_str())
    );

    let error = hub
        .publish_encoded("t", None, Bytes::from_static(b"data: cut"))
        .await
        .unwrap_err();
    assert!(matches!(error, HubError::Incomplete));
    assert_eq!(
        error.to_string(),
        "encoded event does not end with an empty line"
    );
}

#[tokio::test]
async fn a_restarted_hub_answers_an_old_id_with_resync_never_with_its_own_events() {
    // The case: after a restart, `Last-Event-ID: 1` must not resume from the new
    // process's event 2 as if the old stream went on.
    let before = Hub::new(HubConfig::default());
    let old_ids = [
        before
            .publish(Target::Everyone, text("old 1"))
            .await
            .unwrap(),
        before
            .publish(Target::Everyone, text("old 2"))
            .await
            .unwrap(),
    ];
    drop(before);

    let after = Hub::new(HubConfig::default());
    for n in 1..=3 {
        after
            .publish(Target::Everyone, text(&format!("new {n}")))
            .await
            .unwrap();
    }
    for id in [old_ids[0].as_str(), old_ids[1].as_str(), "1", "22"] {
        let mut resumed = after.subscribe(&[], Some(id)).await.unwrap();
        let first = next(&mut resumed).await;
        assert_eq!(first.event_type(), "resync", "Last-Event-ID {id}");
        assert!(
            is_idle(&mut resumed),
            "Last-Event-ID {id}: live from now, no old event"
        );
        let live = after.publish(Target::Everyone, text("live")).await.unwrap();
        let message = next(&mut resumed).await;
        assert_eq!(
            (message.data(), message.last_event_id()),
            ("live", live.as_str())
        );
        // The signal carried the point it was sent at: resuming from it loses nothing.
        let mut again = after
            .subscribe(&[], Some(first.last_event_id()))
            .await
            .unwrap();
        assert_eq!(next(&mut again).await.data(), "live");
    }
}

#[tokio::test]
async fn too_old_or_unknown_ids_get_the_configured_resync_signal() {
    let signal = Event::new().event("reload").data("start over");
    let hub = Hub::new(HubConfig::default().history_events(3).resync(&signal));
    let ids: Vec<EventId> = {
        let mut ids = Vec::new();
        for n in 1..=6 {
            ids.push(hub.publish("t", text(&n.to_string())).await.unwrap());
        }
        ids
    };
    assert_eq!(hub.history_len(Some("t")).0, 3);

    let mut fine = hub.subscribe(&["t"], Some(ids[2].as_str())).await.unwrap();
    for expected in ["4", "5", "6"] {
        assert_eq!(next(&mut fine).await.data(), expected);
    }
    for id in [ids[1].as_str(), ids[0].as_str(), "never-sent"] {
        let mut lost = hub.subscribe(&["t"], Some(id)).await.unwrap();
        let message = next(&mut lost).await;
        assert_eq!(
            (message.event_type(), message.data()),
            ("reload", "start over")
        );
        assert_eq!(
            message.last_event_id(),
            ids[5].as_str(),
            "resumes from the newest"
        );
        assert!(is_idle(&mut lost));
    }
}

#[tokio::test(start_paused = true)]
async fn events_older_than_the_age_bound_are_not_replayed() {
    let hub = Hub::new(HubConfig::default().history_age(Duration::from_secs(60)));
    let first = hub.publish("t", text("old")).await.unwrap();
    hub.publish("t", text("older than a minute soon"))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(30)).await;
    let mut fresh = hub.subscribe(&["t"], Some(first.as_str())).await.unwrap();
    assert_eq!(next(&mut fresh).await.data(), "older than a minute soon");
    tokio::time::advance(Duration::from_secs(31)).await;
    let mut stale = hub.subscribe(&["t"], Some(first.as_str())).await.unwrap();
    assert_eq!(next(&mut stale).await.event_type(), "resync");
    assert_eq!(hub.history_len(Some("t")).0, 0);
}

#[tokio::test]
async fn a_slow_subscriber_never_blocks_the_publisher_and_is_ended_by_the_policy() {
    for policy in [LagPolicy::Resync, LagPolicy::Disconnect] {
        let hub = Hub::new(HubConfig::default().history_events(8).on_lag(policy));
        let mut slow = hub.subscribe(&["t"], None).await.unwrap();
        let mut fast = hub.subscribe(&["t"], None).await.unwrap();
        hub.publish("t", text("0")).await.unwrap();
        assert_eq!(next(&mut slow).await.data(), "0");
        assert_eq!(next(&mut fast).await.data(), "0");
        for n in 1..=100 {
            // Never waits for `slow`, which reads nothing meanwhile.
            hub.publish("t", text(&n.to_string())).await.unwrap();
            assert_eq!(next(&mut fast).await.data(), n.to_string());
        }
        assert_eq!(hub.history_len(Some("t")).0, 8, "bounded, whoever lags");
        match policy {
            LagPolicy::Resync => {
                let message = next(&mut slow).await;
                assert_eq!(message.event_type(), "resync");
                let live = fast.next().now_or_never();
                assert!(live.is_none());
            }
            LagPolicy::Disconnect => {}
        }
        assert!(slow.next().await.is_none(), "{policy:?}: ended");
        assert!(futures::stream::FusedStream::is_terminated(&slow));
        hub.publish("t", text("after")).await.unwrap();
        assert_eq!(next(&mut fast).await.data(), "after", "others go on");
    }
}

#[tokio::test]
async fn counts_follow_subscribers_and_a_dropped_stream_leaves_at_once() {
    let hub = Hub::new(HubConfig::default());
    let ann = hub.subscribe(&["user:ann", "news"], None).await.unwrap();
    let bob = hub.subscribe(&["news"], None).await.unwrap();
    assert_eq!(hub.subscriber_count(), 2);
    assert_eq!(hub.topic_subscriber_count("news"), 2);
    assert_eq!(hub.topic_subscriber_count("user:ann"), 1);
    assert_eq!(hub.topic_subscriber_count("user:zed"), 0);
    drop(ann);
    assert_eq!(hub.subscriber_count(), 1);
    assert_eq!(hub.topic_subscriber_count("news"), 1);
    assert_eq!(hub.topic_subscriber_count("user:ann"), 0);
    drop(bob);
    assert_eq!(hub.subscriber_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn topics_nobody_uses_any_more_are_swept_away_with_an_age_bound() {
    let hub = Hub::new(HubConfig::default().history_age(Duration::from_secs(60)));
    for user in 0..100 {
        hub.publish(&format!("user:{user}"), text("hello"))
            .await
            .unwrap();
    }
    let follower = hub.subscribe(&["user:7"], None).await.unwrap();
    assert_eq!(hub.topic_count(), 100);
    tokio::time::advance(Duration::from_secs(61)).await;
    // One topic looked at per publish: a round through all of them.
    for _ in 0..=hub.topic_count() {
        hub.publish("news", text("tick")).await.unwrap();
    }
    assert_eq!(hub.topic_count(), 2, "news, and the topic still followed");
    drop(follower);
    assert_eq!(hub.topic_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_removed_topic_does_not_forget_what_it_evicted() {
    // A topic whose history aged out is removed once nobody follows it; a client coming
    // back with an id from before must still get the resync signal, not a silent gap.
    let hub = Hub::new(HubConfig::default().history_age(Duration::from_secs(60)));
    let mut follower = hub.subscribe(&["t"], None).await.unwrap();
    let seen = hub.publish("t", text("seen")).await.unwrap();
    assert_eq!(next(&mut follower).await.data(), "seen");
    hub.publish("t", text("missed")).await.unwrap();
    tokio::time::advance(Duration::from_secs(61)).await;
    let late = hub.subscribe(&["t"], Some(seen.as_str())).await.unwrap();
    assert_eq!(hub.history_len(Some("t")), (0, 0), "aged out");
    drop((follower, late));
    assert_eq!(hub.topic_subscriber_count("t"), 0);

    let mut back = hub.subscribe(&["t"], Some(seen.as_str())).await.unwrap();
    assert_eq!(next(&mut back).await.event_type(), "resync");
}

/// Replay then live, with the publisher running all along: every subscriber that resumes
/// from event k gets exactly k+1..=N in order, whenever it joined; one that joins without an
/// id is told where it starts (k) and gets k+1..=N.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_then_live_under_concurrent_publishing_loses_and_repeats_nothing() {
    const TOTAL: usize = 3000;
    let hub = Hub::new(HubConfig::default().history_events(TOTAL));
    let (published, mut ids) = tokio::sync::mpsc::unbounded_channel::<EventId>();
    let publisher = {
        let hub = hub.clone();
        tokio::spawn(async move {
            for n in 1..=TOTAL {
                let id = hub.publish("t", text(&n.to_string())).await.unwrap();
                published.send(id).unwrap();
                if n % 16 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let read_to_the_end = |mut subscription: Subscription| async move {
        let mut received = Vec::new();
        loop {
            let n: usize = next(&mut subscription).await.data().parse().unwrap();
            received.push(n);
            if n == TOTAL {
                return received;
            }
        }
    };
    let mut history = Vec::new();
    let mut readers = Vec::new();
    while let Some(id) = ids.recv().await {
        history.push(id);
        let n = history.len();
        if n % 97 == 0 {
            let from = n - 40;
            let subscription = hub
                .subscribe(&["t"], Some(history[from - 1].as_str()))
                .await
                .unwrap();
            let reader = tokio::spawn(read_to_the_end(subscription));
            readers.push((Some(from), reader));
        } else if n % 211 == 0 {
            // Without an id it starts with an id-only frame saying where it starts, and
            // goes on exactly as if it had resumed from there.
            let mut subscription = hub.subscribe(&["t"], None).await.unwrap();
            let (resume_id, events) = decode_all(&next_bytes(&mut subscription).await);
            assert!(events.is_empty(), "the resume point dispatches nothing");
            let from = sequence(&resume_id);
            readers.push((Some(from), tokio::spawn(read_to_the_end(subscription))));
        }
    }
    publisher.await.unwrap();
    assert!(readers.len() > 40);
    for (from, reader) in readers {
        let received = reader.await.unwrap();
        let start = from.map_or(received[0], |from| from + 1);
        assert!(start <= TOTAL, "started after everything: {from:?}");
        let expected: Vec<usize> = (start..=TOTAL).collect();
        assert_eq!(received, expected, "resumed after {from:?}");
    }
}

#[test]
fn the_hub_and_its_streams_go_anywhere_a_server_puts_them() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    fn body<T: Send + Sync + Unpin + 'static>() {}
    fn error<T: std::error::Error + Send + Sync + Clone + 'static>() {}
    shared::<Hub>();
    shared::<HubConfig>();
    body::<Subscription>();
    error::<HubError>();
}

/// Several topics published to from another task while subscribers of different topic sets
/// read on their own tasks: each gets exactly the events meant for it, once, in publishing
/// order (the rings are merged by position, and no wake-up is lost on the way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_of_several_topics_get_exactly_their_events_in_order_under_load() {
    const TOTAL: usize = 2000;
    let hub = Hub::new(HubConfig::default().history_events(TOTAL));
    let sets: [&[&str]; 4] = [&["a"], &["b", "c"], &[], &["a", "b", "c"]];
    // Who each event is for: everyone, or some of the topics (seeded, so every run is the
    // same).
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let targets: Vec<Vec<&'static str>> = (0..TOTAL)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            match seed % 5 {
                0 => vec![],
                1 => vec!["a"],
                2 => vec!["b"],
                3 => vec!["b", "c"],
                _ => vec!["c", "a"],
            }
        })
        .collect();
    let expected = |set: &[&str]| -> Vec<usize> {
        (0..TOTAL)
            .filter(|&n| targets[n].is_empty() || targets[n].iter().any(|t| set.contains(t)))
            .collect()
    };
    let mut readers = Vec::new();
    for set in sets {
        let mut subscription = hub.subscribe(set, None).await.unwrap();
        let count = expected(set).len();
        readers.push(tokio::spawn(async move {
            let mut received = Vec::with_capacity(count);
            while received.len() < count {
                let n: usize = next(&mut subscription).await.data().parse().unwrap();
                received.push(n);
            }
            assert!(is_idle(&mut subscription), "nothing more");
            received
        }));
    }
    let publisher = {
        let hub = hub.clone();
        let targets = targets.clone();
        tokio::spawn(async move {
            for (n, topics) in targets.iter().enumerate() {
                let event = text(&n.to_string());
                let target = if topics.is_empty() {
                    Target::Everyone
                } else {
                    Target::Topics(topics)
                };
                hub.publish(target, event).await.unwrap();
                if n % 8 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    publisher.await.unwrap();
    for (set, reader) in sets.iter().zip(readers) {
        assert_eq!(
            reader.await.unwrap(),
            expected(set),
            "subscribed to {set:?}"
        );
    }
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn a_hub_error_answers_an_axum_request_with_503_and_the_reason() {
    use axum::response::IntoResponse;
    let hub = Hub::new(HubConfig::default());
    let error = hub
        .publish_encoded("t", None, Bytes::from_static(b"data: cut"))
        .await
        .unwrap_err();
    let response = error.into_response();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(body, "encoded event does not end with an empty line");
}

/// A client that subscribed without an id and was cut before any live event still resumes
/// without loss: it got the id-only resume point, reconnects with it, and receives every
/// event published in between, once each.
#[tokio::test]
async fn a_client_cut_before_its_first_event_resumes_from_the_id_only_frame() {
    let hub = Hub::new(HubConfig::default());
    let mut quiet = hub.subscribe(&["t"], None).await.unwrap();
    assert!(is_idle(&mut quiet), "no resume point before any event");
    drop(quiet);

    let before = hub.publish("t", text("before")).await.unwrap();
    hub.publish("elsewhere", text("not for t")).await.unwrap();
    let newest = hub.publish(Target::Everyone, text("to all")).await.unwrap();

    let mut first = hub.subscribe(&["t"], None).await.unwrap();
    let mut second = hub.subscribe(&["u"], Some("")).await.unwrap();
    let frame = next_bytes(&mut first).await;
    assert_eq!(frame, format!("id: {newest}\n\n"));
    let (resume_id, events) = decode_all(&frame);
    assert!(events.is_empty(), "browsers dispatch nothing for it");
    assert_eq!(resume_id, newest.as_str());
    let shared = next_bytes(&mut second).await;
    assert_eq!(shared, frame);
    assert_eq!(shared.as_ptr(), frame.as_ptr(), "one frame shared by both");
    assert!(
        is_idle(&mut first),
        "nothing else: the old events are not replayed"
    );
    assert_ne!(resume_id, before.as_str());

    // Cut before any live event; meanwhile the hub goes on.
    drop(first);
    let mut missed = Vec::new();
    for n in 0..5 {
        let target = if n % 2 == 0 { "t" } else { "other" };
        let id = hub
            .publish(target, text(&format!("missed {n}")))
            .await
            .unwrap();
        if target == "t" {
            missed.push(id);
        }
    }
    hub.publish(Target::Everyone, text("missed by all"))
        .await
        .unwrap();

    let mut back = hub.subscribe(&["t"], Some(&resume_id)).await.unwrap();
    let mut received = Vec::new();
    while let Some(Some(Ok(bytes))) = back.next().now_or_never() {
        let (_, events) = decode_all(&bytes);
        received.extend(events.into_iter().map(|event| event.data().to_owned()));
    }
    assert_eq!(
        received,
        ["missed 0", "missed 2", "missed 4", "missed by all"],
        "every event in between, once each, in order"
    );
    assert_eq!(missed.len(), 3);
}
