//! The replay engine: every figure of a replay, computed incrementally.
//!
//! A lead's score depends only on which criteria's rules match it (and, for
//! a per-unit rule, how many units count). Leads are therefore grouped by
//! that *pattern* once per change of rules ([`Grouping::new`]), with each
//! pattern's counts of leads, conversions and deal value. A change of points
//! or threshold then re-scores the patterns, usually a few hundred, not the
//! leads ([`Replay::run`]); every figure follows from the per-score tallies.

use rustc_hash::FxHashMap;

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use super::criteria::{score_of_sum, Criterion, Group, Rule, RuleTest, Scenario};
use super::dataset::{ColumnValues, Dataset};
use super::grid::{quartile_cuts, Cell, CellTally, GridCuts, GRADES};
use super::mapping::{ColumnMapping, OutcomeError};
use super::metrics::{banded, wilson_interval, KeyFigures, Rate, ScoreDistribution, Z_95};
use super::scoring::{Evaluation, RuleEffect};
use super::split::{check_set, judged, CheckSet, CheckSplit};
use fixedbitset::FixedBitSet;

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
    /// The leads kept aside to check the definition on; every other lead
    /// is in the tuning set, which the figures are tuned on.
    pub check: CheckSet,
    /// Leads per row, where a row stands for several leads of one pattern
    /// and outcome (a pattern table's, see [`crate::core::patterns`]);
    /// `None` when every row is one lead. A row's deal value is then the
    /// sum over its leads.
    pub weights: Option<Vec<usize>>,
}

/// Weeks between the earliest and the latest of `dates` (seconds), at
/// least a day's worth so that a one-day file does not divide by zero;
/// `None` without dates.
pub fn weeks_spanned(dates: impl Iterator<Item = i64>) -> Option<f64> {
    let (lo, hi) = dates.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    (lo <= hi).then(|| ((hi - lo) as f64).max(86_400.0) / SECONDS_PER_WEEK)
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
                ColumnValues::Date(dates) => weeks_spanned(dates.iter().flatten().copied()),
                _ => None,
            },
            None => None,
        };
        Ok(LeadFacts {
            outcomes,
            deal_values: numbers(&mapping.deal_value),
            weeks,
            check: CheckSet::Off,
            weights: None,
        })
    }

    /// The leads the row `row` stands for: one, unless rows are weighted.
    #[inline]
    pub fn weight(&self, row: usize) -> usize {
        self.weights.as_ref().map_or(1, |w| w[row])
    }

    /// Every lead of the data.
    pub fn leads(&self) -> usize {
        match &self.weights {
            Some(w) => w.iter().sum(),
            None => self.outcomes.len(),
        }
    }

    /// The converted leads of the data.
    pub fn converted(&self) -> usize {
        (0..self.outcomes.len())
            .filter(|&row| self.outcomes[row])
            .map(|row| self.weight(row))
            .sum()
    }

    /// The facts with a check set kept aside as `split` says: the newest
    /// leads by the mapped created date, or a seeded draw.
    pub fn with_check(self, data: &Dataset, mapping: &ColumnMapping, split: &CheckSplit) -> Self {
        let created = match mapping.created.as_deref().and_then(|n| data.column(n)) {
            Some(column) => match &column.values {
                ColumnValues::Date(dates) => Some(dates.as_slice()),
                _ => None,
            },
            None => None,
        };
        let check = check_set(split, &self.outcomes, created);
        LeadFacts { check, ..self }
    }

    /// The leads from `first_row` on (a later export's) as the check set.
    pub fn with_later(self, first_row: usize) -> Self {
        let rows = self.outcomes.len();
        let mut later = FixedBitSet::with_capacity(rows);
        later.insert_range(first_row.min(rows)..rows);
        let check = judged(later, &self.outcomes, None);
        LeadFacts { check, ..self }
    }

    /// Whether the lead in `row` is in the check set.
    #[inline]
    pub fn in_check(&self, row: usize) -> bool {
        self.check.rows().is_some_and(|rows| rows.contains(row))
    }

    /// `count` leads of a set of `set_leads` as leads a week: the set's
    /// share applied to the data's whole flow of leads, so that a tuning
    /// or check set's workload is that of all leads.
    pub fn per_week(&self, count: usize, set_leads: usize) -> Option<f64> {
        let weeks = self.weeks?;
        let all = self.leads() as f64;
        (set_leads > 0).then(|| count as f64 * all / set_leads as f64 / weeks)
    }

    /// Leads in the tuning set (every lead without a check set).
    pub fn tuning_leads(&self) -> usize {
        let checked: usize = match (self.check.rows(), &self.weights) {
            (None, _) => 0,
            (Some(rows), None) => rows.count_ones(..),
            (Some(rows), Some(w)) => rows.ones().map(|row| w[row]).sum(),
        };
        self.leads() - checked
    }
}

/// Which leads a figure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadSet {
    /// The leads the points are tuned on: every lead without a check set.
    Tuning,
    /// The leads kept aside.
    Check,
}

/// Leads sharing one pattern of rule matches (its signature is kept by
/// the [`Grouping`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pattern {
    pub leads: usize,
    pub converted: usize,
    /// Sum of deal values of converted leads.
    pub revenue: f64,
}

/// The leads of a data set grouped by pattern, for one list of rules.
///
/// Patterns are numbered in the order of their signatures (compared slot
/// by slot, the first criterion first), so the same rules on the same
/// leads give the same grouping however it was reached: from scratch or
/// through any number of edits.
#[derive(Debug, Clone)]
pub struct Grouping {
    /// Each lead's pattern, once worked out: see [`Grouping::lead_pattern`].
    lead_pattern: OnceCell<Vec<u32>>,
    /// Until then, how to work it out from the grouping this one was
    /// made from by a rule edit.
    remap: RefCell<Option<Remap>>,
    /// Each pattern's tally over the tuning set (every lead without a
    /// check set).
    pub patterns: Vec<Pattern>,
    /// Each pattern's tally over the check set; empty without one.
    pub check: Vec<Pattern>,
    /// Each pattern's signature, one after another: per criterion, 1 or 0
    /// for a match, or the counted units of a per-unit rule (capped where
    /// more units add nothing). One flat array, so that regrouping after an
    /// edit allocates nothing per pattern.
    signatures: Vec<u32>,
    /// Criteria per signature.
    width: usize,
    /// Per criterion, whether its rule could be applied.
    pub active: Vec<bool>,
    /// Per criterion, conversion with and without a match in the tuning
    /// set: it depends on the rules, not on points, so it is computed once
    /// here.
    pub evidence: Vec<Evidence>,
    /// The same over the check set; empty without one.
    pub check_evidence: Vec<Evidence>,
    /// Per criterion, the largest value a signature slot can take.
    caps: Vec<u32>,
    /// Each pattern's signature as one number, ascending (see
    /// [`signature_keys`]); `None` where signatures do not fit 64 bits.
    keys: Option<Vec<u64>>,
}

impl PartialEq for Grouping {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
            && self.check == other.check
            && self.signatures == other.signatures
            && self.width == other.width
            && self.active == other.active
            && self.evidence == other.evidence
            && self.check_evidence == other.check_evidence
            && self.caps == other.caps
            && self.lead_pattern() == other.lead_pattern()
    }
}

/// Each lead's pattern after the edit of a rule that matches or not, from
/// the grouping before it.
#[derive(Debug, Clone)]
struct Remap {
    before: Rc<Grouping>,
    /// The new pattern of each old pattern (×2) and match (+1).
    table: Vec<u32>,
    /// The leads the edited rule matches.
    matches: FixedBitSet,
}

impl Remap {
    /// Each lead's new pattern, a word of the matches at a time.
    fn lead_pattern(&self) -> Vec<u32> {
        let before = self.before.lead_pattern();
        let bits = usize::BITS as usize;
        let words = self.matches.as_slice();
        let mut out = Vec::with_capacity(before.len());
        for (at, chunk) in before.chunks(bits).enumerate() {
            let mut word = words.get(at).copied().unwrap_or(0);
            out.extend(chunk.iter().map(|&old| {
                let matched = word & 1;
                word >>= 1;
                self.table[old as usize * 2 + matched]
            }));
        }
        out
    }
}

/// How many signatures slots capped at `caps` can make, when that fits
/// 64 bits.
fn radix_product(caps: &[u32]) -> Option<u64> {
    caps.iter().try_fold(1u64, |acc, &cap| {
        acc.checked_mul(u64::from(cap).checked_add(1)?)
    })
}

/// Every signature as one mixed-radix number (a slot's radix is its cap
/// plus one, the first criterion most significant), when every signature
/// fits 64 bits: numbers then compare as signatures do.
fn signature_keys(signatures: &[u32], caps: &[u32]) -> Option<Vec<u64>> {
    radix_product(caps)?;
    if caps.is_empty() {
        return None;
    }
    Some(
        signatures
            .chunks_exact(caps.len())
            .map(|signature| {
                signature.iter().zip(caps).fold(0u64, |key, (&slot, &cap)| {
                    key * (u64::from(cap) + 1) + u64::from(slot)
                })
            })
            .collect(),
    )
}

