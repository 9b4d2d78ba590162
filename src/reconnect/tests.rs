//! Every transition of the reconnection policy, on a manual clock with fixed seeds.

use super::*;
use crate::ResponseError;
use alloc::vec::Vec;
use core::time::Duration;

const SSE: Option<&[u8]> = Some(b"text/event-stream");

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn no_jitter() -> ReconnectConfig {
    ReconnectConfig::default().jitter(0.0)
}

fn delay(decision: Decision) -> Duration {
    match decision {
        Decision::Reconnect { delay } => delay,
        Decision::Stop(reason) => panic!("expected a reconnect, got a stop: {reason}"),
    }
}

#[test]
fn waits_the_default_then_the_servers_retry() {
    let mut policy = Reconnect::with_seed(no_jitter(), 1);
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_event("1", None, secs(1));
    assert_eq!(delay(policy.on_disconnect(secs(2))), secs(3));

    policy.on_connect();
    policy.on_response(200, SSE, secs(5)).unwrap();
    policy.on_event("2", Some(secs(7)), secs(6));
    assert_eq!(delay(policy.on_disconnect(secs(8))), secs(7));
    assert_eq!(policy.last_event_id(), "2");
}

#[test]
fn failures_in_a_row_back_off_up_to_the_bound_and_an_event_resets() {
    let config = no_jitter().max_delay(secs(20));
    let mut policy = Reconnect::with_seed(config, 1);
    let delays: Vec<Duration> = (0..6)
        .map(|_| delay(policy.on_disconnect(secs(0))))
        .collect();
    assert_eq!(
        delays,
        [secs(3), secs(6), secs(12), secs(20), secs(20), secs(20)]
    );
    assert_eq!(policy.failures(), 6);

    policy.on_connect();
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_event("9", None, secs(0));
    assert_eq!(policy.failures(), 0);
    assert_eq!(delay(policy.on_disconnect(secs(0))), secs(3));
}

#[test]
fn retry_zero_is_floored() {
    let mut policy = Reconnect::with_seed(no_jitter().min_delay(Duration::from_millis(250)), 1);
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_event("", Some(Duration::ZERO), secs(0));
    assert_eq!(
        delay(policy.on_disconnect(secs(0))),
        Duration::from_millis(250)
    );
}

#[test]
fn jitter_stays_within_its_fraction_and_is_reproducible() {
    let config = ReconnectConfig::default().jitter(0.5).backoff(1);
    let run = |seed| {
        let mut policy = Reconnect::with_seed(config, seed);
        (0..200)
            .map(|_| delay(policy.on_disconnect(secs(0))))
            .collect::<Vec<_>>()
    };
    let delays = run(7);
    assert_eq!(delays, run(7), "same seed, same delays");
    assert_ne!(delays, run(8));
    assert!(delays
        .iter()
        .all(|d| *d >= secs(3) && *d < Duration::from_millis(4500)));
    let spread = delays
        .iter()
        .max()
        .unwrap()
        .saturating_sub(*delays.iter().min().unwrap());
    assert!(
        spread > Duration::from_millis(1000),
        "jitter spreads clients out"
    );
}

#[test]
fn no_content_non_200_and_wrong_type_stop_for_good() {
    for (status, content_type, error) in [
        (204, None, ResponseError::NoContent),
        (500, SSE, ResponseError::Status { status: 500 }),
        (404, SSE, ResponseError::Status { status: 404 }),
        (
            200,
            Some(&b"text/html"[..]),
            ResponseError::ContentType {
                content_type: "text/html".into(),
            },
        ),
    ] {
        let mut policy = Reconnect::with_seed(no_jitter(), 1);
        assert_eq!(
            policy.on_response(status, content_type, secs(0)),
            Err(error.clone())
        );
        assert!(policy.is_stopped());
        assert_eq!(
            policy.on_disconnect(secs(0)),
            Decision::Stop(StopReason::Response(error))
        );
        policy.on_connect();
        assert!(policy.is_stopped(), "a stopped policy stays stopped");
    }
}

