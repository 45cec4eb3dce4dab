//! Follow-up effects: does sales follow up the leads the score calls
//! sales-ready, and what did following up (and answering quickly) go with?
//!
//! [`FollowUpFacts`] reads, per lead, whether it was followed up and how many
//! hours the first response took, from whichever columns the mapping names.
//! [`FollowUpAnalysis::compute`] then tallies, in one pass over the leads,
//! the follow-up rate and the conversion of followed-up and other leads per
//! score band (the same round-width bands as the score distribution), and
//! conversion by response time. [`FollowUpAnalysis::what_if`] turns the
//! sales-ready part of those tallies into an estimate of the conversions a
//! different follow-up share or response-time commitment would have gone
//! with.
//!
//! Small cells are never shown as exact: a band with fewer than
//! [`MIN_CELL_LEADS`] leads in a cell is pooled with its neighbours, and a
//! pool that stays small is flagged. Every figure here is a historical
//! association, not a promise ([`CAVEAT`]).

use std::fmt;

use super::dataset::{Column, ColumnValues, Dataset};
use super::mapping::ColumnMapping;
use super::metrics::{banded, Rate, ScoreBand};
use super::scoring::parse_bool;

/// A cell (a band's followed-up leads, a response-time bucket, …) with fewer
/// leads than this is too small to show on its own.
pub const MIN_CELL_LEADS: usize = 30;

/// Follow-up shares the what-if control marks for reference: the ~15% of
/// leads sales typically follows up, and all of them.
pub const REFERENCE_SHARES: [f64; 2] = [0.15, 1.0];

/// What the follow-up figures are, in plain words, for the interface to show
/// beside them.
pub const CAVEAT: &str = "These figures describe what went together in your past leads, \
not what will happen. Sales may have followed up the leads that looked most promising, \
so following up more leads, or answering faster, will not necessarily convert them at \
the same rates.";

const SECONDS_PER_HOUR: f64 = 3600.0;

/// A mapping role that feeds the follow-up analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FollowUpRole {
    FollowedUp,
    ResponseHours,
    FirstTouch,
    Created,
    DealValue,
}

impl FollowUpRole {
    /// The role's name as the column-mapping step shows it.
    pub fn label(self) -> &'static str {
        match self {
            FollowUpRole::FollowedUp => "Followed up",
            FollowUpRole::ResponseHours => "Response time (hours)",
            FollowUpRole::FirstTouch => "First touch (date)",
            FollowUpRole::Created => "Created (date)",
            FollowUpRole::DealValue => "Deal value",
        }
    }
}

/// One part of the follow-up panel, each needing its own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUpView {
    /// Follow-up rate, and conversion of followed-up vs other leads, by band.
    ByBand,
    /// Conversion by response-time bucket.
    ResponseTime,
    /// The what-if on the share of sales-ready leads followed up.
    ShareWhatIf,
    /// The what-if on a response-time commitment (SLA).
    SlaWhatIf,
    /// Expected revenue under the what-if.
    Revenue,
}

impl FollowUpView {
    /// Every view, in the order the panel shows them.
    pub const ALL: [FollowUpView; 5] = [
        FollowUpView::ByBand,
        FollowUpView::ResponseTime,
        FollowUpView::ShareWhatIf,
        FollowUpView::SlaWhatIf,
        FollowUpView::Revenue,
    ];

    /// What the view shows, to complete "map … to see …".
    pub fn label(self) -> &'static str {
        match self {
            FollowUpView::ByBand => "follow-up and conversion by score band",
            FollowUpView::ResponseTime => "conversion by response time",
            FollowUpView::ShareWhatIf => "what following up more leads would have meant",
            FollowUpView::SlaWhatIf => "what a response-time commitment would have meant",
            FollowUpView::Revenue => "the expected revenue of the what-if",
        }
    }

    /// Sets of roles, any one of which (all roles of the set together)
    /// enables the view.
    fn requirements(self) -> &'static [&'static [FollowUpRole]] {
        use FollowUpRole::*;
        const FOLLOW_UP: &[&[FollowUpRole]] = &[&[FollowedUp], &[ResponseHours], &[FirstTouch]];
        const RESPONSE: &[&[FollowUpRole]] = &[&[ResponseHours], &[FirstTouch, Created]];
        const REVENUE: &[&[FollowUpRole]] = &[
            &[FollowedUp, DealValue],
            &[ResponseHours, DealValue],
            &[FirstTouch, DealValue],
        ];
        match self {
            FollowUpView::ByBand | FollowUpView::ShareWhatIf => FOLLOW_UP,
            FollowUpView::ResponseTime | FollowUpView::SlaWhatIf => RESPONSE,
            FollowUpView::Revenue => REVENUE,
        }
    }
}

/// A view that cannot be shown, and the columns that would enable it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumns {
    pub view: FollowUpView,
    /// Mapping any one of these sets of roles (all roles of a set) would
    /// enable the view; roles already usable are left out.
    pub any_of: Vec<Vec<FollowUpRole>>,
}

impl fmt::Display for MissingColumns {
    /// "Map a Followed up column, or First touch (date) and Created (date)
    /// columns, to see …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Map ")?;
        for (i, roles) in self.any_of.iter().enumerate() {
            if i > 0 {
                f.write_str(", or ")?;
            }
            match roles.as_slice() {
                [role] => write!(f, "a {} column", role.label())?,
                roles => {
                    let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
                    write!(f, "{} columns", labels.join(" and "))?;
                }
            }
        }
        write!(f, " to see {}.", self.view.label())
    }
}

/// Per lead, whether it was followed up and how fast, as the mapping names.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpFacts {
    /// Whether each lead was followed up (`None` where unknown); `None`
    /// when no column says.
    pub followed_up: Option<Vec<Option<bool>>>,
    /// Hours from creation to the first response; NaN where unknown or
    /// never. `None` when no column says.
    pub response_hours: Option<Vec<f64>>,
    /// Which roles were read from a suitable column, by `FollowUpRole as usize`.
    usable: [bool; 5],
    /// Leads per row where rows are weighted (a pattern table's, see
    /// [`crate::core::patterns`]), with, per row, how many of its
    /// converted leads have a deal value; `None` when each row is a lead.
    pub weights: Option<(Vec<usize>, Vec<usize>)>,
}

impl FollowUpFacts {
    /// Reads the follow-up columns the mapping names.
    ///
    /// Followed up comes from the followed-up column: a yes/no column as is;
    /// a category or text column read as yes/no ([`parse_bool`]); a date
    /// column where any date means followed up; a number column (a 0/1 flag
    /// or a count of touches) where a value above zero means followed up.
    /// Without one, a lead with a response time or a first touch counts as
    /// followed up and every other lead as not.
    ///
    /// Response hours come from the response-time column, or else from the
    /// first-touch date minus the created date; a negative time is unknown.
    /// A named column that is absent or of an unsuitable kind counts as not
    /// mapped.
    pub fn new(data: &Dataset, mapping: &ColumnMapping) -> FollowUpFacts {
        let column = |name: &Option<String>| name.as_deref().and_then(|n| data.column(n));
        let dates = |name: &Option<String>| match column(name).map(|c| &c.values) {
            Some(ColumnValues::Date(dates)) => Some(dates),
            _ => None,
        };
        let numbers = |name: &Option<String>| match column(name).map(|c| &c.values) {
            Some(ColumnValues::Number(values)) => Some(values),
            _ => None,
        };
        let stated = column(&mapping.followed_up).and_then(followed_up_from);
        let response_column = numbers(&mapping.response_hours);
        let first_touch = dates(&mapping.first_touch);
        let created = dates(&mapping.created);

        let response_hours = match (response_column, first_touch, created) {
            (Some(hours), _, _) => Some(
                hours
                    .iter()
                    .map(|&h| if h >= 0.0 { h } else { f64::NAN })
                    .collect(),
            ),
            (None, Some(touched), Some(created)) => Some(
                touched
                    .iter()
                    .zip(created)
                    .map(|(&touched, &created)| hours_between(created, touched))
                    .collect(),
            ),
            _ => None,
        };
        let followed_up = stated.clone().or_else(|| {
            let rows = data.row_count();
            let present = |row: usize| {
                response_column.is_some_and(|v| !v[row].is_nan())
                    || first_touch.is_some_and(|v| v[row].is_some())
            };
            (response_column.is_some() || first_touch.is_some())
                .then(|| (0..rows).map(|row| Some(present(row))).collect())
        });

        let mut usable = [false; 5];
        usable[FollowUpRole::FollowedUp as usize] = stated.is_some();
        usable[FollowUpRole::ResponseHours as usize] = response_column.is_some();
        usable[FollowUpRole::FirstTouch as usize] = first_touch.is_some();
        usable[FollowUpRole::Created as usize] = created.is_some();
        usable[FollowUpRole::DealValue as usize] = numbers(&mapping.deal_value).is_some();
        FollowUpFacts {
            followed_up,
            response_hours,
            usable,
            weights: None,
        }
    }

