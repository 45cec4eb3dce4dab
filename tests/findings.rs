//! Regression tests for inputs that once broke the core: each file named
//! `<entry point>-<hash>…bin` in `tests/fixtures/fuzz/` (where the fuzz
//! harness also starts from them) made it panic, hang, allocate by a score range
//! or give two answers to one question. Every one goes through the whole
//! pipeline it broke, and the figures are checked against each other and
//! against a plain, row-by-row recount.
//!
//! File names start with the entry point: `csv` and `hang` (bytes through
//! loading and everything after it), `criteria` (criteria-file JSON), `link`
//! (share-link fragment), `workspace` (saved workspace text). The `engine`
//! findings, written-out cases, are replayed by the fuzz harness itself
//! (`cargo test --test fuzz -- --replay tests/fixtures/fuzz/engine`).

use std::time::{Duration, Instant};

use leadlens::charts::score_distribution::score_axis;
use leadlens::charts::spec::ChartSpec;
use leadlens::charts::sweep::SweepCurve;
use leadlens::core::criteria::{Criterion, RuleTest, Scenario, MAX_POINTS};
use leadlens::core::criteria_file::{CriteriaFile, CriteriaFileError};
use leadlens::core::dataset::{ColumnKind, Dataset, MAX_COLUMN_NAME};
use leadlens::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings, MAX_SCORE_BANDS};
use leadlens::core::followup::{FollowUpAnalysis, FollowUpFacts};
use leadlens::core::ingest::reader::EncodingChoice;
use leadlens::core::ingest::{load_bytes, Finish, LoadOptions, Loaded, Loader};
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::ranking::{KeptLeads, RankedLeads};
use leadlens::core::scored_csv::ScoredCsv;
use leadlens::core::scoring::{evaluate_criteria, score_leads, RuleEffect};
use leadlens::core::share::{decode_link, encode_link};
use leadlens::core::sql::export_scenario;
use leadlens::core::starting::starting_scenario;
use leadlens::core::summary::summarise;
use leadlens::core::workspace::SavedWorkspace;

fn findings(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let target = match prefix {
        "hang-" => "csv",
        other => other.trim_end_matches('-'),
    };
    let dir = format!(
        "{}/tests/fixtures/fuzz/{target}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".bin")
        })
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no findings named {prefix}*");
    found
}

/// The ways the interface reads a file: detected, or chosen by the user.
fn option_sets() -> Vec<LoadOptions> {
    let mut sets = vec![LoadOptions::default()];
    for delimiter in [b',', b';', b'\t', b'|'] {
        sets.push(LoadOptions {
            delimiter: Some(delimiter),
            ..LoadOptions::default()
        });
    }
    sets.push(LoadOptions {
        encoding: EncodingChoice::Windows1252,
        ..LoadOptions::default()
    });
    sets.push(LoadOptions {
        header_record: Some(1),
        ..LoadOptions::default()
    });
    sets
}

/// Loads `bytes` the way the browser does, `chunk` bytes at a time.
fn load_in_chunks(name: &str, bytes: &[u8], options: &LoadOptions, chunk: usize) -> Option<Loaded> {
    let mut loader = Loader::new(name, bytes.len() as u64, options).ok()?;
    loop {
        for piece in bytes.chunks(chunk) {
            loader.push(piece).ok()?;
        }
        if let Finish::Done(loaded) = loader.finish().ok()? {
            return Some(loaded);
        }
    }
}

/// Criteria at and beyond every limit, on every column: points of
/// `i32::MIN` and `i32::MAX` (which no file may hold, but the engine must
/// still bound), and per-unit rules that run far past their caps.
fn extreme_scenario(data: &Dataset) -> Scenario {
    let mut criteria = Vec::new();
    for column in data.columns() {
        let name = column.name.as_str();
        criteria.push(Criterion::new("min", i32::MIN, name, RuleTest::NotEmpty));
        criteria.push(Criterion::new("max", i32::MAX, name, RuleTest::Empty));
        criteria.push(Criterion::new(
            "bound",
            MAX_POINTS,
            name,
            RuleTest::NotEmpty,
        ));
        if column.kind() == ColumnKind::Number {
            for (per_unit, max) in [
                (i32::MIN, 19),
                (-2_147_483_647, 0),
                (41, 0),
                (13, 0),
                (-15, -46),
                (1, i32::MAX),
                (1_073_741_824, -28),
                (0, -4),
            ] {
                criteria.push(Criterion::new(
                    "per unit",
                    0,
                    name,
                    RuleTest::PerUnit {
                        points_per_unit: per_unit,
                        max_points: max,
                    },
                ));
            }
        }
    }
    Scenario {
        name: "extremes".into(),
        threshold: -10,
        criteria,
        grid: Default::default(),
        agreement: Default::default(),
    }
}

