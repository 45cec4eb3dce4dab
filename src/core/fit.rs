//! Suggested points: an L2-regularised logistic regression of the outcome
//! on the criteria's rule indicators (a per-unit rule by its unit count),
//! fitted in the open so the room can see what the data would weigh each
//! criterion at, next to the points it agreed.
//!
//! The leads enter grouped by their pattern of rule matches, as the replay
//! engine keeps them ([`crate::core::engine::Grouping`]): a pattern's leads
//! and conversions are its weights, so a fit over a million leads costs no
//! more than one over their few hundred patterns. Newton's method on the
//! penalised log-likelihood converges in a handful of steps; the standard
//! errors come from the inverse of the penalised Hessian at the optimum.

use std::fmt;

use super::criteria::{bound_points, Criterion, RuleTest, Scenario};
use super::engine::{ready_by_threshold, Grouping, Replay};

/// Observations grouped by their features: `features` holds `columns`
/// values per group, one group after another.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    pub columns: usize,
    pub features: Vec<f64>,
    /// Per group, how many observations it holds and how many of them are
    /// positive (converted).
    pub leads: Vec<f64>,
    pub converted: Vec<f64>,
}

impl Design {
    pub fn new(columns: usize) -> Design {
        Design {
            columns,
            ..Design::default()
        }
    }

    /// Adds a group of `leads` observations with `converted` positives.
    pub fn push(&mut self, features: &[f64], leads: f64, converted: f64) {
        debug_assert_eq!(features.len(), self.columns);
        self.features.extend_from_slice(features);
        self.leads.push(leads);
        self.converted.push(converted);
    }

    fn groups(&self) -> usize {
        self.leads.len()
    }

    fn row(&self, group: usize) -> &[f64] {
        &self.features[group * self.columns..(group + 1) * self.columns]
    }
}

/// A fitted model: the intercept, one coefficient per feature, and each
/// coefficient's standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub standard_errors: Vec<f64>,
    pub iterations: usize,
}

/// Why no model could be fitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FitError {
    /// Every lead converted, or none did: there is nothing to tell apart.
    OneOutcome,
    /// Newton's method did not settle (numbers too large to work with).
    NoConvergence,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::OneOutcome => {
                f.write_str("every lead has the same outcome, so no points can be fitted")
            }
            FitError::NoConvergence => f.write_str("the fit did not settle on these data"),
        }
    }
}

impl std::error::Error for FitError {}

const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-11;

/// Fits `P(converted) = σ(intercept + features · coefficients)` by
/// maximising the log-likelihood minus `penalty / 2 × Σ coefficients²`
/// (the intercept is not penalised): scikit-learn's `LogisticRegression`
/// with `C = 1 / penalty`.
pub fn logistic_l2(design: &Design, penalty: f64) -> Result<Fitted, FitError> {
    let total: f64 = design.leads.iter().sum();
    let positive: f64 = design.converted.iter().sum();
    if positive <= 0.0 || positive >= total {
        return Err(FitError::OneOutcome);
    }
    let p = design.columns + 1; // the intercept first
                                // Start from the base rate, all coefficients zero.
    let mut beta = vec![0.0; p];
    beta[0] = (positive / (total - positive)).ln();
    // Rule indicators are mostly zero: keep each group's non-zero
    // features (the intercept first), so that a Newton step costs the
    // pairs of features a group has, not every pair.
    let mut nonzero: Vec<(usize, f64)> = Vec::new();
    let mut starts = Vec::with_capacity(design.groups() + 1);
    for group in 0..design.groups() {
        starts.push(nonzero.len());
        nonzero.push((0, 1.0));
        nonzero.extend(
            design
                .row(group)
                .iter()
                .enumerate()
                .filter(|&(_, &v)| v != 0.0)
                .map(|(i, &v)| (i + 1, v)),
        );
    }
    starts.push(nonzero.len());
    let mut hessian = vec![0.0; p * p];
    let mut gradient = vec![0.0; p];
    for iteration in 1..=MAX_ITERATIONS {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        hessian.iter_mut().for_each(|h| *h = 0.0);
        for group in 0..design.groups() {
            let x = &nonzero[starts[group]..starts[group + 1]];
            let eta: f64 = x.iter().map(|&(i, v)| v * beta[i]).sum();
            let prob = sigmoid(eta);
            let n = design.leads[group];
            let residual = n * prob - design.converted[group];
            let weight = n * prob * (1.0 - prob);
            for (a, &(i, xi)) in x.iter().enumerate() {
                gradient[i] += residual * xi;
                for &(j, xj) in &x[..=a] {
                    hessian[i * p + j] += weight * xi * xj;
                }
            }
        }
        for i in 1..p {
            gradient[i] += penalty * beta[i];
            hessian[i * p + i] += penalty;
        }
        for i in 0..p {
            for j in 0..i {
                hessian[j * p + i] = hessian[i * p + j];
            }
        }
        let step = solve(&hessian, &gradient, p).ok_or(FitError::NoConvergence)?;
        let mut largest = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            largest = largest.max(s.abs());
        }
        if !largest.is_finite() {
            return Err(FitError::NoConvergence);
        }
        if largest < TOLERANCE {
            let inverse = invert(&hessian, p).ok_or(FitError::NoConvergence)?;
            return Ok(Fitted {
                intercept: beta[0],
                coefficients: beta[1..].to_vec(),
                standard_errors: (1..p).map(|i| inverse[i * p + i].max(0.0).sqrt()).collect(),
                iterations: iteration,
            });
        }
    }
    Err(FitError::NoConvergence)
}

fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// The Cholesky factor of the symmetric positive definite `a` (p × p,
/// row-major), lower triangular; `None` if `a` is not positive definite.
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut sum = a[i * p + j];
            for k in 0..j {
                sum -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i * p + i] = sum.sqrt();
            } else {
                l[i * p + j] = sum / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Solves `a x = b` for symmetric positive definite `a`.
fn solve(a: &[f64], b: &[f64], p: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, p)?;
    Some(solve_factored(&l, b, p))
}

fn solve_factored(l: &[f64], b: &[f64], p: usize) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        let sum: f64 = (0..i).map(|k| l[i * p + k] * y[k]).sum();
        y[i] = (b[i] - sum) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let sum: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i * p + i];
    }
    x
}

fn invert(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, p)?;
    let mut inverse = vec![0.0; p * p];
    let mut unit = vec![0.0; p];
    for column in 0..p {
        unit.iter_mut().for_each(|u| *u = 0.0);
        unit[column] = 1.0;
        let x = solve_factored(&l, &unit, p);
        for row in 0..p {
            inverse[row * p + column] = x[row];
        }
    }
    Some(inverse)
}

/// The penalty suggested points are fitted with: gentle, so that a
/// criterion that almost decides the outcome still gets finite points.
pub const SUGGESTION_PENALTY: f64 = 1.0;

/// Points suggested for one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The criterion's index in its scenario.
    pub criterion: usize,
    /// Whole points (for a per-unit rule, points per unit), on the
    /// scenario's own scale, with the sign the data gives.
    pub points: i32,
    /// The standard error of `points`, on the same scale.
    pub standard_error: f64,
}

/// Points suggested for a scenario's criteria and a threshold that keeps
/// its share of sales-ready leads.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedPoints {
    pub suggestions: Vec<Suggestion>,
    pub threshold: i32,
    pub fitted: Fitted,
}

/// The largest points value among `scenario`'s criteria (points per unit
/// for a per-unit rule), or 100 when all are zero: the scale suggestions
/// are written on.
pub fn points_scale(scenario: &Scenario) -> f64 {
    let largest = scenario
        .criteria
        .iter()
        .map(|c| match c.rule.test {
            RuleTest::PerUnit {
                points_per_unit, ..
            } => points_per_unit.unsigned_abs(),
            _ => c.points.unsigned_abs(),
        })
        .max()
        .unwrap_or(0);
    if largest == 0 {
        100.0
    } else {
        f64::from(largest)
    }
}

/// Fits points for the enabled criteria of `scenario` whose rules apply,
/// from the leads of `grouping` (grouped under this scenario's rules), and
/// the threshold at which as many leads are sales-ready as under
/// `replay` (this scenario's replay on the same leads), or just fewer.
pub fn suggest_points(
    scenario: &Scenario,
    grouping: &Grouping,
    replay: &Replay,
) -> Result<SuggestedPoints, FitError> {
    let used: Vec<usize> = scenario
        .criteria
        .iter()
        .enumerate()
        .filter(|&(i, c)| c.enabled && grouping.active.get(i).copied().unwrap_or(false))
        .map(|(i, _)| i)
        .collect();
    let mut design = Design::new(used.len());
    let mut row = vec![0.0; used.len()];
    for (p, pattern) in grouping.patterns.iter().enumerate() {
        if pattern.leads == 0 {
            continue;
        }
        let signature = grouping.signature(p);
        for (value, &i) in row.iter_mut().zip(&used) {
            *value = f64::from(signature[i]);
        }
        design.push(&row, pattern.leads as f64, pattern.converted as f64);
    }
    let fitted = logistic_l2(&design, SUGGESTION_PENALTY)?;
    let largest = fitted
        .coefficients
        .iter()
        .fold(0.0f64, |m, c| m.max(c.abs()));
    let per_coefficient = if largest > 0.0 {
        points_scale(scenario) / largest
    } else {
        0.0
    };
    let suggestions: Vec<Suggestion> = used
        .iter()
        .zip(fitted.coefficients.iter().zip(&fitted.standard_errors))
        .map(|(&criterion, (&beta, &se))| Suggestion {
            criterion,
            points: bound_points((beta * per_coefficient).round() as i32),
            standard_error: se * per_coefficient,
        })
        .collect();
    let threshold = keeping_share(scenario, grouping, replay, &suggestions);
    Ok(SuggestedPoints {
        suggestions,
        threshold,
        fitted,
    })
}

