//! The pattern table a warehouse would return for a case, built here lead
//! by lead (every rule's match or capped units, follow-up, response-time
//! bucket and bin, check set, counts and sums per group), written as CSV,
//! loaded and read back: its figures must be exactly those of the rows.

use std::collections::BTreeMap;

use leadlens::core::criteria::{Rule, RuleTest, Scenario};
use leadlens::core::dataset::{ColumnValues, Dataset};
use leadlens::core::engine::{GroupingCache, LeadFacts, Replay, ReplaySettings, ScoreTally};
use leadlens::core::followup::{response_slots, FollowUpAnalysis, FollowUpFacts};
use leadlens::core::ingest::{load_bytes, LoadOptions};
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::patterns::{is_pattern_table, rule_column, PatternData};
use leadlens::core::scoring::{evaluate_rule, RuleEffect};
use leadlens::core::split::{check_rows, CheckSplit};

use crate::runner::Ctx;

#[derive(Default)]
struct Group {
    leads: u64,
    converted: u64,
    deal_sum: Option<f64>,
    deal_count: u64,
    first: Option<i64>,
    last: Option<i64>,
}

fn iso(seconds: i64) -> Option<String> {
    let t = chrono::DateTime::from_timestamp(seconds, 0)?.naive_utc();
    (1000..=9999)
        .contains(&chrono::Datelike::year(&t))
        .then(|| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Whether two score tallies agree: counts exactly, revenue to rounding
/// (the sums are added in another order), unless deal values are so large
/// (beyond `sane`) that the order of adding decides the sum.
fn same_tallies(a: &[ScoreTally], b: &[ScoreTally], sane: bool) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.score == y.score
                && x.leads == y.leads
                && x.converted == y.converted
                && (!sane
                    || x.revenue == y.revenue
                    || (x.revenue - y.revenue).abs() <= 1e-9 * x.revenue.abs().max(1.0))
        })
}

/// Deal values up to this size add up the same, to rounding, in any order.
const SANE_DEAL_VALUE: f64 = 1e12;

