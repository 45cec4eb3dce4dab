//! Joining the leads of one export to the outcomes in another, from the
//! files as a user has them: keys proposed, outcome, summary and figures.

use leadlens::core::ingest::{load_bytes, LoadOptions, Loaded};
use leadlens::core::join::{join, propose, JoinOutcome, JoinSpec, JOINED_OUTCOME};
use leadlens::core::mapping::ColumnMapping;

fn load(name: &str) -> Loaded {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    load_bytes(name, &bytes, &LoadOptions::default()).expect("the fixture loads")
}

/// The fixture's leads and deals, and the join proposed for them.
fn proposed() -> (Loaded, Loaded, JoinSpec) {
    let leads = load("join_leads.csv");
    let deals = load("join_deals.csv");
    let spec = propose(
        &leads.dataset,
        &deals.dataset,
        "join_deals.csv",
        &deals.suggested,
    )
    .expect("the files share a key");
    (leads, deals, spec)
}

#[test]
fn leads_and_deals_in_two_files_make_one_replayable_data_set() {
    let (leads, deals, spec) = proposed();
    assert_eq!(
        (spec.lead_key.as_str(), spec.row_key.as_str()),
        ("lead_id", "Lead")
    );
    assert_eq!(
        spec.outcome,
        JoinOutcome::OneOf {
            column: "Stage".into(),
            values: vec!["Closed Won".into()]
        }
    );
    assert_eq!(spec.deal_value.as_deref(), Some("Amount"));
    assert_eq!(spec.close_date.as_deref(), Some("Close Date"));
    assert_eq!(spec.owner.as_deref(), Some("Deal Owner"));

    let joined = join(&leads.dataset, &deals.dataset, &spec).expect("joins");
    let s = joined.columns.summary;
    assert_eq!((s.leads, s.leads_matched, s.leads_converted), (16, 7, 5));
    assert_eq!((s.rows, s.rows_unmatched), (8, 1));
    let said = s.describe(&spec);
    assert_eq!(
        said[0],
        "7 of 16 leads match a row of “join_deals.csv” (lead_id = Lead); 5 count as converted: \
         a lead converted when a matching row's Stage is “Closed Won”."
    );
    assert_eq!(said[1], "1 of its 8 rows match no lead.");

    let mapping = joined.columns.apply_to(&leads.suggested, &spec);
    let outcomes = mapping.outcomes(&joined.data).expect("the joined outcome");
    assert_eq!(outcomes.iter().filter(|&&c| c).count(), 5);
    assert_eq!(mapping.outcome.as_deref(), Some(JOINED_OUTCOME));
    assert_eq!(mapping.deal_value.as_deref(), Some("Amount"));
    for name in ["Deal ID", "Stage", "Amount", "Close Date", "Deal Owner"] {
        assert!(joined.data.column(name).is_some(), "{name} came over");
        assert!(
            mapping.known_only_after(name),
            "{name} is what happened next"
        );
    }
    // The lead file's own columns are still criteria material.
    assert!(!mapping.known_only_after("source"));
}

#[test]
fn the_same_two_files_joined_again_give_the_same_data() {
    let (leads, deals, spec) = proposed();
    let first = join(&leads.dataset, &deals.dataset, &spec).unwrap();
    // The spec as a link carries it, read back and applied to the files
    // loaded afresh.
    let carried: ColumnMapping = serde_json::from_str(
        &serde_json::to_string(&first.columns.apply_to(&ColumnMapping::default(), &spec)).unwrap(),
    )
    .unwrap();
    let again = join(
        &load("join_leads.csv").dataset,
        &load("join_deals.csv").dataset,
        carried.join.as_ref().unwrap(),
    )
    .unwrap();
    // Compared as printed: a missing number (NaN) is not equal to itself.
    assert_eq!(format!("{again:?}"), format!("{first:?}"));
}
