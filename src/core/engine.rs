//! The replay engine: every figure of a replay, computed incrementally.
//!
//! A lead's score depends only on which criteria's rules match it (and, for
//! a per-unit rule, how many units count). Leads are therefore grouped by
//! that *pattern* once per change of rules ([`Grouping::new`]), with each
//! pattern's counts of leads, conversions and deal value. A change of points
//! or threshold then re-scores the patterns, usually a few hundred, not the
//! leads ([`Replay::run`]); every figure follows from the per-score tallies.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::criteria::{RuleTest, Scenario};
use super::dataset::{ColumnValues, Dataset};
use super::mapping::{ColumnMapping, OutcomeError};
use super::metrics::{wilson_interval, KeyFigures, Rate, ScoreBand, ScoreDistribution, Z_95};
use super::scoring::{Evaluation, RuleEffect};

const SECONDS_PER_WEEK: f64 = 7.0 * 86_400.0;
/// At most this many bands in the score distribution, so bars stay wide
/// enough to read on a projector.
pub const MAX_SCORE_BANDS: usize = 30;
/// Weeks in an average month, for "leads a month".
pub const WEEKS_PER_MONTH: f64 = 52.0 / 12.0;
/// A criterion matching fewer leads (or fewer conversions) is flagged as
/// too thin to judge.
pub const MIN_EVIDENCE_LEADS: usize = 30;
pub const MIN_EVIDENCE_CONVERSIONS: usize = 5;

/// What the engine needs to know about each lead besides the rules: its
/// outcome, its deal value, and the time span of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadFacts {
    pub outcomes: Vec<bool>,
    /// Deal value per lead (NaN where missing), if a column is mapped.
    pub deal_values: Option<Vec<f64>>,
    /// Weeks between the earliest and the latest created date, if mapped.
    pub weeks: Option<f64>,
}

impl LeadFacts {
    /// Reads the facts the mapping names from the data.
    pub fn new(data: &Dataset, mapping: &ColumnMapping) -> Result<LeadFacts, OutcomeError> {
        let outcomes = mapping.outcomes(data)?;
        let numbers = |name: &Option<String>| match name.as_deref().and_then(|n| data.column(n)) {
            Some(column) => match &column.values {
                ColumnValues::Number(v) => Some(v.clone()),
                _ => None,
            },
            None => None,
        };
        let weeks = match mapping.created.as_deref().and_then(|n| data.column(n)) {
            Some(column) => match &column.values {
                ColumnValues::Date(dates) => {
                    let (lo, hi) = dates
                        .iter()
                        .flatten()
                        .fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
                    // At least a day, so a one-day file does not divide by zero.
                    (lo <= hi).then(|| ((hi - lo) as f64).max(86_400.0) / SECONDS_PER_WEEK)
                }
                _ => None,
            },
            None => None,
        };
        Ok(LeadFacts {
            outcomes,
            deal_values: numbers(&mapping.deal_value),
            weeks,
        })
    }
}

/// Leads sharing one pattern of rule matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Per criterion: 1 or 0 for a match, or the counted units of a
    /// per-unit rule (capped where more units add nothing).
    pub signature: Box<[u32]>,
    pub leads: usize,
    pub converted: usize,
    /// Sum of deal values of converted leads.
    pub revenue: f64,
}

/// The leads of a data set grouped by pattern, for one list of rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// Each lead's pattern.
    pub lead_pattern: Vec<u32>,
    pub patterns: Vec<Pattern>,
    /// Per criterion, whether its rule could be applied.
    pub active: Vec<bool>,
}

/// Units beyond which a per-unit rule adds nothing more.
fn saturation(test: &RuleTest) -> u32 {
    match *test {
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } if points_per_unit > 0 && max_points >= 0 => {
            (max_points as u32).div_ceil(points_per_unit as u32)
        }
        _ => u32::MAX,
    }
}

