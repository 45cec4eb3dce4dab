//! The agreement as a record: where each side stands on each criterion,
//! whether a scenario is the definition both teams agreed on (and when),
//! and the service terms that come with it.
//!
//! All of it is part of the definition (criteria format version 2), so it
//! travels in the criteria file, the link and the saved workspace.

use serde::{Deserialize, Serialize};

use super::criteria::{Criterion, Group, Rule, Scenario};
use super::format;

/// Where one side stands on a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Not said yet.
    #[default]
    Open,
    Agrees,
    Disputes,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Open, Stance::Agrees, Stance::Disputes];

    /// The name used in the criteria file and by scripts.
    pub fn name(self) -> &'static str {
        match self {
            Stance::Open => "open",
            Stance::Agrees => "agrees",
            Stance::Disputes => "disputes",
        }
    }

    pub fn from_name(name: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|s| s.name() == name)
    }

    /// "agrees", "disputes", "has not said".
    pub fn words(self) -> &'static str {
        match self {
            Stance::Open => "has not said",
            Stance::Agrees => "agrees",
            Stance::Disputes => "disputes",
        }
    }
}

/// The two sides of the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sales,
    Marketing,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Sales, Side::Marketing];

    pub fn label(self) -> &'static str {
        match self {
            Side::Sales => "Sales",
            Side::Marketing => "Marketing",
        }
    }
}

/// Each side's stance on one criterion, with a short note (why it is
/// disputed, what was agreed instead).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignOff {
    #[serde(default)]
    pub sales: Stance,
    #[serde(default)]
    pub marketing: Stance,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl SignOff {
    /// Nothing said and no note: not written to files.
    pub fn is_blank(&self) -> bool {
        *self == SignOff::default()
    }

    pub fn of(&self, side: Side) -> Stance {
        match side {
            Side::Sales => self.sales,
            Side::Marketing => self.marketing,
        }
    }

    pub fn set(&mut self, side: Side, stance: Stance) {
        match side {
            Side::Sales => self.sales = stance,
            Side::Marketing => self.marketing = stance,
        }
    }

    pub fn agreed_by_both(&self) -> bool {
        self.sales == Stance::Agrees && self.marketing == Stance::Agrees
    }

    pub fn disputed(&self) -> bool {
        self.sales == Stance::Disputes || self.marketing == Stance::Disputes
    }

    /// "Sales agrees, Marketing disputes", or "" when nothing is said.
    pub fn describe(&self) -> String {
        Side::BOTH
            .iter()
            .filter(|&&side| self.of(side) != Stance::Open)
            .map(|&side| format!("{} {}", side.label(), self.of(side).words()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The most hours a follow-up commitment may name (a year).
pub const MAX_FOLLOW_UP_HOURS: u32 = 8_760;
/// The most sales-ready leads a week a volume commitment may name.
pub const MAX_WEEKLY_VOLUME: u32 = 10_000_000;

/// What each team commits to with the agreed definition; each part may be
/// left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceTerms {
    /// Sales follows up sales-ready leads within this many hours…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_hours: Option<u32>,
    /// …and works at least this percentage of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worked_percent: Option<u8>,
    /// Marketing delivers at least this many sales-ready leads a week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_volume: Option<u32>,
}

impl ServiceTerms {
    pub fn is_empty(&self) -> bool {
        *self == ServiceTerms::default()
    }

    /// The terms in words, one sentence each.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        match (self.follow_up_hours, self.worked_percent) {
            (Some(h), Some(p)) => out.push(format!(
                "Sales follows up sales-ready leads within {} and works at least {p}% of them.",
                hours(h)
            )),
            (Some(h), None) => out.push(format!(
                "Sales follows up sales-ready leads within {}.",
                hours(h)
            )),
            (None, Some(p)) => out.push(format!(
                "Sales works at least {p}% of the sales-ready leads."
            )),
            (None, None) => {}
        }
        if let Some(v) = self.weekly_volume {
            out.push(format!(
                "Marketing delivers at least {} sales-ready leads a week.",
                format::count(v as usize)
            ));
        }
        out
    }

    /// Why the terms cannot be kept, if they are out of range.
    pub fn problem(&self) -> Option<String> {
        if self
            .follow_up_hours
            .is_some_and(|h| h == 0 || h > MAX_FOLLOW_UP_HOURS)
        {
            return Some(format!(
                "the follow-up time is outside 1 to {MAX_FOLLOW_UP_HOURS} hours"
            ));
        }
        if self.worked_percent.is_some_and(|p| p == 0 || p > 100) {
            return Some("the share of leads worked is outside 1% to 100%".into());
        }
        if self.weekly_volume.is_some_and(|v| v > MAX_WEEKLY_VOLUME) {
            return Some(format!(
                "the weekly volume is beyond {}",
                format::count(MAX_WEEKLY_VOLUME as usize)
            ));
        }
        None
    }
}

fn hours(h: u32) -> String {
    match h {
        1 => "1 hour".to_owned(),
        h => format!("{h} hours"),
    }
}

/// The scenario's standing as the agreed definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Agreement {
    /// The day (`YYYY-MM-DD`) it was marked as the agreed definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_on: Option<String>,
    #[serde(default, skip_serializing_if = "ServiceTerms::is_empty")]
    pub terms: ServiceTerms,
}

