//! The tuning set and the check set: the leads the room tunes the points
//! on, and the leads it keeps aside to see whether the definition holds on
//! leads it has not looked at. By default the check set is the most recent
//! fifth of the leads by their created date (as careful scoring vendors
//! check on the newest leads); without a created date, a seeded random
//! fifth drawn separately among converted and other leads, so both sets
//! keep the base rate.
//!
//! The draw depends only on the seed and the row numbers (not on a random
//! number crate's version), so the same settings on the same file give
//! the same split in every browser: the settings travel with the workspace
//! and the link.

use fixedbitset::FixedBitSet;
use serde::{Deserialize, Serialize};

/// How the check set is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    /// The most recent leads by created date (random without one).
    Recent,
    /// A seeded random draw, the same share of converted and other leads.
    Random,
}

/// The check set's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckSplit {
    /// Whether a check set is kept aside at all.
    pub enabled: bool,
    /// The share of leads in the check set, from 0.05 to 0.5.
    pub share: f64,
    pub by: SplitBy,
    pub seed: u64,
}

impl Default for CheckSplit {
    fn default() -> Self {
        CheckSplit {
            enabled: true,
            share: 0.2,
            by: SplitBy::Recent,
            seed: 1,
        }
    }
}

/// The shares a check set may take.
pub const SHARES: std::ops::RangeInclusive<f64> = 0.05..=0.5;

impl CheckSplit {
    /// The settings with the share held within [`SHARES`] (a share that is
    /// not a number is the default one).
    pub fn bounded(self) -> CheckSplit {
        let share = if self.share.is_nan() {
            CheckSplit::default().share
        } else {
            self.share.clamp(*SHARES.start(), *SHARES.end())
        };
        CheckSplit { share, ..self }
    }

    /// How the check set was drawn, in words: "the newest 20% of leads".
    pub fn describe(&self, by_date: bool) -> String {
        let share = format!("{:.0}%", 100.0 * self.bounded().share);
        if !self.enabled {
            "no check set".to_owned()
        } else if by_date && self.by == SplitBy::Recent {
            format!("the newest {share} of leads")
        } else {
            format!("a random {share} of leads")
        }
    }
}

