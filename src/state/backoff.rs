//! Re-check delays while AgentOS is down: 1 s, 2 s, 4 s ... capped.

/// Delay before re-check number `failures` (1 = first failure), in milliseconds:
/// doubles from `base_ms` and never exceeds `max_ms`.
pub fn delay_ms(failures: u32, base_ms: u64, max_ms: u64) -> u64 {
    if failures == 0 {
        return base_ms.min(max_ms);
    }
    let shift = (failures - 1).min(20);
    base_ms.saturating_mul(1u64 << shift).min(max_ms)
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn doubles_then_caps() {
        let seq: Vec<u64> = (1..=6).map(|n| delay_ms(n, 1000, 8000)).collect();
        assert_eq!(seq, vec![1000, 2000, 4000, 8000, 8000, 8000]);
    }

    #[test]
    fn never_overflows() {
        assert_eq!(delay_ms(u32::MAX, u64::MAX / 2, 5000), 5000);
        assert_eq!(delay_ms(0, 1000, 500), 500);
    }
}