impl Grouping {
    /// Groups leads by the matches in `evaluations` (one per criterion of
    /// `scenario`, in order).
    pub fn new(scenario: &Scenario, evaluations: &[Evaluation], facts: &LeadFacts) -> Grouping {
        let rows = facts.outcomes.len();
        let caps: Vec<u32> = scenario
            .criteria
            .iter()
            .map(|c| saturation(&c.rule.test))
            .collect();
        let active: Vec<bool> = evaluations.iter().map(Result::is_ok).collect();
        let mut index: FxHashMap<Box<[u32]>, u32> = FxHashMap::default();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut lead_pattern = Vec::with_capacity(rows);
        let mut signature = vec![0u32; evaluations.len()];
        for row in 0..rows {
            for (slot, (evaluation, &cap)) in
                signature.iter_mut().zip(evaluations.iter().zip(&caps))
            {
                *slot = match evaluation {
                    Ok(RuleEffect::Matches(set)) => u32::from(set.contains(row)),
                    Ok(RuleEffect::Units(units)) => units[row].min(cap),
                    Err(_) => 0,
                };
            }
            let id = match index.get(signature.as_slice()) {
                Some(&id) => id,
                None => {
                    let id = patterns.len() as u32;
                    index.insert(signature.clone().into_boxed_slice(), id);
                    patterns.push(Pattern {
                        signature: signature.clone().into_boxed_slice(),
                        leads: 0,
                        converted: 0,
                        revenue: 0.0,
                    });
                    id
                }
            };
            let pattern = &mut patterns[id as usize];
            pattern.leads += 1;
            if facts.outcomes[row] {
                pattern.converted += 1;
                if let Some(value) = facts.deal_values.as_ref().map(|v| v[row]) {
                    if value.is_finite() {
                        pattern.revenue += value;
                    }
                }
            }
            lead_pattern.push(id);
        }
        Grouping {
            lead_pattern,
            patterns,
            active,
        }
    }
}

/// Leads, conversions and revenue at one score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreTally {
    pub score: i32,
    pub leads: usize,
    pub converted: usize,
    pub revenue: f64,
}

/// One threshold of the sweep: what the definition would send to sales.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    pub threshold: i32,
    pub sales_ready: usize,
    /// Share of conversions among sales-ready leads.
    pub captured: f64,
    /// Conversion among sales-ready leads.
    pub rate: f64,
    /// Sales-ready leads per rep per week, where dates are mapped.
    pub per_rep_week: Option<f64>,
}

/// A point of the cumulative gains curve: contacting the top `leads_share`
/// of leads by score captures `captured` of all conversions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainsPoint {
    pub leads_share: f64,
    pub captured: f64,
}

impl GainsPoint {
    /// Conversion in the contacted share over the overall conversion.
    pub fn lift(&self) -> Option<f64> {
        (self.leads_share > 0.0).then(|| self.captured / self.leads_share)
    }
}

/// A point of the ROC curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    pub false_positive_rate: f64,
    pub true_positive_rate: f64,
}

/// A score band with its conversion rate and interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandRate {
    pub low: i32,
    pub high: i32,
    pub rate: Rate,
}

impl BandRate {
    pub fn interval(&self) -> Option<(f64, f64)> {
        wilson_interval(self.rate.converted, self.rate.leads, Z_95)
    }
}

/// The evidence for one criterion: conversion when its rule matches and
/// when it does not.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// `None` where the rule could not be applied.
    pub matched: Option<Rate>,
    pub unmatched: Option<Rate>,
}

impl Evidence {
    /// Conversion when matched over overall conversion.
    pub fn lift(&self) -> Option<f64> {
        let (m, u) = (self.matched?, self.unmatched?);
        let overall = Rate {
            converted: m.converted + u.converted,
            leads: m.leads + u.leads,
        }
        .value()
        .filter(|&r| r > 0.0)?;
        Some(m.value()? / overall)
    }

    /// Too few matching leads or conversions to say much.
    pub fn too_thin(&self) -> bool {
        self.matched.is_none_or(|m| {
            m.leads < MIN_EVIDENCE_LEADS
                || m.converted.min(m.leads - m.converted) < MIN_EVIDENCE_CONVERSIONS
        })
    }
}

/// Sales capacity the workload is spread over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplaySettings {
    pub reps: u32,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        ReplaySettings { reps: 5 }
    }
}

/// Sales-ready leads over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    pub per_week: f64,
    pub per_rep_week: f64,
}