/// Each lead's score added up in the plainest way: per lead, per enabled
/// criterion whose rule applies, its points bounded to ±MAX_POINTS (per
/// unit: nothing without a whole unit, else min(cap, per unit × units)).
fn recount(data: &Dataset, scenario: &Scenario) -> Vec<i64> {
    let evaluations = evaluate_criteria(data, &scenario.criteria);
    let bound = i64::from(MAX_POINTS);
    (0..data.row_count())
        .map(|row| {
            let mut score = 0i64;
            for (c, evaluation) in scenario.criteria.iter().zip(&evaluations) {
                let Ok(effect) = evaluation else { continue };
                if !c.enabled {
                    continue;
                }
                score += match (effect, &c.rule.test) {
                    (
                        RuleEffect::Units(units),
                        RuleTest::PerUnit {
                            points_per_unit,
                            max_points,
                        },
                    ) => {
                        let units = i64::from(units[row]);
                        if units == 0 {
                            0
                        } else {
                            (i64::from(*points_per_unit) * units)
                                .min(i64::from(*max_points))
                                .clamp(-bound, bound)
                        }
                    }
                    (effect, _) if effect.fires(row) => i64::from(c.points).clamp(-bound, bound),
                    _ => 0,
                };
            }
            score
        })
        .collect()
}

/// Replays `scenario` on the loaded data and checks every figure the
/// interface shows against the others and against [`recount`].
fn check_replay(loaded: &Loaded, bytes: &[u8], mapping: &ColumnMapping, scenario: &Scenario) {
    let data = &loaded.dataset;
    let Ok(facts) = LeadFacts::new(data, mapping) else {
        return;
    };
    let evaluations = evaluate_criteria(data, &scenario.criteria);
    let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
    let expected = recount(data, scenario);
    for (row, (&s, &e)) in scores.iter().zip(&expected).enumerate() {
        assert_eq!(
            i64::from(s),
            e,
            "row {row}: the score of every lead is the exact sum"
        );
    }
    let grouping = Grouping::new(scenario, &evaluations, &facts);
    let settings = ReplaySettings { reps: 3 };
    let replay = Replay::run(scenario, &grouping, &facts, &settings);
    for (row, &s) in scores.iter().enumerate() {
        assert_eq!(
            replay.score(&grouping, row),
            s,
            "row {row}: engine and score_leads agree"
        );
    }
    let ready = scores.iter().filter(|&&s| s >= scenario.threshold).count();
    assert_eq!(replay.figures.sales_ready.leads, ready);
    assert_eq!(replay.figures.leads, data.row_count());
    if let Some(auc) = replay.figures.auc {
        assert!((0.0..=1.0).contains(&auc), "AUC {auc}");
    }

    // Evidence: a rule fires where it matches or counts a whole unit.
    for (i, evaluation) in evaluations.iter().enumerate() {
        let Ok(effect) = evaluation else { continue };
        let fired = (0..data.row_count()).filter(|&r| effect.fires(r)).count();
        let matched = replay.evidence[i].matched.map_or(0, |m| m.leads);
        assert_eq!(
            matched, fired,
            "criterion {i}: evidence counts the leads it fires for"
        );
    }

    // Bands in order, each low <= high, together holding every lead.
    let distribution = replay.distribution(MAX_SCORE_BANDS);
    let mut previous_high: Option<i32> = None;
    let mut in_bands = 0;
    for band in &distribution.bands {
        assert!(band.low <= band.high, "band {}..{}", band.low, band.high);
        if let Some(high) = previous_high {
            assert!(band.low > high, "bands overlap at {}", band.low);
        }
        previous_high = Some(band.high);
        in_bands += band.converted + band.not_converted;
    }
    assert_eq!(in_bands, data.row_count());
    let _ = replay.conversion_by_band(MAX_SCORE_BANDS);

    // Ranked highest first, ties in file order, nothing sized by the span.
    let kept = KeptLeads::new(&grouping, |_| true);
    let ranked = RankedLeads::new(&replay, &kept, false, |_| true);
    let ranked = ranked.window(&grouping, &kept, 0..usize::MAX);
    assert_eq!(ranked.len(), data.row_count());
    for pair in ranked.windows(2) {
        let (a, b) = (pair[0] as usize, pair[1] as usize);
        assert!(scores[a] > scores[b] || (scores[a] == scores[b] && a < b));
    }

    // Follow-up: its sales-ready leads are the key figures' ones.
    let follow = FollowUpFacts::new(data, mapping);
    let analysis = FollowUpAnalysis::compute(
        &follow,
        &facts.outcomes,
        &scores,
        scenario.threshold,
        10,
        facts.deal_values.as_deref(),
    );
    let _ = analysis.what_if(0.5, Some(1e20));
    let _ = analysis.what_if(1.0, Some(24.0));

    // Charts at both sizes they are drawn at.
    let axis = score_axis(&distribution, scenario.threshold, scenario.score_range());
    let charts = [
        ChartSpec::ScoreDistribution {
            distribution: distribution.clone(),
            threshold: scenario.threshold,
            axis,
            title: "Scores".into(),
            accent: plotters::style::RGBColor(0, 0, 0),
        },
        ChartSpec::Sweep {
            curves: vec![SweepCurve {
                name: "s".into(),
                colour: plotters::style::RGBColor(0, 0, 0),
                points: replay.sweep(&facts, &settings),
            }],
            threshold: scenario.threshold,
            title: "Sweep".into(),
        },
    ];
    for chart in &charts {
        assert!(chart.svg((640, 360)).starts_with("<svg"));
    }

    // The exports score as the app does.
    let _ = export_scenario(scenario, data, &[], "leads");
    if let Ok(mut export) = ScoredCsv::new(&loaded.report, scenario, &evaluations) {
        let mut out = Vec::new();
        if export.push(bytes, &mut out).is_ok() {
            let _ = export.finish(&mut out);
        }
    }
}

