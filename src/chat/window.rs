//! Which items of a long, variable-height list to put in the DOM: those overlapping the
//! viewport plus a margin above and below. Heights are the measured ones where known and
//! an estimate elsewhere; the space of the items left out is kept by two spacers, so the
//! scroll bar and scroll position behave as if every item were there.

/// The items to render, `start..end`, and the heights of the spacers around them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub start: usize,
    pub end: usize,
    /// Height of the items before `start`.
    pub before: f64,
    /// Height of the items from `end` on.
    pub after: f64,
}

/// The items overlapping `[top - overscan, top + view + overscan]`. With `pin_bottom` the
/// viewport is taken to be at the end of the list (following a conversation).
pub fn visible(heights: &[f64], top: f64, view: f64, overscan: f64, pin_bottom: bool) -> Range {
    let total: f64 = heights.iter().sum();
    let n = heights.len();
    if n == 0 {
        return Range {
            start: 0,
            end: 0,
            before: 0.0,
            after: 0.0,
        };
    }
    let top = if pin_bottom {
        (total - view).max(0.0)
    } else {
        top.clamp(0.0, (total - view).max(0.0))
    };
    let lo = top - overscan;
    let hi = top + view + overscan;
    let mut y = 0.0;
    let mut start = n - 1;
    for (i, h) in heights.iter().enumerate() {
        if y + h > lo {
            start = i;
            break;
        }
        y += h;
    }
    if start == n - 1 {
        y = total - heights[n - 1];
    }
    let before = y;
    let mut end = start;
    while end < n && (y < hi || end == start) {
        y += heights[end];
        end += 1;
    }
    Range {
        start,
        end,
        before,
        after: (total - y).max(0.0),
    }
}

/// Distance from the top of the list to the top of item `index`.
pub fn offset_of(heights: &[f64], index: usize) -> f64 {
    heights.iter().take(index).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(heights: &[f64], r: Range) {
        let total: f64 = heights.iter().sum();
        let shown: f64 = heights[r.start..r.end].iter().sum();
        assert!((r.before + shown + r.after - total).abs() < 1e-6, "{r:?}");
        assert!(r.start < r.end || heights.is_empty(), "{r:?}");
    }

    #[test]
    fn empty_list() {
        let r = visible(&[], 0.0, 800.0, 400.0, false);
        assert_eq!((r.start, r.end), (0, 0));
    }

    #[test]
    fn top_of_a_long_list() {
        let h = vec![100.0; 1000];
        let r = visible(&h, 0.0, 800.0, 400.0, false);
        assert_eq!(r.start, 0);
        assert_eq!(r.end, 12); // 800 + 400 px of 100 px items
        check(&h, r);
    }

    #[test]
    fn middle_and_bottom() {
        let h: Vec<f64> = (0..1000).map(|i| 50.0 + (i % 7) as f64 * 40.0).collect();
        let total: f64 = h.iter().sum();
        let r = visible(&h, total / 2.0, 700.0, 350.0, false);
        check(&h, r);
        assert!(r.before <= total / 2.0 - 350.0 + 1e-6);
        assert!(r.end - r.start < 40, "{r:?}");
        let pinned = visible(&h, 0.0, 700.0, 350.0, true);
        assert_eq!(pinned.end, 1000);
        assert_eq!(pinned.after, 0.0);
        check(&h, pinned);
        // A stale scroll position beyond the end shows the end too.
        let beyond = visible(&h, total * 2.0, 700.0, 350.0, false);
        assert_eq!(beyond.end, 1000);
        check(&h, beyond);
    }

    #[test]
    fn one_tall_item_is_still_shown() {
        let h = vec![100.0, 5000.0, 100.0];
        let r = visible(&h, 2000.0, 600.0, 0.0, false);
        assert_eq!((r.start, r.end), (1, 2));
        check(&h, r);
    }

    #[test]
    fn short_lists_are_whole() {
        let h = vec![120.0; 5];
        let r = visible(&h, 0.0, 800.0, 800.0, false);
        assert_eq!((r.start, r.end), (0, 5));
        assert_eq!(offset_of(&h, 3), 360.0);
    }
}
