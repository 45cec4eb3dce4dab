//! The figures a replay reports: conversion rates with Wilson intervals,
//! lift, conversions captured, ROC AUC and the score distribution.
//!
//! Everything here is a pure function of per-lead scores and outcomes, so
//! each figure can be checked by hand on a few leads.

use std::collections::BTreeMap;

/// The normal quantile for a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `successes` out of `trials`, at normal
/// quantile `z`. Returns `None` for zero trials.
///
/// ```
/// use leadlens::core::metrics::{wilson_interval, Z_95};
/// let (lo, hi) = wilson_interval(5, 10, Z_95).unwrap();
/// assert!((lo - 0.2366).abs() < 1e-4 && (hi - 0.7634).abs() < 1e-4);
/// ```
pub fn wilson_interval(successes: usize, trials: usize, z: f64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At p = 0 and p = 1 the bound is exactly 0 or 1; rounding would miss it.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes >= trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// A count of conversions out of a count of leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    pub converted: usize,
    pub leads: usize,
}

impl Rate {
    /// The share converted, or `None` when there are no leads.
    pub fn value(&self) -> Option<f64> {
        (self.leads > 0).then(|| self.converted as f64 / self.leads as f64)
    }

    /// The Wilson 95% interval of [`Rate::value`].
    pub fn interval(&self) -> Option<(f64, f64)> {
        wilson_interval(self.converted, self.leads, Z_95)
    }
}

/// The area under the ROC curve of `scores` against `outcomes`: the chance
/// that a random converted lead outscores a random unconverted one, with ties
/// counted as half. `None` when either class is empty.
///
/// ```
/// use leadlens::core::metrics::roc_auc;
/// // One converted lead at 10, unconverted leads at 10 and 0: a tie and a win.
/// assert_eq!(roc_auc(&[10, 10, 0], &[true, false, false]), Some(0.75));
/// ```
pub fn roc_auc(scores: &[i32], outcomes: &[bool]) -> Option<f64> {
    let mut by_score: BTreeMap<i32, (u64, u64)> = BTreeMap::new();
    for (&score, &converted) in scores.iter().zip(outcomes) {
        let entry = by_score.entry(score).or_default();
        if converted {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let positives: u64 = by_score.values().map(|c| c.0).sum();
    let negatives: u64 = by_score.values().map(|c| c.1).sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Walk scores upwards; each positive beats every negative below it and
    // ties with the negatives at its own score. Doubled to stay in integers.
    let mut negatives_below = 0u64;
    let mut doubled_wins = 0u128;
    for &(pos, neg) in by_score.values() {
        doubled_wins += u128::from(pos) * u128::from(2 * negatives_below + neg);
        negatives_below += neg;
    }
    Some(doubled_wins as f64 / (2.0 * positives as f64 * negatives as f64))
}

/// The headline figures of one scenario on one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigures {
    pub leads: usize,
    pub threshold: i32,
    /// Conversion among sales-ready leads (score ≥ threshold).
    pub sales_ready: Rate,
    /// Conversion among the rest.
    pub rest: Rate,
    pub auc: Option<f64>,
}

impl KeyFigures {
    /// All leads together.
    pub fn overall(&self) -> Rate {
        Rate {
            converted: self.sales_ready.converted + self.rest.converted,
            leads: self.leads,
        }
    }

    /// Share of leads that are sales-ready.
    pub fn sales_ready_share(&self) -> Option<f64> {
        (self.leads > 0).then(|| self.sales_ready.leads as f64 / self.leads as f64)
    }

    /// Conversion among sales-ready leads over conversion among all leads.
    pub fn lift(&self) -> Option<f64> {
        let overall = self.overall().value().filter(|&r| r > 0.0)?;
        Some(self.sales_ready.value()? / overall)
    }

    /// Share of all conversions that came from sales-ready leads.
    pub fn captured(&self) -> Option<f64> {
        let converted = self.overall().converted;
        (converted > 0).then(|| self.sales_ready.converted as f64 / converted as f64)
    }

    /// The conversions captured as a rate (captured out of all converted),
    /// for its interval.
    pub fn captured_rate(&self) -> Rate {
        Rate {
            converted: self.sales_ready.converted,
            leads: self.overall().converted,
        }
    }
}

/// The key figures of scored leads at a threshold.
pub fn key_figures(scores: &[i32], outcomes: &[bool], threshold: i32) -> KeyFigures {
    let mut sales_ready = Rate::default();
    let mut rest = Rate::default();
    for (&score, &converted) in scores.iter().zip(outcomes) {
        let bucket = if score >= threshold {
            &mut sales_ready
        } else {
            &mut rest
        };
        bucket.leads += 1;
        bucket.converted += usize::from(converted);
    }
    KeyFigures {
        leads: scores.len().min(outcomes.len()),
        threshold,
        sales_ready,
        rest,
        auc: roc_auc(scores, outcomes),
    }
}

/// Leads in one band of scores, split by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreBand {
    /// Lowest score in the band.
    pub low: i32,
    /// Highest score in the band (inclusive).
    pub high: i32,
    pub converted: usize,
    pub not_converted: usize,
}

