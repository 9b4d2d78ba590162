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
        other => panic!("expected a reconnect, got {other:?}"),
    }
}

#[test]
fn waits_the_default_then_the_servers_retry() {
    let mut policy = Reconnect::new(no_jitter(), 1);
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
    let mut policy = Reconnect::new(config, 1);
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
    let mut policy = Reconnect::new(no_jitter().min_delay(Duration::from_millis(250)), 1);
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
        let mut policy = Reconnect::new(config, seed);
        (0..200)
            .map(|_| delay(policy.on_disconnect(secs(0))))
            .collect::<Vec<_>>()
    };
    let delays = run(7);
    assert_eq!(delays, run(7), "same seed, same delays");
    assert_ne!(delays, run(8));
    assert!(delays
        .iter()
        .all(|d| *d > Duration::from_millis(1500) && *d <= secs(3)));
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
        let mut policy = Reconnect::new(no_jitter(), 1);
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
    let mut policy = Reconnect::new(config, 1);
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
    let mut policy = Reconnect::new(no_jitter().max_attempts(Some(2)), 1);
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
    let mut policy = Reconnect::new(no_jitter().idle_timeout(Some(secs(45))), 1);
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
    let mut policy = Reconnect::new(no_jitter(), 1).with_last_event_id("41");
    assert_eq!(policy.last_event_id(), "41");
    policy.close();
    assert_eq!(
        policy.on_disconnect(secs(0)),
        Decision::Stop(StopReason::Closed)
    );
}

#[test]
fn a_retry_from_a_block_without_data_is_fed_separately() {
    let mut policy = Reconnect::new(no_jitter(), 1);
    policy.on_response(200, SSE, secs(0)).unwrap();
    policy.on_retry(Duration::from_millis(1500));
    assert_eq!(
        delay(policy.on_disconnect(secs(1))),
        Duration::from_millis(1500)
    );
}