impl Agreement {
    pub fn is_blank(&self) -> bool {
        *self == Agreement::default()
    }
}

/// Whether `day` is a calendar date written `YYYY-MM-DD`.
pub fn is_iso_day(day: &str) -> bool {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok() && day.len() == 10
}

/// How far a scenario's criteria are agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Enabled criteria.
    pub counted: usize,
    /// Enabled criteria both sides agree to.
    pub agreed: usize,
    /// Enabled criteria either side disputes.
    pub disputed: usize,
}

impl Standing {
    pub fn of(scenario: &Scenario) -> Standing {
        let counted: Vec<_> = scenario.criteria.iter().filter(|c| c.enabled).collect();
        Standing {
            counted: counted.len(),
            agreed: counted
                .iter()
                .filter(|c| c.sign_off.agreed_by_both())
                .count(),
            disputed: counted.iter().filter(|c| c.sign_off.disputed()).count(),
        }
    }

    /// Every counted criterion agreed by both sides (and there is one).
    pub fn agreed_by_both(&self) -> bool {
        self.counted > 0 && self.agreed == self.counted
    }

    /// "Agreed by both", or what is left: "3 of 5 criteria agreed by both,
    /// 1 disputed".
    pub fn describe(&self) -> String {
        if self.agreed_by_both() {
            return "Agreed by both".to_owned();
        }
        if self.counted == 0 {
            return "No criterion is counted yet".to_owned();
        }
        let mut text = format!(
            "{} of {} criteria agreed by both",
            self.agreed, self.counted
        );
        if self.disputed > 0 {
            text.push_str(&format!(", {} disputed", self.disputed));
        }
        text
    }
}

/// What a criterion's sign-off is given to: its rule, points and whether
/// it counts. Labels, rationale and notes can change without it.
fn criterion_substance(c: &Criterion) -> (&Rule, i32, bool, Group) {
    (&c.rule, c.points, c.enabled, c.group)
}