/// Renumbers `count` patterns in the order of their signatures:
/// `lead_pattern` is rewritten and `signatures` reordered. `keys` are the
/// patterns' signature numbers where the caller has them; the numbers are
/// returned in the new order, where signatures fit them.
fn in_signature_order(
    lead_pattern: &mut [u32],
    signatures: &mut Vec<u32>,
    count: usize,
    caps: &[u32],
    keys: Option<Vec<u64>>,
) -> Option<Vec<u64>> {
    let width = caps.len();
    let keys = keys.or_else(|| signature_keys(signatures, caps));
    if width == 0 || count < 2 {
        return keys;
    }
    let (order, keys): (Vec<u32>, Option<Vec<u64>>) = match keys {
        // Sorted as (number, pattern) pairs: no lookups while sorting.
        Some(keys) => {
            let mut pairs: Vec<(u64, u32)> = keys.into_iter().zip(0..count as u32).collect();
            pairs.sort_unstable();
            let (keys, order) = pairs.into_iter().unzip();
            (order, Some(keys))
        }
        None => {
            let mut order: Vec<u32> = (0..count as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                let of = |p: u32| &signatures[p as usize * width..(p as usize + 1) * width];
                of(a).cmp(of(b))
            });
            (order, None)
        }
    };
    if order.iter().enumerate().all(|(at, &p)| at as u32 == p) {
        return keys;
    }
    let mut rank = vec![0u32; count];
    for (at, &p) in order.iter().enumerate() {
        rank[p as usize] = at as u32;
    }
    for p in lead_pattern.iter_mut() {
        *p = rank[*p as usize];
    }
    let mut sorted = Vec::with_capacity(signatures.len());
    for &p in &order {
        sorted.extend_from_slice(&signatures[p as usize * width..(p as usize + 1) * width]);
    }
    *signatures = sorted;
    keys
}

/// Merges two lists ascending by key into one.
fn merged(a: Vec<(u64, u32)>, b: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(item) => out.push(item),
            None => return out,
        }
    }
}

/// A criterion's value for one lead: 1 or 0 for a match, capped units for
/// a per-unit rule, 0 where the rule could not be applied.
#[inline]
fn slot(evaluation: &Evaluation, cap: u32, row: usize) -> u32 {
    match evaluation {
        Ok(RuleEffect::Matches(set)) => u32::from(set.contains(row)),
        Ok(RuleEffect::Units(units)) => units[row].min(cap),
        Err(_) => 0,
    }
}

/// The rows of converted leads, in order, found many bytes at a time.
fn converted_rows(outcomes: &[bool]) -> impl Iterator<Item = usize> + '_ {
    // SAFETY: a `bool` is one byte holding 0 or 1, so a slice of them can
    // be read as bytes for as long as it is borrowed.
    let bytes =
        unsafe { std::slice::from_raw_parts(outcomes.as_ptr().cast::<u8>(), outcomes.len()) };
    memchr::memchr_iter(1, bytes)
}

/// Each lead's pattern number (see [`signature_keys`]) under `evaluations`
/// with slots capped at `caps`, for `rows` leads. Built a block of leads at
/// a time, every criterion in turn, so that the block's numbers stay in the
/// cache meanwhile; a match adds one to the leads it matches.
fn lead_numbers(evaluations: &[Evaluation], caps: &[u32], rows: usize) -> Vec<u64> {
    let mut keys = vec![0u64; rows];
    for (at, block) in keys.chunks_mut(KEY_BLOCK).enumerate() {
        let first = at * KEY_BLOCK;
        for (evaluation, &cap) in evaluations.iter().zip(caps) {
            let radix = u64::from(cap) + 1;
            match evaluation {
                Ok(RuleEffect::Matches(set)) => {
                    block.iter_mut().for_each(|k| *k *= radix);
                    add_matches(block, first, set);
                }
                Ok(RuleEffect::Units(units)) => {
                    for (row, k) in (first..).zip(block.iter_mut()) {
                        let units = units.get(row).map_or(0, |&u| u.min(cap));
                        *k = *k * radix + u64::from(units);
                    }
                }
                Err(_) => block.iter_mut().for_each(|k| *k *= radix),
            }
        }
    }
    keys
}

/// Leads whose pattern numbers are built together, a criterion at a time
/// (a multiple of any bit set's word).
const KEY_BLOCK: usize = 1 << 13;

/// Adds one to the number of each lead of `block` (leads from `first` on)
/// that `set` holds.
fn add_matches(block: &mut [u64], first: usize, set: &FixedBitSet) {
    let bits = usize::BITS as usize;
    let words = set.as_slice();
    for (at, chunk) in block.chunks_mut(bits).enumerate() {
        let Some(&word) = words.get(first / bits + at) else {
            return;
        };
        let mut word = word;
        while word != 0 {
            let bit = word.trailing_zeros() as usize;
            if let Some(key) = chunk.get_mut(bit) {
                *key += 1;
            }
            word &= word - 1;
        }
    }
}

/// A dense lookup table is used for regrouping while it stays this small.
const DENSE_TABLE_LIMIT: u64 = 1 << 24;
/// And for grouping, while the patterns that can occur are this few.
const DENSE_KEYS_LIMIT: u64 = 1 << 20;

impl Grouping {
    /// Groups leads by the matches in `evaluations` (one per criterion of
    /// `scenario`, in order).
    pub fn new(scenario: &Scenario, evaluations: &[Evaluation], facts: &LeadFacts) -> Grouping {
        Self::numbered(scenario, evaluations, facts, None)
    }

    /// The same with each lead's pattern number worked out already (by
    /// [`lead_numbers`] for these evaluations), where it was.
    fn numbered(
        scenario: &Scenario,
        evaluations: &[Evaluation],
        facts: &LeadFacts,
        numbers: Option<Vec<u64>>,
    ) -> Grouping {
        let rows = facts.outcomes.len();
        let caps: Vec<u32> = scenario.criteria.iter().map(Criterion::unit_cap).collect();
        // When every signature fits one 64-bit number (mixed radix), leads
        // are grouped by that number: one hash per lead.
        let radix_product = radix_product(&caps);
        let mut lead_pattern = Vec::with_capacity(rows);
        let mut signatures: Vec<u32> = Vec::new();
        // Each pattern's signature number, where signatures fit one.
        let mut pattern_keys: Vec<u64> = Vec::new();
        let mut count = 0u32;
        match radix_product {
            Some(product) => {
                // Every lead's number, then each number looked up once: in
                // a table while the numbers are few, else hashed.
                let keys = numbers
                    .filter(|n| n.len() == rows)
                    .unwrap_or_else(|| lead_numbers(evaluations, &caps, rows));
                let mut new_pattern = |row: usize| {
                    pattern_keys.push(keys[row]);
                    signatures.extend(
                        evaluations
                            .iter()
                            .zip(&caps)
                            .map(|(e, &cap)| slot(e, cap, row)),
                    );
                    count += 1;
                    count - 1
                };
                if product <= DENSE_KEYS_LIMIT {
                    let mut table = vec![u32::MAX; product as usize];
                    for (row, &key) in keys.iter().enumerate() {
                        let id = &mut table[key as usize];
                        if *id == u32::MAX {
                            *id = new_pattern(row);
                        }
                        lead_pattern.push(*id);
                    }
                } else {
                    let mut index: FxHashMap<u64, u32> = FxHashMap::default();
                    for (row, &key) in keys.iter().enumerate() {
                        let id = *index.entry(key).or_insert_with(|| new_pattern(row));
                        lead_pattern.push(id);
                    }
                }
            }
            None => {
                let mut index: FxHashMap<Box<[u32]>, u32> = FxHashMap::default();
                let mut signature = vec![0u32; evaluations.len()];
                for row in 0..rows {
                    for (value, (evaluation, &cap)) in
                        signature.iter_mut().zip(evaluations.iter().zip(&caps))
                    {
                        *value = slot(evaluation, cap, row);
                    }
                    let id = match index.get(signature.as_slice()) {
                        Some(&id) => id,
                        None => {
                            let id = count;
                            index.insert(signature.clone().into_boxed_slice(), id);
                            signatures.extend_from_slice(&signature);
                            count += 1;
                            id
                        }
                    };
                    lead_pattern.push(id);
                }
            }
        }
        let known = (radix_product.is_some() && !caps.is_empty()).then_some(pattern_keys);
        let keys = in_signature_order(
            &mut lead_pattern,
            &mut signatures,
            count as usize,
            &caps,
            known,
        );
        let active = evaluations.iter().map(Result::is_ok).collect();
        Self::tallied(
            lead_pattern,
            count as usize,
            signatures,
            active,
            caps,
            keys,
            facts,
        )
    }

    /// Counts leads, conversions and revenue per pattern in each set, and
    /// the evidence per criterion.
    fn tallied(
        lead_pattern: Vec<u32>,
        patterns: usize,
        signatures: Vec<u32>,
        active: Vec<bool>,
        caps: Vec<u32>,
        keys: Option<Vec<u64>>,
        facts: &LeadFacts,
    ) -> Grouping {
        let mut tallies = Tallies::new(facts, patterns);
        tallies.count_all(&lead_pattern);
        let grouping = Grouping {
            lead_pattern: OnceCell::from(lead_pattern),
            remap: RefCell::new(None),
            keys,
            patterns: tallies.tuning,
            check: tallies.check,
            signatures,
            width: caps.len(),
            active,
            evidence: Vec::new(),
            check_evidence: Vec::new(),
            caps,
        };
        grouping.with_evidence(None)
    }

    /// The signature of pattern `pattern`.
    #[inline]
    pub fn signature(&self, pattern: usize) -> &[u32] {
        &self.signatures[pattern * self.width..(pattern + 1) * self.width]
    }

    /// Each lead's pattern. After a rule edit it is worked out on first
    /// use, since the figures need only the patterns' tallies.
    pub fn lead_pattern(&self) -> &[u32] {
        self.lead_pattern.get_or_init(|| {
            self.remap
                .borrow_mut()
                .take()
                .expect("a grouping without its leads' patterns keeps their remap")
                .lead_pattern()
        })
    }