    /// Facts from per-row values of weighted rows: `usable` says which
    /// roles the values stand for, by `FollowUpRole as usize`.
    pub fn weighted(
        followed_up: Option<Vec<Option<bool>>>,
        response_hours: Option<Vec<f64>>,
        usable: [bool; 5],
        weights: Vec<usize>,
        deal_counts: Vec<usize>,
    ) -> FollowUpFacts {
        FollowUpFacts {
            followed_up,
            response_hours,
            usable,
            weights: Some((weights, deal_counts)),
        }
    }

    /// Facts from per-lead values already read; the deal value counts as
    /// not mapped.
    pub fn from_values(
        followed_up: Option<Vec<Option<bool>>>,
        response_hours: Option<Vec<f64>>,
    ) -> FollowUpFacts {
        let mut usable = [false; 5];
        usable[FollowUpRole::FollowedUp as usize] = followed_up.is_some();
        usable[FollowUpRole::ResponseHours as usize] = response_hours.is_some();
        FollowUpFacts {
            followed_up,
            response_hours,
            usable,
            weights: None,
        }
    }

    /// The views that cannot be shown, each with the columns that would
    /// enable it; empty when everything can be shown.
    ///
    /// ```
    /// use leadlens::core::followup::{FollowUpFacts, FollowUpView};
    /// let facts = FollowUpFacts::from_values(Some(vec![Some(true)]), None);
    /// let missing = facts.missing_columns();
    /// assert_eq!(missing[0].view, FollowUpView::ResponseTime);
    /// assert_eq!(
    ///     missing[0].to_string(),
    ///     "Map a Response time (hours) column, or First touch (date) and \
    ///      Created (date) columns to see conversion by response time."
    /// );
    /// ```
    pub fn missing_columns(&self) -> Vec<MissingColumns> {
        FollowUpView::ALL
            .iter()
            .filter_map(|&view| {
                let mut any_of: Vec<Vec<FollowUpRole>> = Vec::new();
                for roles in view.requirements() {
                    let lacking: Vec<FollowUpRole> = roles
                        .iter()
                        .copied()
                        .filter(|&r| !self.usable[r as usize])
                        .collect();
                    if lacking.is_empty() {
                        return None;
                    }
                    if !any_of.contains(&lacking) {
                        any_of.push(lacking);
                    }
                }
                // A set that includes another adds nothing to the advice.
                let minimal: Vec<Vec<FollowUpRole>> = any_of
                    .iter()
                    .filter(|set| {
                        !any_of.iter().any(|other| {
                            other.len() < set.len() && other.iter().all(|r| set.contains(r))
                        })
                    })
                    .cloned()
                    .collect();
                Some(MissingColumns {
                    view,
                    any_of: minimal,
                })
            })
            .collect()
    }
}

/// Whether each lead was followed up, from a column of any kind; `None`
/// when no value in it reads as yes or no.
fn followed_up_from(column: &Column) -> Option<Vec<Option<bool>>> {
    let values: Vec<Option<bool>> = match &column.values {
        ColumnValues::Boolean(values) => values.clone(),
        ColumnValues::Category(categories) => {
            let by_code: Vec<Option<bool>> =
                categories.labels().iter().map(|l| parse_bool(l)).collect();
            categories
                .codes()
                .iter()
                .map(|&code| by_code.get(code as usize).copied().flatten())
                .collect()
        }
        ColumnValues::Text(texts) => texts.iter().map(|t| t.and_then(parse_bool)).collect(),
        ColumnValues::Date(dates) => dates.iter().map(|d| Some(d.is_some())).collect(),
        ColumnValues::Time(times) => times.iter().map(|t| Some(t.is_some())).collect(),
        ColumnValues::Number(values) => values.iter().map(|&x| Some(x > 0.0)).collect(),
    };
    let readable = values.is_empty() || values.iter().any(Option::is_some);
    readable.then_some(values)
}

/// Hours from `created` to `touched`; NaN when either is missing or the
/// touch comes first.
fn hours_between(created: Option<i64>, touched: Option<i64>) -> f64 {
    match (created, touched) {
        (Some(created), Some(touched)) => match touched.checked_sub(created) {
            Some(seconds) if seconds >= 0 => seconds as f64 / SECONDS_PER_HOUR,
            _ => f64::NAN,
        },
        _ => f64::NAN,
    }
}

/// How quickly a lead was first answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseTime {
    UnderOneHour,
    OneToFourHours,
    FourToTwentyFourHours,
    OneToThreeDays,
    OverThreeDays,
    Never,
}

impl ResponseTime {
    /// Every bucket, fastest first.
    pub const ALL: [ResponseTime; 6] = [
        ResponseTime::UnderOneHour,
        ResponseTime::OneToFourHours,
        ResponseTime::FourToTwentyFourHours,
        ResponseTime::OneToThreeDays,
        ResponseTime::OverThreeDays,
        ResponseTime::Never,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ResponseTime::UnderOneHour => "under 1 hour",
            ResponseTime::OneToFourHours => "1–4 hours",
            ResponseTime::FourToTwentyFourHours => "4–24 hours",
            ResponseTime::OneToThreeDays => "1–3 days",
            ResponseTime::OverThreeDays => "over 3 days",
            ResponseTime::Never => "never followed up",
        }
    }

    /// The index in [`ResponseTime::ALL`] of a lead's bucket, or the
    /// length of `ALL` when its response time is unknown.
    pub(crate) fn slot(followed_up: Option<bool>, hours: f64) -> usize {
        if followed_up == Some(false) {
            ResponseTime::Never as usize
        } else if hours >= 0.0 {
            usize::from(hours >= 1.0)
                + usize::from(hours >= 4.0)
                + usize::from(hours >= 24.0)
                + usize::from(hours >= 72.0)
        } else {
            ResponseTime::ALL.len()
        }
    }
}

/// Conversion of the leads in one response-time bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseBucket {
    pub bucket: ResponseTime,
    pub rate: Rate,
    /// Fewer than [`MIN_CELL_LEADS`] leads: not to be shown as exact.
    pub thin: bool,
}

/// A rate in one band, pooled with neighbouring bands where the band alone
/// has too few leads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PooledRate {
    /// The band's own counts.
    pub own: Rate,
    /// The counts of the pool the band belongs to: the figure to show.
    pub pooled: Rate,
    /// Lowest and highest score of the pool (the band's own when alone).
    pub pool_low: i32,
    pub pool_high: i32,
    /// How many bands the pool spans.
    pub pool_bands: usize,
    /// Even pooled with every band there are fewer than [`MIN_CELL_LEADS`].
    pub thin: bool,
}

