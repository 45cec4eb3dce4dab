//! Loading real-looking exports: one fixture per case the loader promises
//! to handle, each checked end to end from bytes to typed columns, roles and
//! the messages a user sees.

use leadlens::core::dataset::{ColumnKind, ColumnValues, Dataset};
use leadlens::core::ingest::infer::DayOrderEvidence;
use leadlens::core::ingest::reader::EncodingChoice;
use leadlens::core::ingest::roles::outcome_candidates;
use leadlens::core::ingest::values::{DayOrder, DecimalStyle};
use leadlens::core::ingest::{load_bytes, LoadError, LoadOptions, Loaded};
use leadlens::core::summary::summarise;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Result<Loaded, LoadError> {
    load_bytes(name, &fixture(name), &LoadOptions::default())
}

fn loaded(name: &str) -> Loaded {
    load(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn texts(data: &Dataset, column: &str) -> Vec<Option<String>> {
    let c = data
        .column(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    (0..c.len())
        .map(|r| c.text(r).map(|t| t.into_owned()))
        .collect()
}

fn numbers(data: &Dataset, column: &str) -> Vec<f64> {
    match &data.column(column).unwrap().values {
        ColumnValues::Number(v) => v.clone(),
        other => panic!("{column} is {other:?}"),
    }
}

fn kind(l: &Loaded, column: &str) -> ColumnKind {
    l.dataset.column(column).unwrap().kind()
}

#[test]
fn hubspot_export_with_bom_crlf_and_quoted_commas() {
    let l = loaded("hubspot_export.csv");
    assert_eq!(l.report.encoding, "UTF-8");
    assert_eq!(l.report.delimiter, b',');
    assert_eq!(l.dataset.row_count(), 6);
    assert_eq!(
        l.dataset.columns()[0].name,
        "Record ID",
        "the BOM is not part of the name"
    );
    assert_eq!(
        texts(&l.dataset, "Company")[0].as_deref(),
        Some("Acme, Inc.")
    );
    assert_eq!(
        texts(&l.dataset, "Company")[3].as_deref(),
        Some("Umbrella \"Bio\"")
    );
    assert_eq!(kind(&l, "Create Date"), ColumnKind::Date);
    assert_eq!(kind(&l, "Industry"), ColumnKind::Category);
    assert_eq!(
        texts(&l.dataset, "Industry")[2],
        None,
        "'Select' is a missing value"
    );
    let amount = numbers(&l.dataset, "Amount");
    assert_eq!(amount[0], 12_500.0);
    assert!(amount[1].is_nan());

    let m = &l.suggested;
    assert_eq!(m.outcome.as_deref(), Some("Lifecycle Stage"));
    assert_eq!(m.converted_values, ["Customer"]);
    assert_eq!(m.created.as_deref(), Some("Create Date"));
    assert_eq!(m.owner.as_deref(), Some("Contact owner"));
    assert_eq!(m.deal_value.as_deref(), Some("Amount"));
    assert_eq!(m.lead_id.as_deref(), Some("Record ID"));
    let converted = m.outcomes(&l.dataset).unwrap();
    assert_eq!(converted, [true, false, false, true, false, false]);
}

#[test]
fn european_export_in_windows_1252_with_decimal_commas_and_day_first_dates() {
    let l = loaded("european_1252.csv");
    assert_eq!(l.report.encoding, "windows-1252");
    assert_eq!(l.report.delimiter, b';');
    assert_eq!(
        texts(&l.dataset, "Kunde")[0].as_deref(),
        Some("Müller GmbH")
    );
    assert_eq!(texts(&l.dataset, "Stadt")[2].as_deref(), Some("Zürich"));
    assert_eq!(
        numbers(&l.dataset, "Umsatz"),
        [1234.5, 980.0, 12.75, 7500.0]
    );
    let umsatz = l
        .report
        .columns
        .iter()
        .find(|c| c.name == "Umsatz")
        .unwrap();
    assert_eq!(umsatz.decimal, Some(DecimalStyle::Comma));
    let erstellt = l
        .report
        .columns
        .iter()
        .find(|c| c.name == "Erstellt")
        .unwrap();
    assert_eq!(
        erstellt.day_order,
        Some((DayOrder::DayFirst, DayOrderEvidence::Certain))
    );
    assert_eq!(kind(&l, "Gewonnen"), ColumnKind::Boolean);
}

#[test]
fn windows_1252_can_be_chosen_and_utf8_forced() {
    let bytes = fixture("european_1252.csv");
    let options = LoadOptions {
        encoding: EncodingChoice::Utf8,
        ..LoadOptions::default()
    };
    let l = load_bytes("x", &bytes, &options).unwrap();
    assert_eq!(l.report.encoding, "UTF-8");
    assert_eq!(l.report.replaced_bytes_from_line, Some(2));
    assert!(texts(&l.dataset, "Kunde")[0]
        .as_deref()
        .unwrap()
        .contains('\u{FFFD}'));
}

#[test]
fn tab_delimited_with_quoted_newlines_and_blank_lines() {
    let l = loaded("tab_quoted_newlines.tsv");
    assert_eq!(l.report.delimiter, b'\t');
    assert_eq!(l.dataset.row_count(), 3);
    assert_eq!(
        texts(&l.dataset, "note")[0].as_deref(),
        Some("first line\nsecond line")
    );
    assert_eq!(texts(&l.dataset, "note")[2].as_deref(), Some("tab\tinside"));
    assert_eq!(l.suggested.outcome.as_deref(), Some("converted"));
}

#[test]
fn pipe_delimited_with_cr_only_line_endings() {
    let l = loaded("pipe_cr_only.csv");
    assert_eq!(l.report.delimiter, b'|');
    assert_eq!(numbers(&l.dataset, "score"), [10.0, 20.0, 30.0]);
    assert_eq!(l.suggested.outcome.as_deref(), Some("won"));
}

#[test]
fn ragged_rows_are_reported_with_lines_and_never_shifted() {
    let l = loaded("ragged.csv");
    assert_eq!(
        texts(&l.dataset, "name"),
        [Some("A".into()), Some("D".into()), Some("E".into())]
    );
    assert_eq!(l.report.skipped_count, 2);
    assert_eq!(l.report.skipped[0].line, 3);
    assert_eq!(
        l.report.skipped[0].reason,
        "has 2 fields where the header has 3"
    );
    assert_eq!(l.report.skipped[1].line, 4);
    assert_eq!(l.report.trailing_empty_fields, 1);
}

#[test]
fn duplicate_and_empty_headers_are_renamed_and_reported() {
    let l = loaded("duplicate_headers.csv");
    let names: Vec<&str> = l
        .dataset
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Email", "Column 2", "Email (2)", "Converted"]);
    assert_eq!(l.report.renamed.len(), 2);
    assert_eq!(l.report.renamed[1].original, "Email");
    assert_eq!(l.report.renamed[1].position, 3);
}

#[test]
fn us_dates_with_times_and_an_unreadable_value() {
    let l = loaded("us_dates.csv");
    assert_eq!(kind(&l, "Created"), ColumnKind::Date);
    let created = l
        .report
        .columns
        .iter()
        .find(|c| c.name == "Created")
        .unwrap();
    assert_eq!(
        created.day_order,
        Some((DayOrder::MonthFirst, DayOrderEvidence::Certain))
    );
    assert_eq!(created.unreadable, 1);
    assert_eq!(l.report.bad_cell_count, 1);
    assert_eq!(
        l.report.bad_cells[0].to_string(),
        "line 5, column 'Created': 'yesterday' is not a date; it is treated as missing"
    );
    let ColumnValues::Date(dates) = &l.dataset.column("Created").unwrap().values else {
        panic!()
    };
    assert_eq!(dates[0], Some(1_710_512_520)); // 2024-03-15 14:22 UTC
    assert_eq!(l.suggested.outcome.as_deref(), Some("Is Won"));
}

#[test]
fn salesforce_status_percentages_and_currency_codes() {
    let l = loaded("salesforce_leads.csv");
    assert_eq!(
        numbers(&l.dataset, "Probability (%)"),
        [80.0, 10.0, 30.0, 90.0]
    );
    assert_eq!(numbers(&l.dataset, "Annual Revenue")[3], 5_000_000.0);
    let m = &l.suggested;
    assert_eq!(m.outcome.as_deref(), Some("Lead Status"));
    assert_eq!(m.converted_values, ["Closed - Converted"]);
    assert_eq!(m.first_touch.as_deref(), Some("First Contacted"));
    assert_eq!(m.created.as_deref(), Some("Created Date"));
    assert_eq!(m.owner.as_deref(), Some("Lead Owner"));
    assert_eq!(m.deal_value, None, "annual revenue is not a deal value");
    let ColumnValues::Date(touch) = &l.dataset.column("First Contacted").unwrap().values else {
        panic!()
    };
    // 09:15 at +02:00 is 07:15 UTC.
    assert_eq!(
        touch[3].map(|t| t.rem_euclid(86_400)),
        Some(7 * 3600 + 15 * 60)
    );
}

#[test]
fn each_unusable_file_gets_its_own_message() {
    assert_eq!(load("empty.csv").unwrap_err(), LoadError::Empty);
    assert_eq!(load("blank_lines_only.csv").unwrap_err(), LoadError::Empty);
    let header_only = load("header_only.csv").unwrap_err();
    assert_eq!(
        header_only.to_string(),
        "The file has a header row (3 columns) but no data rows."
    );
    let workbook = load("workbook.xlsx").unwrap_err();
    assert!(
        workbook.to_string().contains("Excel workbook"),
        "{workbook}"
    );
    let messages = [
        LoadError::Empty.to_string(),
        header_only.to_string(),
        workbook.to_string(),
    ];
    for (i, a) in messages.iter().enumerate() {
        for b in &messages[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

/// Rows whose only columns are all empty are refused in words, not loaded
/// as a data set with no leads (a fuzzing finding once a file without an
/// outcome column could load).
#[test]
fn rows_of_nothing_but_empty_columns_are_refused() {
    let bytes = b"name,source,converted\nLeads export 2024-03-01\n,,,\nA,Web,yes\nB,Web\n";
    let options = LoadOptions {
        delimiter: Some(b','),
        header_record: Some(1),
        ..LoadOptions::default()
    };
    let error = load_bytes("export.csv", bytes, &options).unwrap_err();
    assert_eq!(
        error,
        LoadError::AllColumnsEmpty {
            columns: 1,
            rows: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "Every one of the file's 1 columns is empty in all 1 data rows: there is nothing to \
         load. Check the header line and the delimiter."
    );
}

/// A file with no outcome of its own loads: its outcomes may come from a
/// second file joined to it.
#[test]
fn a_file_without_an_outcome_loads_for_a_join() {
    let no_outcome = load("no_outcome.csv").expect("loads");
    assert_eq!(no_outcome.dataset.row_count(), 60);
    assert!(outcome_candidates(&no_outcome.dataset).is_empty());
    assert_eq!(no_outcome.suggested.outcome, None);
}

#[test]
fn summary_reports_types_missing_and_top_values() {
    let l = loaded("hubspot_export.csv");
    let summary = summarise(&l.dataset);
    let industry = summary.iter().find(|s| s.name == "Industry").unwrap();
    assert_eq!(industry.kind, ColumnKind::Category);
    assert_eq!(industry.missing, 1);
    assert_eq!(industry.top[0], ("Software".to_owned(), 2));
    let created = summary.iter().find(|s| s.name == "Create Date").unwrap();
    assert_eq!(
        created.range,
        Some(("2024-01-03 09:15".to_owned(), "2024-03-01 10:00".to_owned()))
    );
}

#[test]
fn streaming_typing_agrees_with_whole_column_typing_on_every_fixture() {
    use leadlens::core::ingest::{Finish, Loader};
    for name in [
        "hubspot_export.csv",
        "european_1252.csv",
        "tab_quoted_newlines.tsv",
        "us_dates.csv",
        "salesforce_leads.csv",
        "ragged.csv",
    ] {
        let bytes = fixture(name);
        let whole = loaded(name);
        // Types fixed after two rows, the file pushed in 7-byte chunks.
        let mut loader = Loader::new(name, bytes.len() as u64, &LoadOptions::default())
            .unwrap()
            .with_plan_rows(2);
        let streamed = loop {
            for chunk in bytes.chunks(7) {
                loader.push(chunk).unwrap();
            }
            if let Finish::Done(loaded) = loader.finish().unwrap() {
                break loaded;
            }
        };
        assert_eq!(
            format!("{:?}", streamed.dataset),
            format!("{:?}", whole.dataset),
            "{name}"
        );
        assert_eq!(streamed.report, whole.report, "{name}");
    }
}

/// A file longer than the rows that fix the types.
fn long_file(rows: usize, value: impl Fn(usize) -> String) -> Vec<u8> {
    let mut text = String::from("id,value,converted\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{i},{},{}\n",
            value(i),
            if i % 3 == 0 { "yes" } else { "no" }
        ));
    }
    text.into_bytes()
}

#[test]
fn a_column_whose_later_values_do_not_fit_is_typed_as_a_whole() {
    // Yes/no for the first 10,000 rows, then a 2: a number column.
    let bytes = long_file(12_000, |i| {
        if i < 11_000 {
            (i % 2).to_string()
        } else {
            "2".into()
        }
    });
    let l = load_bytes("t.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(kind(&l, "value"), ColumnKind::Number);
    assert_eq!(numbers(&l.dataset, "value")[11_500], 2.0);

    // Numbers, then mostly words: a category.
    let bytes = long_file(12_000, |i| {
        if i < 10_500 {
            i.to_string()
        } else {
            format!("w{}", i % 7)
        }
    });
    let l = load_bytes("t.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(kind(&l, "value"), ColumnKind::Text);

    // Numbers with a few bad values late on: still numbers, each bad value
    // reported with its line.
    let bytes = long_file(12_000, |i| {
        if i == 11_000 {
            "n.a.".into()
        } else {
            i.to_string()
        }
    });
    let l = load_bytes("t.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(kind(&l, "value"), ColumnKind::Number);
    assert_eq!(l.report.bad_cell_count, 1);
    assert_eq!(l.report.bad_cells[0].line, 11_002);

    // Categories that turn into free text.
    let bytes = long_file(12_000, |i| {
        if i < 10_000 {
            format!("c{}", i % 5)
        } else {
            format!("u{i}")
        }
    });
    let l = load_bytes("t.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_eq!(kind(&l, "value"), ColumnKind::Text);
    assert_eq!(
        texts(&l.dataset, "value")[11_999].as_deref(),
        Some("u11999")
    );
    assert_eq!(texts(&l.dataset, "value")[3].as_deref(), Some("c3"));
}

#[test]
fn a_telemarketing_export_has_its_call_duration_marked_as_known_only_afterwards() {
    // Bank telemarketing: `duration` is the length of the call, known once
    // the call is over, and long calls are the ones that sold.
    let l = loaded("bank_telemarketing.csv");
    assert_eq!(l.suggested.outcome.as_deref(), Some("y"));
    assert_eq!(
        l.suggested.converted_values,
        ["true"],
        "y is a yes/no column"
    );
    assert_eq!(l.suggested.known_after, ["duration"]);
    let outcomes = l.suggested.outcomes(&l.dataset).unwrap();
    let start =
        leadlens::core::starting::starting_scenario(&l.dataset, &l.suggested, &outcomes, "s");
    let columns: Vec<&str> = start
        .criteria
        .iter()
        .map(|c| c.rule.column.as_str())
        .collect();
    assert!(!columns.contains(&"duration"), "{columns:?}");
    assert!(!columns.contains(&"y"), "{columns:?}");
    assert!(
        !start.criteria.is_empty(),
        "the columns known on arrival still give a start"
    );
    // Marked as known on arrival, it would be the strongest criterion.
    let mut careless = l.suggested.clone();
    careless.known_after.clear();
    let leaky = leadlens::core::starting::starting_scenario(&l.dataset, &careless, &outcomes, "s");
    assert!(leaky.criteria.iter().any(|c| c.rule.column == "duration"));
}

#[test]
fn a_title_line_and_padding_columns_of_a_spreadsheet_export_are_passed_over() {
    // A title above the header, CR-only line ends, and 220 empty columns
    // after the four real ones, as a spreadsheet saves them.
    let l = loaded("title_line_padded.csv");
    assert_eq!(l.report.header_record, 1);
    assert_eq!(l.report.header_line, 2);
    assert_eq!(
        l.report.before_header,
        ["Leads export, generated 1 May 2024 by Reporting"]
    );
    let names: Vec<&str> = l
        .dataset
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Lead ID", "Source", "Employees", "Converted"]);
    assert_eq!(l.dataset.row_count(), 30);
    assert_eq!(l.report.dropped_empty.len(), 220);
    assert!(
        l.report.renamed.is_empty(),
        "the padding is reported as dropped, not renamed"
    );
    assert_eq!(l.suggested.outcome.as_deref(), Some("Converted"));
    assert_eq!(kind(&l, "Employees"), ColumnKind::Number);
    // Chosen by hand: the title as the header makes a file of other columns.
    let options = LoadOptions {
        header_record: Some(0),
        ..LoadOptions::default()
    };
    let as_title = load_bytes("t.csv", &fixture("title_line_padded.csv"), &options);
    assert!(as_title.is_err() || as_title.unwrap().report.header_record == 0);
}

#[test]
fn a_semicolon_file_with_a_note_line_keeps_its_delimiter() {
    let file = "Exported from the CRM on 2024-05-01\nKunde;Umsatz;Gewonnen\nA;1,5;ja\nB;2,5;nein\nC;3,5;ja\n";
    let l = load_bytes("n.csv", file.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(l.report.delimiter, b';');
    assert_eq!(l.report.header_line, 2);
    assert_eq!(l.dataset.columns().len(), 3);
    assert_eq!(l.dataset.row_count(), 3);
    // A header on the first line stays there.
    let plain = load_bytes("p.csv", b"id,won\n1,yes\n2,no\n", &LoadOptions::default()).unwrap();
    assert_eq!(
        (plain.report.header_record, plain.report.header_line),
        (0, 1)
    );
}

#[test]
fn times_of_day_are_their_own_kind_and_give_durations() {
    use leadlens::core::derive::{with_derived, DerivedDuration, DurationUnit};
    let l = loaded("car_insurance_calls.csv");
    assert_eq!(kind(&l, "CallStart"), ColumnKind::Time);
    assert_eq!(kind(&l, "CallEnd"), ColumnKind::Time);
    // No header names the outcome; the two-valued last column is it.
    assert_eq!(l.suggested.outcome.as_deref(), Some("CarInsurance"));
    let summary = summarise(&l.dataset);
    let start = summary.iter().find(|s| s.name == "CallStart").unwrap();
    let (earliest, latest) = start.range.clone().unwrap();
    assert!(
        earliest.len() == 8 && earliest.as_str() >= "09:00:00" && latest.as_str() <= "17:59:59",
        "{earliest}–{latest}"
    );
    let talk = DerivedDuration::named_for("CallStart", "CallEnd", DurationUnit::Minutes);
    let (data, problems) = with_derived(&l.dataset, std::slice::from_ref(&talk));
    assert!(problems.is_empty());
    let minutes = numbers(&data, "CallStart to CallEnd (minutes)");
    assert_eq!(minutes.len(), 60);
    assert!(
        minutes.iter().all(|&m| (0.3..=15.0).contains(&m)),
        "{minutes:?}"
    );
}