#[test]
fn server_errors_can_be_retried_but_never_4xx() {
    let config = no_jitter().retry_server_errors(true);
    let mut policy = Reconnect::with_seed(config, 1);
    assert!(policy.on_response(503, SSE, secs(0)).is_err());
    assert_eq!(delay(policy.on_disconnect(secs(0))), secs(3));
    policy.on_connect();
    assert!(policy.on_response(429, SSE, secs(0)).is_err());
    assert_eq!(delay(policy.on_disconnect(secs(0))), secs(6));
    policy.on_connect();
    assert!(policy.on_response(403, SSE, secs(0)).is_err());
    assert!(matches!(
        policy.on_disconnect(secs(0)),
        Decision::Stop(StopReason::Response(_))
    ));
}

#[test]
fn a_limit_on_attempts_stops_after_that_many_failures() {
    let mut policy = Reconnect::with_seed(no_jitter().max_attempts(Some(2)), 1);
    assert!(matches!(
        policy.on_disconnect(secs(0)),
        Decision::Reconnect { .. }
    ));
    assert!(matches!(
        policy.on_disconnect(secs(0)),
        Decision::Reconnect { .. }
    ));
    assert_eq!(
        policy.on_disconnect(secs(0)),
        Decision::Stop(StopReason::TooManyAttempts { attempts: 2 })
    );
}

#[test]
fn a_silent_connection_is_replaced_after_the_idle_timeout() {
    let mut policy = Reconnect::with_seed(no_jitter().idle_timeout(Some(secs(45))), 1);
    assert_eq!(policy.idle_deadline(), None, "not open yet");
    policy.on_response(200, SSE, secs(100)).unwrap();
    assert_eq!(policy.idle_deadline(), Some(secs(145)));
    policy.on_activity(secs(130)); // a keep-alive comment
    assert_eq!(policy.check_idle(secs(160)), None);
    assert_eq!(
        policy.check_idle(secs(175)),
        Some(Decision::Reconnect { delay: secs(3) })
    );
    assert_eq!(
        policy.idle_deadline(),
        None,
        "the connection counts as dropped"
    );
}

#[test]
fn close_stops_and_a_persisted_id_is_resumed() {
    let mut policy = Reconnect::with_seed(no_jitter(), 1).with_last_event_id("41");
    assert_eq!(policy.last_event_id(), "41");
    policy.close();
    assert_eq!(
        policy.on_disconnect(secs(0)),
        Decision::Stop(StopReason::Closed)
    );
}

#[test]
fn a_retry_from_a_block_without_data_is_fed_separately() {
    let mut policy = Reconnect::with_seed(no_jitter(), 1);
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_retry(Duration::from_millis(1500));
    assert_eq!(
        delay(policy.on_disconnect(secs(1))),
        Duration::from_millis(1500)
    );
}

// The six rules of issue 10, one test (or more) each.

/// The first wait of a fresh policy seeded with `seed` after the server asked for 5 s.
fn first_wait(config: ReconnectConfig, seed: u64) -> Duration {
    let mut policy = Reconnect::with_seed(config, seed);
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_retry(Duration::from_millis(5000));
    delay(policy.on_disconnect(secs(0)))
}

#[test]
fn rule_1_jitter_never_shortens_the_reconnection_time() {
    let retry = Duration::from_millis(5000);
    let waits: Vec<Duration> = (0..2000)
        .map(|seed| first_wait(ReconnectConfig::default(), seed))
        .collect();
    let shorter = waits.iter().filter(|wait| **wait < retry).count();
    assert_eq!(shorter, 0, "waits shorter than the server's retry");
    // The default jitter (0.5) spreads waits over [5 s, 7.5 s).
    assert!(waits.iter().all(|wait| *wait < Duration::from_millis(7500)));
    assert!(waits.iter().any(|wait| *wait > Duration::from_millis(7000)));

    // The same holds for every jitter fraction and through backoff and the floor.
    for jitter in [0.0, 0.25, 1.0] {
        let config = ReconnectConfig::default()
            .jitter(jitter)
            .max_delay(secs(20));
        let mut policy = Reconnect::with_seed(config, 3);
        let mut expected = secs(3);
        for _ in 0..8 {
            let wait = delay(policy.on_disconnect(secs(0)));
            assert!(
                wait >= expected,
                "{wait:?} < {expected:?} with jitter {jitter}"
            );
            expected = (expected * 2).min(secs(20));
        }
    }
}

