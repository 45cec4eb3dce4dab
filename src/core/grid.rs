//! The fit × engagement grid: who a lead is (its fit criteria's points)
//! against what it did (its engagement criteria's points). Each sub-score
//! is cut into four grades, A–D for fit and 1–4 for engagement, A and 1
//! the best, so that every lead sits in a cell such as "B2". By default
//! the cuts sit at the quartiles of the tuning set's sub-scores; the room
//! can move them, and can mark a cell sales-ready whatever its leads'
//! total score: a lead is then sales-ready when its score reaches the
//! threshold or its cell is marked. Cuts and marks belong to the
//! scenario, so they travel with it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::criteria::{Criterion, Group};
use super::dataset::Dataset;
use super::scoring::{evaluate_criteria, score_leads};

/// Grades per axis.
pub const GRADES: usize = 4;
/// Fit grades, best first.
pub const FIT_GRADES: [char; GRADES] = ['A', 'B', 'C', 'D'];
/// Engagement grades, best first.
pub const ENGAGEMENT_GRADES: [char; GRADES] = ['1', '2', '3', '4'];

/// The cut points of one sub-score, best grade first: a sub-score at or
/// above `cuts[0]` earns the best grade, at or above `cuts[1]` the second,
/// at or above `cuts[2]` the third, and below it the fourth.
pub type Cuts = [i32; GRADES - 1];

/// One cell of the grid: grade indices, 0 the best (A, 1) to 3 (D, 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub fit: u8,
    pub engagement: u8,
}

impl Cell {
    /// The cell of a lead with sub-scores `fit` and `engagement`.
    pub fn of(fit: i32, engagement: i32, cuts: &GridCuts) -> Cell {
        Cell {
            fit: grade(fit, &cuts.fit),
            engagement: grade(engagement, &cuts.engagement),
        }
    }

    /// Its place in a row-major table of [`GRADES`] × [`GRADES`].
    pub fn index(self) -> usize {
        usize::from(self.fit) * GRADES + usize::from(self.engagement)
    }

    /// Reads a label such as "B2".
    pub fn parse(label: &str) -> Option<Cell> {
        let mut chars = label.trim().chars();
        let (f, e) = (chars.next()?, chars.next()?);
        if chars.next().is_some() {
            return None;
        }
        let fit = FIT_GRADES
            .iter()
            .position(|&g| g == f.to_ascii_uppercase())?;
        let engagement = ENGAGEMENT_GRADES.iter().position(|&g| g == e)?;
        Some(Cell {
            fit: fit as u8,
            engagement: engagement as u8,
        })
    }
}

impl fmt::Display for Cell {
    /// "B2": the fit grade, then the engagement grade.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fit = FIT_GRADES[usize::from(self.fit).min(GRADES - 1)];
        let engagement = ENGAGEMENT_GRADES[usize::from(self.engagement).min(GRADES - 1)];
        write!(f, "{fit}{engagement}")
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Cell, D::Error> {
        let label = String::deserialize(deserializer)?;
        Cell::parse(&label).ok_or_else(|| {
            serde::de::Error::custom(format!("\"{label}\" is not a grid cell (A1 to D4)"))
        })
    }
}

/// The grade index of a sub-score under `cuts`.
pub fn grade(sub_score: i32, cuts: &Cuts) -> u8 {
    cuts.iter()
        .position(|&c| sub_score >= c)
        .unwrap_or(GRADES - 1) as u8
}

/// Both axes' cut points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GridCuts {
    pub fit: Cuts,
    pub engagement: Cuts,
}

/// A scenario's grid: cut points where the room set them (the quartiles
/// of the data otherwise) and the cells marked sales-ready.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Grid {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit_cuts: Option<Cuts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagement_cuts: Option<Cuts>,
    /// Cells whose leads are sales-ready whatever their score, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ready_cells: Vec<Cell>,
}

impl Grid {
    /// No cuts set and no cell marked: the grid changes nothing.
    pub fn is_default(&self) -> bool {
        *self == Grid::default()
    }

