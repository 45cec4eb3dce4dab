//! The decision log: every change to the definitions (points, rules,
//! thresholds, sign-offs, the agreement and its terms) with when it was
//! made, the change in words and what it did to the key figures, e.g.
//! "Demo requested: +30 → +40" with "sales-ready 412 → 455, captured 74% →
//! 77%". Kept with the workspace and the criteria file; exported as CSV.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::agreement::{Side, Stance};
use super::criteria::{Criterion, Scenario};
use super::diff::diff_scenarios;
use super::format;
use super::metrics::KeyFigures;
use super::scored_csv::neutralise_formula;

/// The most entries a log keeps (the oldest go first).
pub const MAX_LOG: usize = 2_000;
/// The longest text of one entry's change, in characters.
pub const MAX_CHANGE_CHARS: usize = 2_000;

/// The key figures an entry records, before and after its change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoggedFigures {
    pub sales_ready: u64,
    /// Conversion among the sales-ready leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_in: Option<f64>,
    /// The share of all conversions among the sales-ready leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured: Option<f64>,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// When, as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    /// The scenario the change was made to.
    pub scenario: String,
    /// The change in words.
    pub change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<LoggedFigures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<LoggedFigures>,
}

impl Decision {
    /// What the change did to the key figures, e.g. "sales-ready 412 →
    /// 455, captured 74% → 77%"; figures that did not move are left out
    /// (sales-ready is always said).
    pub fn effect(&self) -> String {
        let (Some(b), Some(a)) = (self.before, self.after) else {
            return "figures not recorded".to_owned();
        };
        let mut parts = Vec::new();
        if a.sales_ready == b.sales_ready {
            parts.push(format!(
                "sales-ready unchanged at {}",
                format::count(a.sales_ready as usize)
            ));
        } else {
            parts.push(format!(
                "sales-ready {} → {}",
                format::count(b.sales_ready as usize),
                format::count(a.sales_ready as usize)
            ));
        }
        let moved =
            |x: Option<f64>, y: Option<f64>| format::whole_percent(x) != format::whole_percent(y);
        if moved(b.conversion_in, a.conversion_in) {
            parts.push(format!(
                "conversion in {} → {}",
                format::whole_percent(b.conversion_in),
                format::whole_percent(a.conversion_in)
            ));
        }
        if moved(b.captured, a.captured) {
            parts.push(format!(
                "captured {} → {}",
                format::whole_percent(b.captured),
                format::whole_percent(a.captured)
            ));
        }
        parts.join(", ")
    }
}

