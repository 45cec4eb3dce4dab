//! Replaying a scenario over a data set: scores per lead, then the figures
//! and the distribution the interface shows.
//!
//! Rule evaluation is kept apart ([`evaluate_criteria`]) so that a caller can
//! keep evaluations while only points or the threshold change, and re-run
//! just [`Replay::run`].

use super::criteria::Scenario;
use super::metrics::{key_figures, score_distribution, KeyFigures, ScoreDistribution};
#[cfg(doc)]
use super::scoring::evaluate_criteria;
use super::scoring::{score_leads, Evaluation};

/// At most this many bands in the score distribution, so bars stay wide
/// enough to read on a projector.
pub const MAX_SCORE_BANDS: usize = 30;

/// One scenario replayed on one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// Each lead's score, in row order.
    pub scores: Vec<i32>,
    pub figures: KeyFigures,
    pub distribution: ScoreDistribution,
}

impl Replay {
    /// Scores every lead from `evaluations` (one per criterion of
    /// `scenario`, in order) and computes the figures against `outcomes`.
    pub fn run(scenario: &Scenario, evaluations: &[Evaluation], outcomes: &[bool]) -> Replay {
        let scores = score_leads(outcomes.len(), &scenario.criteria, evaluations);
        let figures = key_figures(&scores, outcomes, scenario.threshold);
        let distribution = score_distribution(&scores, outcomes, MAX_SCORE_BANDS);
        Replay {
            scores,
            figures,
            distribution,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
    use crate::core::scoring::evaluate_criteria;

    #[test]
    fn raising_a_criterions_points_moves_leads_into_sales_ready() {
        let data = sample_dataset();
        let outcomes = sample_mapping().outcomes(&data).unwrap();
        let mut scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let before = Replay::run(&scenario, &evaluations, &outcomes);
        scenario.criteria[1].points += 25; // target industry
        let after = Replay::run(&scenario, &evaluations, &outcomes);
        assert!(after.figures.sales_ready.leads > before.figures.sales_ready.leads);
        assert_eq!(after.scores.len(), data.row_count());
        let counted: usize = after
            .distribution
            .bands
            .iter()
            .map(|b| b.converted + b.not_converted)
            .sum();
        assert_eq!(counted, data.row_count());
    }
}
