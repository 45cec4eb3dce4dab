//! A synthetic B2B lead export, generated deterministically, so that every
//! feature can be shown without real data.
//!
//! The leads are invented but behave like real ones: good fit (industry,
//! company size, seniority) and engagement (page views, email clicks, a demo
//! request) raise the chance of converting; sales follows up only part of the
//! leads and favours the obvious ones (cherry-picking); and the slower the
//! first response, the lower the conversion.

use super::criteria::{Criterion, CriterionKey, Group, Proposer, Rule, RuleTest, Scenario};
use super::dataset::{Categories, Column, ColumnValues, DataOrigin, Dataset, Texts};
use super::mapping::ColumnMapping;

/// How many leads the built-in sample holds.
pub const SAMPLE_LEADS: usize = 5_000;

/// The name the sample carries in the interface; it says it is synthetic.
pub const SAMPLE_NAME: &str = "Synthetic sample (generated, not real leads)";

const SEED: u64 = 0x1ead_1e25;
/// 2026-01-05, a Monday, in days since 1970-01-01.
const FIRST_DAY: i64 = 20_458;
/// Leads arrive over 26 weeks.
const SPAN_DAYS: u64 = 182;

/// A value drawn with a given weight, and what it adds to the lead's fit.
struct Choice {
    label: &'static str,
    share: f64,
    effect: f64,
}

const fn choice(label: &'static str, share: f64, effect: f64) -> Choice {
    Choice {
        label,
        share,
        effect,
    }
}

const INDUSTRIES: &[Choice] = &[
    choice("Software", 0.22, 0.8),
    choice("Financial services", 0.14, 0.6),
    choice("Healthcare", 0.12, 0.3),
    choice("Manufacturing", 0.14, 0.1),
    choice("Retail", 0.12, -0.2),
    choice("Education", 0.10, -0.5),
    choice("Public sector", 0.06, -0.3),
    choice("Other", 0.10, -0.4),
];

const COMPANY_SIZES: &[Choice] = &[
    choice("1-10", 0.20, -0.8),
    choice("11-50", 0.25, -0.2),
    choice("51-200", 0.25, 0.2),
    choice("201-1000", 0.18, 0.6),
    choice("1000+", 0.12, 0.7),
];

/// Typical first-year deal value by company size, in the same order.
const DEAL_BASE: [f64; 5] = [3_000.0, 8_000.0, 18_000.0, 40_000.0, 90_000.0];

const SENIORITIES: &[Choice] = &[
    choice("Individual contributor", 0.35, -0.5),
    choice("Manager", 0.30, 0.0),
    choice("Director", 0.18, 0.5),
    choice("VP", 0.10, 0.8),
    choice("C-level", 0.07, 0.7),
];

const FUNCTIONS: &[&str] = &["Marketing", "Sales", "IT", "Operations", "Finance"];
const CHIEF_TITLES: &[&str] = &["CMO", "CRO", "CTO", "COO", "CFO"];

const COUNTRIES: &[Choice] = &[
    choice("United States", 0.40, 0.1),
    choice("United Kingdom", 0.15, 0.1),
    choice("Germany", 0.12, 0.1),
    choice("France", 0.08, -0.1),
    choice("Canada", 0.08, 0.1),
    choice("Netherlands", 0.05, 0.1),
    choice("Brazil", 0.06, -0.2),
    choice("India", 0.06, -0.2),
];

/// Here `effect` is the source's pull on engagement.
const SOURCES: &[Choice] = &[
    choice("Organic search", 0.25, 0.1),
    choice("Paid search", 0.20, 0.0),
    choice("Webinar", 0.15, 0.4),
    choice("Referral", 0.10, 0.5),
    choice("Trade show", 0.10, 0.3),
    choice("Content download", 0.12, 0.0),
    choice("Purchased list", 0.08, -0.9),
];

const OWNERS: &[&str] = &[
    "Avery Chen",
    "Jordan Diaz",
    "Sam Okafor",
    "Riley Novak",
    "Morgan Patel",
    "Casey Lindqvist",
    "Taylor Brooks",
    "Jamie Rossi",
];

