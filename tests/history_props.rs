//! History properties: bounds always hold, and replay after any held id gives exactly the
//! events recorded after it, for ordered and unordered ids alike.

use proptest::prelude::*;
use sse_wire::{Event, History, ReplayError};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn replay_is_exact_and_bounds_hold(
        ordered in any::<bool>(),
        raw_ids in prop::collection::vec(0_u32..50, 1..60),
        max_events in 1_usize..20,
        max_bytes in 20_usize..600,
    ) {
        // Ordered: strictly increasing ids; otherwise unique ids in random order.
        let mut ids: Vec<u32> = raw_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if !ordered {
            ids = raw_ids.iter().copied().fold(Vec::new(), |mut seen, id| {
                if !seen.contains(&id) { seen.push(id); }
                seen
            });
        }
        let mut history = History::new(max_events, max_bytes);
        let mut sent = Vec::new();
        for &id in &ids {
            let bytes = history.record(&Event::new().id(id).data(format!("event {id}")));
            sent.push((id, bytes));
            prop_assert!(history.len() <= max_events);
            prop_assert!(history.byte_len() <= max_bytes);
        }
        let held = history.len();
        for (position, (id, _)) in sent.iter().enumerate() {
            let result = history.replay_after(&id.to_string());
            if position + held >= sent.len() {
                let replayed: Vec<_> = result.expect("held id").cloned().collect();
                let expected: Vec<_> = sent[position + 1..].iter().map(|(_, bytes)| bytes.clone()).collect();
                prop_assert_eq!(replayed, expected);
            } else {
                let error = result.expect_err("evicted id");
                prop_assert!(matches!(error, ReplayError::Evicted | ReplayError::Unknown));
            }
        }
    }
}