#[test]
fn rule_2_nearby_seeds_spread_over_the_jitter_window_and_never_collide() {
    let config = ReconnectConfig::default().jitter(1.0);
    let window = Duration::from_millis(5000); // jitter 1.0 over a 5 s retry
    let counters: Vec<u64> = (0..1000).collect();
    let timestamps: Vec<u64> = (0..1000)
        .map(|n| 1_780_000_000_000_000_000 + n * 1_000_000)
        .collect();
    for seeds in [counters, timestamps] {
        let mut waits: Vec<Duration> = seeds.iter().map(|&s| first_wait(config, s)).collect();
        // Ten equal slices of the window each hold a fair share (100 expected).
        let mut slices = [0_u32; 10];
        for wait in &waits {
            let offset = (*wait - Duration::from_millis(5000)).as_secs_f64();
            slices[((offset / window.as_secs_f64()) * 10.0) as usize] += 1;
        }
        assert!(
            slices.iter().all(|&n| (60..=140).contains(&n)),
            "uneven spread: {slices:?}"
        );
        waits.sort();
        waits.dedup();
        assert_eq!(waits.len(), 1000, "two distinct seeds gave the same wait");
    }
    // Seeds 2k and 2k+1 (which a `seed | 1` generator would merge) differ.
    for k in 0..100 {
        assert_ne!(first_wait(config, 2 * k), first_wait(config, 2 * k + 1));
    }
}

#[cfg(feature = "std")]
#[test]
fn rule_2_the_default_policy_seeds_itself() {
    let waits: Vec<Duration> = (0..50)
        .map(|_| {
            let mut policy = Reconnect::default();
            delay(policy.on_disconnect(secs(0)))
        })
        .collect();
    let mut distinct = waits.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        waits.len(),
        "self-seeded policies shared a wait"
    );
    assert!(waits.iter().all(|wait| *wait >= secs(3)));
}

#[test]
fn rule_3_last_event_id_is_the_decoders_committed_id_even_without_data() {
    use crate::Decoder;
    let mut policy = Reconnect::with_seed(no_jitter(), 1);
    let mut decoder = Decoder::new();
    policy.on_response(200, SSE, secs(0)).unwrap();
    let mut feed = |input: &str, policy: &mut Reconnect| {
        decoder.push(input);
        while let Some(message) = decoder.next_event() {
            policy.on_message(&message.unwrap(), secs(0));
        }
        policy.on_decoded(&decoder);
    };
    feed("id: 1\ndata: a\n\n", &mut policy);
    assert_eq!(policy.last_event_id(), "1");
    feed("id: 2\n\n", &mut policy);
    assert_eq!(policy.last_event_id(), "2", "an id-only block moves the id");
    feed("id: 3\ndata: cut before the empty line", &mut policy);
    assert_eq!(policy.last_event_id(), "2", "an uncommitted id is not sent");
    feed("\n\nid\n\n", &mut policy);
    assert_eq!(policy.last_event_id(), "", "`id` with no value clears it");
    feed("retry: 1200\n\n", &mut policy);
    assert_eq!(
        delay(policy.on_disconnect(secs(0))),
        Duration::from_millis(1200)
    );
}

#[test]
fn rule_4_no_configuration_or_server_input_panics() {
    let huge = [
        Duration::MAX,
        Duration::from_millis(u64::MAX),
        secs(u64::MAX),
    ];
    let jitters = [
        f64::NAN,
        -1.0,
        -0.0,
        2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1.0,
    ];
    for big in huge {
        for jitter in jitters {
            let config = ReconnectConfig::default()
                .default_delay(big)
                .min_delay(big)
                .max_delay(big)
                .backoff(u32::MAX)
                .jitter(jitter)
                .idle_timeout(Some(big));
            let mut policy = Reconnect::with_seed(config, 9);
            policy.on_response(200, SSE, big).unwrap();
            // Beyond any representable time there is no deadline, and no overflow.
            assert_eq!(policy.idle_deadline(), big.checked_add(big));
            assert_eq!(
                policy.check_idle(Duration::MAX).is_some(),
                big.checked_add(big).is_some()
            );
            policy.on_retry_after(Duration::MAX);
            for _ in 0..40 {
                assert!(delay(policy.on_disconnect(big)) >= big.min(Duration::MAX));
            }
        }
    }
    // A 30-digit retry from the server saturates in the decoder and in the policy.
    let mut decoder = crate::Decoder::new();
    decoder.push("retry: 123456789012345678901234567890\n\n");
    assert!(decoder.next_event().is_none());
    assert_eq!(decoder.retry(), Some(Duration::from_millis(u64::MAX)));
    let mut policy = Reconnect::with_seed(ReconnectConfig::default(), 5);
    policy.on_decoded(&decoder);
    for _ in 0..40 {
        assert!(delay(policy.on_disconnect(secs(0))) >= Duration::from_millis(u64::MAX));
    }
    // A negative or NaN jitter behaves like no jitter.
    for jitter in [f64::NAN, -3.0] {
        let mut policy = Reconnect::with_seed(ReconnectConfig::default().jitter(jitter), 5);
        assert_eq!(delay(policy.on_disconnect(secs(0))), secs(3));
    }
}

