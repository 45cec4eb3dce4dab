//! Leads in the order a list shows them: by score, highest first unless
//! asked otherwise, ties in file order.
//!
//! A list shows a few dozen rows of up to millions of leads, and a points
//! edit reorders them all. Ranking every lead on each edit would cost a pass
//! over the leads per edit; instead the leads a list keeps are filed by
//! pattern once ([`KeptLeads`], which a points edit does not change), a
//! points edit orders the patterns' distinct scores ([`RankedLeads`], work
//! in the number of patterns), and only the rows in view are picked out
//! ([`RankedLeads::window`]: the rows of a score's patterns merged in file
//! order up to the last row in view, or, deep into a score with many leads,
//! one pass over the leads).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

use fixedbitset::FixedBitSet;

use super::engine::{Grouping, Replay};

/// The leads a list keeps by what is known of each lead apart from its
/// score (its outcome, a search), and how many of them each pattern holds.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptLeads {
    rows: FixedBitSet,
    per_pattern: Vec<usize>,
    /// The kept rows, pattern by pattern, each pattern's in file order;
    /// pattern `p`'s are `by_pattern[pattern_starts[p]..pattern_starts[p + 1]]`.
    by_pattern: Vec<u32>,
    pattern_starts: Vec<usize>,
}

impl KeptLeads {
    /// The leads of `grouping` for which `keep` holds.
    pub fn new(grouping: &Grouping, mut keep: impl FnMut(usize) -> bool) -> KeptLeads {
        let patterns = grouping.lead_pattern();
        let mut per_pattern = vec![0; grouping.patterns.len()];
        // The kept rows' bits, a word at a time.
        let bits = usize::BITS as usize;
        let mut words = Vec::with_capacity(patterns.len().div_ceil(bits));
        for (at, chunk) in patterns.chunks(bits).enumerate() {
            let mut word = 0usize;
            for (bit, &pattern) in chunk.iter().enumerate() {
                if keep(at * bits + bit) {
                    word |= 1 << bit;
                    per_pattern[pattern as usize] += 1;
                }
            }
            words.push(word);
        }
        let rows = FixedBitSet::with_capacity_and_blocks(patterns.len(), words);
        let mut pattern_starts = Vec::with_capacity(per_pattern.len() + 1);
        let mut next = Vec::with_capacity(per_pattern.len());
        let mut total = 0;
        for &count in &per_pattern {
            pattern_starts.push(total);
            next.push(total);
            total += count;
        }
        pattern_starts.push(total);
        let mut by_pattern = vec![0u32; total];
        for row in rows.ones() {
            let place = &mut next[patterns[row] as usize];
            by_pattern[*place] = row as u32;
            *place += 1;
        }
        KeptLeads {
            rows,
            per_pattern,
            by_pattern,
            pattern_starts,
        }
    }

    fn of_pattern(&self, pattern: usize) -> &[u32] {
        &self.by_pattern[self.pattern_starts[pattern]..self.pattern_starts[pattern + 1]]
    }
}

/// The kept leads ranked under one replay: which patterns a list shows and
/// where each distinct score's leads start in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedLeads {
    /// Each pattern's place among the distinct scores shown (in the order
    /// shown), or `None` where the list leaves the pattern out.
    bucket_of_pattern: Vec<Option<u32>>,
    /// Where each distinct score's leads start in the list; one more entry
    /// than scores, the last the list's length.
    starts: Vec<usize>,
    /// The patterns of each distinct score: score `b`'s are
    /// `patterns[pattern_starts[b]..pattern_starts[b + 1]]`.
    patterns: Vec<u32>,
    pattern_starts: Vec<usize>,
}