impl PooledRate {
    /// Whether the band shares its figure with neighbours.
    pub fn is_pooled(&self) -> bool {
        self.pool_bands > 1
    }

    /// The pool's rate, or `None` without leads.
    pub fn value(&self) -> Option<f64> {
        self.pooled.value()
    }

    /// The Wilson 95% interval of the pool's rate.
    pub fn interval(&self) -> Option<(f64, f64)> {
        self.pooled.interval()
    }
}

/// Follow-up and conversion in one score band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FollowUpBand {
    pub low: i32,
    pub high: i32,
    pub leads: usize,
    /// Followed-up leads (as `converted`) out of the leads whose follow-up
    /// is known (as `leads`).
    pub follow_up: PooledRate,
    /// Conversion of the followed-up leads.
    pub when_followed: PooledRate,
    /// Conversion of the leads known not to be followed up.
    pub when_not_followed: PooledRate,
}

/// An expected count with a conservative 95% range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    /// Built from the lower bounds of every rate used, and `high` from the
    /// upper bounds: wider than a joint interval, so it errs towards caution.
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    fn scaled(self, factor: f64) -> Estimate {
        Estimate {
            value: self.value * factor,
            low: self.low * factor,
            high: self.high * factor,
        }
    }
}

/// What the sales-ready leads would have converted to under a follow-up
/// share and, optionally, a response-time commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// The share used, between 0 and 1.
    pub follow_share: f64,
    /// The commitment used, rounded down to the resolution of the response
    /// times kept (5 minutes to 1 hour, 15 minutes to a day, 1 hour to a
    /// week, then a day up to 30 days); `None` without one or without
    /// response times.
    pub sla_hours: Option<f64>,
    pub sales_ready_leads: usize,
    /// Expected conversions; `None` when a rate it needs has no leads at all.
    pub expected: Option<Estimate>,
    /// What the sales-ready leads actually converted to.
    pub historical_conversions: usize,
    /// Expected conversions times the mean deal value of converted
    /// sales-ready leads, where deal values were given and any is known.
    pub expected_revenue: Option<Estimate>,
    /// The deal value of the converted sales-ready leads, where given.
    pub historical_revenue: Option<f64>,
    /// Some rate used shares its figure with neighbouring bands.
    pub pooled: bool,
    /// Some rate used rests on fewer than [`MIN_CELL_LEADS`] leads even
    /// pooled over every sales-ready band.
    pub thin: bool,
}

/// Leads, follow-up and conversion tallied for one band.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Cells {
    leads: usize,
    converted: usize,
    /// Followed up (as `converted`) of known follow-up (as `leads`).
    follow_up: Rate,
    followed: Rate,
    not_followed: Rate,
}

/// Leads of one band counted by follow-up (unknown, not, followed) and
/// outcome, indexed by [`tally_slot`]: one increment per lead, no branches.
type Tally = [usize; 6];

fn tally_slot(followed_up: Option<bool>, converted: bool) -> usize {
    let follow_up = match followed_up {
        None => 0,
        Some(false) => 2,
        Some(true) => 4,
    };
    follow_up + usize::from(converted)
}

impl Cells {
    fn from_tally(t: &Tally) -> Cells {
        let followed = Rate {
            converted: t[5],
            leads: t[4] + t[5],
        };
        let not_followed = Rate {
            converted: t[3],
            leads: t[2] + t[3],
        };
        Cells {
            leads: t.iter().sum(),
            converted: t[1] + t[3] + t[5],
            follow_up: Rate {
                converted: followed.leads,
                leads: followed.leads + not_followed.leads,
            },
            followed,
            not_followed,
        }
    }
}

/// Response-time resolution kept for the SLA what-if, as segments of equal
/// bins: `(start, end, bins per hour, index of the first bin, bins)`. 5
/// minutes to an hour, 15 minutes to a day, an hour to a week, a day to 30
/// days; beyond, one open bin.
pub(crate) const SLA_SEGMENTS: [(f64, f64, f64, usize, usize); 4] = [
    (0.0, 1.0, 12.0, 0, 12),
    (1.0, 24.0, 4.0, 12, 92),
    (24.0, 168.0, 1.0, 104, 144),
    (168.0, 720.0, 1.0 / 24.0, 248, 23),
];
/// The bins of [`SLA_SEGMENTS`] and the open one.
pub(crate) const SLA_BINS: usize = 272;
/// Slack for float rounding at bin edges.
pub(crate) const EDGE_SLACK: f64 = 1e-9;

/// Where a lead's response falls, as the pattern query puts it: the
/// response-time bucket (an index into [`ResponseTime::ALL`], or its length
/// when the time is unknown) and, for an answered lead, the SLA bin of the
/// what-if.
pub fn response_slots(followed_up: Option<bool>, hours: f64) -> (usize, Option<usize>) {
    let bucket = ResponseTime::slot(followed_up, hours);
    (
        bucket,
        (bucket < ResponseTime::Never as usize).then(|| sla_bin(hours)),
    )
}

/// A response time in hours that falls in response-time bucket `bucket`
/// (an index into [`ResponseTime::ALL`]) and, for an answered lead, in the
/// SLA bin `bin`, as a warehouse query put a lead's time into both: what
/// stands for those leads where only the bins are known. NaN for leads
/// never followed up or of unknown time (`bucket` at
/// [`ResponseTime::Never`] or beyond); `None` when no time falls in both.
pub fn hours_standing_for(bucket: usize, bin: Option<usize>) -> Option<f64> {
    if bucket >= ResponseTime::Never as usize {
        return Some(f64::NAN);
    }
    let bin = bin.filter(|&b| b < SLA_BINS)?;
    let candidates = match SLA_SEGMENTS
        .iter()
        .find(|&&(_, _, _, first, count)| (first..first + count).contains(&bin))
    {
        Some(&(start, _, per_hour, first, _)) => {
            let low = start + (bin - first) as f64 / per_hour;
            let high = start + (bin - first + 1) as f64 / per_hour;
            [high, (low + high) / 2.0, high - 1e-6]
        }
        None => [1_440.0; 3],
    };
    candidates
        .into_iter()
        .find(|&h| ResponseTime::slot(None, h) == bucket && sla_bin(h) == bin)
}

/// The bin of a known response time (hours ≥ 0); bins include their upper
/// edge, so a lead answered in exactly one hour is within a one-hour SLA.
///
/// Runs once per answered sales-ready lead, so it avoids branches (response
/// times jump between segments unpredictably) and the libm `ceil` call.
fn sla_bin(hours: f64) -> usize {
    let beyond: usize = SLA_SEGMENTS
        .iter()
        .map(|&(_, end, ..)| usize::from(hours > end))
        .sum();
    let (start, _, per_hour, first, count) = SLA_SEGMENTS[beyond.min(SLA_SEGMENTS.len() - 1)];
    // Beyond the last segment only the open bin is used; keep the
    // arithmetic in range for any finite time.
    let x = ((hours - start) * per_hour - EDGE_SLACK).min(count as f64);
    let whole = x as usize;
    let ceil = (whole + usize::from((whole as f64) < x)).clamp(1, count);
    [first + ceil - 1, SLA_BINS - 1][usize::from(beyond == SLA_SEGMENTS.len())]
}

/// How many bins lie wholly within `sla` hours, and the upper edge of the
/// last of them.
fn sla_cutoff(sla: f64) -> (usize, f64) {
    let mut edge = 0.0;
    for (start, end, per_hour, first, count) in SLA_SEGMENTS {
        let within = ((sla - start) * per_hour + EDGE_SLACK).floor();
        if within < count as f64 {
            let within = within.max(0.0);
            if within > 0.0 {
                edge = start + within / per_hour;
            }
            return (first + within as usize, edge);
        }
        edge = end;
    }
    (SLA_BINS - 1, edge)
}