    /// The grouping after the rule of criterion `index` changed to give
    /// `evaluation`, for the same number of criteria: only that rule is
    /// looked at again. The other criteria's evidence does not depend on
    /// this rule and is kept.
    pub fn with_rule_changed(
        self: &Rc<Self>,
        scenario: &Scenario,
        index: usize,
        evaluation: &Evaluation,
        facts: &LeadFacts,
    ) -> Grouping {
        let width = self.width;
        assert!(
            scenario.criteria.len() == width && index < width,
            "a one-rule change keeps the number of criteria"
        );
        let cap = scenario.criteria[index].unit_cap();
        if let Ok(RuleEffect::Matches(matches)) = evaluation {
            if let Some(grouping) = self.with_match_changed(index, cap, matches, facts) {
                return grouping;
            }
        }
        let lead_patterns = self.lead_pattern();
        let radix = u64::from(cap) + 1;
        let old_count = self.patterns.len();
        // Old patterns that agree everywhere but at `index` fall together
        // once that slot is rewritten: each gets the first of its kind as
        // its class.
        let mut classes: Vec<u32> = Vec::with_capacity(old_count);
        {
            let agree_but_here = |a: usize, b: usize| {
                let (a, b) = (self.signature(a), self.signature(b));
                a[..index] == b[..index] && a[index + 1..] == b[index + 1..]
            };
            // The first class seen with each hash; the rare others whose
            // hash an earlier class already had, apart.
            let mut first: FxHashMap<u64, u32> = FxHashMap::default();
            first.reserve(old_count);
            let mut others: Vec<(u64, u32)> = Vec::new();
            for old in 0..old_count {
                let signature = self.signature(old);
                let mut hasher = rustc_hash::FxHasher::default();
                std::hash::Hash::hash(&signature[..index], &mut hasher);
                std::hash::Hash::hash(&signature[index + 1..], &mut hasher);
                let hash = std::hash::Hasher::finish(&hasher);
                let class = match first.entry(hash) {
                    std::collections::hash_map::Entry::Vacant(entry) => *entry.insert(old as u32),
                    std::collections::hash_map::Entry::Occupied(entry)
                        if agree_but_here(*entry.get() as usize, old) =>
                    {
                        *entry.get()
                    }
                    std::collections::hash_map::Entry::Occupied(_) => match others
                        .iter()
                        .find(|&&(h, class)| h == hash && agree_but_here(class as usize, old))
                    {
                        Some(&(_, class)) => class,
                        None => {
                            others.push((hash, old as u32));
                            old as u32
                        }
                    },
                };
                classes.push(class);
            }
        }
        // New pattern by (class, new value), tallied as leads are assigned.
        let mut patterns = Tallies::new(facts, 0);
        let mut signatures: Vec<u32> = Vec::new();
        let mut lead_pattern = Vec::with_capacity(lead_patterns.len());
        let mut add = |class: u32, value: u32, patterns: &mut Tallies| {
            let at = signatures.len();
            signatures.extend_from_slice(self.signature(class as usize));
            signatures[at + index] = value;
            patterns.push()
        };
        if (old_count as u64).saturating_mul(radix) <= DENSE_TABLE_LIMIT {
            // By (old pattern, new value); a miss looks at the old pattern's
            // class, so the class table is read once per new pair only.
            let radix = radix as usize;
            let mut table = vec![u32::MAX; old_count * radix];
            let mut assign = |old: u32, value: u32, patterns: &mut Tallies| {
                let at = old as usize * radix + value as usize;
                let id = table[at];
                if id != u32::MAX {
                    return id;
                }
                let class = classes[old as usize];
                let at_class = class as usize * radix + value as usize;
                if table[at_class] == u32::MAX {
                    table[at_class] = add(class, value, patterns);
                }
                table[at] = table[at_class];
                table[at]
            };
            let rows = lead_patterns.iter().enumerate();
            // Matched / not matched is by far the commonest case: read the
            // bits directly rather than through `slot`. Leads are assigned
            // first and counted after, each in a loop of its own, which
            // keeps both loops' memory accesses few.
            if let Ok(RuleEffect::Matches(set)) = evaluation {
                for (row, &old) in rows {
                    lead_pattern.push(assign(old, u32::from(set.contains(row)), &mut patterns));
                }
            } else {
                for (row, &old) in rows {
                    lead_pattern.push(assign(old, slot(evaluation, cap, row), &mut patterns));
                }
            }
        } else {
            let mut table: FxHashMap<(u32, u32), u32> = FxHashMap::default();
            for (row, &old) in lead_patterns.iter().enumerate() {
                let class = classes[old as usize];
                let value = slot(evaluation, cap, row);
                let id = *table
                    .entry((class, value))
                    .or_insert_with(|| add(class, value, &mut patterns));
                lead_pattern.push(id);
            }
        }
        let mut active = self.active.clone();
        active[index] = evaluation.is_ok();
        let mut caps = self.caps.clone();
        caps[index] = cap;
        let count = patterns.tuning.len();
        let keys = in_signature_order(&mut lead_pattern, &mut signatures, count, &caps, None);
        patterns.count_all(&lead_pattern);
        let grouping = Grouping {
            lead_pattern: OnceCell::from(lead_pattern),
            remap: RefCell::new(None),
            keys,
            patterns: patterns.tuning,
            check: patterns.check,
            signatures,
            width,
            active,
            evidence: Vec::new(),
            check_evidence: Vec::new(),
            caps,
        };
        grouping.with_evidence(Some((self, index)))
    }

    /// The grouping after the edit of a rule that matches or not, where it
    /// matched or not before, with one lead per row: worked out from the
    /// patterns, not lead by lead. Only the leads on the rarer side of the
    /// new match are counted (per old pattern, the other side is the rest),
    /// and the converted leads for their deal values; the new patterns come
    /// in signature order by merging, and each lead's pattern is worked out
    /// when first asked for. `None` where that does not apply.
    fn with_match_changed(
        self: &Rc<Self>,
        index: usize,
        cap: u32,
        matches: &FixedBitSet,
        facts: &LeadFacts,
    ) -> Option<Grouping> {
        let old_count = self.patterns.len();
        if cap != 1
            || self.caps[index] != 1
            || facts.weights.is_some()
            || (old_count as u64).saturating_mul(2) > DENSE_TABLE_LIMIT
        {
            return None;
        }
        let keys = self.keys.as_deref()?;
        if keys.windows(2).any(|pair| pair[0] >= pair[1]) {
            return None;
        }
        let lead_pattern = self.lead_pattern();
        let rows = lead_pattern.len();
        let outcomes = &facts.outcomes[..rows];
        let check_rows = facts.check.rows();
        // Per old pattern, the leads and conversions on the rarer side, in
        // the tuning set [0] and the check set [1].
        let within = matches.len().min(rows);
        let ones = matches.count_ones(..within);
        let side = ones * 2 <= rows;
        let mut on_side = vec![[(0usize, 0usize); 2]; old_count];
        let mut count = |row: usize| {
            let set = usize::from(check_rows.is_some_and(|c| c.contains(row)));
            let tally = &mut on_side[lead_pattern[row] as usize][set];
            tally.0 += 1;
            tally.1 += usize::from(outcomes[row]);
        };
        if side {
            matches
                .ones()
                .take_while(|&r| r < rows)
                .for_each(&mut count);
        } else {
            matches
                .zeroes()
                .take_while(|&r| r < rows)
                .for_each(&mut count);
            (within..rows).for_each(&mut count);
        }
        // Each (old pattern, match) that has leads, with its signature's
        // number and tallies.
        let weight: u64 = self.caps[index + 1..]
            .iter()
            .map(|&c| u64::from(c) + 1)
            .product();
        let whole = |old: usize| {
            [
                (self.patterns[old].leads, self.patterns[old].converted),
                self.check
                    .get(old)
                    .map_or((0, 0), |p| (p.leads, p.converted)),
            ]
        };
        let pair_tally = |old: usize, matched: bool| -> [(usize, usize); 2] {
            let part = on_side[old];
            if matched == side {
                part
            } else {
                let all = whole(old);
                [0, 1].map(|set| (all[set].0 - part[set].0, all[set].1 - part[set].1))
            }
        };
        // Four lists ascending by number: (was not matched / was matched) ×
        // (not matched / matched) now; a match moves a number by `weight`.
        let mut lists: [Vec<(u64, u32)>; 4] = Default::default();
        for (old, &key) in keys.iter().enumerate() {
            let was = self.signatures[old * self.width + index] == 1;
            for now in [false, true] {
                let tally = pair_tally(old, now);
                if tally[0].0 + tally[1].0 == 0 {
                    continue;
                }
                let key = match (was, now) {
                    (false, true) => key + weight,
                    (true, false) => key - weight,
                    _ => key,
                };
                lists[usize::from(now) * 2 + usize::from(was)]
                    .push((key, (old * 2 + usize::from(now)) as u32));
            }
        }
        let [a, b, c, d] = lists;
        let order = merged(merged(a, b), merged(c, d));
        let mut new_keys: Vec<u64> = order.iter().map(|&(key, _)| key).collect();
        new_keys.dedup();
        let width = self.width;
        let mut table = vec![u32::MAX; old_count * 2];
        let mut patterns = Tallies::new(facts, new_keys.len());
        let mut signatures = vec![0u32; new_keys.len() * width];
        let mut id = usize::MAX;
        for (at, &(key, pair)) in order.iter().enumerate() {
            let (old, now) = (pair as usize / 2, pair % 2 == 1);
            if at == 0 || order[at - 1].0 != key {
                id = id.wrapping_add(1);
                let signature = &mut signatures[id * width..(id + 1) * width];
                signature.copy_from_slice(self.signature(old));
                signature[index] = u32::from(now);
            }
            table[pair as usize] = id as u32;
            let tally = pair_tally(old, now);
            patterns.tuning[id].leads += tally[0].0;
            patterns.tuning[id].converted += tally[0].1;
            if let Some(check) = patterns.check.get_mut(id) {
                check.leads += tally[1].0;
                check.converted += tally[1].1;
            }
        }
        // Deal values, added lead by lead in lead order as a grouping from
        // scratch adds them.
        if let Some(values) = facts.deal_values.as_deref() {
            for row in converted_rows(outcomes) {
                let value = values[row];
                if !value.is_finite() {
                    continue;
                }
                let id = table[lead_pattern[row] as usize * 2 + usize::from(matches.contains(row))];
                let tallies = match check_rows {
                    Some(c) if c.contains(row) => &mut patterns.check,
                    _ => &mut patterns.tuning,
                };
                tallies[id as usize].revenue += value;
            }
        }
        let mut active = self.active.clone();
        active[index] = true;
        let grouping = Grouping {
            lead_pattern: OnceCell::new(),
            remap: RefCell::new(Some(Remap {
                before: Rc::clone(self),
                table,
                matches: matches.clone(),
            })),
            keys: Some(new_keys),
            patterns: patterns.tuning,
            check: patterns.check,
            signatures,
            width: self.width,
            active,
            evidence: Vec::new(),
            check_evidence: Vec::new(),
            caps: self.caps.clone(),
        };
        Some(grouping.with_evidence(Some((self, index))))
    }

