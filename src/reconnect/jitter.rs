//! The random part of a reconnection delay: a seeded generator whose first draws are already
//! spread out for nearby seeds, and (with `std`) a seed drawn from process entropy.

/// SplitMix64: every seed (zero included) is a valid state, and each output is a bijective
/// mix of the state, so seeds that differ in one bit (a counter, timestamps 1 ms apart) give
/// unrelated first draws and distinct seeds give distinct first draws.
#[derive(Debug, Clone)]
pub(super) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(super) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A uniform fraction in [0, 1).
    pub(super) fn next_fraction(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits fill an f64 mantissa exactly.
        (z >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// A seed that differs between processes, threads and calls: std's per-process random hash
/// keys (from the operating system) over a counter, the clock and a stack address.
#[cfg(feature = "std")]
pub(super) fn entropy_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};

    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.write_u128(since_epoch.as_nanos());
    let local = 0_u8;
    hasher.write_usize(core::ptr::addr_of!(local) as usize);
    hasher.finish()
}