/// A row's place in a seeded draw: splitmix64 of the seed and the row.
fn draw(seed: u64, row: usize) -> u64 {
    let mut z = seed ^ (row as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many of `count` leads a share takes, rounded to the nearest lead.
fn taken(share: f64, count: usize) -> usize {
    ((share * count as f64).round() as usize).min(count)
}

/// The rows in the check set: the most recent share by `created` (leads
/// without a date stay in the tuning set), or a seeded draw of the share
/// among converted and among other leads. Empty when the check is off.
///
/// ```
/// use leadlens::core::split::{check_rows, CheckSplit};
/// let outcomes = [true, false, false, false, true, false, false, false, false, false];
/// let created: Vec<Option<i64>> = (0..10).map(Some).collect();
/// let check = check_rows(&CheckSplit::default(), &outcomes, Some(&created));
/// assert_eq!(check.ones().collect::<Vec<_>>(), [8, 9]);
/// ```
pub fn check_rows(
    split: &CheckSplit,
    outcomes: &[bool],
    created: Option<&[Option<i64>]>,
) -> FixedBitSet {
    let split = split.bounded();
    let rows = outcomes.len();
    let mut check = FixedBitSet::with_capacity(rows);
    if !split.enabled || rows == 0 {
        return check;
    }
    match (split.by, created) {
        (SplitBy::Recent, Some(created)) => {
            // Newest first; among leads of the same moment, the later rows.
            // The moment of the last lead taken is found without sorting
            // (on the times alone), then the leads newer than it are taken
            // and, of those at it, the later rows.
            let created = &created[..rows.min(created.len())];
            let (mut oldest, mut newest, mut dated) = (i64::MAX, i64::MIN, 0);
            for &t in created.iter().flatten() {
                oldest = oldest.min(t);
                newest = newest.max(t);
                dated += 1;
            }
            let take = taken(split.share, dated);
            if take == 0 {
                return check;
            }
            let (cutoff, newer) = nth_newest(created, oldest, newest, take);
            let mut at_cutoff = take - newer;
            for (row, t) in created.iter().enumerate().rev() {
                match *t {
                    Some(t) if t > cutoff => check.insert(row),
                    Some(t) if t == cutoff && at_cutoff > 0 => {
                        at_cutoff -= 1;
                        check.insert(row);
                    }
                    _ => {}
                }
            }
        }
        _ => {
            for class in [true, false] {
                let mut members: Vec<(u64, usize)> = (0..rows)
                    .filter(|&row| outcomes[row] == class)
                    .map(|row| (draw(split.seed, row), row))
                    .collect();
                let take = taken(split.share, members.len());
                for &(_, row) in first_by(&mut members, take, Ord::cmp) {
                    check.insert(row);
                }
            }
        }
    }
    check
}

/// The time of the `k`-th newest (`k` ≥ 1) of the times in `created`, all
/// within `oldest..=newest`, and how many are newer than it. The times are
/// counted into at most 65,536 ranges first; only those in the range that
/// holds the `k`-th newest are then selected among, so that the times are
/// read a few times in order and never copied whole.
fn nth_newest(created: &[Option<i64>], oldest: i64, newest: i64, k: usize) -> (i64, usize) {
    let span = newest.wrapping_sub(oldest) as u64;
    let shift = u64::BITS - (span >> 16).leading_zeros();
    let range = |t: i64| (t.wrapping_sub(oldest) as u64 >> shift) as usize;
    let mut counts = vec![0usize; range(newest) + 1];
    for &t in created.iter().flatten() {
        counts[range(t)] += 1;
    }
    // From the newest range down to the one holding the k-th newest.
    let mut newer = 0;
    let mut holding = counts.len() - 1;
    while newer + counts[holding] < k {
        newer += counts[holding];
        holding -= 1;
    }
    let mut within: Vec<i64> = created
        .iter()
        .flatten()
        .copied()
        .filter(|&t| range(t) == holding)
        .collect();
    let (_, &mut cutoff, _) = within.select_nth_unstable_by(k - newer - 1, |a, b| b.cmp(a));
    newer += within.iter().filter(|&&t| t > cutoff).count();
    (cutoff, newer)
}

/// The `take` first of `items` in the order `order` gives, in no order.
fn first_by<T>(
    items: &mut [T],
    take: usize,
    order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) -> &[T] {
    let take = take.min(items.len());
    if take > 0 && take < items.len() {
        items.select_nth_unstable_by(take - 1, order);
    }
    &items[..take]
}

/// A check set smaller than this says too little to be kept aside: its
/// intervals would be wider than any difference worth acting on.
pub const MIN_CHECK_LEADS: usize = 100;
/// Nor one with fewer conversions (or fewer other leads) than this.
pub const MIN_CHECK_CONVERTED: usize = 10;

/// Which leads are kept aside, as decided for one data set.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckSet {
    /// The check is switched off: every figure uses every lead.
    Off,
    /// The data is too small for the share asked: every figure uses every
    /// lead, and the page says why.
    TooFew { leads: usize, converted: usize },
    /// These rows are the check set; the others are the tuning set.
    Kept(FixedBitSet),
}

impl CheckSet {
    /// The check rows, when a check set is kept.
    pub fn rows(&self) -> Option<&FixedBitSet> {
        match self {
            CheckSet::Kept(rows) => Some(rows),
            _ => None,
        }
    }
}

/// [`check_rows`], kept only when the check set would be large enough to
/// say something: at least [`MIN_CHECK_LEADS`] leads, with at least
/// [`MIN_CHECK_CONVERTED`] converted and as many not, and a tuning set
/// with both outcomes.
pub fn check_set(
    split: &CheckSplit,
    outcomes: &[bool],
    created: Option<&[Option<i64>]>,
) -> CheckSet {
    if !split.enabled {
        return CheckSet::Off;
    }
    judged(check_rows(split, outcomes, created), outcomes, None)
}

/// `rows` as the check set, if they hold enough leads of each outcome, and
/// leave enough of each outcome to tune on. `weights` are the leads each
/// row stands for, where rows are weighted (one each without).
pub fn judged(rows: FixedBitSet, outcomes: &[bool], weights: Option<&[usize]>) -> CheckSet {
    // Rows are leads unless weighted: then counted with bit counts alone.
    let (leads, converted, all, all_converted) = match weights {
        None => (
            rows.count_ones(..),
            rows.ones().filter(|&r| outcomes[r]).count(),
            outcomes.len(),
            outcomes.iter().filter(|&&c| c).count(),
        ),
        Some(w) => (
            rows.ones().map(|r| w[r]).sum(),
            rows.ones().filter(|&r| outcomes[r]).map(|r| w[r]).sum(),
            w.iter().sum(),
            outcomes
                .iter()
                .zip(w)
                .filter(|(&c, _)| c)
                .map(|(_, &w)| w)
                .sum(),
        ),
    };
    let enough = leads >= MIN_CHECK_LEADS
        && converted >= MIN_CHECK_CONVERTED
        && leads - converted >= MIN_CHECK_CONVERTED
        && all_converted > converted
        && all - all_converted > leads - converted;
    if enough {
        CheckSet::Kept(rows)
    } else {
        CheckSet::TooFew { leads, converted }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(n: usize, every: usize) -> Vec<bool> {
        (0..n).map(|i| i % every == 0).collect()
    }

    #[test]
    fn the_newest_fifth_by_created_date_is_kept_aside() {
        let outcomes = outcomes(1_000, 7);
        // Dates in reverse row order, some missing.
        let created: Vec<Option<i64>> = (0..1_000)
            .map(|i| (i % 10 != 3).then_some(10_000 - i as i64))
            .collect();
        let check = check_rows(&CheckSplit::default(), &outcomes, Some(&created));
        assert_eq!(check.count_ones(..), 180, "a fifth of the 900 dated leads");
        let oldest_checked = check.ones().map(|r| created[r].unwrap()).min().unwrap();
        let newest_tuned = (0..1_000)
            .filter(|&r| !check.contains(r))
            .filter_map(|r| created[r])
            .max()
            .unwrap();
        assert!(oldest_checked > newest_tuned);
        assert!(
            check.ones().all(|r| created[r].is_some()),
            "undated leads are tuned on"
        );
    }

    #[test]
    fn among_leads_of_the_same_moment_the_later_rows_are_kept_aside() {
        // Few distinct moments, so that the cut falls among ties, and some
        // leads undated; spread narrowly, widely (so that the moments are
        // counted into ranges holding several) or over every time there
        // is; against sorting every dated lead.
        let mut rng = fastrand::Rng::with_seed(11);
        for case in 0..300 {
            let rows = rng.usize(1..400);
            let outcomes: Vec<bool> = (0..rows).map(|_| rng.bool()).collect();
            let scale = [1, 65_537, 1 << 44][case / 3 % 3];
            let created: Vec<Option<i64>> = (0..rows)
                .map(|_| {
                    (rng.u8(..) % 5 != 0).then(|| match rng.u8(..40) {
                        0 if case % 7 == 0 => i64::MIN,
                        1 if case % 7 == 0 => i64::MAX,
                        _ => rng.i64(-3..4) * scale + rng.i64(0..3),
                    })
                })
                .collect();
            let split = CheckSplit {
                share: [0.05, 0.2, 0.5][case % 3],
                ..CheckSplit::default()
            };
            let mut dated: Vec<(i64, usize)> = created
                .iter()
                .enumerate()
                .filter_map(|(row, t)| t.map(|t| (t, row)))
                .collect();
            dated.sort_by(|a, b| b.cmp(a));
            let take = taken(split.bounded().share, dated.len());
            let mut expected = FixedBitSet::with_capacity(rows);
            for &(_, row) in &dated[..take] {
                expected.insert(row);
            }
            assert_eq!(
                check_rows(&split, &outcomes, Some(&created)),
                expected,
                "case {case}: {created:?}"
            );
        }
    }

    #[test]
    fn a_random_check_set_keeps_the_base_rate_and_is_the_same_every_time() {
        let outcomes = outcomes(1_003, 4);
        let split = CheckSplit {
            by: SplitBy::Random,
            share: 0.25,
            ..CheckSplit::default()
        };
        let check = check_rows(&split, &outcomes, None);
        let converted = outcomes.iter().filter(|&&c| c).count();
        let checked_converted = check.ones().filter(|&r| outcomes[r]).count();
        assert_eq!(checked_converted, taken(0.25, converted));
        assert_eq!(
            check.count_ones(..) - checked_converted,
            taken(0.25, 1_003 - converted)
        );
        assert_eq!(
            check,
            check_rows(&split, &outcomes, None),
            "the same draw again"
        );
        let other = check_rows(&CheckSplit { seed: 2, ..split }, &outcomes, None);
        assert_ne!(check, other, "another seed, another draw");
        // Recent without a date is the same random draw.
        let recent = CheckSplit {
            by: SplitBy::Recent,
            ..split
        };
        assert_eq!(check_rows(&recent, &outcomes, None), check);
    }

    #[test]
    fn the_share_is_bounded_and_the_check_can_be_off() {
        let outcomes = outcomes(100, 3);
        let off = CheckSplit {
            enabled: false,
            ..CheckSplit::default()
        };
        assert_eq!(check_rows(&off, &outcomes, None).count_ones(..), 0);
        let huge = CheckSplit {
            share: 7.0,
            by: SplitBy::Random,
            ..CheckSplit::default()
        };
        assert_eq!(check_rows(&huge, &outcomes, None).count_ones(..), 50);
        let nan = CheckSplit {
            share: f64::NAN,
            by: SplitBy::Random,
            ..CheckSplit::default()
        };
        assert_eq!(check_rows(&nan, &outcomes, None).count_ones(..), 20);
        assert_eq!(
            check_rows(&CheckSplit::default(), &[], None).count_ones(..),
            0
        );
        assert_eq!(
            CheckSplit::default().describe(true),
            "the newest 20% of leads"
        );
        assert_eq!(
            CheckSplit::default().describe(false),
            "a random 20% of leads"
        );
        assert_eq!(off.describe(true), "no check set");
    }

    #[test]
    fn the_draw_is_fixed_for_links_made_today() {
        // Frozen: a link's split must select the same leads in later builds.
        assert_eq!(draw(1, 0), 0x910A_2DEC_8902_5CC1);
        assert_eq!(draw(1, 1), draw(1, 1));
        assert_ne!(draw(1, 1), draw(1, 2));
    }
    #[test]
    fn a_check_set_too_small_to_say_anything_is_not_kept() {
        let split = CheckSplit {
            by: SplitBy::Random,
            ..CheckSplit::default()
        };
        let small = outcomes(300, 5);
        assert_eq!(
            check_set(&split, &small, None),
            CheckSet::TooFew {
                leads: 60,
                converted: 12
            }
        );
        let large = outcomes(2_000, 5);
        let kept = check_set(&split, &large, None);
        assert_eq!(kept.rows().map(|r| r.count_ones(..)), Some(400));
        let off = CheckSplit {
            enabled: false,
            ..split
        };
        assert_eq!(check_set(&off, &large, None), CheckSet::Off);
        // All converted: nothing to check against.
        assert!(matches!(
            check_set(&split, &[true; 2_000], None),
            CheckSet::TooFew { .. }
        ));
    }
}