/// `text` cut to at most `limit` characters, with an ellipsis when cut.
fn cut(text: String, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text;
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn key(label: &str) -> String {
    label.trim().to_lowercase()
}

/// What changed in how each side stands on the criteria of `to` against
/// the criteria of `from` with the same label.
fn sign_off_changes(from: &Scenario, to: &Scenario, out: &mut Vec<String>) {
    let mut used = vec![false; from.criteria.len()];
    for c in &to.criteria {
        let Some(i) = (0..from.criteria.len())
            .find(|&i| !used[i] && key(&from.criteria[i].label) == key(&c.label))
        else {
            continue;
        };
        used[i] = true;
        let was: &Criterion = &from.criteria[i];
        for side in Side::BOTH {
            let (before, now) = (was.sign_off.of(side), c.sign_off.of(side));
            if before == now {
                continue;
            }
            out.push(match now {
                Stance::Agrees => format!("{} agrees to “{}”", side.label(), c.label),
                Stance::Disputes => format!("{} disputes “{}”", side.label(), c.label),
                Stance::Open => format!(
                    "{} no longer {} “{}”",
                    side.label(),
                    if before == Stance::Agrees {
                        "agrees to"
                    } else {
                        "disputes"
                    },
                    c.label
                ),
            });
        }
        if was.sign_off.note != c.sign_off.note {
            out.push(if c.sign_off.note.trim().is_empty() {
                format!("“{}”: note removed", c.label)
            } else {
                format!("“{}”: note “{}”", c.label, c.sign_off.note.trim())
            });
        }
        if was.proposed_by != c.proposed_by {
            out.push(format!(
                "“{}”: proposed by {} → {}",
                c.label,
                was.proposed_by.label(),
                c.proposed_by.label()
            ));
        }
        if was.rationale != c.rationale {
            out.push(format!("“{}”: rationale edited", c.label));
        }
    }
}

/// Everything that differs between two versions of one scenario, in words.
pub fn scenario_changes(from: &Scenario, to: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = diff_scenarios(from, to)
        .iter()
        .map(|c| c.describe())
        .collect();
    sign_off_changes(from, to, &mut out);
    if from.name != to.name {
        out.push(format!("Renamed “{}” → “{}”", from.name, to.name));
    }
    match (&from.agreement.agreed_on, &to.agreement.agreed_on) {
        (None, Some(day)) => out.push(format!("Marked as the agreed definition on {day}")),
        (Some(_), None) => out.push("No longer the agreed definition".to_owned()),
        (Some(a), Some(b)) if a != b => out.push(format!("Agreed on {b} instead of {a}")),
        _ => {}
    }
    if from.agreement.terms != to.agreement.terms {
        let terms = to.agreement.terms.sentences();
        out.push(if terms.is_empty() {
            "Service terms removed".to_owned()
        } else {
            format!("Service terms: {}", terms.join(" "))
        });
    }
    out
}

/// The change from one set of scenarios to another in words, and the
/// scenario it was made to (the active one afterwards, or the one added,
/// removed or changed); `None` when nothing but the choice of the active
/// scenario changed.
pub fn describe_edit(
    from: &[Scenario],
    to: &[Scenario],
    to_active: usize,
) -> Option<(String, String)> {
    let active_name = to
        .get(to_active)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let mut changes = Vec::new();
    let mut about: Option<String> = None;
    if from.len() == to.len() {
        for (a, b) in from.iter().zip(to) {
            let here = scenario_changes(a, b);
            if !here.is_empty() && about.is_none() {
                about = Some(b.name.clone());
            }
            changes.extend(here);
        }
    } else {
        let names = |list: &[Scenario]| list.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        let (before, after) = (names(from), names(to));
        for name in after.iter().filter(|n| !before.contains(n)) {
            changes.push(format!("Added the scenario “{name}”"));
            about.get_or_insert_with(|| name.clone());
        }
        for name in before.iter().filter(|n| !after.contains(n)) {
            changes.push(format!("Removed the scenario “{name}”"));
            about.get_or_insert_with(|| name.clone());
        }
        if changes.is_empty() {
            changes.push(format!("{} scenarios → {}", from.len(), to.len()));
        }
    }
    if changes.is_empty() {
        return None;
    }
    Some((
        about.unwrap_or(active_name),
        cut(changes.join("; "), MAX_CHANGE_CHARS),
    ))
}

/// One CSV cell: quoted, quotes doubled, never read as a formula.
fn cell(text: &str) -> String {
    let mut text = text.to_owned();
    neutralise_formula(&mut text);
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn figure(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map(|x| format!("{x:.6}"))
        .unwrap_or_default()
}

/// The log as CSV (UTF-8, comma-separated, a header row, CRLF line ends):
/// time, scenario, change, effect, then each key figure before and after.
pub fn log_csv(log: &[Decision]) -> String {
    let mut out = String::from(
        "time,scenario,change,effect,sales_ready_before,sales_ready_after,\
         conversion_in_before,conversion_in_after,captured_before,captured_after\r\n",
    );
    for d in log {
        let count =
            |f: Option<LoggedFigures>| f.map(|f| f.sales_ready.to_string()).unwrap_or_default();
        let row = [
            cell(&d.at),
            cell(&d.scenario),
            cell(&d.change),
            cell(&d.effect()),
            count(d.before),
            count(d.after),
            figure(d.before.and_then(|f| f.conversion_in)),
            figure(d.after.and_then(|f| f.conversion_in)),
            figure(d.before.and_then(|f| f.captured)),
            figure(d.after.and_then(|f| f.captured)),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Whether `at` is a time written `YYYY-MM-DDTHH:MM:SSZ`.
pub fn is_logged_time(at: &str) -> bool {
    at.len() == 20 && chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

impl LoggedFigures {
    /// The figures an entry records, from the key figures on screen.
    pub fn of(figures: &KeyFigures) -> LoggedFigures {
        LoggedFigures {
            sales_ready: figures.sales_ready.leads as u64,
            conversion_in: figures.sales_ready.value(),
            captured: figures.captured(),
        }
    }
}

/// `ms` since 1970 as the log writes times.
pub fn logged_time(ms: f64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Edits of one kind less than this far apart (a drag, typing in one
/// field) make one entry.
pub const RUN_GAP_MS: f64 = 60_000.0;

/// The edit an entry is being kept for, while edits of its kind go on.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    kind: String,
    /// The scenarios before the run's first edit.
    base: Rc<Vec<Scenario>>,
    last_ms: f64,
    /// Whether the log's last entry is this run's.
    has_entry: bool,
}

/// The meeting's record as the definitions are edited: the attendees and
/// the log, with the figures on screen so that each entry can say what
/// its change did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recorder {
    pub attendees: String,
    /// Behind an `Rc`, as the state holding it is copied on every action.
    pub log: Rc<Vec<Decision>>,
    /// The key figures on screen: the next entry's "before".
    shown: Option<LoggedFigures>,
    /// The last entry waits for the figures its change led to.
    awaiting: bool,
    run: Option<Run>,
    /// Changes whenever an entry is added or changed.
    pub generation: u64,
}

impl Recorder {
    /// A record read back from a saved workspace.
    pub fn with(attendees: String, log: Vec<Decision>) -> Recorder {
        Recorder {
            attendees,
            log: Rc::new(log),
            ..Recorder::default()
        }
    }

    pub fn awaiting(&self) -> bool {
        self.awaiting
    }

    /// Records the edit from `before` to `after` (`kind` names it, so that
    /// a run of one kind is one entry); `prefix` goes before the change in
    /// words ("Undone: "). An edit that changed nothing but the active
    /// scenario is not recorded.
    pub fn note(
        &mut self,
        kind: &str,
        before: &[Scenario],
        after: &[Scenario],
        active: usize,
        now_ms: f64,
        prefix: &str,
    ) {
        let continuing = self
            .run
            .as_ref()
            .filter(|run| run.kind == kind && run.has_entry && now_ms - run.last_ms < RUN_GAP_MS);
        let base = match continuing {
            Some(run) => Rc::clone(&run.base),
            None => Rc::new(before.to_vec()),
        };
        let continuing = continuing.is_some();
        let described = describe_edit(&base, after, active);
        let log = Rc::make_mut(&mut self.log);
        let has_entry = described.is_some();
        match (described, continuing) {
            (Some((scenario, change)), true) => {
                let last = log.last_mut().expect("a run with an entry");
                last.scenario = scenario;
                last.change = cut(format!("{prefix}{change}"), MAX_CHANGE_CHARS);
                last.at = logged_time(now_ms);
                last.after = None;
            }
            (Some((scenario, change)), false) => {
                log.push(Decision {
                    at: logged_time(now_ms),
                    scenario,
                    change: cut(format!("{prefix}{change}"), MAX_CHANGE_CHARS),
                    before: self.shown,
                    after: None,
                });
                if log.len() > MAX_LOG {
                    log.remove(0);
                }
            }
            // The run came back to where it started: nothing to record.
            (None, true) => {
                log.pop();
            }
            (None, false) => {}
        }
        if has_entry || continuing {
            self.generation += 1;
        }
        self.awaiting = has_entry;
        self.run = Some(Run {
            kind: kind.to_owned(),
            base,
            last_ms: now_ms,
            has_entry,
        });
    }

    /// Says the last recorded edit in other words (scenarios brought in
    /// from a file are told as such, not as every difference they make).
    pub fn retell_last(&mut self, change: String) {
        if self.run.as_ref().is_some_and(|run| run.has_entry) {
            if let Some(last) = Rc::make_mut(&mut self.log).last_mut() {
                last.change = cut(change, MAX_CHANGE_CHARS);
                self.generation += 1;
            }
        }
    }

    /// The key figures now on screen; fills in the waiting entry's
    /// "after". False when nothing changed.
    pub fn figures_shown(&mut self, figures: LoggedFigures) -> bool {
        if self.shown == Some(figures) && !self.awaiting {
            return false;
        }
        self.shown = Some(figures);
        if self.awaiting {
            if let Some(last) = Rc::make_mut(&mut self.log).last_mut() {
                last.after = Some(figures);
            }
            self.awaiting = false;
            self.generation += 1;
        }
        true
    }

    /// Takes in the record a criteria file or link brought: its entries
    /// not already here, in time order, and its attendees if none are
    /// written here yet.
    pub fn merge(&mut self, attendees: &str, log: &[Decision]) -> bool {
        let mut changed = false;
        if self.attendees.trim().is_empty() && !attendees.trim().is_empty() {
            self.attendees = attendees.to_owned();
            changed = true;
        }
        let fresh: Vec<&Decision> = log.iter().filter(|d| !self.log.contains(d)).collect();
        if !fresh.is_empty() {
            // Received entries were made before they were received: at the
            // same second, they go first.
            let mut merged: Vec<Decision> = fresh.into_iter().cloned().collect();
            merged.extend(self.log.iter().cloned());
            merged.sort_by(|a, b| a.at.cmp(&b.at));
            let excess = merged.len().saturating_sub(MAX_LOG);
            merged.drain(..excess);
            self.log = Rc::new(merged);
            self.run = None;
            self.awaiting = false;
            self.generation += 1;
            changed = true;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::agreement::{ServiceTerms, SignOff};
    use crate::core::criteria::RuleTest;

    fn scenario(name: &str, points: i32) -> Scenario {
        Scenario {
            name: name.into(),
            threshold: 40,
            criteria: vec![
                Criterion::new("Demo requested", points, "Demo", RuleTest::IsTrue),
                Criterion::new(
                    "Big company",
                    20,
                    "Employees",
                    RuleTest::Gte { value: 500.0 },
                ),
            ],
            grid: Default::default(),
            agreement: Default::default(),
        }
    }

    #[test]
    fn an_edit_reads_as_the_change_and_its_effect_on_the_figures() {
        let (from, to) = (scenario("Agreed", 30), scenario("Agreed", 40));
        let (about, change) = describe_edit(std::slice::from_ref(&from), &[to], 0).unwrap();
        assert_eq!(about, "Agreed");
        assert_eq!(change, "Demo requested: +30 → +40");
        let d = Decision {
            at: "2026-12-02T15:47:00Z".into(),
            scenario: about,
            change,
            before: Some(LoggedFigures {
                sales_ready: 412,
                conversion_in: Some(0.401),
                captured: Some(0.74),
            }),
            after: Some(LoggedFigures {
                sales_ready: 455,
                conversion_in: Some(0.398),
                captured: Some(0.77),
            }),
        };
        assert_eq!(d.effect(), "sales-ready 412 → 455, captured 74% → 77%");
        let same = Decision {
            after: d.before,
            ..d.clone()
        };
        assert_eq!(same.effect(), "sales-ready unchanged at 412");
        let unknown = Decision { after: None, ..d };
        assert_eq!(unknown.effect(), "figures not recorded");
        // Choosing another scenario is no decision.
        assert_eq!(
            describe_edit(&[from.clone(), from.clone()], &[from.clone(), from], 1),
            None
        );
    }

    #[test]
    fn sign_offs_agreement_and_terms_are_said_in_words() {
        let from = scenario("Agreed", 30);
        let mut to = from.clone();
        to.criteria[0].sign_off = SignOff {
            sales: Stance::Agrees,
            marketing: Stance::Disputes,
            note: "only in EMEA".into(),
        };
        assert_eq!(
            scenario_changes(&from, &to),
            [
                "Sales agrees to “Demo requested”",
                "Marketing disputes “Demo requested”",
                "“Demo requested”: note “only in EMEA”"
            ]
        );
        let mut later = to.clone();
        later.criteria[0].sign_off.marketing = Stance::Open;
        later.agreement.agreed_on = Some("2026-12-02".into());
        later.agreement.terms = ServiceTerms {
            follow_up_hours: Some(24),
            worked_percent: None,
            weekly_volume: None,
        };
        assert_eq!(
            scenario_changes(&to, &later),
            [
                "Marketing no longer disputes “Demo requested”",
                "Marked as the agreed definition on 2026-12-02",
                "Service terms: Sales follows up sales-ready leads within 24 hours."
            ]
        );
        let (about, change) = describe_edit(
            std::slice::from_ref(&from),
            &[from.clone(), scenario("Tighter", 50)],
            1,
        )
        .unwrap();
        assert_eq!(
            (about.as_str(), change.as_str()),
            ("Tighter", "Added the scenario “Tighter”")
        );
    }

    #[test]
    fn the_csv_quotes_every_text_and_never_starts_a_formula() {
        let log = vec![Decision {
            at: "2026-12-02T15:47:00Z".into(),
            scenario: "=HYPERLINK(\"x\")".into(),
            change: "Demo requested: +30 → +40".into(),
            before: Some(LoggedFigures {
                sales_ready: 412,
                conversion_in: Some(0.5),
                captured: None,
            }),
            after: None,
        }];
        let csv = log_csv(&log);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("time,scenario,change,effect,"));
        assert_eq!(
            lines[1],
            "\"2026-12-02T15:47:00Z\",\"'=HYPERLINK(\"\"x\"\")\",\"Demo requested: +30 → +40\",\
             \"figures not recorded\",412,,0.500000,,,"
        );
        assert!(is_logged_time("2026-12-02T15:47:00Z"));
        assert!(!is_logged_time("2026-12-02 15:47"));
    }

    fn figures(ready: u64) -> LoggedFigures {
        LoggedFigures {
            sales_ready: ready,
            conversion_in: Some(0.5),
            captured: Some(ready as f64 / 1000.0),
        }
    }

    #[test]
    fn a_run_of_one_edit_is_one_entry_with_the_figures_before_and_after() {
        let mut record = Recorder::default();
        assert!(record.figures_shown(figures(412)));
        assert!(
            !record.figures_shown(figures(412)),
            "the same figures change nothing"
        );
        let s30 = vec![scenario("Agreed", 30)];
        let s35 = vec![scenario("Agreed", 35)];
        let s40 = vec![scenario("Agreed", 40)];
        let t0 = 1_764_690_000_000.0;
        record.note("points 0", &s30, &s35, 0, t0, "");
        assert!(record.awaiting());
        record.figures_shown(figures(430));
        record.note("points 0", &s35, &s40, 0, t0 + 1_000.0, "");
        record.figures_shown(figures(455));
        assert_eq!(record.log.len(), 1);
        let entry = &record.log[0];
        assert_eq!(entry.change, "Demo requested: +30 → +40");
        assert_eq!(entry.before, Some(figures(412)));
        assert_eq!(entry.after, Some(figures(455)));
        assert_eq!(entry.at, logged_time(t0 + 1_000.0));
        assert!(is_logged_time(&entry.at));
        // A minute later, the same field makes a new entry.
        record.note("points 0", &s40, &s30, 0, t0 + 1_000.0 + RUN_GAP_MS, "");
        assert_eq!(record.log.len(), 2);
        assert_eq!(record.log[1].before, Some(figures(455)));
        // Another kind of edit between two of one kind starts a new entry;
        // choosing a scenario is none.
        let two = vec![scenario("Agreed", 30), scenario("Other", 30)];
        record.note("add 3", &s30, &two, 1, t0 + 70_000.0, "");
        record.note("select scenario", &two, &two, 0, t0 + 71_000.0, "");
        assert_eq!(record.log.len(), 3);
        assert_eq!(record.log[2].change, "Added the scenario “Other”");
        record.note("undo 1", &two, &s30, 0, t0 + 72_000.0, "Undone: ");
        assert_eq!(record.log[3].change, "Undone: Removed the scenario “Other”");
    }

    #[test]
    fn a_run_back_to_where_it_started_leaves_no_entry() {
        let mut record = Recorder::default();
        let (a, b) = (vec![scenario("S", 30)], vec![scenario("S", 31)]);
        record.note("points 0", &a, &b, 0, 0.0, "");
        assert_eq!(record.log.len(), 1);
        record.note("points 0", &b, &a, 0, 10.0, "");
        assert!(record.log.is_empty());
        assert!(!record.awaiting());
        // An edit of no substance after it does not remove older entries.
        record.note("threshold", &a, &b, 0, 20.0, "");
        record.note("select scenario", &b, &b, 0, 30.0, "");
        record.note("select scenario", &b, &b, 0, 40.0, "");
        assert_eq!(record.log.len(), 1);
    }

    #[test]
    fn a_files_record_merges_in_time_order_without_repeats() {
        let entry = |at: &str| Decision {
            at: at.into(),
            scenario: "S".into(),
            change: "x".into(),
            before: None,
            after: None,
        };
        let mut record = Recorder::with(String::new(), vec![entry("2026-12-02T10:00:00Z")]);
        assert!(record.merge(
            "Ana, Bo",
            &[entry("2026-12-01T10:00:00Z"), entry("2026-12-02T10:00:00Z")]
        ));
        let times: Vec<&str> = record.log.iter().map(|d| d.at.as_str()).collect();
        assert_eq!(times, ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"]);
        assert_eq!(record.attendees, "Ana, Bo");
        // Received at the same second as an entry made here: received first.
        let mut tied = Recorder::with(
            String::new(),
            vec![Decision {
                change: "here".into(),
                ..entry("2026-12-03T10:00:00Z")
            }],
        );
        tied.merge(
            "",
            &[Decision {
                change: "received".into(),
                ..entry("2026-12-03T10:00:00Z")
            }],
        );
        let order: Vec<&str> = tied.log.iter().map(|d| d.change.as_str()).collect();
        assert_eq!(order, ["received", "here"]);
        // Attendees written here are kept.
        assert!(!record.merge("Someone else", &[]));
        assert_eq!(record.attendees, "Ana, Bo");
    }
}