/// Adjacent cells grouped until each group has at least [`MIN_CELL_LEADS`]
/// leads (or only one group is left): repeatedly the smallest group below
/// the minimum (the lowest on ties) joins its smaller neighbour (the lower
/// on ties). Returns `(first, last, summed rate)` per group, in order.
fn pool_adjacent(cells: &[Rate]) -> Vec<(usize, usize, Rate)> {
    let mut groups: Vec<(usize, usize, Rate)> =
        cells.iter().enumerate().map(|(i, &r)| (i, i, r)).collect();
    while groups.len() > 1 {
        let Some(small) = (0..groups.len())
            .filter(|&g| groups[g].2.leads < MIN_CELL_LEADS)
            .min_by_key(|&g| groups[g].2.leads)
        else {
            break;
        };
        let left = small.checked_sub(1);
        let right = (small + 1 < groups.len()).then_some(small + 1);
        let into = match (left, right) {
            (Some(l), Some(r)) if groups[r].2.leads < groups[l].2.leads => r,
            (Some(l), _) => l,
            (None, Some(r)) => r,
            (None, None) => break,
        };
        let (a, b) = (small.min(into), small.max(into));
        let removed = groups.remove(b);
        let kept = &mut groups[a];
        kept.1 = removed.1;
        kept.2.leads += removed.2.leads;
        kept.2.converted += removed.2.converted;
    }
    groups
}

/// Each band's rate, pooled as [`pool_adjacent`] groups them.
fn pooled_rates(bands: &[ScoreBand], cells: &[Rate]) -> Vec<PooledRate> {
    let mut rates = Vec::with_capacity(cells.len());
    for (first, last, pooled) in pool_adjacent(cells) {
        for &own in &cells[first..=last] {
            rates.push(PooledRate {
                own,
                pooled,
                pool_low: bands[first].low,
                pool_high: bands[last].high,
                pool_bands: last - first + 1,
                thin: pooled.leads < MIN_CELL_LEADS,
            });
        }
    }
    rates
}

/// Follow-up effects of one scenario on one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpAnalysis {
    pub threshold: i32,
    /// Whether follow-up is known at all (else every follow-up rate is empty).
    pub has_follow_up: bool,
    /// Whether response times are known (else `response_times` is empty).
    pub has_response_time: bool,
    /// Round-width bands, aligned with [`crate::core::metrics::banded`].
    pub bands: Vec<FollowUpBand>,
    /// Conversion by response time, fastest first, "never" last; empty
    /// without response times.
    pub response_times: Vec<ResponseBucket>,
    /// Conversion among sales-ready leads (score ≥ threshold).
    pub sales_ready: Rate,
    /// Followed-up sales-ready leads (as `converted`) out of those whose
    /// follow-up is known (as `leads`): the default what-if share.
    pub sales_ready_follow_up: Rate,
    /// Index into `bands` of the first band holding sales-ready scores.
    first_ready_band: usize,
    /// Sales-ready tallies of `bands[first_ready_band..]`.
    ready: Vec<Cells>,
    /// Per sales-ready band, [`SLA_BINS`] bins of leads answered (as
    /// `leads`) and converted; empty without response times.
    ready_answered: Vec<Rate>,
    /// Deal value of converted sales-ready leads: total, and how many known.
    ready_revenue: Option<(f64, usize)>,
}