    /// The grouping with each criterion's evidence, in the tuning and the
    /// check set; `kept` is the grouping this one was made from by changing
    /// one criterion's rule, whose other criteria's evidence stays.
    fn with_evidence(mut self, kept: Option<(&Grouping, usize)>) -> Grouping {
        let evidence = |grouping: &Grouping, set: LeadSet| -> Vec<Evidence> {
            let before = kept.map(|(g, changed)| (g.tallies_evidence(set), changed));
            (0..grouping.width)
                .map(|i| match before {
                    Some((before, changed)) if i != changed && i < before.len() => {
                        before[i].clone()
                    }
                    _ => grouping.criterion_evidence(i, grouping.tallies(set)),
                })
                .collect()
        };
        self.evidence = evidence(&self, LeadSet::Tuning);
        if !self.check.is_empty() {
            self.check_evidence = evidence(&self, LeadSet::Check);
        }
        self
    }

    /// Each pattern's tally in `set` (empty for the check set without one).
    pub fn tallies(&self, set: LeadSet) -> &[Pattern] {
        match set {
            LeadSet::Tuning => &self.patterns,
            LeadSet::Check => &self.check,
        }
    }

    /// Each criterion's evidence in `set`.
    pub fn tallies_evidence(&self, set: LeadSet) -> &[Evidence] {
        match set {
            LeadSet::Tuning => &self.evidence,
            LeadSet::Check => &self.check_evidence,
        }
    }