impl Workload {
    pub fn per_month(&self) -> f64 {
        self.per_week * WEEKS_PER_MONTH
    }
}

/// Everything a replay of one scenario shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// Each pattern's score, indexed like [`Grouping::patterns`].
    pub pattern_scores: Vec<i32>,
    /// Tallies per distinct score, ascending.
    pub by_score: Vec<ScoreTally>,
    pub figures: KeyFigures,
    /// Share of all converted revenue from sales-ready leads.
    pub revenue_captured: Option<f64>,
    pub workload: Option<Workload>,
    pub evidence: Vec<Evidence>,
}

impl Replay {
    /// Scores the patterns of `grouping` under `scenario` and tallies them.
    pub fn run(
        scenario: &Scenario,
        grouping: &Grouping,
        facts: &LeadFacts,
        settings: &ReplaySettings,
    ) -> Replay {
        let pattern_scores: Vec<i32> = grouping
            .patterns
            .iter()
            .map(|p| pattern_score(scenario, grouping, &p.signature))
            .collect();
        let mut tallies: BTreeMap<i32, ScoreTally> = BTreeMap::new();
        for (pattern, &score) in grouping.patterns.iter().zip(&pattern_scores) {
            let tally = tallies.entry(score).or_insert(ScoreTally {
                score,
                ..ScoreTally::default()
            });
            tally.leads += pattern.leads;
            tally.converted += pattern.converted;
            tally.revenue += pattern.revenue;
        }
        let by_score: Vec<ScoreTally> = tallies.into_values().collect();
        let threshold = scenario.threshold;
        let (mut ready, mut rest) = (Rate::default(), Rate::default());
        let (mut revenue_ready, mut revenue_all) = (0.0, 0.0);
        for t in &by_score {
            let bucket = if t.score >= threshold {
                &mut ready
            } else {
                &mut rest
            };
            bucket.leads += t.leads;
            bucket.converted += t.converted;
            revenue_all += t.revenue;
            if t.score >= threshold {
                revenue_ready += t.revenue;
            }
        }
        let figures = KeyFigures {
            leads: ready.leads + rest.leads,
            threshold,
            sales_ready: ready,
            rest,
            auc: auc_from_tallies(&by_score),
        };
        let revenue_captured =
            (facts.deal_values.is_some() && revenue_all > 0.0).then(|| revenue_ready / revenue_all);
        let workload = facts.weeks.map(|weeks| {
            let per_week = ready.leads as f64 / weeks;
            Workload {
                per_week,
                per_rep_week: per_week / f64::from(settings.reps.max(1)),
            }
        });
        let evidence = (0..scenario.criteria.len())
            .map(|i| criterion_evidence(grouping, i))
            .collect();
        Replay {
            pattern_scores,
            by_score,
            figures,
            revenue_captured,
            workload,
            evidence,
        }
    }

    /// The score of the lead in `row`.
    pub fn score(&self, grouping: &Grouping, row: usize) -> i32 {
        self.pattern_scores[grouping.lead_pattern[row] as usize]
    }

    /// How scores spread, in at most `max_bands` round-width bands.
    pub fn distribution(&self, max_bands: usize) -> ScoreDistribution {
        let (Some(first), Some(last)) = (self.by_score.first(), self.by_score.last()) else {
            return ScoreDistribution { bands: Vec::new() };
        };
        let span = i64::from(last.score) - i64::from(first.score) + 1;
        let width = super::metrics::round_step(span, max_bands.max(1) as i64);
        let start = i64::from(first.score).div_euclid(width) * width;
        let count = ((i64::from(last.score) - start) / width + 1) as usize;
        let mut bands: Vec<ScoreBand> = (0..count)
            .map(|i| {
                let low = start + i as i64 * width;
                ScoreBand {
                    low: low as i32,
                    high: (low + width - 1).min(i64::from(i32::MAX)) as i32,
                    converted: 0,
                    not_converted: 0,
                }
            })
            .collect();
        for t in &self.by_score {
            let band = &mut bands[((i64::from(t.score) - start) / width) as usize];
            band.converted += t.converted;
            band.not_converted += t.leads - t.converted;
        }
        ScoreDistribution { bands }
    }