    /// The cuts in use: the grid's own where set, else `defaults`.
    pub fn cuts(&self, defaults: GridCuts) -> GridCuts {
        GridCuts {
            fit: self.fit_cuts.unwrap_or(defaults.fit),
            engagement: self.engagement_cuts.unwrap_or(defaults.engagement),
        }
    }

    /// The grid with `in_use` for the cuts it leaves open: what an export
    /// outside the app needs to grade leads as the app does.
    pub fn resolved(&self, in_use: GridCuts) -> Grid {
        Grid {
            fit_cuts: Some(self.fit_cuts.unwrap_or(in_use.fit)),
            engagement_cuts: Some(self.engagement_cuts.unwrap_or(in_use.engagement)),
            ready_cells: self.ready_cells.clone(),
        }
    }

    /// A table of which cells are marked sales-ready.
    pub fn marked(&self) -> [bool; GRADES * GRADES] {
        let mut marked = [false; GRADES * GRADES];
        for cell in &self.ready_cells {
            if let Some(m) = marked.get_mut(cell.index()) {
                *m = true;
            }
        }
        marked
    }

    /// The grid with `cell` marked (or unmarked) sales-ready; marking
    /// fixes the cuts in use, so the mark keeps meaning the same leads
    /// when points change or the definition travels.
    pub fn with_mark(&self, cell: Cell, ready: bool, in_use: GridCuts) -> Grid {
        let mut next = self.resolved(in_use);
        next.ready_cells.retain(|&c| c != cell);
        if ready {
            next.ready_cells.push(cell);
            next.ready_cells.sort_unstable();
        }
        next
    }

    /// Whether its cuts run from the best grade down (each at most the one
    /// before), as the editor keeps them.
    pub fn cuts_descend(&self) -> bool {
        let descends = |c: &Cuts| c.windows(2).all(|w| w[0] >= w[1]);
        self.fit_cuts.as_ref().is_none_or(descends)
            && self.engagement_cuts.as_ref().is_none_or(descends)
    }
}

/// Cut points at the quartiles of a sub-score over leads given as
/// `(sub_score, leads)`: the best grade starts at the upper quartile, the
/// next at the median, the third at the lower quartile. Ties fall on the
/// better side, so a grade may hold more (or fewer) than a quarter; where
/// ties would leave a grade empty (a cut equal to the one above), the cut
/// moves down to the next sub-score there is.
///
/// ```
/// use leadlens::core::grid::quartile_cuts;
/// // Sub-scores 0 (40 leads), 10 (30), 20 (20), 30 (10).
/// assert_eq!(quartile_cuts(&[(20, 20), (0, 40), (30, 10), (10, 30)]), [20, 10, 0]);
/// // Half the leads at 15: B starts at the next sub-score below.
/// assert_eq!(quartile_cuts(&[(15, 50), (10, 10), (0, 40)]), [15, 10, 0]);
/// ```
pub fn quartile_cuts(sub_scores: &[(i32, usize)]) -> Cuts {
    // Many patterns share a sub-score: sum them first, sort the few
    // distinct sub-scores after.
    let mut leads_at: rustc_hash::FxHashMap<i32, usize> = Default::default();
    for &(score, leads) in sub_scores.iter().filter(|s| s.1 > 0) {
        *leads_at.entry(score).or_default() += leads;
    }
    let mut sorted: Vec<(i32, usize)> = leads_at.into_iter().collect();
    sorted.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
    let total: usize = sorted.iter().map(|s| s.1).sum();
    let mut cuts = [0; GRADES - 1];
    if total == 0 {
        return cuts;
    }
    for (q, cut) in cuts.iter_mut().enumerate() {
        // The sub-score at which the leads from the top reach a quarter,
        // a half, three quarters.
        let wanted = (total as f64 * (q + 1) as f64 / GRADES as f64).ceil() as usize;
        let mut taken = 0;
        for &(score, leads) in &sorted {
            taken += leads;
            *cut = score;
            if taken >= wanted {
                break;
            }
        }
    }
    for q in 1..cuts.len() {
        if cuts[q] >= cuts[q - 1] {
            let above = cuts[q - 1];
            if let Some(&(below, _)) = sorted.iter().find(|s| s.0 < above) {
                cuts[q] = below;
            } else {
                cuts[q] = above;
            }
        }
    }
    cuts
}