/// Keeps the agreement honest after an edit from `before` to `after`:
/// - a criterion whose rule, points, group or counting changed loses both
///   sides' stances (its note stays): they agreed to something else;
/// - a scenario whose threshold, grid or counted criteria changed is no
///   longer the agreed definition;
/// - a scenario one side no longer agrees to (a stance withdrawn or
///   disputed) is no longer the agreed definition;
/// - at most one scenario is the agreed definition: the active one if it
///   is, else the one agreed on the latest day.
///
/// Criteria are matched by their on-screen key, scenarios by position
/// when their number did not change.
pub fn settle(before: &[Scenario], after: &mut [Scenario], active: usize) {
    if before.len() == after.len() {
        for (was, now) in before.iter().zip(after.iter_mut()) {
            let mut changed = was.threshold != now.threshold
                || was.grid != now.grid
                || was.criteria.len() != now.criteria.len();
            for c in now.criteria.iter_mut() {
                match was.criteria.iter().find(|w| w.key.value() == c.key.value()) {
                    Some(w) if criterion_substance(w) == criterion_substance(c) => {}
                    Some(_) => {
                        changed = true;
                        c.sign_off.sales = Stance::Open;
                        c.sign_off.marketing = Stance::Open;
                    }
                    None => changed = true,
                }
            }
            if changed && was.agreement.agreed_on == now.agreement.agreed_on {
                now.agreement.agreed_on = None;
            }
        }
    }
    // A definition one side no longer agrees to is not agreed.
    for s in after.iter_mut() {
        if s.agreement.agreed_on.is_some() && !Standing::of(s).agreed_by_both() {
            s.agreement.agreed_on = None;
        }
    }
    let agreed: Vec<usize> = (0..after.len())
        .filter(|&i| after[i].agreement.agreed_on.is_some())
        .collect();
    if agreed.len() > 1 {
        let keep = if agreed.contains(&active) {
            active
        } else {
            *agreed
                .iter()
                .max_by(|&&a, &&b| {
                    after[a]
                        .agreement
                        .agreed_on
                        .cmp(&after[b].agreement.agreed_on)
                        .then(b.cmp(&a))
                })
                .expect("two or more")
        };
        for i in agreed {
            if i != keep {
                after[i].agreement.agreed_on = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::criteria::{Criterion, RuleTest};

    fn scenario(sign_offs: &[(Stance, Stance, bool)]) -> Scenario {
        Scenario {
            name: "s".into(),
            threshold: 10,
            criteria: sign_offs
                .iter()
                .map(|&(sales, marketing, enabled)| {
                    let mut c = Criterion::new("c", 10, "x", RuleTest::IsTrue);
                    c.enabled = enabled;
                    c.sign_off = SignOff {
                        sales,
                        marketing,
                        note: String::new(),
                    };
                    c
                })
                .collect(),
            grid: Default::default(),
            agreement: Agreement::default(),
        }
    }

    #[test]
    fn agreed_by_both_needs_every_counted_criterion_agreed_by_each_side() {
        use Stance::*;
        let all = scenario(&[(Agrees, Agrees, true), (Agrees, Agrees, true)]);
        assert!(Standing::of(&all).agreed_by_both());
        assert_eq!(Standing::of(&all).describe(), "Agreed by both");
        // A criterion switched off does not count, whatever its sign-off.
        let off = scenario(&[(Agrees, Agrees, true), (Disputes, Open, false)]);
        assert!(Standing::of(&off).agreed_by_both());
        let one_side = scenario(&[(Agrees, Agrees, true), (Agrees, Open, true)]);
        assert!(!Standing::of(&one_side).agreed_by_both());
        assert_eq!(
            Standing::of(&one_side).describe(),
            "1 of 2 criteria agreed by both"
        );
        let disputed = scenario(&[(Agrees, Disputes, true), (Open, Open, true)]);
        assert_eq!(
            Standing::of(&disputed).describe(),
            "0 of 2 criteria agreed by both, 1 disputed"
        );
        // Nothing counted is nothing agreed.
        assert!(!Standing::of(&scenario(&[(Agrees, Agrees, false)])).agreed_by_both());
        assert!(!Standing::of(&scenario(&[])).agreed_by_both());
    }

    #[test]
    fn terms_read_as_sentences_and_out_of_range_terms_are_named() {
        let terms = ServiceTerms {
            follow_up_hours: Some(24),
            worked_percent: Some(80),
            weekly_volume: Some(1200),
        };
        assert_eq!(
            terms.sentences(),
            [
                "Sales follows up sales-ready leads within 24 hours and works at least 80% of them.",
                "Marketing delivers at least 1,200 sales-ready leads a week."
            ]
        );
        assert_eq!(terms.problem(), None);
        let only = ServiceTerms {
            worked_percent: Some(90),
            ..ServiceTerms::default()
        };
        assert_eq!(
            only.sentences(),
            ["Sales works at least 90% of the sales-ready leads."]
        );
        for bad in [
            ServiceTerms {
                follow_up_hours: Some(0),
                ..ServiceTerms::default()
            },
            ServiceTerms {
                worked_percent: Some(101),
                ..ServiceTerms::default()
            },
            ServiceTerms {
                weekly_volume: Some(MAX_WEEKLY_VOLUME + 1),
                ..ServiceTerms::default()
            },
        ] {
            assert!(bad.problem().is_some(), "{bad:?}");
        }
    }

    #[test]
    fn sign_offs_describe_who_said_what() {
        let s = SignOff {
            sales: Stance::Agrees,
            marketing: Stance::Disputes,
            note: "only for EMEA".into(),
        };
        assert_eq!(s.describe(), "Sales agrees, Marketing disputes");
        assert!(s.disputed() && !s.agreed_by_both());
        assert_eq!(SignOff::default().describe(), "");
        assert!(is_iso_day("2026-12-02"));
        for bad in [
            "2026-13-01",
            "2026-2-1",
            "02/12/2026",
            "",
            "2026-12-02T10:00",
        ] {
            assert!(!is_iso_day(bad), "{bad}");
        }
    }

    #[test]
    fn an_edit_withdraws_what_was_agreed_to_the_old_version() {
        use Stance::*;
        let mut agreed = scenario(&[(Agrees, Agrees, true), (Agrees, Agrees, true)]);
        agreed.agreement.agreed_on = Some("2026-12-01".into());
        let before = vec![agreed];
        // Points of the first criterion change: its stances go, its note
        // stays, and the scenario is no longer agreed.
        let mut after = before.clone();
        after[0].criteria[0].points = 40;
        after[0].criteria[0].sign_off.note = "kept".into();
        settle(&before, &mut after, 0);
        assert_eq!(after[0].criteria[0].sign_off.sales, Open);
        assert_eq!(after[0].criteria[0].sign_off.note, "kept");
        assert_eq!(after[0].criteria[1].sign_off.sales, Agrees);
        assert_eq!(after[0].agreement.agreed_on, None);
        // A label, rationale or note edit changes nothing agreed.
        let mut renamed = before.clone();
        renamed[0].criteria[1].label = "New name".into();
        renamed[0].criteria[1].rationale = "why".into();
        settle(&before, &mut renamed, 0);
        assert!(renamed[0].criteria[1].sign_off.agreed_by_both());
        assert!(renamed[0].agreement.agreed_on.is_some());
        // Nor do terms; a threshold change does.
        let mut terms = before.clone();
        terms[0].agreement.terms.weekly_volume = Some(50);
        settle(&before, &mut terms, 0);
        assert!(terms[0].agreement.agreed_on.is_some());
        let mut threshold = before.clone();
        threshold[0].threshold += 1;
        settle(&before, &mut threshold, 0);
        assert_eq!(threshold[0].agreement.agreed_on, None);
        // A side disputing a criterion withdraws the agreement.
        let mut disputed = before.clone();
        disputed[0].criteria[1].sign_off.marketing = Disputes;
        settle(&before, &mut disputed, 0);
        assert_eq!(disputed[0].agreement.agreed_on, None);
        // Deleting a criterion changes the definition.
        let mut fewer = before.clone();
        fewer[0].criteria.pop();
        settle(&before, &mut fewer, 0);
        assert_eq!(fewer[0].agreement.agreed_on, None);
    }

    #[test]
    fn only_one_scenario_is_the_agreed_definition() {
        use Stance::*;
        let mut a = scenario(&[(Agrees, Agrees, true)]);
        a.agreement.agreed_on = Some("2026-11-01".into());
        let mut b = a.clone();
        b.agreement.agreed_on = Some("2026-12-01".into());
        let mut c = a.clone();
        c.agreement.agreed_on = None;
        // Two arrive at once (a file's scenarios added): the active one
        // stays agreed if it is, else the latest.
        let mut both = vec![a.clone(), b.clone(), c.clone()];
        settle(&[], &mut both, 2);
        let days: Vec<_> = both.iter().map(|s| s.agreement.agreed_on.clone()).collect();
        assert_eq!(days, [None, Some("2026-12-01".into()), None]);
        let mut active_first = vec![a, b, c];
        settle(&[], &mut active_first, 0);
        assert!(active_first[0].agreement.agreed_on.is_some());
        assert!(active_first[1].agreement.agreed_on.is_none());
    }
}