impl FollowUpAnalysis {
    /// Tallies follow-up and conversion per band of `scores` (at most
    /// `max_bands` bands, as [`crate::core::metrics::banded`] draws them),
    /// per response time, and for the sales-ready leads (score ≥
    /// `threshold`), in one pass over the leads after one over the scores
    /// for their range. `deal_values` (NaN where missing) feed the
    /// revenue of the what-if. Leads beyond the shorter of `outcomes` and
    /// `scores` are ignored.
    pub fn compute(
        facts: &FollowUpFacts,
        outcomes: &[bool],
        scores: &[i32],
        threshold: i32,
        max_bands: usize,
        deal_values: Option<&[f64]>,
    ) -> FollowUpAnalysis {
        let leads = outcomes.len().min(scores.len());
        let scores = &scores[..leads];
        let (min, max) = scores
            .iter()
            .fold((i32::MAX, i32::MIN), |(lo, hi), &s| (lo.min(s), hi.max(s)));
        // The edges alone, from the extremes: the same bands as the chart's.
        let edges = if leads == 0 {
            Vec::new()
        } else {
            banded([(min, 0, 0), (max, 0, 0)].into_iter(), max_bands).bands
        };
        // Bands are few (at most `max_bands`), and the first or last may be
        // cut short at the ends of the i32 range: look the band up.
        let last_band = edges.len().saturating_sub(1);
        let band_of = |score: i32| edges.partition_point(|b| b.high < score).min(last_band);
        let first_ready_band = edges
            .iter()
            .position(|b| b.high >= threshold)
            .unwrap_or(edges.len());

        let followed_up = facts.followed_up.as_deref();
        let hours = facts.response_hours.as_deref();
        // Per band, the tallies of the leads below and at the threshold.
        let mut tallies = vec![[0usize; 6]; 2 * edges.len()];
        let ready_bands = edges.len() - first_ready_band;
        let mut answered = vec![
            Rate::default();
            if hours.is_some() {
                ready_bands * SLA_BINS
            } else {
                0
            }
        ];
        // Per response-time bucket (and a last slot for unknown times),
        // leads not converted and converted.
        let mut by_time = [0usize; 2 * (ResponseTime::ALL.len() + 1)];
        let mut revenue = (0.0, 0usize);

        let weights = facts.weights.as_ref();
        for (i, (&score, &converted)) in scores.iter().zip(outcomes).enumerate() {
            // The leads this row stands for, and of them the converted
            // ones with a deal value (one lead each unless weighted).
            let (weight, valued) = weights.map_or((1, 1), |(w, d)| (w[i], d[i]));
            let followed = followed_up.and_then(|v| v.get(i).copied().flatten());
            let band = band_of(score);
            let is_ready = score >= threshold;
            tallies[2 * band + usize::from(is_ready)][tally_slot(followed, converted)] += weight;
            if converted && is_ready {
                if let Some(&value) = deal_values.and_then(|d| d.get(i)) {
                    if value.is_finite() {
                        revenue.0 += value;
                        revenue.1 += valued;
                    }
                }
            }
            let Some(hours) = hours else { continue };
            let h = hours.get(i).copied().unwrap_or(f64::NAN);
            let time = ResponseTime::slot(followed, h);
            by_time[2 * time + usize::from(converted)] += weight;
            if is_ready && time < ResponseTime::Never as usize {
                // A sales-ready score lies in a band reaching the threshold.
                let Some(ready_band) = band.checked_sub(first_ready_band) else {
                    continue;
                };
                let cell = &mut answered[ready_band * SLA_BINS + sla_bin(h)];
                cell.leads += weight;
                if converted {
                    cell.converted += weight;
                }
            }
        }
        let all: Vec<Cells> = tallies
            .chunks_exact(2)
            .map(|pair| {
                let mut sum = pair[0];
                for (s, r) in sum.iter_mut().zip(&pair[1]) {
                    *s += r;
                }
                Cells::from_tally(&sum)
            })
            .collect();
        let ready: Vec<Cells> = tallies[2 * first_ready_band..]
            .chunks_exact(2)
            .map(|pair| Cells::from_tally(&pair[1]))
            .collect();

        let column = |pick: fn(&Cells) -> Rate| all.iter().map(pick).collect::<Vec<Rate>>();
        let follow_up = pooled_rates(&edges, &column(|c| c.follow_up));
        let when_followed = pooled_rates(&edges, &column(|c| c.followed));
        let when_not_followed = pooled_rates(&edges, &column(|c| c.not_followed));
        let bands = edges
            .iter()
            .enumerate()
            .map(|(i, b)| FollowUpBand {
                low: b.low,
                high: b.high,
                leads: all[i].leads,
                follow_up: follow_up[i],
                when_followed: when_followed[i],
                when_not_followed: when_not_followed[i],
            })
            .collect();
        let response_times = if hours.is_some() {
            ResponseTime::ALL
                .iter()
                .filter(|&&b| b != ResponseTime::Never || followed_up.is_some())
                .map(|&bucket| {
                    let slot = 2 * bucket as usize;
                    let rate = Rate {
                        converted: by_time[slot + 1],
                        leads: by_time[slot] + by_time[slot + 1],
                    };
                    ResponseBucket {
                        bucket,
                        rate,
                        thin: rate.leads < MIN_CELL_LEADS,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let sales_ready = ready.iter().fold(Rate::default(), |sum, c| Rate {
            leads: sum.leads + c.leads,
            converted: sum.converted + c.converted,
        });
        let sales_ready_follow_up = ready.iter().fold(Rate::default(), |sum, c| Rate {
            leads: sum.leads + c.follow_up.leads,
            converted: sum.converted + c.follow_up.converted,
        });
        FollowUpAnalysis {
            threshold,
            has_follow_up: followed_up.is_some(),
            has_response_time: hours.is_some(),
            bands,
            response_times,
            sales_ready,
            sales_ready_follow_up,
            first_ready_band,
            ready,
            ready_answered: answered,
            ready_revenue: deal_values.map(|_| revenue),
        }
    }

    /// The observed share of sales-ready leads followed up: the what-if's
    /// starting point.
    pub fn observed_share(&self) -> Option<f64> {
        self.sales_ready_follow_up.value()
    }

    /// Expected conversions of the sales-ready leads had sales followed up
    /// `follow_share` of them (clamped to 0..=1; NaN means the observed
    /// share) and, with `sla_hours`, answered those within that many hours.
    ///
    /// Per sales-ready band: leads × (share × conversion when followed up
    /// [within the SLA] + (1 − share) × conversion when not), with each
    /// conversion pooled over neighbouring sales-ready bands where a band
    /// has fewer than [`MIN_CELL_LEADS`] such leads. The range takes the
    /// Wilson lower bounds of every rate for its low end and the upper
    /// bounds for its high end, so it is conservative (wider than a joint
    /// 95% interval).
    pub fn what_if(&self, follow_share: f64, sla_hours: Option<f64>) -> WhatIf {
        let share = if follow_share.is_nan() {
            self.observed_share().unwrap_or(0.0)
        } else {
            follow_share.clamp(0.0, 1.0)
        };
        let sla = sla_hours.filter(|h| !h.is_nan() && !self.ready_answered.is_empty());
        let (followed, sla_hours) = match sla {
            Some(sla) => {
                let (bins, edge) = sla_cutoff(sla);
                let cells = self
                    .ready_answered
                    .chunks(SLA_BINS)
                    .map(|bins_of_band| {
                        bins_of_band[..bins]
                            .iter()
                            .fold(Rate::default(), |sum, r| Rate {
                                leads: sum.leads + r.leads,
                                converted: sum.converted + r.converted,
                            })
                    })
                    .collect();
                (cells, Some(edge))
            }
            None => (
                self.ready.iter().map(|c| c.followed).collect::<Vec<_>>(),
                None,
            ),
        };
        let not_followed: Vec<Rate> = self.ready.iter().map(|c| c.not_followed).collect();

        let mut expected = Some(Estimate {
            value: 0.0,
            low: 0.0,
            high: 0.0,
        });
        let (mut pooled, mut thin) = (false, false);
        for (weight, cells) in [(share, &followed), (1.0 - share, &not_followed)] {
            if weight <= 0.0 {
                continue;
            }
            for (first, last, rate) in pool_adjacent(cells) {
                let leads: usize = self.ready[first..=last].iter().map(|c| c.leads).sum();
                if leads == 0 {
                    continue;
                }
                pooled |= last > first;
                thin |= rate.leads < MIN_CELL_LEADS;
                expected = match (expected, rate.value(), rate.interval()) {
                    (Some(sum), Some(value), Some((low, high))) => {
                        let n = leads as f64 * weight;
                        Some(Estimate {
                            value: sum.value + n * value,
                            low: sum.low + n * low,
                            high: sum.high + n * high,
                        })
                    }
                    _ => None,
                };
            }
        }

        let mean_deal = self
            .ready_revenue
            .filter(|&(_, known)| known > 0)
            .map(|(total, known)| total / known as f64);
        WhatIf {
            follow_share: share,
            sla_hours,
            sales_ready_leads: self.sales_ready.leads,
            expected,
            historical_conversions: self.sales_ready.converted,
            expected_revenue: expected.zip(mean_deal).map(|(e, mean)| e.scaled(mean)),
            historical_revenue: self.ready_revenue.map(|(total, _)| total),
            pooled,
            thin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, DataOrigin, Texts};
    use crate::core::metrics::wilson_interval;
    use crate::core::metrics::Z_95;

    const NAN: f64 = f64::NAN;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn rate(converted: usize, leads: usize) -> Rate {
        Rate { converted, leads }
    }

    /// Leads per band of ten, by hand:
    ///
    /// | band  | followed (conv.), response          | not (conv.) | unknown |
    /// |-------|-------------------------------------|-------------|---------|
    /// | 0–9   | 10 (2) at 0.5 h, 30 (2) at 30 h     | 60 (3)      |         |
    /// | 10–19 | 50 (10) at 2 h                      | 50 (5)      | 5 (0)   |
    /// | 20–29 | 30 (15) at 0.5 h, 30 (6) at 10 h    | 40 (4)      |         |
    /// | 30–39 | 20 (12) at 0.5 h                    | 5 (1)       |         |
    /// | 40–49 | 50 (30) at 0.5 h                    | 30 (6)      |         |
    struct Leads {
        outcomes: Vec<bool>,
        scores: Vec<i32>,
        followed: Vec<Option<bool>>,
        hours: Vec<f64>,
        deals: Vec<f64>,
    }

    fn fixture() -> Leads {
        let groups: &[(usize, i32, Option<bool>, f64, bool)] = &[
            (8, 5, Some(true), 0.5, false),
            (2, 5, Some(true), 0.5, true),
            (28, 5, Some(true), 30.0, false),
            (2, 5, Some(true), 30.0, true),
            (57, 5, Some(false), NAN, false),
            (3, 5, Some(false), NAN, true),
            (40, 10, Some(true), 2.0, false),
            (10, 10, Some(true), 2.0, true),
            (45, 10, Some(false), NAN, false),
            (5, 10, Some(false), NAN, true),
            (5, 19, None, NAN, false),
            (15, 20, Some(true), 0.5, false),
            (15, 20, Some(true), 0.5, true),
            (24, 20, Some(true), 10.0, false),
            (6, 20, Some(true), 10.0, true),
            (36, 20, Some(false), NAN, false),
            (4, 20, Some(false), NAN, true),
            (8, 39, Some(true), 0.5, false),
            (12, 39, Some(true), 0.5, true),
            (4, 39, Some(false), NAN, false),
            (1, 39, Some(false), NAN, true),
            (20, 45, Some(true), 0.5, false),
            (30, 45, Some(true), 0.5, true),
            (24, 45, Some(false), NAN, false),
            (6, 45, Some(false), NAN, true),
        ];
        let mut leads = Leads {
            outcomes: Vec::new(),
            scores: Vec::new(),
            followed: Vec::new(),
            hours: Vec::new(),
            deals: Vec::new(),
        };
        for &(count, score, followed, hours, converted) in groups {
            for _ in 0..count {
                leads.outcomes.push(converted);
                leads.scores.push(score);
                leads.followed.push(followed);
                leads.hours.push(hours);
                // Converted sales-ready leads: 30 at 2,000 and 44 at 1,000.
                leads.deals.push(match (score, followed, converted) {
                    (45, Some(true), true) => 2000.0,
                    (5, _, _) => 99_999.0,
                    (39, _, false) => NAN,
                    _ => 1000.0,
                });
            }
        }
        leads
    }

    fn analyse(leads: &Leads, threshold: i32) -> FollowUpAnalysis {
        let facts =
            FollowUpFacts::from_values(Some(leads.followed.clone()), Some(leads.hours.clone()));
        FollowUpAnalysis::compute(
            &facts,
            &leads.outcomes,
            &leads.scores,
            threshold,
            5,
            Some(&leads.deals),
        )
    }

    #[test]
    fn bands_match_the_distribution_and_pool_small_cells() {
        let leads = fixture();
        let a = analyse(&leads, 20);
        let edges: Vec<(i32, i32)> = a.bands.iter().map(|b| (b.low, b.high)).collect();
        let chart = crate::core::metrics::score_distribution(&leads.scores, &leads.outcomes, 5);
        let chart_edges: Vec<(i32, i32)> = chart.bands.iter().map(|b| (b.low, b.high)).collect();
        assert_eq!(edges, chart_edges);
        assert_eq!(edges, [(0, 9), (10, 19), (20, 29), (30, 39), (40, 49)]);
        assert_eq!(
            a.bands.iter().map(|b| b.leads).collect::<Vec<_>>(),
            [100, 105, 100, 25, 80]
        );

        // Band 30–39 is too small in every cell; its smaller neighbour is
        // 40–49 each time (80 < 100 known, 50 < 60 followed, 30 < 40 not).
        let (b2, b3, b4) = (&a.bands[2], &a.bands[3], &a.bands[4]);
        assert_eq!(b2.follow_up.pooled, rate(60, 100));
        assert!(!b2.follow_up.is_pooled());
        assert_eq!(b3.follow_up.own, rate(20, 25));
        assert_eq!(b3.follow_up.pooled, rate(70, 105));
        assert_eq!(b4.follow_up.pooled, rate(70, 105));
        assert_eq!((b3.follow_up.pool_low, b3.follow_up.pool_high), (30, 49));
        assert!(b3.follow_up.is_pooled() && b4.follow_up.is_pooled());
        assert_eq!(b3.when_followed.pooled, rate(42, 70));
        assert_eq!(b3.when_not_followed.pooled, rate(7, 35));
        assert!(!b3.when_not_followed.thin);
        assert_eq!(b2.when_followed.pooled, rate(21, 60));
        assert_eq!(b2.when_not_followed.pooled, rate(4, 40));

        // Unknown follow-up counts as a lead but not in the follow-up rate.
        assert_eq!(a.bands[1].follow_up.pooled, rate(50, 100));
        assert_eq!(a.bands[0].when_followed.pooled, rate(4, 40));
        assert_eq!(a.bands[0].when_not_followed.pooled, rate(3, 60));
    }

    #[test]
    fn response_time_buckets_count_by_hand() {
        let a = analyse(&fixture(), 20);
        let found: Vec<(ResponseTime, Rate, bool)> = a
            .response_times
            .iter()
            .map(|b| (b.bucket, b.rate, b.thin))
            .collect();
        assert_eq!(
            found,
            [
                (ResponseTime::UnderOneHour, rate(59, 110), false),
                (ResponseTime::OneToFourHours, rate(10, 50), false),
                (ResponseTime::FourToTwentyFourHours, rate(6, 30), false),
                (ResponseTime::OneToThreeDays, rate(2, 30), false),
                (ResponseTime::OverThreeDays, rate(0, 0), true),
                (ResponseTime::Never, rate(19, 185), false),
            ]
        );
        assert_eq!(ResponseTime::OneToFourHours.label(), "1–4 hours");
    }

    #[test]
    fn sales_ready_figures_and_observed_follow_up() {
        let a = analyse(&fixture(), 20);
        assert_eq!(a.sales_ready, rate(74, 205));
        assert_eq!(a.sales_ready_follow_up, rate(130, 205));
        assert!(close(a.observed_share().unwrap(), 130.0 / 205.0));
    }

    #[test]
    fn what_if_follows_the_hand_computed_rates() {
        // Sales-ready bands 20–29 (100 leads), 30–39 (25) and 40–49 (80).
        // Followed: 21/60 = 0.35, and 30–39 pooled with 40–49: 42/70 = 0.6.
        // Not followed: 4/40 = 0.1, and pooled 7/35 = 0.2.
        // Expected = 100(0.35s + 0.1(1−s)) + 105(0.6s + 0.2(1−s)) = 31 + 67s.
        let a = analyse(&fixture(), 20);
        for (share, expected) in [(0.15, 41.05), (1.0, 98.0), (0.0, 31.0)] {
            let w = a.what_if(share, None);
            assert!(close(w.expected.unwrap().value, expected), "{share}: {w:?}");
            assert!(w.pooled && !w.thin);
            assert_eq!(w.sales_ready_leads, 205);
            assert_eq!(w.historical_conversions, 74);
            assert_eq!(w.sla_hours, None);
        }
        let observed = a.what_if(a.observed_share().unwrap(), None);
        assert!(close(
            observed.expected.unwrap().value,
            31.0 + 67.0 * 130.0 / 205.0
        ));
        // NaN falls back to the observed share; out-of-range shares clamp.
        assert!(close(a.what_if(NAN, None).follow_share, 130.0 / 205.0));
        assert_eq!(a.what_if(1.7, None).follow_share, 1.0);
    }

    #[test]
    fn what_if_range_uses_the_bounds_of_each_rate() {
        let a = analyse(&fixture(), 20);
        let e = a.what_if(1.0, None).expected.unwrap();
        let lo = |c, n| wilson_interval(c, n, Z_95).unwrap().0;
        let hi = |c, n| wilson_interval(c, n, Z_95).unwrap().1;
        assert!(close(e.low, 100.0 * lo(21, 60) + 105.0 * lo(42, 70)));
        assert!(close(e.high, 100.0 * hi(21, 60) + 105.0 * hi(42, 70)));
        let e = a.what_if(0.15, None).expected.unwrap();
        let low = 0.15 * (100.0 * lo(21, 60) + 105.0 * lo(42, 70))
            + 0.85 * (100.0 * lo(4, 40) + 105.0 * lo(7, 35));
        assert!(close(e.low, low));
        assert!(e.low < e.value && e.value < e.high);
    }

    #[test]
    fn what_if_with_an_sla_uses_only_leads_answered_in_time() {
        // Within an hour: 20–29 has 30 (15), 30–39 has 20 (12) and pools
        // with 20–29 (30 < 50): 27/50 = 0.54; 40–49 has 50 (30) = 0.6.
        // Expected = s(100·0.54 + 25·0.54 + 80·0.6) + 31(1−s) = 115.5s + 31(1−s).
        let a = analyse(&fixture(), 20);
        let w = a.what_if(1.0, Some(1.0));
        assert_eq!(w.sla_hours, Some(1.0));
        assert!(close(w.expected.unwrap().value, 115.5));
        assert!(close(
            a.what_if(0.15, Some(1.0)).expected.unwrap().value,
            0.15 * 115.5 + 0.85 * 31.0
        ));
        // An SLA is resolved down to the kept resolution.
        assert_eq!(a.what_if(1.0, Some(1.1)).sla_hours, Some(1.0));
        // Twelve hours takes in the 10-hour leads too: as without an SLA.
        let w = a.what_if(1.0, Some(12.0));
        assert_eq!(w.sla_hours, Some(12.0));
        assert!(close(w.expected.unwrap().value, 98.0));
        // Nobody was answered within a quarter hour: no rate to go on.
        assert_eq!(a.what_if(0.5, Some(0.25)).expected, None);
        assert!(close(
            a.what_if(0.0, Some(0.25)).expected.unwrap().value,
            31.0
        ));
    }

    #[test]
    fn what_if_revenue_uses_the_mean_deal_of_converted_sales_ready_leads() {
        let a = analyse(&fixture(), 20);
        let w = a.what_if(1.0, None);
        let mean = 104_000.0 / 74.0;
        let revenue = w.expected_revenue.unwrap();
        assert!(close(revenue.value, 98.0 * mean));
        assert!(close(revenue.low, w.expected.unwrap().low * mean));
        assert_eq!(w.historical_revenue, Some(104_000.0));

        let leads = fixture();
        let facts = FollowUpFacts::from_values(Some(leads.followed.clone()), None);
        let plain = FollowUpAnalysis::compute(&facts, &leads.outcomes, &leads.scores, 20, 5, None);
        assert_eq!(plain.what_if(1.0, None).expected_revenue, None);
        assert!(plain.response_times.is_empty());
        // Without response times an SLA cannot apply.
        assert_eq!(plain.what_if(1.0, Some(1.0)).sla_hours, None);
    }

    #[test]
    fn a_threshold_inside_a_band_counts_only_sales_ready_leads() {
        // At 25 the 20–29 band holds no sales-ready lead; its empty cells
        // pool upwards, and the small 30–39 cells pool with 40–49.
        let a = analyse(&fixture(), 25);
        assert_eq!(a.sales_ready, rate(49, 105));
        let w = a.what_if(1.0, None);
        assert!(close(w.expected.unwrap().value, 105.0 * 0.6));
        assert!(close(a.what_if(0.0, None).expected.unwrap().value, 21.0));
    }

    #[test]
    fn what_if_on_tiny_data_is_flagged_thin() {
        let facts = FollowUpFacts::from_values(Some(vec![Some(true), Some(false)]), None);
        let a = FollowUpAnalysis::compute(&facts, &[true, false], &[10, 10], 0, 5, None);
        let w = a.what_if(0.5, None);
        assert!(w.thin);
        assert!(close(
            w.expected.unwrap().value,
            2.0 * (0.5 * 1.0 + 0.5 * 0.0)
        ));
        assert!(a.bands[0].when_followed.thin);
    }

    #[test]
    fn pooling_joins_the_smallest_cell_with_its_smaller_neighbour() {
        let cells = |sizes: &[usize]| sizes.iter().map(|&n| rate(0, n)).collect::<Vec<_>>();
        let spans = |sizes: &[usize]| {
            pool_adjacent(&cells(sizes))
                .iter()
                .map(|&(a, b, r)| (a, b, r.leads))
                .collect::<Vec<_>>()
        };
        // 5 joins 20 (not 50); then 10 joins 50; then 25 joins 60 (< 100).
        assert_eq!(spans(&[10, 50, 5, 20, 100]), [(0, 3, 85), (4, 4, 100)]);
        // Ties go to the lower neighbour.
        assert_eq!(spans(&[40, 5, 40]), [(0, 1, 45), (2, 2, 40)]);
        // Everything pooled and still small: one group, left to be flagged.
        assert_eq!(spans(&[5, 10]), [(0, 1, 15)]);
        assert_eq!(spans(&[30, 31]), [(0, 0, 30), (1, 1, 31)]);
    }

    #[test]
    fn a_stand_in_time_falls_in_the_bucket_and_bin_of_the_times_it_stands_for() {
        // Times on and around every bucket and bin edge, and between them.
        let mut times: Vec<f64> = vec![0.0, 1e-12, 719.99, 720.0, 720.0001, 5_000.0, 1e300];
        for (start, end, per_hour, _, count) in SLA_SEGMENTS {
            for k in 0..=count {
                let edge = start + k as f64 / per_hour;
                for d in [-1e-6, -1e-10, 0.0, 1e-10, 1e-6, 0.3 / per_hour] {
                    times.push((edge + d).clamp(0.0, end + 1.0));
                }
            }
        }
        for h in times {
            let (bucket, bin) = (ResponseTime::slot(None, h), sla_bin(h));
            let stand_in = hours_standing_for(bucket, Some(bin))
                .unwrap_or_else(|| panic!("no stand-in for {h} h"));
            assert_eq!(ResponseTime::slot(None, stand_in), bucket, "{h} h");
            assert_eq!(sla_bin(stand_in), bin, "{h} h");
        }
        assert!(hours_standing_for(ResponseTime::Never as usize, None)
            .unwrap()
            .is_nan());
        assert_eq!(hours_standing_for(0, None), None);
        assert_eq!(
            hours_standing_for(0, Some(200)),
            None,
            "no time under an hour is in bin 200"
        );
    }

    #[test]
    fn sla_bins_include_their_upper_edge() {
        assert_eq!(sla_bin(0.0), 0);
        assert_eq!(sla_bin(1.0 / 12.0), 0);
        assert_eq!(sla_bin(1.0), 11);
        assert_eq!(sla_bin(1.1), 12);
        assert_eq!(sla_bin(10_000.0), SLA_BINS - 1);
        assert_eq!(sla_cutoff(1.0), (12, 1.0));
        assert_eq!(sla_cutoff(0.01), (0, 0.0));
        assert_eq!(sla_cutoff(-3.0), (0, 0.0));
        assert_eq!(sla_cutoff(48.5), (12 + 92 + 24, 48.0));
        assert_eq!(sla_cutoff(1e9), (SLA_BINS - 1, 720.0));
        // A lead is within an SLA exactly when its bin is below the cutoff.
        for hours in [0.0, 0.05, 0.99, 1.0, 3.3, 24.0, 100.0, 700.0] {
            for sla in [0.5, 1.0, 4.0, 24.0, 72.0, 200.0] {
                let (bins, _) = sla_cutoff(sla);
                assert_eq!(sla_bin(hours) < bins, hours <= sla, "{hours} h, SLA {sla}");
            }
        }
    }

    fn dataset(columns: Vec<Column>) -> Dataset {
        Dataset::new("t", DataOrigin::File, columns).unwrap()
    }

    fn mapped(followed_up: Option<&str>) -> ColumnMapping {
        ColumnMapping {
            followed_up: followed_up.map(Into::into),
            ..ColumnMapping::default()
        }
    }

    #[test]
    fn followed_up_reads_booleans_yes_no_text_dates_and_numbers() {
        let data = dataset(vec![
            Column::new(
                "Bool",
                ColumnValues::Boolean(vec![Some(true), Some(false), None, Some(true)]),
            ),
            Column::new(
                "Cat",
                ColumnValues::Category(Categories::from_values([
                    Some("Yes"),
                    Some("no"),
                    None,
                    Some("maybe"),
                ])),
            ),
            Column::new(
                "Text",
                ColumnValues::Text(Texts::from_values([
                    Some(" y "),
                    Some("FALSE"),
                    Some("later"),
                    None,
                ])),
            ),
            Column::new(
                "Touched",
                ColumnValues::Date(vec![Some(0), None, Some(86_400), None]),
            ),
            Column::new("Calls", ColumnValues::Number(vec![2.0, 0.0, NAN, 1.0])),
        ]);
        let read = |name| FollowUpFacts::new(&data, &mapped(Some(name))).followed_up;
        assert_eq!(
            read("Bool"),
            Some(vec![Some(true), Some(false), None, Some(true)])
        );
        assert_eq!(read("Cat"), Some(vec![Some(true), Some(false), None, None]));
        assert_eq!(
            read("Text"),
            Some(vec![Some(true), Some(false), None, None])
        );
        assert_eq!(
            read("Touched"),
            Some(vec![Some(true), Some(false), Some(true), Some(false)])
        );
        assert_eq!(
            read("Calls"),
            Some(vec![Some(true), Some(false), Some(false), Some(true)])
        );
        // A named column that is not in the data counts as not mapped.
        assert_eq!(read("Nope"), None);
    }

    #[test]
    fn response_time_comes_from_first_touch_minus_created() {
        let hour = 3600;
        let data = dataset(vec![
            Column::new(
                "Created",
                ColumnValues::Date(vec![Some(0), Some(0), Some(2 * hour), None]),
            ),
            Column::new(
                "First touch",
                ColumnValues::Date(vec![Some(2 * hour), None, Some(0), Some(100)]),
            ),
        ]);
        let mapping = ColumnMapping {
            created: Some("Created".into()),
            first_touch: Some("First touch".into()),
            ..ColumnMapping::default()
        };
        let facts = FollowUpFacts::new(&data, &mapping);
        let hours = facts.response_hours.clone().unwrap();
        assert_eq!(hours[0], 2.0);
        assert!(hours[1].is_nan() && hours[2].is_nan() && hours[3].is_nan());
        // Without a followed-up column, a first touch means followed up.
        assert_eq!(
            facts.followed_up,
            Some(vec![Some(true), Some(false), Some(true), Some(true)])
        );
        let missing = facts.missing_columns();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].view, FollowUpView::Revenue);
        assert_eq!(missing[0].any_of, [vec![FollowUpRole::DealValue]]);

        // First touch without a created date: follow-up, but no times.
        let mapping = ColumnMapping {
            created: None,
            ..mapping
        };
        let facts = FollowUpFacts::new(&data, &mapping);
        assert!(facts.response_hours.is_none());
        assert!(facts.followed_up.is_some());
        let response = facts
            .missing_columns()
            .into_iter()
            .find(|m| m.view == FollowUpView::ResponseTime)
            .unwrap();
        assert_eq!(
            response.any_of,
            [
                vec![FollowUpRole::ResponseHours],
                vec![FollowUpRole::Created]
            ]
        );
    }

    #[test]
    fn a_response_hours_column_wins_and_drops_negative_times() {
        let data = dataset(vec![
            Column::new("Hours", ColumnValues::Number(vec![1.5, -2.0, NAN])),
            Column::new("Deal", ColumnValues::Number(vec![10.0, 20.0, 30.0])),
        ]);
        let mapping = ColumnMapping {
            response_hours: Some("Hours".into()),
            deal_value: Some("Deal".into()),
            ..ColumnMapping::default()
        };
        let facts = FollowUpFacts::new(&data, &mapping);
        let hours = facts.response_hours.clone().unwrap();
        assert_eq!(hours[0], 1.5);
        assert!(hours[1].is_nan() && hours[2].is_nan());
        assert_eq!(
            facts.followed_up,
            Some(vec![Some(true), Some(true), Some(false)])
        );
        assert!(facts.missing_columns().is_empty());
    }

    #[test]
    fn nothing_mapped_says_which_columns_would_help() {
        use FollowUpRole::*;
        let data = dataset(vec![Column::new(
            "Score",
            ColumnValues::Number(vec![1.0, 2.0]),
        )]);
        let facts = FollowUpFacts::new(&data, &ColumnMapping::default());
        assert_eq!(facts.followed_up, None);
        assert_eq!(facts.response_hours, None);
        let missing = facts.missing_columns();
        let views: Vec<FollowUpView> = missing.iter().map(|m| m.view).collect();
        assert_eq!(views, FollowUpView::ALL);
        assert_eq!(
            missing[0].any_of,
            [vec![FollowedUp], vec![ResponseHours], vec![FirstTouch]]
        );
        assert_eq!(
            missing[4].any_of,
            [
                vec![FollowedUp, DealValue],
                vec![ResponseHours, DealValue],
                vec![FirstTouch, DealValue]
            ]
        );
        assert_eq!(
            missing[0].to_string(),
            "Map a Followed up column, or a Response time (hours) column, or a \
             First touch (date) column to see follow-up and conversion by score band."
        );

        let a = FollowUpAnalysis::compute(&facts, &[true, false], &[1, 2], 1, 5, None);
        assert!(!a.has_follow_up && !a.has_response_time);
        assert_eq!(a.bands.len(), 2);
        assert_eq!(a.bands[0].follow_up.value(), None);
        assert!(a.response_times.is_empty());
        assert_eq!(a.observed_share(), None);
        assert_eq!(a.what_if(0.5, Some(1.0)).expected, None);
        assert_eq!(a.sales_ready, rate(1, 2));
    }

    #[test]
    fn a_boolean_followed_up_with_no_times_asks_for_times_and_deals() {
        let facts = FollowUpFacts::from_values(Some(vec![Some(true)]), None);
        let missing = facts.missing_columns();
        let views: Vec<FollowUpView> = missing.iter().map(|m| m.view).collect();
        assert_eq!(
            views,
            [
                FollowUpView::ResponseTime,
                FollowUpView::SlaWhatIf,
                FollowUpView::Revenue
            ]
        );
        assert_eq!(missing[2].any_of, [vec![FollowUpRole::DealValue]]);
    }

    #[test]
    fn empty_data_gives_empty_figures() {
        let data = dataset(vec![Column::new(
            "Followed",
            ColumnValues::Boolean(Vec::new()),
        )]);
        let facts = FollowUpFacts::new(&data, &mapped(Some("Followed")));
        assert_eq!(facts.followed_up, Some(Vec::new()));
        let a = FollowUpAnalysis::compute(&facts, &[], &[], 10, 30, Some(&[]));
        assert!(a.bands.is_empty());
        assert_eq!(a.sales_ready, rate(0, 0));
        let w = a.what_if(0.15, None);
        assert_eq!(w.expected.map(|e| e.value), Some(0.0));
        assert_eq!(w.expected_revenue, None);
        assert_eq!(w.historical_revenue, Some(0.0));
    }

    #[test]
    fn a_single_outcome_class_does_not_break_the_rates() {
        let n = 40;
        let followed: Vec<Option<bool>> = (0..n).map(|i| Some(i % 2 == 0)).collect();
        let hours: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 0.5 } else { NAN }).collect();
        let facts = FollowUpFacts::from_values(Some(followed), Some(hours));
        let scores = vec![50; n];
        for converted in [true, false] {
            let outcomes = vec![converted; n];
            let a = FollowUpAnalysis::compute(&facts, &outcomes, &scores, 50, 30, None);
            let value = if converted { 1.0 } else { 0.0 };
            assert_eq!(a.bands[0].when_followed.value(), Some(value));
            let w = a.what_if(1.0, Some(1.0));
            let e = w.expected.unwrap();
            assert!(close(e.value, 40.0 * value));
            assert!(e.low <= e.value && e.value <= e.high);
            assert!(w.thin); // 20 followed-up leads in the only band
            assert_eq!(a.response_times[0].rate.leads, 20);
        }
    }

    #[test]
    fn short_fact_vectors_count_as_unknown() {
        let facts = FollowUpFacts::from_values(Some(vec![Some(true)]), Some(vec![0.5]));
        let a = FollowUpAnalysis::compute(&facts, &[true, true, false], &[1, 2, 3], 0, 5, None);
        assert_eq!(a.sales_ready_follow_up, rate(1, 1));
        assert_eq!(a.sales_ready, rate(2, 3));
    }
}