    /// Conversion among the leads criterion `criterion` matches, and among
    /// the rest, over `tallies`.
    fn criterion_evidence(&self, criterion: usize, tallies: &[Pattern]) -> Evidence {
        if !self.active.get(criterion).copied().unwrap_or(false) {
            return Evidence {
                matched: None,
                unmatched: None,
            };
        }
        let (mut matched, mut unmatched) = (Rate::default(), Rate::default());
        for (i, p) in tallies.iter().enumerate() {
            let bucket = if self.signatures[i * self.width + criterion] > 0 {
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
}

/// Pattern tallies counted lead by lead, each lead into the tuning or the
/// check set.
struct Tallies<'f> {
    facts: &'f LeadFacts,
    check_rows: Option<&'f fixedbitset::FixedBitSet>,
    tuning: Vec<Pattern>,
    check: Vec<Pattern>,
}

impl<'f> Tallies<'f> {
    fn new(facts: &'f LeadFacts, patterns: usize) -> Self {
        let check_rows = facts.check.rows();
        Tallies {
            facts,
            check_rows,
            tuning: vec![Pattern::default(); patterns],
            check: vec![Pattern::default(); if check_rows.is_some() { patterns } else { 0 }],
        }
    }

    /// A new, empty pattern.
    fn push(&mut self) -> u32 {
        self.tuning.push(Pattern::default());
        if self.check_rows.is_some() {
            self.check.push(Pattern::default());
        }
        (self.tuning.len() - 1) as u32
    }

    /// Counts every lead, lead `row` into pattern `lead_pattern[row]`.
    fn count_all(&mut self, lead_pattern: &[u32]) {
        let facts = self.facts;
        let outcomes = &facts.outcomes[..lead_pattern.len()];
        let deal_values = facts.deal_values.as_deref();
        match (self.check_rows, facts.weights.as_deref()) {
            // The common case, one lead per row and no check set, in a
            // loop of its own with nothing to look up but the outcome.
            (None, None) => {
                for (&id, &converted) in lead_pattern.iter().zip(outcomes) {
                    let tally = &mut self.tuning[id as usize];
                    tally.leads += 1;
                    tally.converted += usize::from(converted);
                }
            }
            (Some(check), None) => {
                for (row, (&id, &converted)) in lead_pattern.iter().zip(outcomes).enumerate() {
                    let tallies = if check.contains(row) {
                        &mut self.check
                    } else {
                        &mut self.tuning
                    };
                    let tally = &mut tallies[id as usize];
                    tally.leads += 1;
                    tally.converted += usize::from(converted);
                }
            }
            (_, Some(_)) => {
                for (row, &id) in lead_pattern.iter().enumerate() {
                    self.count(id, row);
                }
                return;
            }
        }
        // Revenue, over the converted leads only, in lead order.
        if let Some(values) = deal_values {
            for row in converted_rows(outcomes) {
                let (id, value) = (lead_pattern[row], values[row]);
                if value.is_finite() {
                    let tallies = match self.check_rows {
                        Some(rows) if rows.contains(row) => &mut self.check,
                        _ => &mut self.tuning,
                    };
                    tallies[id as usize].revenue += value;
                }
            }
        }
    }

    /// Counts the lead in `row` into pattern `id`.
    #[inline]
    fn count(&mut self, id: u32, row: usize) {
        let tallies = match self.check_rows {
            Some(rows) if rows.contains(row) => &mut self.check,
            _ => &mut self.tuning,
        };
        let tally = &mut tallies[id as usize];
        let weight = self.facts.weight(row);
        tally.leads += weight;
        if self.facts.outcomes[row] {
            tally.converted += weight;
            if let Some(value) = self.facts.deal_values.as_ref().map(|v| v[row]) {
                if value.is_finite() {
                    tally.revenue += value;
                }
            }
        }
    }
}

/// Keeps rule evaluations and the grouping between edits, so that each
/// edit redoes only what it changes: a points or threshold edit nothing, a
/// rule edit that one rule. Belongs to one data set and mapping; make a new
/// cache when either changes.
#[derive(Debug, Default)]
pub struct GroupingCache {
    rules: Vec<Rule>,
    evaluations: Vec<Evaluation>,
    grouping: Option<Rc<Grouping>>,
    /// Each lead's pattern number for these rules in this order, worked
    /// out ahead of their grouping.
    numbers: Option<(Vec<Rule>, Vec<u64>)>,
}

impl GroupingCache {
    /// The grouping for `scenario`'s rules, reusing what it can.
    pub fn grouping(
        &mut self,
        data: &Dataset,
        facts: &LeadFacts,
        scenario: &Scenario,
    ) -> Rc<Grouping> {
        self.grouping_with(
            &|rule| super::scoring::evaluate_rule(data, rule),
            facts,
            scenario,
        )
    }

    /// The same with rules evaluated by `evaluate` (on a pattern table's
    /// rows, say, where each rule's matches are read from its column).
    pub fn grouping_with(
        &mut self,
        evaluate: &dyn Fn(&Rule) -> Evaluation,
        facts: &LeadFacts,
        scenario: &Scenario,
    ) -> Rc<Grouping> {
        let rules: Vec<&Rule> = scenario.criteria.iter().map(|c| &c.rule).collect();
        let same_length = rules.len() == self.rules.len();
        let changed: Vec<usize> = if same_length {
            (0..rules.len())
                .filter(|&i| *rules[i] != self.rules[i])
                .collect()
        } else {
            Vec::new()
        };
        if let (Some(grouping), true, true) = (&self.grouping, same_length, changed.is_empty()) {
            return Rc::clone(grouping);
        }
        if let (Some(grouping), true, [index]) = (&self.grouping, same_length, changed.as_slice()) {
            let index = *index;
            self.evaluations[index] = evaluate(rules[index]);
            self.rules[index] = rules[index].clone();
            let next = grouping.with_rule_changed(scenario, index, &self.evaluations[index], facts);
            let next = Rc::new(next);
            self.grouping = Some(Rc::clone(&next));
            return next;
        }
        // Several rules changed, or criteria were added, removed or moved:
        // reuse the evaluation of every rule seen before, wherever it was.
        let mut old: Vec<(Rule, Evaluation)> = std::mem::take(&mut self.rules)
            .into_iter()
            .zip(std::mem::take(&mut self.evaluations))
            .collect();
        let evaluations: Vec<Evaluation> = rules
            .iter()
            .map(|rule| match old.iter().position(|(r, _)| r == *rule) {
                Some(at) => old.swap_remove(at).1,
                None => evaluate(rule),
            })
            .collect();
        let numbers = self
            .numbers
            .take()
            .filter(|(numbered, _)| numbered.iter().eq(rules.iter().copied()))
            .map(|(_, numbers)| numbers);
        let grouping = Rc::new(Grouping::numbered(scenario, &evaluations, facts, numbers));
        self.rules = rules.into_iter().cloned().collect();
        self.evaluations = evaluations;
        self.grouping = Some(Rc::clone(&grouping));
        grouping
    }

    /// Evaluates `rule` on `data` now, unless it was already, for a
    /// grouping to come: a caller can so spread the work of a first
    /// grouping over several steps. The grouping itself is made again on
    /// the next [`GroupingCache::grouping`], from the evaluations at hand.
    pub fn evaluate_ahead(&mut self, data: &Dataset, rule: &Rule) {
        if self.rules.contains(rule) {
            return;
        }
        self.grouping = None;
        self.rules.push(rule.clone());
        self.evaluations
            .push(super::scoring::evaluate_rule(data, rule));
    }

    /// Works out each lead's pattern number for `scenario` now, from the
    /// rules evaluated ahead, for its grouping to come: a caller can so
    /// spread the work of a first grouping over one more step. Does nothing
    /// unless every rule of `scenario` was evaluated ahead, in its order.
    pub fn number_ahead(&mut self, scenario: &Scenario, rows: usize) {
        let same = self.rules.len() == scenario.criteria.len()
            && self
                .rules
                .iter()
                .zip(&scenario.criteria)
                .all(|(r, c)| *r == c.rule);
        let caps: Vec<u32> = scenario.criteria.iter().map(Criterion::unit_cap).collect();
        if same && radix_product(&caps).is_some() {
            let numbers = lead_numbers(&self.evaluations, &caps, rows);
            self.numbers = Some((self.rules.clone(), numbers));
        }
    }

    /// The evaluations of the rules last grouped, in criterion order.
    pub fn evaluations(&self) -> &[Evaluation] {
        &self.evaluations
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

/// The share of conversions a gains curve captures when the top `share` of
/// leads are contacted, read between the curve's points.
pub fn captured_at(points: &[GainsPoint], share: f64) -> Option<f64> {
    let after = points.iter().position(|p| p.leads_share >= share)?;
    let b = points[after];
    let Some(a) = after.checked_sub(1).map(|i| points[i]) else {
        return Some(b.captured);
    };
    let span = b.leads_share - a.leads_share;
    Some(if span > 0.0 {
        a.captured + (b.captured - a.captured) * (share - a.leads_share) / span
    } else {
        b.captured
    })
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
    /// Conversion when matched over overall conversion (the lift of the
    /// key figures, for one criterion).
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

    /// Conversion when matched over conversion of the other leads: how
    /// much better (or worse) the leads it fires for do than the rest.
    pub fn lift_over_rest(&self) -> Option<f64> {
        let (m, u) = (self.matched?, self.unmatched?);
        Some(m.value()? / u.value().filter(|&r| r > 0.0)?)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The leads it describes.
    pub set: LeadSet,
    /// Each pattern's score, indexed like [`Grouping::patterns`].
    pub pattern_scores: Vec<i32>,
    /// Each pattern's fit and engagement sub-scores: the points of its
    /// fit criteria and of its engagement criteria.
    pub pattern_sub_scores: Vec<(i32, i32)>,
    /// Each pattern's cell of the fit × engagement grid.
    pub pattern_cells: Vec<Cell>,
    /// Whether each pattern's leads are sales-ready: the score reaches the
    /// threshold, or the cell is marked.
    pub pattern_ready: Vec<bool>,
    /// The grid's cuts in use (the tuning set's quartiles where the
    /// scenario sets none).
    pub cuts: GridCuts,
    /// Tallies of the leads not in a marked cell per distinct score, and
    /// the leads in marked cells, when any cell is marked: the sweep adds
    /// the marked leads at every threshold.
    marked: Option<(Vec<ScoreTally>, ScoreTally)>,
    /// Tallies per distinct score, ascending.
    pub by_score: Vec<ScoreTally>,
    pub figures: KeyFigures,
    /// Share of all converted revenue from sales-ready leads.
    pub revenue_captured: Option<f64>,
    pub workload: Option<Workload>,
    pub evidence: Vec<Evidence>,
}

/// What a scenario makes of each pattern of a grouping: the same for the
/// tuning and the check set.
struct PatternScoring {
    scores: Vec<i32>,
    sub_scores: Vec<(i32, i32)>,
    cells: Vec<Cell>,
    ready: Vec<bool>,
    cuts: GridCuts,
}

impl PatternScoring {
    fn new(scenario: &Scenario, grouping: &Grouping) -> PatternScoring {
        // A plain rule's units are 0 or 1, so its points times the units
        // is what it adds: one multiply-add per criterion and group, which
        // the compiler vectorises. Per-unit rules, with their caps, are
        // added after.
        let width = grouping.width;
        let (mut fit_points, mut engagement_points) = (vec![0i64; width], vec![0i64; width]);
        let mut per_unit = Vec::new();
        for (i, (c, &active)) in scenario.criteria.iter().zip(&grouping.active).enumerate() {
            let Some(c) = weight(c, active) else { continue };
            let is_fit = c.group == Group::Fit;
            if matches!(c.rule.test, RuleTest::PerUnit { .. }) {
                per_unit.push((i, is_fit, c));
            } else if is_fit {
                fit_points[i] = i64::from(c.contribution(1));
            } else {
                engagement_points[i] = i64::from(c.contribution(1));
            }
        }
        let patterns = grouping.patterns.len();
        let mut scores = Vec::with_capacity(patterns);
        let mut sub_scores = Vec::with_capacity(patterns);
        for p in 0..patterns {
            let signature = grouping.signature(p);
            let (mut fit, mut engagement) = (0i64, 0i64);
            for ((&f, &e), &units) in fit_points.iter().zip(&engagement_points).zip(signature) {
                fit += f * i64::from(units);
                engagement += e * i64::from(units);
            }
            for &(i, is_fit, c) in &per_unit {
                let points = i64::from(c.contribution(signature[i]));
                if is_fit {
                    fit += points;
                } else {
                    engagement += points;
                }
            }
            scores.push(score_of_sum(fit + engagement));
            sub_scores.push((score_of_sum(fit), score_of_sum(engagement)));
        }
        // Grades mean the same in both sets: the tuning set's quartiles.
        let quartiles = |axis: fn(&(i32, i32)) -> i32| {
            let spread: Vec<(i32, usize)> = sub_scores
                .iter()
                .zip(&grouping.patterns)
                .map(|(s, p)| (axis(s), p.leads))
                .collect();
            quartile_cuts(&spread)
        };
        let cuts = scenario.grid.cuts(GridCuts {
            fit: match scenario.grid.fit_cuts {
                Some(cuts) => cuts,
                None => quartiles(|s| s.0),
            },
            engagement: match scenario.grid.engagement_cuts {
                Some(cuts) => cuts,
                None => quartiles(|s| s.1),
            },
        });
        let cells: Vec<Cell> = sub_scores
            .iter()
            .map(|&(f, e)| Cell::of(f, e, &cuts))
            .collect();
        let marked = scenario.grid.marked();
        let ready = scores
            .iter()
            .zip(&cells)
            .map(|(&score, cell)| score >= scenario.threshold || marked[cell.index()])
            .collect();
        PatternScoring {
            scores,
            sub_scores,
            cells,
            ready,
            cuts,
        }
    }
}

/// Over the tuning set of `grouping`, under `scenario`'s points and grid:
/// the leads outside marked grid cells per distinct score, ascending, and
/// the leads in marked cells, which are sales-ready whatever the
/// threshold. What choosing a threshold for a share of leads needs.
pub fn ready_by_threshold(scenario: &Scenario, grouping: &Grouping) -> (Vec<(i32, usize)>, usize) {
    let scoring = PatternScoring::new(scenario, grouping);
    let marked_cells = scenario.grid.marked();
    let mut marked = 0;
    let mut by_score: Vec<(i32, usize)> = Vec::with_capacity(grouping.patterns.len());
    for ((p, &score), cell) in grouping
        .patterns
        .iter()
        .zip(&scoring.scores)
        .zip(&scoring.cells)
    {
        if marked_cells[cell.index()] {
            marked += p.leads;
        } else if p.leads > 0 {
            by_score.push((score, p.leads));
        }
    }
    by_score.sort_unstable();
    by_score.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            a.1 += b.1;
        }
        same
    });
    (by_score, marked)
}

impl Replay {
    /// Scores the patterns of `grouping` under `scenario` and tallies them
    /// over the tuning set (every lead without a check set).
    pub fn run(
        scenario: &Scenario,
        grouping: &Grouping,
        facts: &LeadFacts,
        settings: &ReplaySettings,
    ) -> Replay {
        let scoring = PatternScoring::new(scenario, grouping);
        Self::tally(
            LeadSet::Tuning,
            scoring,
            scenario,
            grouping,
            facts,
            settings,
        )
    }

    /// The same over the check set, when one is kept. Where the tuning
    /// replay is at hand, [`Replay::check_of`] saves scoring again.
    pub fn run_check(
        scenario: &Scenario,
        grouping: &Grouping,
        facts: &LeadFacts,
        settings: &ReplaySettings,
    ) -> Option<Replay> {
        Self::run(scenario, grouping, facts, settings).check_of(scenario, grouping, facts, settings)
    }

    /// The same over the check set, scored as `self` (this scenario's
    /// replay on the tuning set of the same grouping) scores it: cheaper
    /// than [`Replay::run_check`], as the patterns are not scored again.
    pub fn check_of(
        &self,
        scenario: &Scenario,
        grouping: &Grouping,
        facts: &LeadFacts,
        settings: &ReplaySettings,
    ) -> Option<Replay> {
        facts.check.rows()?;
        let scoring = PatternScoring {
            scores: self.pattern_scores.clone(),
            sub_scores: self.pattern_sub_scores.clone(),
            cells: self.pattern_cells.clone(),
            ready: self.pattern_ready.clone(),
            cuts: self.cuts,
        };
        Some(Self::tally(
            LeadSet::Check,
            scoring,
            scenario,
            grouping,
            facts,
            settings,
        ))
    }

    fn tally(
        set: LeadSet,
        scoring: PatternScoring,
        scenario: &Scenario,
        grouping: &Grouping,
        facts: &LeadFacts,
        settings: &ReplaySettings,
    ) -> Replay {
        let PatternScoring {
            scores: pattern_scores,
            sub_scores: pattern_sub_scores,
            cells: pattern_cells,
            ready: pattern_ready,
            cuts,
        } = scoring;
        let threshold = scenario.threshold;
        let marked_cells = scenario.grid.marked();
        let tallies = grouping.tallies(set);
        let by_score = tally_by_score(tallies, &pattern_scores);
        let marked = (!scenario.grid.ready_cells.is_empty()).then(|| {
            let mut marked = ScoreTally::default();
            let mut unmarked = Vec::with_capacity(tallies.len());
            let mut unmarked_scores = Vec::with_capacity(tallies.len());
            for ((p, &score), cell) in tallies.iter().zip(&pattern_scores).zip(&pattern_cells) {
                if marked_cells[cell.index()] {
                    marked.leads += p.leads;
                    marked.converted += p.converted;
                    marked.revenue += p.revenue;
                } else {
                    unmarked.push(p.clone());
                    unmarked_scores.push(score);
                }
            }
            (tally_by_score(&unmarked, &unmarked_scores), marked)
        });
        let (mut ready, mut rest) = (Rate::default(), Rate::default());
        let (mut revenue_ready, mut revenue_all) = (0.0, 0.0);
        for (p, &is_ready) in tallies.iter().zip(&pattern_ready) {
            let bucket = if is_ready { &mut ready } else { &mut rest };
            bucket.leads += p.leads;
            bucket.converted += p.converted;
            revenue_all += p.revenue;
            if is_ready {
                revenue_ready += p.revenue;
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
        let workload = facts
            .per_week(ready.leads, ready.leads + rest.leads)
            .map(|per_week| Workload {
                per_week,
                per_rep_week: per_week / f64::from(settings.reps.max(1)),
            });
        let evidence = grouping.tallies_evidence(set).to_vec();
        Replay {
            set,
            pattern_sub_scores,
            pattern_cells,
            pattern_ready,
            cuts,
            marked,
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
        self.pattern_scores[grouping.lead_pattern()[row] as usize]
    }

    /// Whether the lead in `row` is sales-ready: its score reaches the
    /// threshold or its grid cell is marked.
    pub fn is_ready(&self, grouping: &Grouping, row: usize) -> bool {
        self.pattern_ready[grouping.lead_pattern()[row] as usize]
    }

    /// The grid cell of the lead in `row`.
    pub fn cell(&self, grouping: &Grouping, row: usize) -> Cell {
        self.pattern_cells[grouping.lead_pattern()[row] as usize]
    }

    /// Every cell's leads, conversions and sales-ready leads, in this
    /// replay's set, row-major by [`Cell::index`].
    pub fn grid(&self, grouping: &Grouping) -> [CellTally; GRADES * GRADES] {
        let mut cells = [CellTally::default(); GRADES * GRADES];
        for ((p, cell), &ready) in grouping
            .tallies(self.set)
            .iter()
            .zip(&self.pattern_cells)
            .zip(&self.pattern_ready)
        {
            let tally = &mut cells[cell.index()];
            tally.leads += p.leads;
            tally.converted += p.converted;
            if ready {
                tally.ready += p.leads;
            }
        }
        cells
    }

    /// How scores spread, in at most `max_bands` round-width bands.
    pub fn distribution(&self, max_bands: usize) -> ScoreDistribution {
        banded(
            self.by_score
                .iter()
                .map(|t| (t.score, t.converted, t.leads - t.converted)),
            max_bands,
        )
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

    /// Conversion within the score bands of `bands` (another replay's, say,
    /// to set two sets side by side on the same bands).
    pub fn conversion_in_bands(&self, bands: &[BandRate]) -> Vec<BandRate> {
        bands
            .iter()
            .map(|band| {
                let from = self.by_score.partition_point(|t| t.score < band.low);
                let to = self.by_score.partition_point(|t| t.score <= band.high);
                let rate =
                    self.by_score[from..to.max(from)]
                        .iter()
                        .fold(Rate::default(), |sum, t| Rate {
                            converted: sum.converted + t.converted,
                            leads: sum.leads + t.leads,
                        });
                BandRate { rate, ..*band }
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
    /// With cells marked sales-ready, their leads count at every
    /// threshold.
    pub fn sweep(&self, facts: &LeadFacts, settings: &ReplaySettings) -> Vec<SweepPoint> {
        let converted = self.figures.overall().converted;
        let (tallies, (mut l, mut c)) = match &self.marked {
            Some((unmarked, marked)) => (unmarked, (marked.leads, marked.converted)),
            None => (&self.by_score, (0, 0)),
        };
        tallies
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
                        .per_week(l, self.figures.leads)
                        .map(|w| w / f64::from(settings.reps.max(1))),
                }
            })
            .collect()
    }
}

/// What sales can take, or what the definition must catch: the threshold
/// follows from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// At most this many sales-ready leads per rep per week (needs dates).
    PerRepWeek(f64),
    /// At most this many sales-ready leads in all.
    SalesReady(usize),
    /// At least this share of all conversions captured.
    Captured(f64),
}

/// The threshold that just meets `target` on `sweep` (a replay's sweep,
/// highest threshold first): for a capacity, the lowest threshold whose
/// workload stays within it; for a share captured, the highest threshold
/// that still captures it. `None` when no threshold can meet it (even the
/// highest score sends more than the capacity, or no conversions are
/// there to capture).
///
/// ```
/// use leadlens::core::engine::{threshold_for, SweepPoint, Target};
/// let point = |threshold, sales_ready, captured| SweepPoint {
///     threshold, sales_ready, captured, rate: 0.0, per_rep_week: Some(sales_ready as f64 / 10.0),
/// };
/// let sweep = [point(50, 10, 0.4), point(30, 40, 0.7), point(0, 100, 1.0)];
/// assert_eq!(threshold_for(&sweep, Target::SalesReady(50)), Some(30));
/// assert_eq!(threshold_for(&sweep, Target::PerRepWeek(0.5)), None);
/// assert_eq!(threshold_for(&sweep, Target::Captured(0.6)), Some(30));
/// assert_eq!(threshold_for(&sweep, Target::Captured(0.4)), Some(50));
/// ```
pub fn threshold_for(sweep: &[SweepPoint], target: Target) -> Option<i32> {
    match target {
        Target::PerRepWeek(capacity) => sweep
            .iter()
            .take_while(|p| p.per_rep_week.is_some_and(|w| w <= capacity))
            .last()
            .map(|p| p.threshold),
        Target::SalesReady(capacity) => sweep
            .iter()
            .take_while(|p| p.sales_ready <= capacity)
            .last()
            .map(|p| p.threshold),
        Target::Captured(share) => {
            let reached = sweep.iter().find(|p| p.captured >= share - 1e-12)?;
            (share > 0.0 || reached.captured > 0.0).then_some(reached.threshold)
        }
    }
}

/// Leads, conversions and revenue per distinct score, ascending. Scores
/// are integers in a narrow range, so a bucket per score is usually
/// cheapest; a sort handles wide ranges.
fn tally_by_score(patterns: &[Pattern], scores: &[i32]) -> Vec<ScoreTally> {
    let (Some(&low), Some(&high)) = (scores.iter().min(), scores.iter().max()) else {
        return Vec::new();
    };
    let range = (i64::from(high) - i64::from(low) + 1) as usize;
    let add = |t: &mut ScoreTally, p: &Pattern| {
        t.leads += p.leads;
        t.converted += p.converted;
        t.revenue += p.revenue;
    };
    if range <= 4 * patterns.len() + 1_024 {
        let mut buckets = vec![ScoreTally::default(); range];
        for (p, &score) in patterns.iter().zip(scores) {
            let t = &mut buckets[(i64::from(score) - i64::from(low)) as usize];
            t.score = score;
            add(t, p);
        }
        buckets.retain(|t| t.leads > 0);
        return buckets;
    }
    let mut order: Vec<u32> = (0..patterns.len() as u32).collect();
    order.sort_unstable_by_key(|&i| scores[i as usize]);
    let mut tallies: Vec<ScoreTally> = Vec::new();
    for i in order {
        let (p, score) = (&patterns[i as usize], scores[i as usize]);
        match tallies.last_mut() {
            Some(t) if t.score == score => add(t, p),
            _ => {
                let mut t = ScoreTally {
                    score,
                    ..ScoreTally::default()
                };
                add(&mut t, p);
                tallies.push(t);
            }
        }
    }
    tallies
}

/// The criteria that count towards a score: `None` where a criterion is
/// switched off or its rule cannot be applied.
type Weight<'s> = Option<&'s Criterion>;

fn weight(criterion: &Criterion, active: bool) -> Weight<'_> {
    (criterion.enabled && active).then_some(criterion)
}

/// The criteria that add to (or take from) a lead's score, with what each
/// adds: the explanation of a score. `pattern` is the lead's pattern.
pub fn fired(scenario: &Scenario, grouping: &Grouping, pattern: u32) -> Vec<(usize, i32)> {
    if pattern as usize >= grouping.patterns.len() {
        return Vec::new();
    }
    scenario
        .criteria
        .iter()
        .zip(&grouping.active)
        .zip(grouping.signature(pattern as usize))
        .enumerate()
        .filter_map(|(i, ((criterion, &active), &value))| {
            let points = pattern_score(&[weight(criterion, active)], &[value]);
            (value > 0 && points != 0).then_some((i, points))
        })
        .collect()
}

/// How two scenarios differ on the same leads: who becomes sales-ready
/// under the second and who stops being so.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadyChanges {
    /// Rows sales-ready under the second scenario only.
    pub entering: Vec<u32>,
    /// Rows sales-ready under the first scenario only.
    pub leaving: Vec<u32>,
    /// Leads entering and leaving (the rows' leads where rows are
    /// weighted), and the conversions among them.
    pub entering_leads: usize,
    pub leaving_leads: usize,
    pub entering_converted: usize,
    pub leaving_converted: usize,
}

/// The leads that enter or leave sales-ready going from scenario `from`
/// to scenario `to`, each given by its grouping and replay on the same
/// data.
pub fn ready_changes(
    from: (&Grouping, &Replay),
    to: (&Grouping, &Replay),
    facts: &LeadFacts,
) -> ReadyChanges {
    let ready =
        |(grouping, replay): (&Grouping, &Replay), row: usize| replay.is_ready(grouping, row);
    let mut changes = ReadyChanges::default();
    let rows = from.0.lead_pattern().len().min(to.0.lead_pattern().len());
    for row in 0..rows {
        let converted = facts.outcomes.get(row).copied().unwrap_or(false);
        let weight = facts.weight(row);
        let converted = if converted { weight } else { 0 };
        match (ready(from, row), ready(to, row)) {
            (false, true) => {
                changes.entering.push(row as u32);
                changes.entering_leads += weight;
                changes.entering_converted += converted;
            }
            (true, false) => {
                changes.leaving.push(row as u32);
                changes.leaving_leads += weight;
                changes.leaving_converted += converted;
            }
            _ => {}
        }
    }
    changes
}

fn pattern_score(weights: &[Weight], signature: &[u32]) -> i32 {
    let mut sum = 0i64;
    for (weight, &units) in weights.iter().zip(signature) {
        if let Some(criterion) = weight {
            sum += i64::from(criterion.contribution(units));
        }
    }
    score_of_sum(sum)
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
    use crate::core::criteria::RuleTest;
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

    /// With a check set kept aside, the tuning figures are those of the
    /// other leads and the check figures those of the check leads, each as
    /// a naive recomputation over its own rows gives them, also after a
    /// rule edit regroups the leads.
    #[test]
    fn tuning_and_check_figures_are_those_of_their_own_leads() {
        use crate::core::split::{CheckSplit, SplitBy};
        let (data, facts) = sample();
        for by in [SplitBy::Recent, SplitBy::Random] {
            let split = CheckSplit {
                by,
                ..CheckSplit::default()
            };
            let facts = facts.clone().with_check(&data, &sample_mapping(), &split);
            let check = facts
                .check
                .rows()
                .expect("the sample keeps a check set")
                .clone();
            assert_eq!(
                facts.tuning_leads() + check.count_ones(..),
                data.row_count()
            );
            let mut scenario = sample_scenario();
            let mut cache = GroupingCache::default();
            let first = cache.grouping(&data, &facts, &scenario);
            scenario.criteria[1].rule.test = RuleTest::Gte { value: 3.0 };
            scenario.criteria[1].rule.column = "Page views".to_owned();
            let edited = cache.grouping(&data, &facts, &scenario);
            let evaluations = evaluate_criteria(&data, &scenario.criteria);
            let fresh = Grouping::new(&scenario, &evaluations, &facts);
            assert!(!Rc::ptr_eq(&first, &edited));
            assert_eq!(
                *edited, fresh,
                "a rule edit regroups both sets as a fresh grouping"
            );
            let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
            let part = |in_check: bool| -> (Vec<i32>, Vec<bool>) {
                (0..data.row_count())
                    .filter(|&r| check.contains(r) == in_check)
                    .map(|r| (scores[r], facts.outcomes[r]))
                    .unzip()
            };
            let settings = ReplaySettings::default();
            let tuning = Replay::run(&scenario, &fresh, &facts, &settings);
            let checked = Replay::run_check(&scenario, &fresh, &facts, &settings).unwrap();
            for (replay, in_check) in [(&tuning, false), (&checked, true)] {
                let (scores, outcomes) = part(in_check);
                let naive = key_figures(&scores, &outcomes, scenario.threshold);
                assert_eq!(
                    replay.figures.sales_ready, naive.sales_ready,
                    "{by:?} {in_check}"
                );
                assert_eq!(replay.figures.rest, naive.rest);
                let auc = roc_auc(&scores, &outcomes).unwrap();
                assert!((replay.figures.auc.unwrap() - auc).abs() < 1e-12);
                // Workload: the set's sales-ready share of every lead a week.
                let share = naive.sales_ready.leads as f64 / scores.len() as f64;
                let all_per_week = data.row_count() as f64 / facts.weeks.unwrap();
                let per_week = replay.workload.unwrap().per_week;
                assert!((per_week - share * all_per_week).abs() < 1e-9 * per_week);
            }
            // Evidence of a criterion in each set, counted lead by lead.
            let in_check_matched = (0..data.row_count())
                .filter(|&r| check.contains(r))
                .filter(|&r| match &evaluations[0] {
                    Ok(RuleEffect::Matches(set)) => set.contains(r),
                    _ => false,
                })
                .count();
            assert_eq!(
                fresh.check_evidence[0].matched.unwrap().leads,
                in_check_matched
            );
            assert_eq!(checked.evidence, fresh.check_evidence);
            assert_eq!(tuning.evidence, fresh.evidence);
            assert_eq!(checked.figures.leads, check.count_ones(..));
        }
        let off = Replay::run_check(
            &sample_scenario(),
            &Grouping::new(
                &sample_scenario(),
                &evaluate_criteria(&data, &sample_scenario().criteria),
                &facts,
            ),
            &facts,
            &ReplaySettings::default(),
        );
        assert_eq!(off, None, "no check figures without a check set");
    }

    #[test]
    fn conversion_in_another_replays_bands_sums_the_scores_within_each() {
        let (scenario, grouping, facts) = tallies(
            &[30, 30, 20, 10, 10, 0],
            &[true, false, true, false, false, true],
        );
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        let bands = [
            BandRate {
                low: 0,
                high: 15,
                rate: Rate::default(),
            },
            BandRate {
                low: 16,
                high: 40,
                rate: Rate::default(),
            },
            BandRate {
                low: 50,
                high: 60,
                rate: Rate::default(),
            },
        ];
        let rates: Vec<Rate> = replay
            .conversion_in_bands(&bands)
            .iter()
            .map(|b| b.rate)
            .collect();
        assert_eq!(
            rates,
            [
                Rate {
                    converted: 1,
                    leads: 3
                },
                Rate {
                    converted: 2,
                    leads: 3
                },
                Rate::default()
            ]
        );
    }

    /// The grid's cells from each lead's fit and engagement points, and a
    /// marked cell's leads sales-ready whatever their score, as a lead-by-
    /// lead recomputation gives them.
    #[test]
    fn grid_cells_and_marked_cells_agree_with_a_naive_recomputation() {
        use crate::core::grid::{Cell, GridCuts};
        let (data, facts) = sample();
        let mut scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let settings = ReplaySettings::default();
        let plain = Replay::run(&scenario, &grouping, &facts, &settings);
        let only = |group: Group| -> Vec<Criterion> {
            scenario
                .criteria
                .iter()
                .map(|c| Criterion {
                    enabled: c.enabled && c.group == group,
                    ..c.clone()
                })
                .collect()
        };
        let rows = data.row_count();
        let fit = score_leads(rows, &only(Group::Fit), &evaluations);
        let engagement = score_leads(rows, &only(Group::Engagement), &evaluations);
        let scores = score_leads(rows, &scenario.criteria, &evaluations);
        // Default cuts: quartiles of the sub-scores, lead by lead, each
        // moved below the one above where ties would empty a grade.
        let quartiles = |values: &[i32]| {
            let mut sorted = values.to_vec();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            let mut cuts = [1, 2, 3].map(|q| sorted[(rows * q).div_ceil(4) - 1]);
            for q in 1..3 {
                if cuts[q] >= cuts[q - 1] {
                    cuts[q] = sorted
                        .iter()
                        .copied()
                        .find(|&v| v < cuts[q - 1])
                        .unwrap_or(cuts[q - 1]);
                }
            }
            cuts
        };
        assert_eq!(plain.cuts.fit, quartiles(&fit));
        assert_eq!(plain.cuts.engagement, quartiles(&engagement));
        assert!(
            plain.cuts.fit[0] > plain.cuts.fit[1],
            "no grade left empty by ties"
        );
        let cell_of = |row: usize, cuts: &GridCuts| Cell::of(fit[row], engagement[row], cuts);
        // A cell with leads below the threshold, marked sales-ready.
        let target = (0..rows)
            .find(|&r| scores[r] < scenario.threshold && cell_of(r, &plain.cuts).fit > 0)
            .map(|r| cell_of(r, &plain.cuts))
            .unwrap();
        scenario.grid = scenario.grid.with_mark(target, true, plain.cuts);
        let marked = Replay::run(&scenario, &grouping, &facts, &settings);
        assert_eq!(marked.cuts, plain.cuts, "marking keeps the cuts in use");
        let ready: Vec<bool> = (0..rows)
            .map(|r| scores[r] >= scenario.threshold || cell_of(r, &plain.cuts) == target)
            .collect();
        let count = |keep: &dyn Fn(usize) -> bool| {
            let leads = (0..rows).filter(|&r| keep(r)).count();
            let converted = (0..rows).filter(|&r| keep(r) && facts.outcomes[r]).count();
            Rate { converted, leads }
        };
        assert_eq!(marked.figures.sales_ready, count(&|r| ready[r]));
        assert_eq!(marked.figures.rest, count(&|r| !ready[r]));
        assert!(marked.figures.sales_ready.leads > plain.figures.sales_ready.leads);
        for row in (0..rows).step_by(13) {
            assert_eq!(marked.is_ready(&grouping, row), ready[row], "row {row}");
        }
        let cells = marked.grid(&grouping);
        for fit_grade in 0..4u8 {
            for engagement_grade in 0..4u8 {
                let cell = Cell {
                    fit: fit_grade,
                    engagement: engagement_grade,
                };
                let tally = cells[cell.index()];
                let naive = count(&|r| cell_of(r, &plain.cuts) == cell);
                assert_eq!(
                    (tally.leads, tally.converted),
                    (naive.leads, naive.converted),
                    "{cell}"
                );
                assert_eq!(
                    tally.ready,
                    count(&|r| cell_of(r, &plain.cuts) == cell && ready[r]).leads
                );
            }
        }
        // The sweep counts the marked cell's leads at every threshold, and
        // agrees with the figures at the scenario's own.
        let sweep = marked.sweep(&facts, &settings);
        let at_threshold = sweep
            .iter()
            .rev()
            .find(|p| p.threshold >= scenario.threshold)
            .unwrap();
        assert_eq!(at_threshold.sales_ready, marked.figures.sales_ready.leads);
        let in_target = count(&|r| cell_of(r, &plain.cuts) == target).leads;
        assert!(sweep.iter().all(|p| p.sales_ready >= in_target));
    }

    #[test]
    fn captured_share_is_read_between_the_points_of_a_gains_curve() {
        let points = [
            GainsPoint {
                leads_share: 0.0,
                captured: 0.0,
            },
            GainsPoint {
                leads_share: 0.2,
                captured: 0.6,
            },
            GainsPoint {
                leads_share: 1.0,
                captured: 1.0,
            },
        ];
        assert_eq!(captured_at(&points, 0.0), Some(0.0));
        assert!((captured_at(&points, 0.1).unwrap() - 0.3).abs() < 1e-12);
        assert!((captured_at(&points, 0.6).unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(captured_at(&points, 1.0), Some(1.0));
        assert_eq!(captured_at(&points[..2], 0.5), None);
    }

    #[test]
    fn leads_entering_and_leaving_sales_ready_between_two_scenarios() {
        let (data, facts) = sample();
        let marketing = sample_scenario();
        let mut sales = sample_scenario();
        sales.threshold += 15;
        sales.criteria[0].points += 20;
        let replay_of = |s: &Scenario| {
            let evaluations = evaluate_criteria(&data, &s.criteria);
            let grouping = Grouping::new(s, &evaluations, &facts);
            let replay = Replay::run(s, &grouping, &facts, &ReplaySettings::default());
            (
                grouping,
                replay,
                score_leads(data.row_count(), &s.criteria, &evaluations),
            )
        };
        let (ga, ra, sa) = replay_of(&marketing);
        let (gb, rb, sb) = replay_of(&sales);
        let changes = ready_changes((&ga, &ra), (&gb, &rb), &facts);
        let (mut entering, mut leaving) = (Vec::new(), Vec::new());
        for row in 0..sa.len() {
            let (a, b) = (sa[row] >= marketing.threshold, sb[row] >= sales.threshold);
            if !a && b {
                entering.push(row as u32);
            }
            if a && !b {
                leaving.push(row as u32);
            }
        }
        assert!(!entering.is_empty() && !leaving.is_empty());
        assert_eq!(changes.entering, entering);
        assert_eq!(changes.leaving, leaving);
        let converted = |rows: &[u32]| rows.iter().filter(|&&r| facts.outcomes[r as usize]).count();
        assert_eq!(changes.entering_converted, converted(&entering));
        assert_eq!(changes.leaving_converted, converted(&leaving));
        // The counts agree with the two replays' key figures.
        assert_eq!(
            ra.figures.sales_ready.leads + entering.len() - leaving.len(),
            rb.figures.sales_ready.leads
        );
        // A scenario against itself changes nothing.
        assert_eq!(
            ready_changes((&ga, &ra), (&ga, &ra), &facts),
            ReadyChanges::default()
        );
    }

    #[test]
    fn regrouping_after_one_rule_changes_matches_grouping_from_scratch() {
        let (data, facts) = sample();
        let with_check = facts
            .clone()
            .with_check(&data, &sample_mapping(), &CheckSplit::default());
        assert!(with_check.check.rows().is_some());
        for facts in [facts, with_check] {
            regroup_each_kind_of_edit(&data, &facts);
        }
    }

    /// Edits of each kind, each regrouped from the same grouping, against
    /// a grouping from scratch: equal in every pattern, tally and lead.
    fn regroup_each_kind_of_edit(data: &Dataset, facts: &LeadFacts) {
        let mut scenario = sample_scenario();
        let mut evaluations = evaluate_criteria(data, &scenario.criteria);
        let before = Rc::new(Grouping::new(&scenario, &evaluations, facts));
        for (index, test) in [
            (
                1,
                RuleTest::AnyOf {
                    values: vec!["Retail".into()],
                },
            ),
            (
                4,
                RuleTest::PerUnit {
                    points_per_unit: 5,
                    max_points: 15,
                },
            ),
            (0, RuleTest::IsFalse),
            // Matches nothing: patterns that differed only here fall together.
            (
                2,
                RuleTest::AnyOf {
                    values: vec!["no lead has this".into()],
                },
            ),
        ] {
            scenario.criteria[index].rule.test = test;
            evaluations[index] =
                crate::core::scoring::evaluate_rule(data, &scenario.criteria[index].rule);
            let incremental =
                before.with_rule_changed(&scenario, index, &evaluations[index], facts);
            // A rule that matches or not is regrouped from the patterns,
            // each lead's pattern left for when it is asked for.
            let per_unit = matches!(scenario.criteria[index].rule.test, RuleTest::PerUnit { .. });
            assert_eq!(incremental.lead_pattern.get().is_none(), !per_unit);
            let fresh = Grouping::new(&scenario, &evaluations, facts);
            // Patterns come in signature order either way.
            assert_eq!(incremental.patterns, fresh.patterns);
            assert_eq!(incremental.check, fresh.check);
            assert_eq!(incremental.signatures, fresh.signatures);
            assert_eq!(incremental.evidence, fresh.evidence);
            assert_eq!(incremental.check_evidence, fresh.check_evidence);
            assert_eq!(incremental.lead_pattern(), fresh.lead_pattern());
            assert_eq!(incremental.keys, fresh.keys);
            assert_eq!(incremental, fresh);
            let a = Replay::run(&scenario, &incremental, facts, &ReplaySettings::default());
            let b = Replay::run(&scenario, &fresh, facts, &ReplaySettings::default());
            assert_eq!(a.by_score, b.by_score);
            assert_eq!(a.evidence, b.evidence);
            for row in (0..data.row_count()).step_by(11) {
                assert_eq!(a.score(&incremental, row), b.score(&fresh, row));
            }
            // Undo the change for the next case, which starts from `before`.
            scenario = sample_scenario();
            evaluations = evaluate_criteria(data, &scenario.criteria);
        }
    }

    #[test]
    fn rules_evaluated_ahead_group_as_rules_evaluated_at_once() {
        let (data, facts) = sample();
        let scenario = sample_scenario();
        let mut ahead = GroupingCache::default();
        for criterion in scenario.criteria.iter().rev() {
            ahead.evaluate_ahead(&data, &criterion.rule);
            ahead.evaluate_ahead(&data, &criterion.rule);
        }
        assert_eq!(
            ahead.evaluations().len(),
            scenario.criteria.len(),
            "each rule once"
        );
        let grouped = ahead.grouping(&data, &facts, &scenario);
        let at_once = GroupingCache::default().grouping(&data, &facts, &scenario);
        assert_eq!(*grouped, *at_once);
        // Numbered ahead too, in the scenario's order: the same grouping,
        // and the numbers are used.
        let mut numbered = GroupingCache::default();
        for criterion in &scenario.criteria {
            numbered.evaluate_ahead(&data, &criterion.rule);
        }
        numbered.number_ahead(&scenario, facts.outcomes.len());
        assert!(numbered.numbers.is_some(), "numbered ahead");
        assert_eq!(*numbered.grouping(&data, &facts, &scenario), *at_once);
        assert!(numbered.numbers.is_none(), "the numbers were taken");
        // Rules evaluated in another order are not numbered.
        let mut reversed = GroupingCache::default();
        for criterion in scenario.criteria.iter().rev() {
            reversed.evaluate_ahead(&data, &criterion.rule);
        }
        reversed.number_ahead(&scenario, facts.outcomes.len());
        assert!(reversed.numbers.is_none());
        // Evaluating ahead again drops the grouping, not the evaluations.
        let mut other = scenario.clone();
        other.criteria[1].rule.test = RuleTest::NotEmpty;
        ahead.evaluate_ahead(&data, &other.criteria[1].rule);
        let regrouped = ahead.grouping(&data, &facts, &other);
        let fresh = Grouping::new(&other, &evaluate_criteria(&data, &other.criteria), &facts);
        assert_eq!(*regrouped, fresh);
    }

    #[test]
    fn the_cache_gives_the_same_grouping_as_starting_over() {
        let (data, facts) = sample();
        let mut cache = GroupingCache::default();
        let mut scenario = sample_scenario();
        let first = cache.grouping(&data, &facts, &scenario);
        scenario.criteria[0].points = 99;
        assert!(
            Rc::ptr_eq(&first, &cache.grouping(&data, &facts, &scenario)),
            "points need no regrouping"
        );
        let edits: [fn(&mut Scenario); 3] = [
            |s| {
                s.criteria[2].rule.test = RuleTest::AnyOf {
                    values: vec!["VP".into()],
                }
            },
            |s| s.criteria.swap(0, 3),
            |s| {
                s.criteria.remove(1);
            },
        ];
        for edit in edits {
            edit(&mut scenario);
            let cached = cache.grouping(&data, &facts, &scenario);
            let fresh = Grouping::new(
                &scenario,
                &evaluate_criteria(&data, &scenario.criteria),
                &facts,
            );
            let a = Replay::run(&scenario, &cached, &facts, &ReplaySettings::default());
            let b = Replay::run(&scenario, &fresh, &facts, &ReplaySettings::default());
            assert_eq!(a.by_score, b.by_score);
            assert_eq!(a.evidence, b.evidence);
            assert_eq!(cache.evaluations().len(), scenario.criteria.len());
        }
    }

    #[test]
    fn each_score_is_explained_by_the_rules_that_fired() {
        let (data, facts) = sample();
        let scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let replay = Replay::run(&scenario, &grouping, &facts, &ReplaySettings::default());
        for row in (0..data.row_count()).step_by(37) {
            let why = fired(&scenario, &grouping, grouping.lead_pattern()[row]);
            let total: i32 = why.iter().map(|&(_, points)| points).sum();
            assert_eq!(total, replay.score(&grouping, row), "row {row}");
            assert!(why.iter().all(|&(i, _)| scenario.criteria[i].enabled));
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
            check: CheckSet::Off,
            weights: None,
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
            grid: Default::default(),
            agreement: Default::default(),
        };
        let signatures: Vec<u32> = (0..distinct.len())
            .flat_map(|i| (0..distinct.len()).map(move |j| u32::from(i == j)))
            .collect();
        let lead_pattern = scores
            .iter()
            .map(|s| distinct.iter().position(|d| d == s).unwrap() as u32)
            .collect();
        let grouping = Grouping::tallied(
            lead_pattern,
            distinct.len(),
            signatures,
            vec![true; distinct.len()],
            vec![1; distinct.len()],
            None,
            &facts,
        );
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
            check: CheckSet::Off,
            weights: None,
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