/// Everything a loaded file goes through, for every way of reading it.
fn check_file(name: &str, bytes: &[u8]) {
    for options in option_sets() {
        let Ok(loaded) = load_bytes(name, bytes, &options) else {
            continue;
        };
        for chunk in [1, 7, 4096] {
            let chunked = load_in_chunks(name, bytes, &options, chunk)
                .unwrap_or_else(|| panic!("{name}: loads whole but not in chunks of {chunk}"));
            assert_eq!(chunked.report, loaded.report, "{name}: chunks of {chunk}");
            // Through Debug, where a missing number (NaN) equals itself.
            assert_eq!(
                format!("{:?}", chunked.dataset),
                format!("{:?}", loaded.dataset),
                "{name}: chunks of {chunk}"
            );
        }
        let data = &loaded.dataset;
        for column in data.columns() {
            assert!(
                column.name.chars().count() <= MAX_COLUMN_NAME + 8,
                "{name}: long name"
            );
        }
        let _ = summarise(data);
        let mapping = loaded.suggested.clone();
        if let Ok(outcomes) = mapping.outcomes(data) {
            let start = starting_scenario(data, &mapping, &outcomes, "Starting point");
            agree_on_acceptance(&CriteriaFile::new(mapping.clone(), vec![start.clone()], 0));
            check_replay(&loaded, bytes, &mapping, &start);
        }
        check_replay(&loaded, bytes, &mapping, &extreme_scenario(data));
    }
}

/// The criteria file, the link and the saved workspace accept the same
/// models, and give them back unchanged.
fn agree_on_acceptance(file: &CriteriaFile) {
    let json = serde_json::to_string(file).unwrap();
    let read = CriteriaFile::parse(&json);
    let workspace = SavedWorkspace {
        scenarios: file.scenarios.clone(),
        active: file.active,
        settings: ReplaySettings { reps: 1 },
        made_on: file.data.clone(),
        check: file.check.unwrap_or_default(),
        attendees: Default::default(),
        log: Default::default(),
    };
    let saved = SavedWorkspace::parse(&workspace.to_json());
    match &read {
        Ok(back) => {
            assert_eq!(back, file, "a criteria file comes back unchanged");
            assert_eq!(saved.as_ref().map(|w| &w.scenarios), Ok(&file.scenarios));
            assert_eq!(saved.as_ref().map(|w| &w.made_on), Ok(&file.data));
            // A model too large for a link is refused when the link is made.
            if let Ok(link) = encode_link(file) {
                assert_eq!(decode_link(&link).as_ref(), Ok(file));
            }
        }
        Err(_) => assert!(
            saved.is_err(),
            "the workspace accepts what the file refuses"
        ),
    }
}

#[test]
fn csv_findings_load_replay_and_export_consistently() {
    for (name, bytes) in findings("csv-") {
        check_file(&name, &bytes);
    }
}