impl RankedLeads {
    /// Ranks the leads of `kept` whose pattern `keep_pattern` accepts (a
    /// list of sales-ready leads keeps the sales-ready patterns) by their
    /// score under `replay`.
    pub fn new(
        replay: &Replay,
        kept: &KeptLeads,
        ascending: bool,
        mut keep_pattern: impl FnMut(usize) -> bool,
    ) -> RankedLeads {
        let shown: Vec<bool> = (0..kept.per_pattern.len())
            .map(|p| kept.per_pattern[p] > 0 && keep_pattern(p))
            .collect();
        let mut scores: Vec<i32> = replay
            .pattern_scores
            .iter()
            .zip(&shown)
            .filter(|&(_, &shown)| shown)
            .map(|(&score, _)| score)
            .collect();
        scores.sort_unstable();
        scores.dedup();
        if !ascending {
            scores.reverse();
        }
        let place = |score: i32| {
            if ascending {
                scores.partition_point(|&s| s < score)
            } else {
                scores.partition_point(|&s| s > score)
            }
        };
        let mut starts = vec![0usize; scores.len() + 1];
        let bucket_of_pattern: Vec<Option<u32>> = replay
            .pattern_scores
            .iter()
            .zip(&shown)
            .enumerate()
            .map(|(p, (&score, &shown))| {
                shown.then(|| {
                    let bucket = place(score);
                    starts[bucket + 1] += kept.per_pattern[p];
                    bucket as u32
                })
            })
            .collect();
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut pattern_starts = vec![0usize; scores.len() + 1];
        for bucket in bucket_of_pattern.iter().flatten() {
            pattern_starts[*bucket as usize + 1] += 1;
        }
        for i in 1..pattern_starts.len() {
            pattern_starts[i] += pattern_starts[i - 1];
        }
        let mut next = pattern_starts.clone();
        let mut patterns = vec![0u32; pattern_starts[scores.len()]];
        for (p, bucket) in bucket_of_pattern.iter().enumerate() {
            if let Some(bucket) = bucket {
                let place = &mut next[*bucket as usize];
                patterns[*place] = p as u32;
                *place += 1;
            }
        }
        RankedLeads {
            bucket_of_pattern,
            starts,
            patterns,
            pattern_starts,
        }
    }

