//! Sorting the short lists a form or a record holds (a record's field names, a page's options) by insertion. The
//! standard library's sorts are compiled once per element type, about 1.5 KiB of the portal's gzipped download each;
//! this is a few dozen bytes. Quadratic, so only for lists of a few hundred items at most.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal items in the order they came (stable).
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(before), Some(this)) = (j.checked_sub(1).and_then(|k| items.get(k)), items.get(j)) {
            if compare(before, this) != Ordering::Greater {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut seed = 7_u64;
        for len in 0..40 {
            let mut items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|(k, _)| *k);
            sort_by(&mut items, |a, b| a.0.cmp(&b.0));
            assert_eq!(items, expected, "length {len}");
        }
    }
}