#[test]
fn a_header_of_thousands_of_repeated_cells_is_named_in_linear_time() {
    for (name, bytes) in findings("hang-") {
        let started = Instant::now();
        let _ = load_bytes(&name, &bytes, &LoadOptions::default());
        // Took 24 s before; generous for a slow, loaded machine.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            started.elapsed()
        );
    }
    let header = "x,".repeat(8_000);
    let file = format!("{header}\n{}\n", "1,".repeat(8_000));
    let started = Instant::now();
    let loaded = load_bytes("wide.csv", file.as_bytes(), &LoadOptions::default());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    if let Ok(loaded) = loaded {
        let names: std::collections::HashSet<&str> = loaded
            .dataset
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names.len(),
            loaded.dataset.columns().len(),
            "names are unique"
        );
    }
}

#[test]
fn decoder_findings_are_refused_with_a_reason_and_never_panic() {
    for (name, bytes) in findings("criteria-")
        .into_iter()
        .chain(findings("workspace-"))
        .chain(findings("link-"))
    {
        let text = String::from_utf8_lossy(&bytes);
        let file = CriteriaFile::parse(&text);
        let link = decode_link(&text);
        let workspace = SavedWorkspace::parse(&text);
        if let Ok(file) = &file {
            agree_on_acceptance(file);
        }
        if let Ok(file) = &link {
            agree_on_acceptance(file);
        }
        // Each is refused by the reader it was made for, with words.
        if name.starts_with("criteria-") {
            assert!(
                file.is_err() || file.as_ref().is_ok_and(|f| !f.scenarios.is_empty()),
                "{name}"
            );
        }
        for message in [
            file.err().map(|e| e.to_string()),
            link.err().map(|e| e.to_string()),
            workspace.err().map(|e| e.to_string()),
        ]
        .into_iter()
        .flatten()
        {
            assert!(message.len() > 10, "{name}: {message}");
        }
    }
}

#[test]
fn points_beyond_the_bound_are_refused_even_at_the_least_i32() {
    let file = |threshold: i32, points: i32| {
        format!(
            r#"{{"format":"leadlens-criteria","version":1,"scenarios":[{{"name":"s","threshold":{threshold},
            "criteria":[{{"label":"a","group":"fit","proposed_by":"both","points":{points},
            "rule":{{"column":"c","op":"is_true"}}}}]}}]}}"#
        )
    };
    for (threshold, points) in [(i32::MIN, 1), (1, i32::MIN), (i32::MAX, 1), (1, -100_001)] {
        let err = CriteriaFile::parse(&file(threshold, points)).unwrap_err();
        assert!(
            matches!(&err, CriteriaFileError::Invalid(why) if why.contains("beyond ±100000")),
            "{err}"
        );
    }
    assert!(CriteriaFile::parse(&file(-100_000, 100_000)).is_ok());
    let active = r#"{"format":"leadlens-criteria","version":1,"active":18446744073709551615,
        "scenarios":[{"name":"s","threshold":1,"criteria":[]}]}"#;
    let err = CriteriaFile::parse(active).unwrap_err().to_string();
    assert!(err.contains("is not one of its 1"), "{err}");
}

#[test]
fn numbers_derived_from_data_survive_save_and_share_exactly() {
    // 91.41006403393325 came back as 91.41006403393324 without
    // float_roundtrip, and a lead exactly on the cut stopped matching.
    for value in [
        91.41006403393325,
        61.369155561394564,
        -95.25278654271729,
        96.67538594850441,
        5e-324,
        1.7976931348623157e308,
    ] {
        let scenario = Scenario {
            name: "s".into(),
            threshold: 1,
            criteria: vec![
                Criterion::new("lte", 1, "c", RuleTest::Lte { value }),
                Criterion::new(
                    "between",
                    1,
                    "c",
                    RuleTest::Between {
                        min: value,
                        max: 9007199254740992.0,
                    },
                ),
            ],
            grid: Default::default(),
            agreement: Default::default(),
        };
        agree_on_acceptance(&CriteriaFile::new(
            ColumnMapping::default(),
            vec![scenario],
            0,
        ));
    }
}

