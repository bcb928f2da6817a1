//! Partition planning helpers.

use std::ops::Range;

/// Splits `range` into `parts` contiguous, non-overlapping ranges whose lengths differ by at
/// most one (the first ones get the remainder). Empty ranges are kept, so the result always has
/// `parts` entries and Spark gets exactly the partition count the user asked for.
///
/// ```
/// use datasource_core::split_range;
/// assert_eq!(split_range(0..10, 3), vec![0..4, 4..7, 7..10]);
/// assert_eq!(split_range(0..2, 3), vec![0..1, 1..2, 2..2]);
/// ```
///
/// # Panics
/// If `parts` is zero (a range cannot be split into nothing).
pub fn split_range(range: Range<u64>, parts: u64) -> Vec<Range<u64>> {
    assert!(parts > 0, "split_range needs at least one part");
    let total = range.end.saturating_sub(range.start);
    let (base, remainder) = (total / parts, total % parts);
    let mut start = range.start;
    (0..parts)
        .map(|index| {
            let length = base + u64::from(index < remainder);
            let part = start..start + length;
            start += length;
            part
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_range_exactly_and_evenly() {
        for (total, parts) in [(0u64, 1u64), (1, 4), (10, 3), (1000, 7), (7, 7), (5, 16)] {
            let split = split_range(100..100 + total, parts);
            assert_eq!(split.len() as u64, parts);
            assert_eq!(split.first().unwrap().start, 100);
            assert_eq!(split.last().unwrap().end, 100 + total);
            for pair in split.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
            let lengths: Vec<u64> = split.iter().map(|r| r.end - r.start).collect();
            let (min, max) = (lengths.iter().min().unwrap(), lengths.iter().max().unwrap());
            assert!(max - min <= 1, "{lengths:?}");
        }
    }

    #[test]
    fn inverted_range_is_empty() {
        #[allow(clippy::reversed_empty_ranges)]
        let split = split_range(5..1, 2);
        assert_eq!(split, vec![5..5, 5..5]);
    }
}