/// How scores are spread, in equal-width bands, split by outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDistribution {
    pub bands: Vec<ScoreBand>,
}

/// The share a bin of the population stability index counts for a bin
/// with no leads, so that its logarithm stays finite.
pub const PSI_FLOOR: f64 = 1e-4;

/// The population stability index of the scores `now` against `then`,
/// each given as `(score, leads)` per distinct score: `Σ (now − then) ×
/// ln(now / then)` over the shares of leads in ten bins cut at the deciles
/// of `then` (fewer where ties span deciles), empty bins counted as
/// [`PSI_FLOOR`]. Below 0.1 is usually read as stable, above 0.25 as a
/// shift worth a look. `None` when either side has no leads.
///
/// ```
/// use leadlens::core::metrics::population_stability;
/// let then: Vec<(i32, usize)> = (0..10).map(|s| (s * 10, 100)).collect();
/// assert_eq!(population_stability(&then, &then), Some(0.0));
/// let shifted: Vec<(i32, usize)> = (0..10).map(|s| (s * 10 + 10, 100)).collect();
/// assert!(population_stability(&then, &shifted).unwrap() > 0.25);
/// ```
pub fn population_stability(then: &[(i32, usize)], now: &[(i32, usize)]) -> Option<f64> {
    let mut then: Vec<(i32, usize)> = then.iter().copied().filter(|t| t.1 > 0).collect();
    then.sort_unstable();
    let then_total: usize = then.iter().map(|t| t.1).sum();
    let now_total: usize = now.iter().map(|t| t.1).sum();
    if then_total == 0 || now_total == 0 {
        return None;
    }
    // The highest score of each bin but the last.
    let mut uppers: Vec<i32> = Vec::new();
    let mut taken = 0;
    let mut decile = 1;
    for (i, &(score, leads)) in then.iter().enumerate() {
        taken += leads;
        let last = i + 1 == then.len();
        if !last && taken * 10 >= then_total * decile {
            uppers.push(score);
            while decile < 10 && taken * 10 >= then_total * decile {
                decile += 1;
            }
        }
    }
    let bin = |score: i32| uppers.partition_point(|&upper| upper < score);
    let mut shares = vec![(0usize, 0usize); uppers.len() + 1];
    for &(score, leads) in &then {
        shares[bin(score)].0 += leads;
    }
    for &(score, leads) in now {
        shares[bin(score)].1 += leads;
    }
    let psi = shares
        .iter()
        .map(|&(t, n)| {
            let t = (t as f64 / then_total as f64).max(PSI_FLOOR);
            let n = (n as f64 / now_total as f64).max(PSI_FLOOR);
            (n - t) * (n / t).ln()
        })
        .sum();
    Some(psi)
}

/// Bands as wide as needed for at most `max_bands` bands; the width is a
/// round step (1, 2, 5, 10, 20, 50, …) so the labels read naturally.
pub fn score_distribution(
    scores: &[i32],
    outcomes: &[bool],
    max_bands: usize,
) -> ScoreDistribution {
    banded(
        scores
            .iter()
            .zip(outcomes)
            .map(|(&score, &converted)| (score, usize::from(converted), usize::from(!converted))),
        max_bands,
    )
}

