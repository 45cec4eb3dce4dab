//! How figures are written for people: counts with thousands separators,
//! rates as percentages with their interval, and the headline sentence.
//!
//! Undefined figures (a rate of no leads, the lift of data without
//! conversions) are written as an em dash, never as `NaN` or `0`.

use super::engine::{Evidence, Workload};
use super::metrics::{KeyFigures, Rate};

/// Shown where a figure is undefined.
pub const UNDEFINED: &str = "—";

/// A count with comma thousands separators.
///
/// ```
/// assert_eq!(leadlens::core::format::count(1234567), "1,234,567");
/// ```
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A whole number of points with thousands separators and a true minus
/// sign, as charts and band labels show scores.
///
/// ```
/// use leadlens::core::format::points;
/// assert_eq!(points(12000), "12,000");
/// assert_eq!(points(-30), "−30");
/// assert_eq!(points(i32::MIN), "−2,147,483,648");
/// ```
pub fn points(n: i32) -> String {
    let magnitude = count(n.unsigned_abs() as usize);
    if n < 0 {
        format!("\u{2212}{magnitude}")
    } else {
        magnitude
    }
}

/// A number as people write it: thousands separators, at most two
/// decimals, a true minus sign.
///
/// ```
/// use leadlens::core::format::number;
/// assert_eq!(number(1300.0), "1,300");
/// assert_eq!(number(-2.5), "−2.5");
/// assert_eq!(number(0.126), "0.13");
/// ```
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return UNDEFINED.to_owned();
    }
    let text = decimal(Some(x.abs()), 2);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = match whole.parse::<usize>() {
        Ok(n) => count(n),
        Err(_) => whole.to_owned(),
    };
    let sign = if x < 0.0 && text != "0" {
        "\u{2212}"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A fraction as a percentage with one decimal, e.g. `18.2%`.
pub fn percent(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) if f.is_finite() => format!("{:.1}%", 100.0 * f),
        _ => UNDEFINED.to_owned(),
    }
}

/// A fraction as a whole percentage, e.g. `74%`.
pub fn whole_percent(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) if f.is_finite() => format!("{:.0}%", 100.0 * f),
        _ => UNDEFINED.to_owned(),
    }
}

/// A rate's 95% interval, e.g. `15.9–20.6%`.
pub fn interval(rate: &Rate) -> String {
    match rate.interval() {
        Some((lo, hi)) => format!("{:.1}–{:.1}%", 100.0 * lo, 100.0 * hi),
        None => UNDEFINED.to_owned(),
    }
}

/// A multiple, e.g. `5.9×`.
pub fn multiple(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{x:.1}×"),
        _ => UNDEFINED.to_owned(),
    }
}

/// A number with up to `decimals` decimals and no trailing zeros.
pub fn decimal(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(x) if x.is_finite() => {
            let text = format!("{x:.decimals$}");
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_owned()
            } else {
                text
            }
        }
        _ => UNDEFINED.to_owned(),
    }
}

/// The sentence that sums up a scenario, e.g. "Sales gets 412 leads a month
/// (≈21 per rep per week). They convert at 18.2% (16.1–20.5%) against 3.1%
/// for the rest: 5.9× lift. 74% of all conversions are captured." Without
/// dates the workload is a share of all leads instead.
pub fn headline(figures: &KeyFigures, workload: Option<&Workload>) -> String {
    if figures.leads == 0 {
        return "No leads are loaded.".to_owned();
    }
    let ready = &figures.sales_ready;
    let mut sentence = match workload {
        Some(w) => format!(
            "Sales gets {} leads a month (≈{} per rep per week), {} of all leads.",
            count(w.per_month().round() as usize),
            decimal(
                Some(w.per_rep_week),
                if w.per_rep_week < 10.0 { 1 } else { 0 }
            ),
            percent(figures.sales_ready_share())
        ),
        None => format!(
            "Sales gets {} of {} leads ({}).",
            count(ready.leads),
            count(figures.leads),
            percent(figures.sales_ready_share())
        ),
    };
    if ready.leads == 0 {
        sentence.push_str(" No lead reaches the threshold.");
        return sentence;
    }
    if figures.overall().converted == 0 {
        sentence.push_str(" No lead in the data converted, so conversion cannot be compared.");
        return sentence;
    }
    sentence.push_str(&format!(
        " They convert at {} ({}) against {} for the rest: {} lift. {} of all conversions are captured.",
        percent(ready.value()),
        interval(ready),
        percent(figures.rest.value()),
        multiple(figures.lift()),
        whole_percent(figures.captured()),
    ));
    sentence
}