    /// Conversion per band of the distribution, with intervals.
    pub fn conversion_by_band(&self, max_bands: usize) -> Vec<BandRate> {
        self.distribution(max_bands)
            .bands
            .iter()
            .map(|b| BandRate {
                low: b.low,
                high: b.high,
                rate: Rate {
                    converted: b.converted,
                    leads: b.converted + b.not_converted,
                },
            })
            .collect()
    }

    /// The cumulative gains curve, from (0, 0) to (1, 1), one step per
    /// distinct score from the highest down; tied leads form one step.
    pub fn gains(&self) -> Vec<GainsPoint> {
        let leads = self.figures.leads as f64;
        let converted = self.figures.overall().converted as f64;
        let mut points = vec![GainsPoint {
            leads_share: 0.0,
            captured: 0.0,
        }];
        if leads == 0.0 || converted == 0.0 {
            return points;
        }
        let (mut l, mut c) = (0usize, 0usize);
        for t in self.by_score.iter().rev() {
            l += t.leads;
            c += t.converted;
            points.push(GainsPoint {
                leads_share: l as f64 / leads,
                captured: c as f64 / converted,
            });
        }
        points
    }

    /// The ROC curve, from (0, 0) to (1, 1), one point per distinct score.
    pub fn roc(&self) -> Vec<RocPoint> {
        let positives = self.figures.overall().converted as f64;
        let negatives = (self.figures.leads - self.figures.overall().converted) as f64;
        let mut points = vec![RocPoint {
            false_positive_rate: 0.0,
            true_positive_rate: 0.0,
        }];
        if positives == 0.0 || negatives == 0.0 {
            return points;
        }
        let (mut tp, mut fp) = (0usize, 0usize);
        for t in self.by_score.iter().rev() {
            tp += t.converted;
            fp += t.leads - t.converted;
            points.push(RocPoint {
                false_positive_rate: fp as f64 / negatives,
                true_positive_rate: tp as f64 / positives,
            });
        }
        points
    }

    /// The threshold sweep: for every distinct score as threshold, what
    /// sales would get, from the highest threshold down.
    pub fn sweep(&self, facts: &LeadFacts, settings: &ReplaySettings) -> Vec<SweepPoint> {
        let converted = self.figures.overall().converted;
        let (mut l, mut c) = (0usize, 0usize);
        self.by_score
            .iter()
            .rev()
            .map(|t| {
                l += t.leads;
                c += t.converted;
                SweepPoint {
                    threshold: t.score,
                    sales_ready: l,
                    captured: if converted > 0 {
                        c as f64 / converted as f64
                    } else {
                        0.0
                    },
                    rate: c as f64 / l as f64,
                    per_rep_week: facts
                        .weeks
                        .map(|w| l as f64 / w / f64::from(settings.reps.max(1))),
                }
            })
            .collect()
    }
}

fn pattern_score(scenario: &Scenario, grouping: &Grouping, signature: &[u32]) -> i32 {
    let mut score = 0i64;
    for ((criterion, &hits), &active) in scenario
        .criteria
        .iter()
        .zip(signature)
        .zip(&grouping.active)
    {
        if !criterion.enabled || !active {
            continue;
        }
        score += match criterion.rule.test {
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            } => (i64::from(points_per_unit) * i64::from(hits)).min(i64::from(max_points)),
            _ => i64::from(criterion.points) * i64::from(hits.min(1)),
        };
    }
    score.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn criterion_evidence(grouping: &Grouping, criterion: usize) -> Evidence {
    if !grouping.active.get(criterion).copied().unwrap_or(false) {
        return Evidence {
            matched: None,
            unmatched: None,
        };
    }
    let (mut matched, mut unmatched) = (Rate::default(), Rate::default());
    for p in &grouping.patterns {
        let bucket = if p.signature[criterion] > 0 {
            &mut matched
        } else {
            &mut unmatched
        };
        bucket.leads += p.leads;
        bucket.converted += p.converted;
    }
    Evidence {
        matched: Some(matched),
        unmatched: Some(unmatched),
    }
}