#[test]
fn rule_5_a_stopped_policy_stays_stopped() {
    type Stop = fn(&mut Reconnect);
    let stops: [(&str, Stop); 3] = [
        ("closed", |p| p.close()),
        ("204", |p| {
            let _ = p.on_response(204, None, secs(0));
        }),
        ("too many attempts", |p| {
            let _ = p.on_disconnect(secs(0));
            let _ = p.on_disconnect(secs(0));
        }),
    ];
    for (name, stop) in stops {
        let config = no_jitter()
            .max_attempts(Some(1))
            .idle_timeout(Some(secs(1)));
        let mut policy = Reconnect::with_seed(config, 1);
        stop(&mut policy);
        assert!(policy.is_stopped(), "{name}");
        let reason = policy.stop_reason().cloned().unwrap();
        policy.on_connect();
        assert_eq!(policy.on_response(200, SSE, secs(1)), Ok(()));
        policy.on_event("5", None, secs(1));
        policy.on_activity(secs(1));
        policy.close();
        assert!(policy.is_stopped(), "{name}: revived");
        assert_eq!(policy.idle_deadline(), None, "{name}");
        assert_eq!(policy.check_idle(secs(100)), None, "{name}");
        assert_eq!(
            policy.on_disconnect(secs(2)),
            Decision::Stop(reason.clone()),
            "{name}: the first reason is kept"
        );
    }
}

#[test]
fn rule_6_decisions_match_without_a_wildcard_and_offer_accessors() {
    fn describe(decision: &Decision) -> alloc::string::String {
        use alloc::format;
        // Exhaustive: this would not compile if Decision grew a variant.
        match decision {
            Decision::Reconnect { delay } => format!("wait {delay:?}"),
            Decision::Stop(reason) => format!("stop: {reason}"),
        }
    }
    let mut policy = Reconnect::with_seed(no_jitter().max_attempts(Some(1)), 1);
    let first = policy.on_disconnect(secs(0));
    assert_eq!(describe(&first), "wait 3s");
    assert_eq!(first.delay(), Some(secs(3)));
    assert_eq!(first.stop_reason(), None);
    let second = policy.on_disconnect(secs(0));
    assert_eq!(
        describe(&second),
        "stop: gave up after 1 failed connection attempts in a row"
    );
    assert_eq!(second.delay(), None);
    assert_eq!(
        second.stop_reason(),
        Some(&StopReason::TooManyAttempts { attempts: 1 })
    );
}

#[test]
fn retry_after_lengthens_only_the_next_wait() {
    let mut policy = Reconnect::with_seed(no_jitter().retry_server_errors(true), 1);
    assert!(policy.on_response(503, SSE, secs(0)).is_err());
    policy.on_retry_after(secs(10));
    assert_eq!(delay(policy.on_disconnect(secs(0))), secs(10));
    policy.on_connect();
    assert!(policy.on_response(429, SSE, secs(0)).is_err());
    policy.on_retry_after(secs(1));
    assert_eq!(
        delay(policy.on_disconnect(secs(0))),
        secs(6),
        "a short Retry-After never shortens the backoff"
    );
}

#[test]
fn stop_reasons_say_what_happened() {
    use alloc::string::ToString;
    assert_eq!(
        StopReason::from(ResponseError::Status { status: 404 }).to_string(),
        "server answered status 404, not 200"
    );
    assert_eq!(
        StopReason::Closed.to_string(),
        "the stream was closed by the caller"
    );
    assert_eq!(
        StopReason::InvalidRequest {
            message: "relative URL without a base".into()
        }
        .to_string(),
        "the request cannot be sent: relative URL without a base"
    );
}