/// The plain note shown beside the headline when the check set does
/// clearly worse than the tuning set: when its 95% interval for
/// conversion among sales-ready leads, or for conversions captured, lies
/// wholly below the tuning figure. `check_set` says which leads the check
/// set holds, e.g. "the newest 20% of leads". `None` when it holds up.
///
/// ```
/// use leadlens::core::format::check_note;
/// use leadlens::core::metrics::{KeyFigures, Rate};
/// let figures = |ready: (usize, usize), rest: (usize, usize)| KeyFigures {
///     leads: ready.1 + rest.1,
///     threshold: 40,
///     sales_ready: Rate { converted: ready.0, leads: ready.1 },
///     rest: Rate { converted: rest.0, leads: rest.1 },
///     auc: None,
/// };
/// let tuning = figures((740, 4_000), (260, 16_000));
/// let check = figures((116, 1_000), (84, 4_000));
/// assert_eq!(
///     check_note(&tuning, &check, "the newest 20% of leads").unwrap(),
///     "On the newest 20% of leads this definition captures 58% (51–65%), not 74%, \
///      and sales-ready leads convert at 11.6% (9.8–13.7%), not 18.5%: \
///      some points may be tuned to past leads."
/// );
/// assert_eq!(check_note(&tuning, &tuning, "the newest 20% of leads"), None);
/// ```
pub fn check_note(tuning: &KeyFigures, check: &KeyFigures, check_set: &str) -> Option<String> {
    let below = |check: &Rate, tuned: Option<f64>| match (check.interval(), tuned) {
        (Some((_, high)), Some(tuned)) => high < tuned,
        _ => false,
    };
    let whole_interval = |rate: &Rate| match rate.interval() {
        Some((lo, hi)) => format!("{:.0}–{:.0}%", 100.0 * lo, 100.0 * hi),
        None => UNDEFINED.to_owned(),
    };
    let mut parts = Vec::new();
    let captured = check.captured_rate();
    if below(&captured, tuning.captured()) {
        parts.push(format!(
            "this definition captures {} ({}), not {}",
            whole_percent(check.captured()),
            whole_interval(&captured),
            whole_percent(tuning.captured())
        ));
    }
    if below(&check.sales_ready, tuning.sales_ready.value()) {
        parts.push(format!(
            "sales-ready leads convert at {} ({}), not {}",
            percent(check.sales_ready.value()),
            interval(&check.sales_ready),
            percent(tuning.sales_ready.value())
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "On {check_set} {}: some points may be tuned to past leads.",
        parts.join(", and ")
    ))
}

/// A criterion's evidence in words, saying which rate each multiple is
/// against, e.g. "converts at 45.4% when it fires, 7.9% otherwise: 5.7×
/// the rest, 3.9× overall"; `None` for a rule that could not be applied.
pub fn evidence(e: &Evidence) -> Option<String> {
    let (matched, unmatched) = (e.matched?, e.unmatched?);
    let mut text = format!(
        "converts at {} when it fires, {} otherwise",
        percent(matched.value()),
        percent(unmatched.value()),
    );
    match (e.lift_over_rest(), e.lift()) {
        (Some(rest), Some(overall)) => text.push_str(&format!(
            ": {} the rest, {} overall",
            multiple(Some(rest)),
            multiple(Some(overall))
        )),
        (None, Some(overall)) => text.push_str(&format!(": {} overall", multiple(Some(overall)))),
        _ => {}
    }
    Some(text)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A day written `YYYY-MM-DD` in words; anything else as it is.
///
/// ```
/// use leadlens::core::format::day_in_words;
/// assert_eq!(day_in_words("2026-12-02"), "2 December 2026");
/// assert_eq!(day_in_words("soon"), "soon");
/// ```
pub fn day_in_words(day: &str) -> String {
    use chrono::Datelike;
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
        Err(_) => day.to_owned(),
    }
}

/// A logged time (`YYYY-MM-DDTHH:MM:SSZ`) shifted by `offset_minutes`
/// (local time minus UTC) as "2 December 2026, 14:05"; anything else as
/// it is.
///
/// ```
/// use leadlens::core::format::logged_time_in_words;
/// assert_eq!(logged_time_in_words("2026-12-02T14:05:09Z", 60), "2 December 2026, 15:05");
/// assert_eq!(logged_time_in_words("2026-12-31T23:30:00Z", 60), "1 January 2027, 00:30");
/// ```
pub fn logged_time_in_words(at: &str, offset_minutes: i32) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%SZ") {
        Ok(t) => {
            let t = t + chrono::Duration::minutes(i64::from(offset_minutes));
            format!(
                "{} {} {}, {:02}:{:02}",
                t.day(),
                MONTHS[t.month0() as usize],
                t.year(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => at.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_says_what_each_multiple_is_against() {
        use crate::core::metrics::Rate;
        // 45 of 99 when it fires, 63 of 800 otherwise: 108 of 899 overall.
        let e = Evidence {
            matched: Some(Rate {
                converted: 45,
                leads: 99,
            }),
            unmatched: Some(Rate {
                converted: 63,
                leads: 800,
            }),
        };
        assert_eq!(
            evidence(&e).unwrap(),
            "converts at 45.5% when it fires, 7.9% otherwise: 5.8× the rest, 3.8× overall"
        );
        let nothing_else_converts = Evidence {
            matched: Some(Rate {
                converted: 5,
                leads: 10,
            }),
            unmatched: Some(Rate {
                converted: 0,
                leads: 10,
            }),
        };
        assert_eq!(
            evidence(&nothing_else_converts).unwrap(),
            "converts at 50.0% when it fires, 0.0% otherwise: 2.0× overall"
        );
        assert_eq!(
            evidence(&Evidence {
                matched: None,
                unmatched: None
            }),
            None
        );
    }
    use crate::core::metrics::key_figures;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(5_000), "5,000");
    }

    #[test]
    fn undefined_figures_are_a_dash() {
        assert_eq!(percent(None), UNDEFINED);
        assert_eq!(multiple(Some(f64::NAN)), UNDEFINED);
        assert_eq!(interval(&Rate::default()), UNDEFINED);
    }

    #[test]
    fn decimals_drop_trailing_zeros() {
        assert_eq!(decimal(Some(0.8370), 3), "0.837");
        assert_eq!(decimal(Some(2.0), 2), "2");
        assert_eq!(decimal(None, 2), UNDEFINED);
    }

    #[test]
    fn headline_reads_as_a_sentence() {
        let scores = [50, 40, 39, 10, 0, 45];
        let outcomes = [true, false, true, false, false, true];
        let text = headline(&key_figures(&scores, &outcomes, 40), None);
        assert_eq!(
            text,
            "Sales gets 3 of 6 leads (50.0%). They convert at 66.7% (20.8–93.9%) \
             against 33.3% for the rest: 1.3× lift. 67% of all conversions are captured."
        );
    }

    #[test]
    fn headline_speaks_of_workload_when_dates_are_known() {
        let scores = [50, 40, 39, 10, 0, 45];
        let outcomes = [true, false, true, false, false, true];
        let workload = Workload {
            per_week: 95.0,
            per_rep_week: 19.0,
        };
        let text = headline(&key_figures(&scores, &outcomes, 40), Some(&workload));
        assert!(
            text.starts_with(
                "Sales gets 412 leads a month (≈19 per rep per week), 50.0% of all leads."
            ),
            "{text}"
        );
    }

    #[test]
    fn headline_handles_edge_cases() {
        assert_eq!(
            headline(&key_figures(&[], &[], 1), None),
            "No leads are loaded."
        );
        assert!(headline(&key_figures(&[0], &[true], 1), None)
            .ends_with("No lead reaches the threshold."));
        assert!(headline(&key_figures(&[5], &[false], 1), None)
            .contains("No lead in the data converted"));
    }
}