/// Counts of `(score, converted, not converted)` gathered into at most
/// `max_bands` round-width bands.
pub fn banded(
    counts: impl Iterator<Item = (i32, usize, usize)> + Clone,
    max_bands: usize,
) -> ScoreDistribution {
    let (min, max) = counts
        .clone()
        .fold((i32::MAX, i32::MIN), |(lo, hi), (s, _, _)| {
            (lo.min(s), hi.max(s))
        });
    if min > max {
        return ScoreDistribution { bands: Vec::new() };
    }
    // Bands start on multiples of their width, which can take one band
    // more than the span alone: then the next round width is used.
    // One band is all the scores, however they fall about round numbers.
    if max_bands <= 1 {
        let (converted, not_converted) = counts.fold((0, 0), |(c, n), (_, a, b)| (c + a, n + b));
        return ScoreDistribution {
            bands: vec![ScoreBand {
                low: min,
                high: max,
                converted,
                not_converted,
            }],
        };
    }
    // More bands than scores would be pointless: the number asked for is
    // held to what an i64 computes with ease.
    let max_bands = max_bands.min(u32::MAX as usize) as i64;
    let mut width = round_step(i64::from(max) - i64::from(min) + 1, max_bands);
    let (first, count) = loop {
        let first = i64::from(min).div_euclid(width) * width;
        let count = (i64::from(max) - first) / width + 1;
        // Once one band is wider than all the scores, two always do.
        if count <= max_bands || width > i64::from(max) - i64::from(min) {
            break (first, count as usize);
        }
        width = round_step(width + 1, 1);
    };
    let mut bands: Vec<ScoreBand> = (0..count)
        .map(|i| {
            let low = first + i as i64 * width;
            // The first band may start below the least i32 score; it is
            // shown from the least score there can be.
            ScoreBand {
                low: low.max(i64::from(i32::MIN)) as i32,
                high: (low + width - 1).min(i64::from(i32::MAX)) as i32,
                converted: 0,
                not_converted: 0,
            }
        })
        .collect();
    for (score, converted, not_converted) in counts {
        let band = &mut bands[((i64::from(score) - first) / width) as usize];
        band.converted += converted;
        band.not_converted += not_converted;
    }
    ScoreDistribution { bands }
}