/// The quartile cuts of the fit and engagement sub-scores of every lead of
/// `data` under `criteria` (the enabled ones whose rules apply): the
/// grid's default where no replay has given the tuning set's.
pub fn quartiles_of_leads(data: &Dataset, criteria: &[Criterion]) -> GridCuts {
    let evaluations = evaluate_criteria(data, criteria);
    let sub_scores = |group: Group| {
        let only: Vec<Criterion> = criteria
            .iter()
            .map(|c| Criterion {
                enabled: c.enabled && c.group == group,
                ..c.clone()
            })
            .collect();
        let scores = score_leads(data.row_count(), &only, &evaluations);
        let spread: Vec<(i32, usize)> = scores.into_iter().map(|s| (s, 1)).collect();
        quartile_cuts(&spread)
    };
    GridCuts {
        fit: sub_scores(Group::Fit),
        engagement: sub_scores(Group::Engagement),
    }
}

/// Leads, conversions and sales-ready leads in one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellTally {
    pub leads: usize,
    pub converted: usize,
    /// Leads of the cell that are sales-ready.
    pub ready: usize,
}

impl CellTally {
    pub fn rate(&self) -> super::metrics::Rate {
        super::metrics::Rate {
            converted: self.converted,
            leads: self.leads,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_and_write_as_labels() {
        let cell = Cell {
            fit: 1,
            engagement: 2,
        };
        assert_eq!(cell.to_string(), "B3");
        assert_eq!(Cell::parse("B3"), Some(cell));
        assert_eq!(Cell::parse("b3"), Some(cell));
        for bad in ["", "E1", "A5", "A11", "1A"] {
            assert_eq!(Cell::parse(bad), None, "{bad}");
        }
        let json = serde_json::to_string(&vec![cell]).unwrap();
        assert_eq!(json, "[\"B3\"]");
        assert!(serde_json::from_str::<Vec<Cell>>("[\"Z9\"]").is_err());
    }

    #[test]
    fn grades_follow_the_cuts_best_first() {
        let cuts = [30, 10, 0];
        let grades: Vec<u8> = [45, 30, 29, 10, 5, 0, -5]
            .iter()
            .map(|&s| grade(s, &cuts))
            .collect();
        assert_eq!(grades, [0, 0, 1, 1, 2, 2, 3]);
    }

    #[test]
    fn marking_a_cell_fixes_the_cuts_in_use() {
        let in_use = GridCuts {
            fit: [20, 10, 0],
            engagement: [8, 4, 2],
        };
        let a1 = Cell::parse("A1").unwrap();
        let marked = Grid::default().with_mark(a1, true, in_use);
        assert_eq!(marked.fit_cuts, Some(in_use.fit));
        assert_eq!(marked.ready_cells, [a1]);
        assert!(marked.marked()[0] && !marked.marked()[1]);
        let unmarked = marked.with_mark(a1, false, in_use);
        assert!(unmarked.ready_cells.is_empty());
        assert!(marked.cuts_descend());
        let rising = Grid {
            fit_cuts: Some([0, 10, 20]),
            ..Grid::default()
        };
        assert!(!rising.cuts_descend());
    }

    #[test]
    fn quartiles_of_an_even_spread_split_it_in_four() {
        let spread: Vec<(i32, usize)> = (0..100).map(|s| (s, 1)).collect();
        assert_eq!(quartile_cuts(&spread), [75, 50, 25]);
        assert_eq!(quartile_cuts(&[]), [0, 0, 0]);
        assert_eq!(quartile_cuts(&[(5, 10)]), [5, 5, 5]);
        assert_eq!(quartile_cuts(&[(5, 90), (1, 10)]), [5, 1, 1]);
    }
}