/// `scenario` with the suggested points put in (a per-unit rule takes them
/// as its points per unit, its cap scaled alike) and the suggested
/// threshold.
pub fn with_suggested_points(scenario: &Scenario, suggested: &SuggestedPoints) -> Scenario {
    Scenario {
        threshold: suggested.threshold,
        ..with_points_of(scenario, &suggested.suggestions)
    }
}

/// `scenario`'s criteria with `suggestions`' points, its threshold as is.
fn with_points_of(scenario: &Scenario, suggestions: &[Suggestion]) -> Scenario {
    let mut next = scenario.clone();
    for s in suggestions {
        if let Some(c) = next.criteria.get_mut(s.criterion) {
            *c = with_points(c, s.points);
        }
    }
    next
}

fn with_points(criterion: &Criterion, points: i32) -> Criterion {
    let mut c = criterion.clone();
    match &mut c.rule.test {
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => {
            // The cap keeps the number of units it took to reach it.
            let units = if *points_per_unit != 0 {
                f64::from(*max_points) / f64::from(*points_per_unit)
            } else {
                0.0
            };
            *points_per_unit = points;
            *max_points = bound_points((units * f64::from(points)).round() as i32).max(0);
        }
        _ => c.points = points,
    }
    c
}

/// The lowest threshold at which no more leads are sales-ready under the
/// suggested points than under the agreed ones, leads in marked grid
/// cells counted as sales-ready at every threshold.
fn keeping_share(
    scenario: &Scenario,
    grouping: &Grouping,
    replay: &Replay,
    suggestions: &[Suggestion],
) -> i32 {
    let ready = replay.figures.sales_ready.leads;
    let suggested = with_points_of(scenario, suggestions);
    let (by_score, marked) = ready_by_threshold(&suggested, grouping);
    // Highest first: walk down while the leads at or above stay within.
    let mut taken = marked;
    let mut threshold = by_score.last().map_or(1, |s| s.0.saturating_add(1));
    for &(score, leads) in by_score.iter().rev() {
        if taken + leads > ready {
            break;
        }
        taken += leads;
        threshold = score;
    }
    bound_points(threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture of `tests/fixtures/fit`: its leads one by one.
    fn fixture(name: &str) -> Design {
        let path = format!(
            "{}/tests/fixtures/fit/{name}.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let columns = lines.next().unwrap().split(',').count() - 1;
        let mut design = Design::new(columns);
        for line in lines {
            let values: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
            design.push(&values[..columns], 1.0, values[columns]);
        }
        design
    }

    fn expected() -> serde_json::Value {
        let path = format!(
            "{}/tests/fixtures/fit/expected.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn coefficients_match_scikit_learn_to_a_millionth() {
        let expected = expected();
        for case in ["mixed", "separating"] {
            let design = fixture(case);
            for c in ["1.0", "0.1"] {
                let want = &expected["cases"][case][c];
                let penalty = 1.0 / c.parse::<f64>().unwrap();
                let fitted = logistic_l2(&design, penalty).unwrap();
                let close = |a: f64, b: &serde_json::Value| (a - b.as_f64().unwrap()).abs() < 1e-6;
                assert!(
                    close(fitted.intercept, &want["intercept"]),
                    "{case} C={c}: {fitted:?}"
                );
                let coefficients = want["coefficients"].as_array().unwrap();
                assert_eq!(fitted.coefficients.len(), coefficients.len());
                for (got, want) in fitted.coefficients.iter().zip(coefficients) {
                    assert!(close(*got, want), "{case} C={c}: {got} vs {want}");
                }
                assert!(fitted
                    .standard_errors
                    .iter()
                    .all(|se| se.is_finite() && *se > 0.0));
            }
        }
    }

    #[test]
    fn grouped_leads_fit_as_the_same_leads_one_by_one() {
        let single = fixture("mixed");
        let mut grouped = Design::new(single.columns);
        // Group identical rows.
        let mut seen: Vec<(Vec<u64>, f64, f64)> = Vec::new();
        for g in 0..single.groups() {
            let key: Vec<u64> = single.row(g).iter().map(|x| x.to_bits()).collect();
            match seen.iter_mut().find(|s| s.0 == key) {
                Some(s) => {
                    s.1 += 1.0;
                    s.2 += single.converted[g];
                }
                None => seen.push((key, 1.0, single.converted[g])),
            }
        }
        for (key, n, k) in &seen {
            let row: Vec<f64> = key.iter().map(|b| f64::from_bits(*b)).collect();
            grouped.push(&row, *n, *k);
        }
        assert!(grouped.groups() < single.groups());
        let (a, b) = (
            logistic_l2(&single, 1.0).unwrap(),
            logistic_l2(&grouped, 1.0).unwrap(),
        );
        for (x, y) in a.coefficients.iter().zip(&b.coefficients) {
            assert!((x - y).abs() < 1e-9, "{x} vs {y}");
        }
    }

    #[test]
    fn the_samples_scenario_gets_points_on_its_own_scale_and_a_threshold_keeping_its_share() {
        use crate::core::engine::{LeadFacts, ReplaySettings};
        use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
        use crate::core::scoring::evaluate_criteria;
        let data = sample_dataset();
        let facts = LeadFacts::new(&data, &sample_mapping()).unwrap();
        let scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let settings = ReplaySettings::default();
        let agreed = Replay::run(&scenario, &grouping, &facts, &settings);
        let suggested = suggest_points(&scenario, &grouping, &agreed).unwrap();
        let enabled = scenario.criteria.iter().filter(|c| c.enabled).count();
        assert_eq!(suggested.suggestions.len(), enabled);
        let scale = points_scale(&scenario) as i32;
        assert_eq!(
            suggested.suggestions.iter().map(|s| s.points.abs()).max(),
            Some(scale),
            "the strongest criterion gets the scenario's largest points"
        );
        let demo = scenario
            .criteria
            .iter()
            .position(|c| c.rule.column == "Demo requested")
            .unwrap();
        let demo = suggested
            .suggestions
            .iter()
            .find(|s| s.criterion == demo)
            .unwrap();
        assert!(demo.points > 0 && demo.standard_error > 0.0, "{demo:?}");
        // Applied, the suggestion sends no more leads to sales, and ranks
        // them at least about as well.
        let next = with_suggested_points(&scenario, &suggested);
        let replay = Replay::run(&next, &grouping, &facts, &settings);
        assert!(replay.figures.sales_ready.leads <= agreed.figures.sales_ready.leads);
        assert!(replay.figures.sales_ready.leads * 10 >= agreed.figures.sales_ready.leads * 8);
        assert!(replay.figures.auc.unwrap() >= agreed.figures.auc.unwrap() - 0.01);
    }

    #[test]
    fn one_outcome_cannot_be_fitted() {
        let mut design = Design::new(1);
        design.push(&[1.0], 10.0, 0.0);
        design.push(&[0.0], 5.0, 0.0);
        assert_eq!(logistic_l2(&design, 1.0), Err(FitError::OneOutcome));
    }

    /// With a grid cell marked sales-ready, its leads count as sales-ready
    /// at every threshold: the suggested threshold keeps the share of
    /// leads the marked cell and the score together make sales-ready.
    #[test]
    fn the_suggested_threshold_counts_marked_cells() {
        use crate::core::engine::{LeadFacts, ReplaySettings};
        use crate::core::grid::Cell;
        use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
        use crate::core::scoring::evaluate_criteria;
        let data = sample_dataset();
        let facts = LeadFacts::new(&data, &sample_mapping()).unwrap();
        let mut scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let settings = ReplaySettings::default();
        let plain = Replay::run(&scenario, &grouping, &facts, &settings);
        // Mark the cell of best fit and least engagement.
        let cell = Cell {
            fit: 0,
            engagement: 3,
        };
        scenario.grid = scenario.grid.with_mark(cell, true, plain.cuts);
        let agreed = Replay::run(&scenario, &grouping, &facts, &settings);
        assert!(
            agreed.figures.sales_ready.leads > plain.figures.sales_ready.leads,
            "the mark adds leads"
        );
        let suggested = suggest_points(&scenario, &grouping, &agreed).unwrap();
        let next = with_suggested_points(&scenario, &suggested);
        let ready_at = |threshold: i32| {
            let s = Scenario {
                threshold,
                ..next.clone()
            };
            Replay::run(&s, &grouping, &facts, &settings)
                .figures
                .sales_ready
                .leads
        };
        let ready = agreed.figures.sales_ready.leads;
        assert!(ready_at(suggested.threshold) <= ready);
        assert!(
            ready_at(suggested.threshold - 1) > ready,
            "the lowest such threshold: {} leads at {}, {} at one less, {ready} agreed",
            ready_at(suggested.threshold),
            suggested.threshold,
            ready_at(suggested.threshold - 1)
        );
    }
}