pub fn check_patterns(
    ctx: &mut Ctx,
    data: &Dataset,
    mapping: &ColumnMapping,
    scenarios: &[Scenario],
    settings: &ReplaySettings,
) {
    let Some(Ok(facts)) = ctx.call("LeadFacts::new", || LeadFacts::new(data, mapping)) else {
        return;
    };
    let split = CheckSplit::default();
    let facts = facts.with_check(data, mapping, &split);
    let follow = FollowUpFacts::new(data, mapping);
    let created = match mapping.created.as_deref().and_then(|n| data.column(n)) {
        Some(c) => match &c.values {
            ColumnValues::Date(dates) => Some(dates.as_slice()),
            _ => None,
        },
        None => None,
    };
    let checked = check_rows(&split, &facts.outcomes, created);

    // One column per distinct rule that applies; a per-unit rule at the
    // highest cap asked of it.
    let mut rules: Vec<(String, Rule, u32)> = Vec::new();
    for criterion in scenarios.iter().flat_map(|s| &s.criteria) {
        if evaluate_rule(data, &criterion.rule).is_err() {
            continue;
        }
        let name = rule_column(&criterion.rule);
        let cap = criterion.unit_cap();
        let stem = match criterion.rule.test {
            RuleTest::PerUnit { .. } => name
                .rsplit_once('_')
                .map_or(name.clone(), |(s, _)| s.to_owned()),
            _ => name.clone(),
        };
        let same = |(n, ..): &&mut (String, Rule, u32)| {
            n.rsplit_once('_').map(|(s, _)| s) == Some(stem.as_str()) || *n == stem
        };
        match rules.iter_mut().find(|r| same(r)) {
            Some(existing)
                if existing.2 < cap && matches!(criterion.rule.test, RuleTest::PerUnit { .. }) =>
            {
                *existing = (name, criterion.rule.clone(), cap);
            }
            Some(_) => {}
            None => rules.push((name, criterion.rule.clone(), cap)),
        }
    }
    let slots: Vec<Vec<u32>> = rules
        .iter()
        .map(|(_, rule, cap)| match evaluate_rule(data, rule) {
            Ok(RuleEffect::Matches(set)) => (0..data.row_count())
                .map(|r| u32::from(set.contains(r)))
                .collect(),
            Ok(RuleEffect::Units(units)) => units.iter().map(|&u| u.min(*cap)).collect(),
            Err(_) => unreachable!("only rules that apply have columns"),
        })
        .collect();

    let mut groups: BTreeMap<Vec<i64>, Group> = BTreeMap::new();
    for row in 0..data.row_count() {
        let mut key: Vec<i64> = slots.iter().map(|s| i64::from(s[row])).collect();
        let followed = follow.followed_up.as_ref().map(|f| f[row]);
        if let Some(f) = followed {
            key.push(match f {
                Some(true) => 1,
                Some(false) => 0,
                None => -1,
            });
        }
        if let Some(hours) = &follow.response_hours {
            let (bucket, bin) = response_slots(followed.flatten(), hours[row]);
            key.push(bucket as i64);
            key.push(bin.map_or(-1, |b| b as i64));
        }
        key.push(i64::from(checked.contains(row)));
        let group = groups.entry(key).or_default();
        group.leads += 1;
        if facts.outcomes[row] {
            group.converted += 1;
            if let Some(value) = facts
                .deal_values
                .as_ref()
                .map(|d| d[row])
                .filter(|v| v.is_finite())
            {
                *group.deal_sum.get_or_insert(0.0) += value;
                group.deal_count += 1;
            }
        }
        if let Some(t) = created.and_then(|c| c[row]) {
            group.first = Some(group.first.map_or(t, |f| f.min(t)));
            group.last = Some(group.last.map_or(t, |l| l.max(t)));
        }
    }

    let mut header: Vec<String> = rules.iter().map(|(n, ..)| n.clone()).collect();
    if follow.followed_up.is_some() {
        header.push("ll_followed_up".into());
    }
    if follow.response_hours.is_some() {
        header.push("ll_response_time".into());
        header.push("ll_response_bin".into());
    }
    header.extend(["ll_check", "ll_leads", "ll_converted"].map(String::from));
    let deals = facts.deal_values.is_some();
    if deals {
        header.extend(["ll_deal_value", "ll_deal_values"].map(String::from));
    }
    if created.is_some() {
        header.extend(["ll_first_created", "ll_last_created"].map(String::from));
    }
    let mut csv = header.join(",");
    csv.push('\n');
    for (key, g) in &groups {
        let mut cells: Vec<String> = key.iter().map(i64::to_string).collect();
        if follow.response_hours.is_some() {
            // The bin of a lead without one is an empty cell.
            let at = rules.len() + usize::from(follow.followed_up.is_some()) + 1;
            if cells[at] == "-1" {
                cells[at] = String::new();
            }
        }
        cells.push(g.leads.to_string());
        cells.push(g.converted.to_string());
        if deals {
            match g.deal_sum {
                Some(sum) if !sum.is_finite() => return,
                Some(sum) => cells.push(format!("{sum:?}")),
                None => cells.push(String::new()),
            }
            cells.push(g.deal_count.to_string());
        }
        if created.is_some() {
            for t in [g.first, g.last] {
                match t.map(iso) {
                    Some(None) => return,
                    Some(Some(text)) => cells.push(text),
                    None => cells.push(String::new()),
                }
            }
        }
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    if data.row_count() == 0 {
        return;
    }

    let Some(loaded) = ctx.call("load the pattern table", || {
        load_bytes("patterns.csv", csv.as_bytes(), &LoadOptions::default())
    }) else {
        return;
    };
    let table = match loaded {
        Ok(loaded) => loaded.dataset,
        Err(why) => {
            ctx.mismatch("a pattern table does not load", || format!("{why}\n{csv}"));
            return;
        }
    };
    if !is_pattern_table(&table) {
        ctx.mismatch("a pattern table is not recognised", || csv.clone());
        return;
    }
    let patterns = match ctx.call("PatternData::read", || PatternData::read(&table)) {
        Some(Ok(patterns)) => patterns,
        Some(Err(why)) => {
            ctx.mismatch("a pattern table cannot be read", || format!("{why}\n{csv}"));
            return;
        }
        None => return,
    };
    let sane = facts.deal_values.as_ref().is_none_or(|d| {
        d.iter()
            .all(|v| !v.is_finite() || v.abs() <= SANE_DEAL_VALUE)
    });
    let pattern_facts = patterns.facts(&split);
    if pattern_facts.leads() != facts.leads() || pattern_facts.weeks != facts.weeks {
        ctx.mismatch("a pattern table counts other leads or weeks", || {
            format!(
                "{} / {:?} against {} / {:?}\n{csv}",
                pattern_facts.leads(),
                pattern_facts.weeks,
                facts.leads(),
                facts.weeks
            )
        });
        return;
    }
    for scenario in scenarios {
        let Some((rows, table)) = ctx.call("replays on rows and patterns", || {
            let grouping = GroupingCache::default().grouping(data, &facts, scenario);
            let replay = Replay::run(scenario, &grouping, &facts, settings);
            let check = replay.check_of(scenario, &grouping, &facts, settings);
            let pattern_grouping = GroupingCache::default().grouping_with(
                &|rule| patterns.evaluate(rule),
                &pattern_facts,
                scenario,
            );
            let aggregated = Replay::run(scenario, &pattern_grouping, &pattern_facts, settings);
            let pattern_check =
                aggregated.check_of(scenario, &pattern_grouping, &pattern_facts, settings);
            let follow_up = |facts: &LeadFacts,
                             follow: &FollowUpFacts,
                             grouping: &leadlens::core::engine::Grouping,
                             replay: &Replay| {
                let scores: Vec<i32> = grouping
                    .lead_pattern()
                    .iter()
                    .map(|&p| replay.pattern_scores[p as usize])
                    .collect();
                FollowUpAnalysis::compute(
                    follow,
                    &facts.outcomes,
                    &scores,
                    scenario.threshold,
                    30,
                    None,
                )
            };
            let rows_follow = follow_up(&facts, &follow, &grouping, &replay);
            let pattern_follow = follow_up(
                &pattern_facts,
                &patterns.follow_up_facts(),
                &pattern_grouping,
                &aggregated,
            );
            (
                (
                    replay.figures.clone(),
                    replay.by_score.clone(),
                    replay.evidence.clone(),
                    replay.grid(&grouping),
                    check.map(|c| (c.figures, c.evidence)),
                    rows_follow,
                ),
                (
                    aggregated.figures.clone(),
                    aggregated.by_score.clone(),
                    aggregated.evidence.clone(),
                    aggregated.grid(&pattern_grouping),
                    pattern_check.map(|c| (c.figures, c.evidence)),
                    pattern_follow,
                ),
            )
        }) else {
            return;
        };
        let part =
            |name: &'static str, same: bool, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
                (name, same, format!("{a:?}\n{b:?}"))
            };
        let parts = [
            part("key figures", rows.0 == table.0, &rows.0, &table.0),
            part(
                "scores",
                same_tallies(&rows.1, &table.1, sane),
                &rows.1,
                &table.1,
            ),
            part("evidence", rows.2 == table.2, &rows.2, &table.2),
            part("grid", rows.3 == table.3, &rows.3, &table.3),
            part("check set", rows.4 == table.4, &rows.4, &table.4),
            part("follow-up", rows.5 == table.5, &rows.5, &table.5),
        ];
        if let Some((part, _, shown)) = parts.iter().find(|(_, same, _)| !same) {
            ctx.mismatch("a pattern table's figures differ from the rows'", || {
                format!(
                    "{}: {part} differ: rows, then patterns:\n{shown}\n{csv}",
                    scenario.name
                )
            });
        }
    }
}