/// The smallest of 1, 2, 5, 10, 20, 50, … that splits `span` into at most
/// `max_bands` bands.
fn round_step(span: i64, max_bands: i64) -> i64 {
    let mut magnitude = 1i64;
    loop {
        for step in [1, 2, 5] {
            let width = step * magnitude;
            // The bands `span` scores (at least 1) take at this width.
            if (span - 1) / width < max_bands {
                return width;
            }
        }
        magnitude *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_aligned_to_round_widths_stay_within_the_asked_number() {
        // Scores -8..29 in at most 7 bands: width 5 spans them in 8 once the
        // first band starts at -10, so 10 is used.
        for (low, high, max_bands) in [
            (-8, 29, 7),
            (-10, 29, 7),
            (1, 100, 10),
            (-2_147_483_648, 2_147_483_647, 30),
            (-8, 29, usize::MAX),
            (-8, 29, 1),
            (-1, 1, 2),
            (3, 3, 1),
        ] {
            let d = banded([(low, 1, 0), (high, 0, 1)].into_iter(), max_bands);
            assert!(
                d.bands.len() <= max_bands,
                "{low}..{high}: {} bands",
                d.bands.len()
            );
            assert!(d.bands.first().unwrap().low <= low && d.bands.last().unwrap().high >= high);
        }
    }

    #[test]
    fn wilson_matches_hand_computed_bounds() {
        // 0 of 10: lower bound 0, upper z²/(n+z²) = 3.8415/13.8415.
        let (lo, hi) = wilson_interval(0, 10, Z_95).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277_532).abs() < 1e-5, "{hi}");
        let (lo, hi) = wilson_interval(10, 10, Z_95).unwrap();
        assert!((lo - 0.722_468).abs() < 1e-5, "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(wilson_interval(0, 0, Z_95), None);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(
            roc_auc(&[1, 1, 1, 1], &[true, false, true, false]),
            Some(0.5)
        );
        assert_eq!(roc_auc(&[3, 2, 1], &[true, false, false]), Some(1.0));
        assert_eq!(roc_auc(&[1, 2, 3], &[true, false, false]), Some(0.0));
        // 2 positives (5, 2) × 3 negatives (5, 1, 2):
        // the 5 ties 5 and beats 1 and 2 (2.5); the 2 beats 1 and ties 2 (1.5).
        let auc = roc_auc(&[5, 2, 5, 1, 2], &[true, true, false, false, false]).unwrap();
        assert!((auc - 4.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn auc_is_undefined_for_a_single_class() {
        assert_eq!(roc_auc(&[1, 2], &[true, true]), None);
        assert_eq!(roc_auc(&[1, 2], &[false, false]), None);
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn replay_splits_at_the_threshold() {
        let scores = [50, 40, 39, 10, 0, 45];
        let outcomes = [true, false, true, false, false, true];
        let r = key_figures(&scores, &outcomes, 40);
        assert_eq!(
            r.sales_ready,
            Rate {
                converted: 2,
                leads: 3
            }
        );
        assert_eq!(
            r.rest,
            Rate {
                converted: 1,
                leads: 3
            }
        );
        assert_eq!(
            r.overall(),
            Rate {
                converted: 3,
                leads: 6
            }
        );
        assert_eq!(r.sales_ready_share(), Some(0.5));
        assert!((r.lift().unwrap() - (2.0 / 3.0) / 0.5).abs() < 1e-12);
        assert!((r.captured().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn replay_of_no_leads_has_no_rates() {
        let r = key_figures(&[], &[], 10);
        assert_eq!(r.sales_ready.value(), None);
        assert_eq!(r.lift(), None);
        assert_eq!(r.captured(), None);
        assert_eq!(r.auc, None);
    }

    #[test]
    fn replay_without_conversions_has_no_lift() {
        let r = key_figures(&[5, 0], &[false, false], 1);
        assert_eq!(r.lift(), None);
        assert_eq!(r.captured(), None);
        assert_eq!(r.sales_ready.value(), Some(0.0));
    }

    #[test]
    fn distribution_uses_round_bands_and_keeps_every_lead() {
        let scores = [-10, 0, 7, 33, 95];
        let outcomes = [false, false, true, true, false];
        let d = score_distribution(&scores, &outcomes, 12);
        // Span 106 → width 10 → bands from -10 to 99.
        assert_eq!(d.bands.len(), 11);
        assert_eq!((d.bands[0].low, d.bands[0].high), (-10, -1));
        assert_eq!((d.bands[10].low, d.bands[10].high), (90, 99));
        let total: usize = d.bands.iter().map(|b| b.converted + b.not_converted).sum();
        assert_eq!(total, 5);
        assert_eq!(d.bands[1].converted, 1); // 7 lies in 0..=9
        assert_eq!(d.bands[1].not_converted, 1); // and so does 0
    }

    #[test]
    fn distribution_of_equal_scores_is_one_band() {
        let d = score_distribution(&[4, 4], &[true, false], 20);
        assert_eq!(
            d.bands,
            [ScoreBand {
                low: 4,
                high: 4,
                converted: 1,
                not_converted: 1
            }]
        );
    }

    #[test]
    fn population_stability_by_hand() {
        // Ten scores of 10 leads each: ten bins of a tenth.
        let then: Vec<(i32, usize)> = (0..10).map(|s| (s, 10)).collect();
        // Every lead now at the lowest score.
        let now = [(0, 100)];
        let expected = 0.9 * (1.0f64 / 0.1).ln() + 9.0 * (PSI_FLOOR - 0.1) * (PSI_FLOOR / 0.1).ln();
        let psi = population_stability(&then, &now).unwrap();
        assert!((psi - expected).abs() < 1e-12, "{psi} vs {expected}");
        // Half the leads move from the lower half to the upper: bins 0–4 hold
        // 0.05 each now, bins 5–9 0.15.
        let now: Vec<(i32, usize)> = (0..10).map(|s| (s, if s < 5 { 5 } else { 15 })).collect();
        let expected =
            5.0 * (0.05 - 0.1) * (0.05f64 / 0.1).ln() + 5.0 * (0.15 - 0.1) * (0.15f64 / 0.1).ln();
        let psi = population_stability(&then, &now).unwrap();
        assert!((psi - expected).abs() < 1e-12, "{psi} vs {expected}");
        // Scores between and beyond the first's fall in the bin they reach.
        let now = [(-5, 10), (4, 10), (99, 80)];
        let psi = population_stability(&then, &now).unwrap();
        let expected = (0.1 - 0.1) * 0.0
            + 3.0 * (PSI_FLOOR - 0.1) * (PSI_FLOOR / 0.1).ln()
            + (0.1 - 0.1) * 0.0
            + 4.0 * (PSI_FLOOR - 0.1) * (PSI_FLOOR / 0.1).ln()
            + (0.8 - 0.1) * (0.8f64 / 0.1).ln();
        assert!((psi - expected).abs() < 1e-12, "{psi} vs {expected}");
        assert_eq!(population_stability(&then, &[]), None);
        assert_eq!(population_stability(&[], &now), None);
    }

    #[test]
    fn population_stability_bins_ties_together() {
        // 80% of the leads at one score: that score is one bin, the rest
        // split around it; the same distribution is stable.
        let then = [(0, 10), (5, 80), (9, 10)];
        assert_eq!(population_stability(&then, &then), Some(0.0));
        let now = [(0, 10), (5, 70), (9, 20)];
        let expected = (0.7 - 0.8) * (0.7f64 / 0.8).ln() + (0.2 - 0.1) * (0.2f64 / 0.1).ln();
        let psi = population_stability(&then, &now).unwrap();
        assert!((psi - expected).abs() < 1e-12, "{psi} vs {expected}");
    }
}