fn pick(rng: &mut fastrand::Rng, choices: &[Choice]) -> usize {
    let mut u = rng.f64() * choices.iter().map(|c| c.share).sum::<f64>();
    for (i, c) in choices.iter().enumerate() {
        if u < c.share {
            return i;
        }
        u -= c.share;
    }
    choices.len() - 1
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u1 = 1.0 - rng.f64(); // in (0, 1], so ln is finite
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One generated lead, before it is laid out in columns.
struct Lead {
    created: i64,
    industry: usize,
    size: usize,
    title: String,
    seniority: usize,
    country: usize,
    source: usize,
    page_views: f64,
    email_clicks: f64,
    demo: bool,
    followed_up: bool,
    response_hours: f64,
    owner: usize,
    converted: bool,
    deal_value: f64,
}

fn generate_lead(rng: &mut fastrand::Rng) -> Lead {
    let industry = pick(rng, INDUSTRIES);
    let size = pick(rng, COMPANY_SIZES);
    let seniority = pick(rng, SENIORITIES);
    let country = pick(rng, COUNTRIES);
    let source = pick(rng, SOURCES);
    let function = rng.usize(..FUNCTIONS.len());
    let title = match seniority {
        0 => format!("{} Specialist", FUNCTIONS[function]),
        1 => format!("{} Manager", FUNCTIONS[function]),
        2 => format!("Director of {}", FUNCTIONS[function]),
        3 => format!("VP {}", FUNCTIONS[function]),
        _ => CHIEF_TITLES[function].to_owned(),
    };

    let fit = INDUSTRIES[industry].effect
        + COMPANY_SIZES[size].effect
        + SENIORITIES[seniority].effect
        + COUNTRIES[country].effect
        + 0.3 * normal(rng);
    let engagement = normal(rng) + 0.3 * fit + SOURCES[source].effect;

    let page_views = ((1.3 + 0.6 * engagement + 0.4 * normal(rng)).exp() - 1.0)
        .round()
        .max(0.0);
    let email_clicks = if rng.f64() < 0.35 {
        0.0
    } else {
        (1.2 + 1.1 * engagement + normal(rng)).round().max(0.0)
    };
    let demo = rng.f64() < logistic(-2.4 + 1.2 * engagement + 0.3 * fit);

    // Sales favours what looks good at a glance: demo requests, senior
    // titles, big companies, busy visitors.
    let follow_up_odds = -1.0
        + 1.7 * f64::from(u8::from(demo))
        + 0.6 * SENIORITIES[seniority].effect
        + 0.4 * COMPANY_SIZES[size].effect
        + 0.04 * page_views.min(25.0)
        - 0.8 * f64::from(u8::from(source == SOURCES.len() - 1));
    let followed_up = rng.f64() < logistic(follow_up_odds);
    let response_hours = if followed_up {
        let median_log = 8f64.ln() - if demo { 0.8 } else { 0.0 };
        ((median_log + 1.3 * normal(rng)).exp().clamp(0.1, 500.0) * 10.0).round() / 10.0
    } else {
        f64::NAN
    };

    // Speed to lead: a quick first touch helps, a slow one barely does.
    let contact_effect = if followed_up {
        1.7 - 0.38 * (1.0 + response_hours).ln()
    } else {
        0.0
    };
    let converted = rng.f64()
        < logistic(
            -3.9 + 0.9 * fit + 0.7 * engagement + 0.9 * f64::from(u8::from(demo)) + contact_effect,
        );
    let deal_value = if converted {
        ((DEAL_BASE[size] * (0.5 * normal(rng)).exp()) / 100.0).round() * 100.0
    } else {
        f64::NAN
    };
    let day = FIRST_DAY + rng.u64(..SPAN_DAYS) as i64;
    let second_of_day = rng.i64(8 * 3600..18 * 3600);
    Lead {
        created: day * 86_400 + second_of_day,
        industry,
        size,
        title,
        seniority,
        country,
        source,
        page_views,
        email_clicks,
        demo,
        followed_up,
        response_hours,
        owner: rng.usize(..OWNERS.len()),
        converted,
        deal_value,
    }
}

fn labels_of<'a>(choices: &'a [Choice], picks: impl Iterator<Item = usize> + 'a) -> Categories {
    Categories::from_values(picks.map(|i| Some(choices[i].label)))
}