#[test]
fn the_first_undecodable_byte_is_reported_on_its_own_line_however_the_file_is_cut() {
    // UTF-16LE with a lone surrogate on line 3.
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "Converted,Stage\n1,won\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    bytes.extend([0x00, 0xD8]); // a high surrogate with no partner
    for unit in ",lost\n0,open\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let whole = load_bytes("u16.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(whole.report.replaced_bytes_from_line, Some(3));
    for chunk in [1, 2, 3, 5, 64] {
        let chunked = load_in_chunks("u16.csv", &bytes, &LoadOptions::default(), chunk).unwrap();
        assert_eq!(
            chunked.report.replaced_bytes_from_line,
            Some(3),
            "chunks of {chunk}"
        );
    }
}

#[test]
fn a_header_longer_than_a_criteria_file_allows_is_shortened_and_reported() {
    let long = "x".repeat(600);
    let file = format!("{long},Converted\na,1\nb,0\n");
    let loaded = load_bytes("long.csv", file.as_bytes(), &LoadOptions::default()).unwrap();
    let name = &loaded.dataset.columns()[0].name;
    assert_eq!(name.chars().count(), MAX_COLUMN_NAME);
    assert!(name.ends_with('…'));
    assert_eq!(loaded.report.renamed.len(), 1);
    assert_eq!(loaded.report.renamed[0].original, long);
    // A scenario on it saves, shares and is kept alike.
    let scenario = Scenario {
        name: "s".into(),
        threshold: 1,
        criteria: vec![Criterion::new("long", 5, name, RuleTest::NotEmpty)],
        grid: Default::default(),
        agreement: Default::default(),
    };
    let mapping = ColumnMapping {
        outcome: Some(name.clone()),
        ..ColumnMapping::default()
    };
    let file = CriteriaFile::new(mapping, vec![scenario], 0);
    assert!(CriteriaFile::parse(&serde_json::to_string(&file).unwrap()).is_ok());
    agree_on_acceptance(&file);
}

#[test]
fn huge_and_missing_values_under_extreme_points_agree_everywhere() {
    // Per-unit rules of i32::MIN points per unit on 2^53 hours overflowed
    // the engine's sum; negative caps gave points to missing values; one
    // criterion worth i32::MAX made the engine and the scored CSV differ.
    let file = "Converted,Hours,Deal,Followed,Created\n\
                yes,9007199254740992,18,yes,2024-01-01\n\
                no,600000000,,no,2024-01-02\n\
                yes,-5,1e15,,2024-02-01\n\
                no,0.5,-49930583.6,yes,\n\
                no,,3,no,2024-03-01\n\
                yes,34,7,yes,2024-03-02\n\
                no,1e20,0,no,2024-03-03\n";
    check_file("extremes.csv", file.as_bytes());
    let loaded = load_bytes("extremes.csv", file.as_bytes(), &LoadOptions::default()).unwrap();
    let scenario = extreme_scenario(&loaded.dataset);
    let evaluations = evaluate_criteria(&loaded.dataset, &scenario.criteria);
    let scores = score_leads(loaded.dataset.row_count(), &scenario.criteria, &evaluations);
    let bound = i64::from(MAX_POINTS) * scenario.criteria.len() as i64;
    assert!(
        scores.iter().all(|&s| i64::from(s).abs() <= bound),
        "{scores:?}"
    );
}

#[test]
fn the_first_undecodable_byte_is_found_across_a_crlf_cut_in_two() {
    // UTF-16BE, tab-separated, CRLF line ends, a lone low surrogate on line 3;
    // the two halves of a CRLF may fall in two chunks.
    let mut crlf = vec![0xFE, 0xFF];
    for unit in "Converted\tStage\r\n1\twon\r\n0\t".encode_utf16() {
        crlf.extend(unit.to_be_bytes());
    }
    crlf.extend([0xDC, 0x00]);
    for unit in "\r\n1\topen\r\n".encode_utf16() {
        crlf.extend(unit.to_be_bytes());
    }
    let whole = load_bytes("u16be.csv", &crlf, &LoadOptions::default()).unwrap();
    assert_eq!(whole.report.replaced_bytes_from_line, Some(3));
    for chunk in 1..=12 {
        let chunked = load_in_chunks("u16be.csv", &crlf, &LoadOptions::default(), chunk).unwrap();
        assert_eq!(
            chunked.report.replaced_bytes_from_line,
            Some(3),
            "chunks of {chunk}"
        );
    }
}

#[test]
fn a_header_with_empty_names_is_still_the_header() {
    // Three names and ten empty ones over fully filled rows: no title line.
    let header = format!("a,b,c{}", ",".repeat(10));
    let row = (0..13).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let file = format!("{header}\n{row}\n{row}\n");
    let l = load_bytes("sparse.csv", file.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!((l.report.header_record, l.dataset.row_count()), (0, 2));
}