/// AUC from per-score tallies, ties counted as half.
fn auc_from_tallies(by_score: &[ScoreTally]) -> Option<f64> {
    let positives: u64 = by_score.iter().map(|t| t.converted as u64).sum();
    let negatives: u64 = by_score
        .iter()
        .map(|t| (t.leads - t.converted) as u64)
        .sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut below = 0u64;
    let mut doubled = 0u128;
    for t in by_score {
        let (pos, neg) = (t.converted as u64, (t.leads - t.converted) as u64);
        doubled += u128::from(pos) * u128::from(2 * below + neg);
        below += neg;
    }
    Some(doubled as f64 / (2.0 * positives as f64 * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::metrics::{key_figures, roc_auc, score_distribution};
    use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
    use crate::core::scoring::{evaluate_criteria, score_leads};

    fn sample() -> (Dataset, LeadFacts) {
        let data = sample_dataset();
        let facts = LeadFacts::new(&data, &sample_mapping()).unwrap();
        (data, facts)
    }

    /// The engine against a naive recomputation from per-lead scores.
    #[test]
    fn engine_agrees_with_naive_scoring_on_the_sample() {
        let (data, facts) = sample();
        let mut scenario = sample_scenario();
        scenario.criteria[4].rule.test = RuleTest::PerUnit {
            points_per_unit: 3,
            max_points: 20,
        };
        scenario.criteria[2].enabled = false;
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        assert!(
            grouping.patterns.len() < 1_000,
            "{} patterns",
            grouping.patterns.len()
        );
        for threshold in [-20, 0, 25, 40, 70] {
            scenario.threshold = threshold;
            let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
            let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
            for row in (0..data.row_count()).step_by(7) {
                assert_eq!(replay.score(&grouping, row), scores[row], "row {row}");
            }
            let naive = key_figures(&scores, &facts.outcomes, threshold);
            assert_eq!(replay.figures.sales_ready, naive.sales_ready);
            assert_eq!(replay.figures.rest, naive.rest);
            let auc = roc_auc(&scores, &facts.outcomes).unwrap();
            assert!((replay.figures.auc.unwrap() - auc).abs() < 1e-12);
            assert_eq!(
                replay.distribution(30),
                score_distribution(&scores, &facts.outcomes, 30)
            );
            // Revenue captured, recomputed lead by lead.
            let deals = facts.deal_values.as_ref().unwrap();
            let (mut ready, mut all) = (0.0, 0.0);
            for row in 0..scores.len() {
                if facts.outcomes[row] && deals[row].is_finite() {
                    all += deals[row];
                    if scores[row] >= threshold {
                        ready += deals[row];
                    }
                }
            }
            assert!((replay.revenue_captured.unwrap() - ready / all).abs() < 1e-9);
        }
    }

    #[test]
    fn evidence_compares_matching_and_other_leads() {
        let (data, facts) = sample();
        let scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        let RuleEffect::Matches(demo) = evaluations[0].as_ref().unwrap() else {
            panic!()
        };
        let mut naive = Rate::default();
        for row in demo.ones() {
            naive.leads += 1;
            naive.converted += usize::from(facts.outcomes[row]);
        }
        assert_eq!(replay.evidence[0].matched, Some(naive));
        assert!(
            replay.evidence[0].lift().unwrap() > 2.0,
            "demo requests convert well"
        );
        assert!(!replay.evidence[0].too_thin());
        assert!(
            replay.evidence[5].lift().unwrap() < 1.0,
            "purchased lists convert badly"
        );
    }

    fn tallies(scores: &[i32], outcomes: &[bool]) -> (Scenario, Grouping, LeadFacts) {
        // One criterion per distinct score stands in for the real rules:
        // each lead matches exactly the criterion worth its score.
        let facts = LeadFacts {
            outcomes: outcomes.to_vec(),
            deal_values: None,
            weeks: Some(2.0),
        };
        let mut distinct: Vec<i32> = scores.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let template = sample_scenario().criteria[0].clone();
        let scenario = Scenario {
            name: "t".into(),
            threshold: 0,
            criteria: distinct
                .iter()
                .map(|&s| {
                    let mut c = template.clone();
                    c.points = s;
                    c
                })
                .collect(),
        };
        let patterns = distinct
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let mut signature = vec![0u32; distinct.len()];
                signature[i] = 1;
                let rows: Vec<usize> = (0..scores.len()).filter(|&r| scores[r] == s).collect();
                Pattern {
                    signature: signature.into_boxed_slice(),
                    leads: rows.len(),
                    converted: rows.iter().filter(|&&r| outcomes[r]).count(),
                    revenue: 0.0,
                }
            })
            .collect();
        let lead_pattern = scores
            .iter()
            .map(|s| distinct.iter().position(|d| d == s).unwrap() as u32)
            .collect();
        let grouping = Grouping {
            lead_pattern,
            patterns,
            active: vec![true; distinct.len()],
        };
        (scenario, grouping, facts)
    }

    #[test]
    fn gains_roc_and_sweep_match_hand_computed_values() {
        // Scores 30, 30, 20, 10, 10 with outcomes y, n, y, n, n.
        let (mut scenario, grouping, facts) =
            tallies(&[30, 30, 20, 10, 10], &[true, false, true, false, false]);
        scenario.threshold = 20;
        let settings = ReplaySettings { reps: 2 };
        let replay = Replay::run(&scenario, &grouping, &facts, &settings);
        assert_eq!(
            replay.figures.sales_ready,
            Rate {
                converted: 2,
                leads: 3
            }
        );
        let gains: Vec<(f64, f64)> = replay
            .gains()
            .iter()
            .map(|g| (g.leads_share, g.captured))
            .collect();
        assert_eq!(gains, [(0.0, 0.0), (0.4, 0.5), (0.6, 1.0), (1.0, 1.0)]);
        let roc: Vec<(f64, f64)> = replay
            .roc()
            .iter()
            .map(|p| (p.false_positive_rate, p.true_positive_rate))
            .collect();
        assert_eq!(
            roc,
            [(0.0, 0.0), (1.0 / 3.0, 0.5), (1.0 / 3.0, 1.0), (1.0, 1.0)]
        );
        // AUC: the 30-positive ties one negative and beats two; the 20-positive beats two.
        assert!((replay.figures.auc.unwrap() - (2.5 + 2.0) / 6.0).abs() < 1e-12);
        let sweep = replay.sweep(&facts, &settings);
        assert_eq!(sweep.len(), 3);
        assert_eq!((sweep[1].threshold, sweep[1].sales_ready), (20, 3));
        assert_eq!(sweep[1].captured, 1.0);
        assert_eq!(sweep[1].per_rep_week, Some(3.0 / 2.0 / 2.0));
        let workload = replay.workload.unwrap();
        assert_eq!(workload.per_week, 1.5);
        assert_eq!(workload.per_rep_week, 0.75);
        let bands = replay.conversion_by_band(3);
        assert_eq!(bands.len(), 3);
        assert_eq!(
            bands[2].rate,
            Rate {
                converted: 1,
                leads: 2
            }
        );
    }

    #[test]
    fn empty_and_single_class_data_have_no_undefined_numbers() {
        let (scenario, grouping, facts) = tallies(&[5, 5], &[false, false]);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        assert_eq!(replay.figures.auc, None);
        assert_eq!(replay.gains().len(), 1);
        assert_eq!(replay.roc().len(), 1);
        assert!(replay
            .sweep(&facts, &ReplaySettings::default())
            .iter()
            .all(|p| p.captured == 0.0));
        let empty = LeadFacts {
            outcomes: vec![],
            deal_values: None,
            weeks: None,
        };
        let grouping = Grouping::new(&scenario, &[], &empty);
        let replay = Replay::run(&scenario, &grouping, &empty, &ReplaySettings::default());
        assert_eq!(replay.figures.leads, 0);
        assert!(replay.distribution(10).bands.is_empty());
        assert_eq!(replay.workload, None);
    }

    #[test]
    fn inactive_rules_add_nothing_and_have_no_evidence() {
        let (data, facts) = sample();
        let mut scenario = sample_scenario();
        scenario.criteria[0].rule.column = "No such column".into();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        assert_eq!(replay.evidence[0].matched, None);
        let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
        assert_eq!(replay.score(&grouping, 10), scores[10]);
    }
}