/// `leads` synthetic leads from `seed`; the same arguments always give the
/// same data.
pub fn generate(leads: usize, seed: u64) -> Dataset {
    let mut rng = fastrand::Rng::with_seed(seed);
    let rows: Vec<Lead> = (0..leads).map(|_| generate_lead(&mut rng)).collect();
    let number = |f: fn(&Lead) -> f64| ColumnValues::Number(rows.iter().map(f).collect());
    let boolean =
        |f: fn(&Lead) -> bool| ColumnValues::Boolean(rows.iter().map(|l| Some(f(l))).collect());
    let columns = vec![
        Column::new(
            "Lead ID",
            ColumnValues::Text(Texts::from_values(
                (1..=leads)
                    .map(|i| format!("L-{i:06}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|s| Some(s.as_str())),
            )),
        ),
        Column::new(
            "Created",
            ColumnValues::Date(rows.iter().map(|l| Some(l.created)).collect()),
        ),
        Column::new(
            "Industry",
            ColumnValues::Category(labels_of(INDUSTRIES, rows.iter().map(|l| l.industry))),
        ),
        Column::new(
            "Company size",
            ColumnValues::Category(labels_of(COMPANY_SIZES, rows.iter().map(|l| l.size))),
        ),
        Column::new(
            "Job title",
            ColumnValues::Category(Categories::from_values(
                rows.iter().map(|l| Some(l.title.as_str())),
            )),
        ),
        Column::new(
            "Seniority",
            ColumnValues::Category(labels_of(SENIORITIES, rows.iter().map(|l| l.seniority))),
        ),
        Column::new(
            "Country",
            ColumnValues::Category(labels_of(COUNTRIES, rows.iter().map(|l| l.country))),
        ),
        Column::new(
            "Lead source",
            ColumnValues::Category(labels_of(SOURCES, rows.iter().map(|l| l.source))),
        ),
        Column::new("Page views", number(|l| l.page_views)),
        Column::new("Email clicks", number(|l| l.email_clicks)),
        Column::new("Demo requested", boolean(|l| l.demo)),
        Column::new("Followed up", boolean(|l| l.followed_up)),
        Column::new("Response hours", number(|l| l.response_hours)),
        Column::new(
            "Owner",
            ColumnValues::Category(Categories::from_values(
                rows.iter().map(|l| Some(OWNERS[l.owner])),
            )),
        ),
        Column::new("Converted", boolean(|l| l.converted)),
        Column::new("Deal value", number(|l| l.deal_value)),
    ];
    Dataset::new(SAMPLE_NAME, DataOrigin::Sample, columns)
        .expect("generated columns have equal lengths and distinct names")
}

/// The built-in sample: [`SAMPLE_LEADS`] leads from a fixed seed.
pub fn sample_dataset() -> Dataset {
    generate(SAMPLE_LEADS, SEED)
}

/// The sample's column roles.
pub fn sample_mapping() -> ColumnMapping {
    ColumnMapping {
        outcome: Some("Converted".into()),
        converted_values: vec!["true".into()],
        followed_up: Some("Followed up".into()),
        response_hours: Some("Response hours".into()),
        created: Some("Created".into()),
        deal_value: Some("Deal value".into()),
        owner: Some("Owner".into()),
        lead_id: Some("Lead ID".into()),
        ..ColumnMapping::default()
    }
}

fn criterion(
    label: &str,
    group: Group,
    proposed_by: Proposer,
    points: i32,
    rationale: &str,
    column: &str,
    test: RuleTest,
) -> Criterion {
    Criterion {
        label: label.into(),
        group,
        proposed_by,
        points,
        enabled: true,
        rationale: rationale.into(),
        key: CriterionKey::default(),
        rule: Rule {
            column: column.into(),
            test,
        },
        sign_off: Default::default(),
    }
}

fn values(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|l| l.to_string()).collect()
}

/// A first lead definition for the sample, as a marketing team might draft it.
pub fn sample_scenario() -> Scenario {
    use Group::{Engagement, Fit};
    Scenario {
        name: "Marketing view".into(),
        threshold: 40,
        criteria: vec![
            criterion(
                "Asked for a demo",
                Engagement,
                Proposer::Sales,
                30,
                "Hand-raisers are the leads sales wants first",
                "Demo requested",
                RuleTest::IsTrue,
            ),
            criterion(
                "Target industry",
                Fit,
                Proposer::Marketing,
                15,
                "Software and finance buy the most",
                "Industry",
                RuleTest::AnyOf {
                    values: values(&["Software", "Financial services"]),
                },
            ),
            criterion(
                "Decision maker",
                Fit,
                Proposer::Both,
                15,
                "Directors and above sign the contract",
                "Seniority",
                RuleTest::AnyOf {
                    values: values(&["Director", "VP", "C-level"]),
                },
            ),
            criterion(
                "Company of 200+ people",
                Fit,
                Proposer::Marketing,
                10,
                "Larger accounts have budget",
                "Company size",
                RuleTest::AnyOf {
                    values: values(&["201-1000", "1000+"]),
                },
            ),
            criterion(
                "Engaged on the website",
                Engagement,
                Proposer::Marketing,
                0,
                "Interest shows in visits",
                "Page views",
                RuleTest::PerUnit {
                    points_per_unit: 2,
                    max_points: 20,
                },
            ),
            criterion(
                "From a purchased list",
                Fit,
                Proposer::Sales,
                -15,
                "Bought contacts rarely answer",
                "Lead source",
                RuleTest::AnyOf {
                    values: values(&["Purchased list"]),
                },
            ),
        ],
        grid: Default::default(),
        agreement: Default::default(),
    }
}