    /// How many leads the list holds.
    pub fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows at places `range` of the list (clipped to it), in order.
    /// `grouping` and `kept` are the ones the ranking was made from.
    pub fn window(&self, grouping: &Grouping, kept: &KeptLeads, range: Range<usize>) -> Vec<u32> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        if start == end {
            return Vec::new();
        }
        // The distinct scores whose leads reach into the range.
        let first = self.starts.partition_point(|&s| s <= start) - 1;
        let last = self.starts.partition_point(|&s| s < end) - 1;
        // Merging a score's patterns costs about a heap step per row up to
        // the last one in view; a pass over every lead costs one step per
        // lead. Take the cheaper.
        let merge_steps: usize = (first..=last)
            .map(|b| {
                let patterns = self.pattern_starts[b + 1] - self.pattern_starts[b];
                let depth = end.min(self.starts[b + 1]) - self.starts[b];
                patterns + depth * (usize::BITS - patterns.leading_zeros()) as usize
            })
            .sum();
        let merge = merge_steps.saturating_mul(4) < grouping.lead_pattern().len();
        self.picked(grouping, kept, start..end, merge)
    }

    /// The rows at places `range` (within the list), by merging each
    /// score's patterns or by one pass over the leads.
    fn picked(
        &self,
        grouping: &Grouping,
        kept: &KeptLeads,
        range: Range<usize>,
        merge: bool,
    ) -> Vec<u32> {
        if range.is_empty() {
            return Vec::new();
        }
        let first = self.starts.partition_point(|&s| s <= range.start) - 1;
        let last = self.starts.partition_point(|&s| s < range.end) - 1;
        if merge {
            (first..=last)
                .flat_map(|b| self.merged(kept, b, range.start, range.end))
                .collect()
        } else {
            self.scanned(grouping, kept, first, last, range)
        }
    }

    /// The rows of score `bucket` at list places `start..end`, its
    /// patterns' rows merged in file order.
    fn merged(&self, kept: &KeptLeads, bucket: usize, start: usize, end: usize) -> Vec<u32> {
        let base = self.starts[bucket];
        let (from, to) = (
            start.max(base) - base,
            end.min(self.starts[bucket + 1]) - base,
        );
        let patterns = &self.patterns[self.pattern_starts[bucket]..self.pattern_starts[bucket + 1]];
        let mut heads: BinaryHeap<Reverse<(u32, u32, usize)>> = patterns
            .iter()
            .filter_map(|&p| {
                let rows = kept.of_pattern(p as usize);
                rows.first().map(|&row| Reverse((row, p, 0)))
            })
            .collect();
        let mut rows = Vec::with_capacity(to - from);
        let mut place = 0;
        while place < to {
            let Some(Reverse((row, p, at))) = heads.pop() else {
                break;
            };
            if place >= from {
                rows.push(row);
            }
            place += 1;
            if let Some(&next) = kept.of_pattern(p as usize).get(at + 1) {
                heads.push(Reverse((next, p, at + 1)));
            }
        }
        rows
    }

    /// The rows at list places `range`, of scores `first..=last`, found in
    /// one pass over the kept leads in file order.
    fn scanned(
        &self,
        grouping: &Grouping,
        kept: &KeptLeads,
        first: usize,
        last: usize,
        range: Range<usize>,
    ) -> Vec<u32> {
        let wanted = range.len();
        let mut rows = vec![0u32; wanted];
        let mut next: Vec<usize> = self.starts[first..=last].to_vec();
        let mut found = 0;
        let patterns = grouping.lead_pattern();
        for row in kept.rows.ones() {
            let Some(bucket) = self.bucket_of_pattern[patterns[row] as usize] else {
                continue;
            };
            let bucket = bucket as usize;
            if bucket < first || bucket > last {
                continue;
            }
            let place = &mut next[bucket - first];
            if range.contains(place) {
                rows[*place - range.start] = row as u32;
                found += 1;
                if found == wanted {
                    break;
                }
            }
            *place += 1;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::{LeadFacts, ReplaySettings};
    use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
    use crate::core::scoring::evaluate_criteria;
    use crate::core::split::CheckSplit;

    /// Every window of every list is the slice of the leads sorted by score
    /// (in the order asked), ties in file order, with a check set kept so
    /// that some patterns hold check leads only.
    #[test]
    fn windows_are_slices_of_the_leads_sorted_by_score_then_file_order() {
        let data = sample_dataset();
        let facts = LeadFacts::new(&data, &sample_mapping())
            .unwrap()
            .with_check(&data, &sample_mapping(), &CheckSplit::default());
        let scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        let rows = data.row_count();
        let score = |row: usize| replay.score(&grouping, row);
        type Keep<'a> = Box<dyn Fn(usize) -> bool + 'a>;
        let lists: Vec<(&str, Keep, Keep)> = vec![
            ("all", Box::new(|_| true), Box::new(|_| true)),
            (
                "converted",
                Box::new(|row| facts.outcomes[row]),
                Box::new(|_| true),
            ),
            (
                "converted, not sales-ready",
                Box::new(|row| facts.outcomes[row]),
                Box::new(|p| !replay.pattern_ready[p]),
            ),
            ("none", Box::new(|_| false), Box::new(|_| true)),
        ];
        for (name, keep_row, keep_pattern) in &lists {
            let kept = KeptLeads::new(&grouping, keep_row);
            for ascending in [false, true] {
                let ranked = RankedLeads::new(&replay, &kept, ascending, keep_pattern);
                let mut expected: Vec<u32> = (0..rows)
                    .filter(|&r| keep_row(r) && keep_pattern(grouping.lead_pattern()[r] as usize))
                    .map(|r| r as u32)
                    .collect();
                expected.sort_by_key(|&r| {
                    let s = i64::from(score(r as usize));
                    (if ascending { s } else { -s }, r)
                });
                assert_eq!(ranked.len(), expected.len(), "{name}");
                assert_eq!(
                    ranked.window(&grouping, &kept, 0..usize::MAX),
                    expected,
                    "{name}, ascending {ascending}: the whole list"
                );
                let len = expected.len();
                for start in [
                    0,
                    1,
                    7,
                    len / 3,
                    len / 2,
                    len.saturating_sub(5),
                    len,
                    len + 3,
                ] {
                    for width in [0, 1, 30, 1_000] {
                        let range = start..start + width;
                        let clipped = start.min(len)..(start + width).min(len);
                        assert_eq!(
                            ranked.window(&grouping, &kept, range.clone()),
                            expected[clipped.clone()],
                            "{name}, ascending {ascending}, {range:?}"
                        );
                        for merge in [false, true] {
                            assert_eq!(
                                ranked.picked(&grouping, &kept, clipped.clone(), merge),
                                expected[clipped.clone()],
                                "{name}, ascending {ascending}, {range:?}, merged {merge}"
                            );
                        }
                    }
                }
            }
        }
    }
}
