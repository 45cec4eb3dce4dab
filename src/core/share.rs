//! The share link: every scenario (criteria, points, thresholds), the active
//! scenario and the column mapping by column name, packed into the URL
//! fragment. Lead data never goes into a link.
//!
//! A link reads `v1.` followed by base64url (no padding) of raw DEFLATE
//! (level 9) of a compact JSON. The compact JSON is positional rather than
//! the criteria file's keyed form, because a link should stay short enough
//! to paste into a chat (a 3-scenario, 20-criterion model takes under 1,500
//! characters, most of them spent on the labels and rationales):
//!
//! ```text
//! [active,
//!  [outcome, [converted values], followed_up, response_hours, first_touch,
//!   created, deal_value, owner, lead_id, [columns known only after]],
//!                                                  (null when unset; trailing nulls dropped)
//!  [[name, threshold,
//!    [[label, rationale, points, flags, column, rule code, arguments…], …]], …],
//!  [data set name, rows, [columns used…]]]           (only when made on one's own data)
//! ```
//!
//! `flags` packs the group (bit 0: engagement), the proposer (bits 1–2:
//! 0 marketing, 1 sales, 2 both) and bit 3 for a disabled criterion. The
//! rule code is the position of the operator in `RULE_KINDS`, which also
//! names and types its arguments. Both tables are frozen: new kinds and
//! roles are only ever appended, and the fixtures in `tests/fixtures/links/`
//! check that old links keep opening.
//!
//! Decoding treats the fragment as raw input, not the model: it is checked
//! for length, version, encoding and size (a link cannot inflate past
//! [`MAX_INFLATED_BYTES`]); the compact JSON is checked for shape, rebuilt
//! into the criteria file's JSON and handed to [`CriteriaFile::from_value`],
//! so every limit and check of the criteria file applies to links too.
//! Items after the last one a list is known to hold are ignored, so a later
//! build may add to the format without a new link version.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;
use serde_json::{json, Map, Value};

use super::agreement::{Agreement, SignOff, Stance};
use super::criteria::{Criterion, Group, Proposer, Rule, RuleTest, Scenario};
use super::criteria_file::{CriteriaFile, CriteriaFileError, FORMAT, VERSION};
use super::decisions::{Decision, LoggedFigures};
use super::mapping::ColumnMapping;
use super::split::SplitBy;

/// The version written after the `v` of every link this build makes.
/// Version 1 links (without sign-offs, agreement, attendees or log) are
/// still read exactly as before.
pub const LINK_VERSION: u32 = 2;

/// Most characters of an encoded fragment read (anything longer is refused
/// before decoding). A 3-scenario, 20-criterion model needs under 1,500.
pub const MAX_LINK_CHARS: usize = 32_768;

/// Most bytes a link may inflate to (decompression-bomb guard).
pub const MAX_INFLATED_BYTES: usize = 512 * 1024;

/// The strongest standard DEFLATE level: links are made rarely.
const DEFLATE_LEVEL: u8 = 9;

/// The mapping's roles in link order, by their criteria-file names.
const MAPPING_ROLES: [&str; 12] = [
    "outcome",
    "converted_values",
    "followed_up",
    "response_hours",
    "first_touch",
    "created",
    "deal_value",
    "owner",
    "lead_id",
    "known_after",
    "derived",
    "join",
];

/// The roles that hold a list of texts rather than one column name.
const CONVERTED_VALUES: usize = 1;
const KNOWN_AFTER: usize = 9;
/// The role that holds the derived columns, as the criteria file writes
/// them (objects of name, from, to and unit).
const DERIVED: usize = 10;
/// The role that holds the join to a second file, as the criteria file
/// writes it (an object of keys, outcome rule and carried columns).
const JOIN: usize = 11;

/// What a rule argument must be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Argument {
    Text,
    Texts,
    Number,
    Whole,
    /// A list of objects, checked by the criteria file's reader.
    Objects,
    /// One object, checked by the criteria file's reader.
    Object,
}

/// Rule kinds by link code: the criteria-file operator and the fields its
/// arguments fill, in link order.
const RULE_KINDS: [(&str, &[(&str, Argument)]); 12] = {
    use Argument::{Number, Text, Texts, Whole};
    [
        ("any_of", &[("values", Texts)]),
        ("none_of", &[("values", Texts)]),
        ("gte", &[("value", Number)]),
        ("lte", &[("value", Number)]),
        ("between", &[("min", Number), ("max", Number)]),
        ("is_true", &[]),
        ("is_false", &[]),
        ("contains", &[("value", Text)]),
        ("empty", &[]),
        ("not_empty", &[]),
        ("within_days", &[("days", Whole)]),
        (
            "per_unit",
            &[("points_per_unit", Whole), ("max_points", Whole)],
        ),
    ]
};

const ENGAGEMENT_FLAG: u64 = 1;
const PROPOSER_SHIFT: u32 = 1;
const PROPOSER_MASK: u64 = 0b11;
const DISABLED_FLAG: u64 = 8;
/// The flags a version 1 link may set.
const KNOWN_FLAGS_V1: u64 = 0b1111;
/// Version 2 adds each side's stance: bits 4–5 sales, 6–7 marketing
/// (0 not said, 1 agrees, 2 disputes).
const SALES_SHIFT: u32 = 4;
const MARKETING_SHIFT: u32 = 6;
const STANCE_MASK: u64 = 0b11;
const KNOWN_FLAGS_V2: u64 = 0xff;

/// Why a share link was not opened.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkError {
    /// The fragment is longer than [`MAX_LINK_CHARS`].
    TooLong { chars: usize, limit: usize },
    /// The fragment does not start with `v<digits>.`.
    NotALink,
    /// A link format this build does not read.
    UnknownVersion(u64),
    /// The link is damaged (cut off, mistyped, or not made by leadlens); the
    /// text says where, for whoever investigates.
    Garbled(String),
    /// The link would inflate to more than `limit` bytes.
    TooLarge { limit: usize },
    /// The link decodes, but its model fails the criteria file's checks.
    Invalid(CriteriaFileError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::TooLong { chars, limit } => write!(
                f,
                "This link is too long to be a leadlens link ({chars} characters; \
                 leadlens reads at most {limit}). Nothing was loaded."
            ),
            LinkError::NotALink => f.write_str(
                "This is not a leadlens share link: it should start with \"#v1.\". Nothing was loaded.",
            ),
            LinkError::UnknownVersion(v) if *v > u64::from(LINK_VERSION) => write!(
                f,
                "This link was made by a newer version of leadlens (link version {v}); \
                 this one reads versions 1 to {LINK_VERSION}. Reload the page to get the latest \
                 leadlens, then open the link again."
            ),
            LinkError::UnknownVersion(v) => write!(
                f,
                "This link uses a format leadlens does not read (link version {v}). \
                 Ask for a fresh link."
            ),
            LinkError::Garbled(reason) => write!(
                f,
                "This link is damaged or incomplete — was it cut off when copied? \
                 Ask for the link again. (Details: {reason}.)"
            ),
            LinkError::TooLarge { limit } => write!(
                f,
                "This link holds more than leadlens will open (over {} KB of criteria). \
                 Nothing was loaded.",
                limit / 1024
            ),
            LinkError::Invalid(CriteriaFileError::Invalid(reason)) => write!(
                f,
                "This link opens, but its criteria cannot be used: {reason}. Nothing was loaded."
            ),
            LinkError::Invalid(other) => write!(
                f,
                "This link opens, but it does not hold usable criteria ({other}). Nothing was loaded."
            ),
        }
    }
}

impl std::error::Error for LinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LinkError::Invalid(inner) => Some(inner),
            _ => None,
        }
    }
}

fn garbled(reason: impl Into<String>) -> LinkError {
    LinkError::Garbled(reason.into())
}

// ---------------------------------------------------------------- encoding

/// The share-link fragment (without `#`) for `file`, e.g. `v1.7VfL…`, or
/// why it cannot be one: a link is only made when [`decode_link`] would
/// open it, so a model too large for the limits a link is read with is
/// refused here rather than shared and found unreadable later.
///
/// `file` is expected to be valid, as every model the app holds is; a
/// number that is not finite would come back as an error from
/// [`decode_link`].
///
/// ```
/// use leadlens::core::criteria_file::CriteriaFile;
/// use leadlens::core::sample::{sample_mapping, sample_scenario};
/// use leadlens::core::share::{decode_link, encode_link};
///
/// let file = CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0);
/// let link = encode_link(&file).unwrap();
/// assert!(link.starts_with("v2."));
/// assert_eq!(decode_link(&format!("#{link}")), Ok(file));
/// ```
pub fn encode_link(file: &CriteriaFile) -> Result<String, TooLargeForLink> {
    let compact = compact_file(file).to_string();
    if compact.len() > MAX_INFLATED_BYTES {
        return Err(TooLargeForLink::Unpacked {
            bytes: compact.len(),
        });
    }
    let deflated = miniz_oxide::deflate::compress_to_vec(compact.as_bytes(), DEFLATE_LEVEL);
    let link = format!("v{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(deflated));
    if link.len() > MAX_LINK_CHARS {
        return Err(TooLargeForLink::Packed { chars: link.len() });
    }
    Ok(link)
}

/// Why scenarios cannot travel as a link (the criteria file carries them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooLargeForLink {
    /// The model's compact JSON is beyond [`MAX_INFLATED_BYTES`].
    Unpacked { bytes: usize },
    /// The packed link is beyond [`MAX_LINK_CHARS`].
    Packed { chars: usize },
}

impl fmt::Display for TooLargeForLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = match self {
            TooLargeForLink::Unpacked { bytes } => {
                format!("{bytes} bytes unpacked; a link holds at most {MAX_INFLATED_BYTES}")
            }
            TooLargeForLink::Packed { chars } => {
                format!("{chars} characters; a link holds at most {MAX_LINK_CHARS}")
            }
        };
        write!(
            f,
            "These scenarios are too large for a link ({size}). \
             Share them as a criteria file: Export criteria."
        )
    }
}

impl std::error::Error for TooLargeForLink {}

fn compact_file(file: &CriteriaFile) -> Value {
    // Format and version are those of the criteria file this build reads;
    // the link carries its own version in front.
    let CriteriaFile {
        format: _,
        version: _,
        mapping,
        active,
        scenarios,
        data,
        check,
        attendees,
        log,
    } = file;
    let mut top = vec![
        json!(active),
        compact_mapping(mapping),
        Value::from(scenarios.iter().map(compact_scenario).collect::<Vec<_>>()),
    ];
    // Links from before the data mark have three items; readers of that
    // time ignore a fourth.
    if let Some(mark) = data {
        top.push(json!([mark.name, mark.rows, mark.columns]));
    }
    // The check set's draw is a fifth item (after a null data mark if
    // there is none).
    if let Some(check) = check {
        if top.len() < 4 {
            top.push(Value::Null);
        }
        let by = match check.by {
            SplitBy::Recent => 0,
            SplitBy::Random => 1,
        };
        top.push(json!([
            u8::from(check.enabled),
            check.share,
            by,
            check.seed
        ]));
    }
    // Version 2: the attendees (sixth) and the decision log (seventh).
    if !attendees.is_empty() || !log.is_empty() {
        top.resize(5, Value::Null);
        top.push(if attendees.is_empty() {
            Value::Null
        } else {
            json!(attendees)
        });
        if !log.is_empty() {
            top.push(Value::from(
                log.iter().map(compact_decision).collect::<Vec<_>>(),
            ));
        }
    }
    Value::from(top)
}

fn compact_figures(figures: &Option<LoggedFigures>) -> Value {
    match figures {
        None => Value::Null,
        Some(f) => json!([f.sales_ready, f.conversion_in, f.captured]),
    }
}

/// `[time, scenario, change, figures before, figures after]`, each set of
/// figures `[sales-ready, conversion in, captured]` or null.
fn compact_decision(decision: &Decision) -> Value {
    let Decision {
        at,
        scenario,
        change,
        before,
        after,
    } = decision;
    json!([
        at,
        scenario,
        change,
        compact_figures(before),
        compact_figures(after)
    ])
}

fn stance_code(stance: Stance) -> u64 {
    match stance {
        Stance::Open => 0,
        Stance::Agrees => 1,
        Stance::Disputes => 2,
    }
}

/// The roles in [`MAPPING_ROLES`] order. Going through the criteria file's
/// own serialisation keeps the names in one place; a test checks that the
/// table covers every field.
fn compact_mapping(mapping: &ColumnMapping) -> Value {
    let long = serde_json::to_value(mapping).expect("a column mapping always serialises");
    let mut roles: Vec<Value> = MAPPING_ROLES
        .iter()
        .map(|name| match long.get(*name) {
            Some(Value::Array(items)) if items.is_empty() => Value::Null,
            Some(value) => value.clone(),
            None => Value::Null,
        })
        .collect();
    while roles.last() == Some(&Value::Null) {
        roles.pop();
    }
    Value::Array(roles)
}

fn compact_scenario(scenario: &Scenario) -> Value {
    let Scenario {
        name,
        threshold,
        criteria,
        grid,
        agreement: Agreement { agreed_on, terms },
    } = scenario;
    let mut items = vec![
        json!(name),
        json!(threshold),
        Value::from(criteria.iter().map(compact_criterion).collect::<Vec<_>>()),
    ];
    // The grid, when it changes anything: `[fit cuts, engagement cuts,
    // marked cells]`, cuts null where the data's quartiles apply. Readers
    // from before the grid ignore a fourth item.
    if !grid.is_default() {
        items.push(json!([
            grid.fit_cuts,
            grid.engagement_cuts,
            grid.ready_cells
        ]));
    }
    // Version 2: `[agreed on, follow-up hours, % worked, weekly volume]`
    // fifth (after a null grid if there is none).
    if agreed_on.is_some() || !terms.is_empty() {
        items.resize(4, Value::Null);
        items.push(json!([
            agreed_on,
            terms.follow_up_hours,
            terms.worked_percent,
            terms.weekly_volume
        ]));
    }
    Value::from(items)
}

fn compact_criterion(criterion: &Criterion) -> Value {
    // Destructured in full so that a new field cannot be forgotten here.
    let Criterion {
        label,
        group,
        proposed_by,
        points,
        enabled,
        rationale,
        rule: Rule { column, test },
        sign_off: SignOff {
            sales,
            marketing,
            note,
        },
        key: _,
    } = criterion;
    let group = match group {
        Group::Fit => 0,
        Group::Engagement => ENGAGEMENT_FLAG,
    };
    let proposed_by: u64 = match proposed_by {
        Proposer::Marketing => 0,
        Proposer::Sales => 1,
        Proposer::Both => 2,
    };
    let disabled = if *enabled { 0 } else { DISABLED_FLAG };
    let flags = group
        | proposed_by << PROPOSER_SHIFT
        | disabled
        | stance_code(*sales) << SALES_SHIFT
        | stance_code(*marketing) << MARKETING_SHIFT;
    let mut items = vec![
        json!(label),
        json!(rationale),
        json!(points),
        json!(flags),
        json!(column),
    ];
    items.extend(compact_test(test));
    // Version 2: the sign-off's note after the rule's arguments.
    if !note.is_empty() {
        items.push(json!(note));
    }
    Value::Array(items)
}

/// The rule code followed by the arguments, as [`RULE_KINDS`] lists them.
/// The match is exhaustive, so a new kind cannot go without a code.
fn compact_test(test: &RuleTest) -> Vec<Value> {
    match test {
        RuleTest::AnyOf { values } => vec![json!(0), json!(values)],
        RuleTest::NoneOf { values } => vec![json!(1), json!(values)],
        RuleTest::Gte { value } => vec![json!(2), compact_number(*value)],
        RuleTest::Lte { value } => vec![json!(3), compact_number(*value)],
        RuleTest::Between { min, max } => {
            vec![json!(4), compact_number(*min), compact_number(*max)]
        }
        RuleTest::IsTrue => vec![json!(5)],
        RuleTest::IsFalse => vec![json!(6)],
        RuleTest::Contains { value } => vec![json!(7), json!(value)],
        RuleTest::Empty => vec![json!(8)],
        RuleTest::NotEmpty => vec![json!(9)],
        RuleTest::WithinDays { days } => vec![json!(10), json!(days)],
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => vec![json!(11), json!(points_per_unit), json!(max_points)],
    }
}

/// Whole numbers without the `.0` JSON would give them; exact, since every
/// integer below 2^53 is an `f64`.
fn compact_number(x: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if x.fract() == 0.0 && x.abs() < EXACT {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

// ---------------------------------------------------------------- decoding

/// Whether `fragment` (with or without `#`) looks like a leadlens link,
/// i.e. starts with `v<digits>.`: the UI then reports any error from
/// [`decode_link`] instead of ignoring a fragment that belongs to no one.
pub fn is_share_fragment(fragment: &str) -> bool {
    split_version(strip_fragment(fragment)).is_some()
}

/// Reads a share-link fragment (with or without the leading `#`;
/// surrounding white space is ignored) into a validated criteria file.
pub fn decode_link(fragment: &str) -> Result<CriteriaFile, LinkError> {
    let fragment = strip_fragment(fragment);
    let chars = fragment.chars().count();
    if chars > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            chars,
            limit: MAX_LINK_CHARS,
        });
    }
    let (version, payload) = split_version(fragment).ok_or(LinkError::NotALink)?;
    let version = match version {
        1 => Version::One,
        2 => Version::Two,
        other => return Err(LinkError::UnknownVersion(other)),
    };
    let deflated = URL_SAFE_NO_PAD.decode(payload).map_err(|_| {
        garbled(format!(
            "the text after \"v{}.\" is not valid base64url",
            version as u8
        ))
    })?;
    let json = inflate(&deflated)?;
    let compact: Value = serde_json::from_slice(&json)
        .map_err(|e| garbled(format!("the unpacked content is not JSON ({e})")))?;
    let value = expand_file(&compact, version)?;
    CriteriaFile::from_value(value).map_err(LinkError::Invalid)
}

/// The link versions this build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd)]
enum Version {
    One = 1,
    Two = 2,
}

fn strip_fragment(fragment: &str) -> &str {
    let fragment = fragment.trim();
    fragment.strip_prefix('#').unwrap_or(fragment)
}

/// `v<digits>.<payload>` into the version (saturating at `u64::MAX`, so a
/// huge number still reads as "unknown version") and the payload.
fn split_version(fragment: &str) -> Option<(u64, &str)> {
    let rest = fragment.strip_prefix('v')?;
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end == 0 {
        return None;
    }
    let (digits, after) = rest.split_at(digits_end);
    let payload = after.strip_prefix('.')?;
    let version = digits.bytes().fold(0u64, |v, digit| {
        v.saturating_mul(10)
            .saturating_add(u64::from(digit.saturating_sub(b'0')))
    });
    Some((version, payload))
}

fn inflate(deflated: &[u8]) -> Result<Vec<u8>, LinkError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_INFLATED_BYTES).map_err(|e| {
        if e.status == TINFLStatus::HasMoreOutput {
            LinkError::TooLarge {
                limit: MAX_INFLATED_BYTES,
            }
        } else {
            garbled("the packed data is incomplete or corrupt")
        }
    })
}

/// The compact JSON rebuilt as criteria-file JSON, checking only its shape;
/// sizes and values are [`CriteriaFile::from_value`]'s to check.
fn expand_file(compact: &Value, version: Version) -> Result<Value, LinkError> {
    let top = Items::of(compact, "the link")?;
    let active = top
        .get(0, "the active scenario")?
        .as_u64()
        .ok_or_else(|| garbled("the link: the active scenario is not a whole number"))?;
    let mapping = expand_mapping(top.get(1, "the column mapping")?)?;
    let scenarios = top
        .list(2, "the scenarios")?
        .iter()
        .enumerate()
        .map(|(s, scenario)| expand_scenario(&format!("scenario {}", s + 1), scenario, version))
        .collect::<Result<Vec<_>, _>>()?;
    let mut file = json!({
        "format": FORMAT,
        "version": VERSION,
        "mapping": mapping,
        "active": active,
        "scenarios": scenarios,
    });
    // The data mark is advice, not model: one this build cannot read (from
    // a later build, say) is left out rather than refusing the link.
    if let Some(mark) = top.items.get(3).and_then(expand_mark) {
        file["data"] = mark;
    }
    // So is the check set's draw: without one readable, the default.
    if let Some(check) = top.items.get(4).and_then(expand_check) {
        file["check"] = check;
    }
    if version >= Version::Two {
        match top.items.get(5) {
            None | Some(Value::Null) => {}
            Some(_) => file["attendees"] = top.argument(5, "the attendees", Argument::Text)?,
        }
        if let Some(log) = top.items.get(6) {
            let entries = Items::of(log, "the decision log")?;
            file["log"] = Value::from(
                (0..entries.items.len())
                    .map(|i| expand_decision(&format!("decision {}", i + 1), &entries.items[i]))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
    }
    Ok(file)
}

/// `[sales-ready, conversion in, captured]` or null as logged figures
/// (their ranges are the criteria file's to check).
fn expand_figures(at: &str, compact: &Value) -> Result<Value, LinkError> {
    if compact.is_null() {
        return Ok(Value::Null);
    }
    match compact.as_array().map(Vec::as_slice) {
        Some([ready, conversion, captured, ..])
            if ready.is_u64()
                && (conversion.is_null() || conversion.is_number())
                && (captured.is_null() || captured.is_number()) =>
        {
            Ok(json!({ "sales_ready": ready, "conversion_in": conversion, "captured": captured }))
        }
        _ => Err(garbled(format!(
            "{at}: the figures are not [count, rate, rate]"
        ))),
    }
}

fn expand_decision(at: &str, compact: &Value) -> Result<Value, LinkError> {
    let items = Items::of(compact, at)?;
    let mut decision = json!({
        "at": items.argument(0, "the time", Argument::Text)?,
        "scenario": items.argument(1, "the scenario", Argument::Text)?,
        "change": items.argument(2, "the change", Argument::Text)?,
    });
    for (index, name) in [(3, "before"), (4, "after")] {
        let figures = expand_figures(at, items.get(index, name)?)?;
        if !figures.is_null() {
            decision[name] = figures;
        }
    }
    Ok(decision)
}

/// `[agreed on, follow-up hours, % worked, weekly volume]` as the
/// scenario's agreement fields.
fn expand_agreement(at: &str, compact: &Value, scenario: &mut Value) -> Result<(), LinkError> {
    let items = Items::of(compact, at)?;
    let [agreed_on, hours, percent, volume] = [0, 1, 2, 3].map(|i| items.items.get(i));
    match agreed_on {
        None | Some(Value::Null) => {}
        Some(_) => scenario["agreed_on"] = items.argument(0, "the day agreed", Argument::Text)?,
    }
    let mut terms = Map::new();
    for (value, index, name) in [
        (hours, 1, "follow_up_hours"),
        (percent, 2, "worked_percent"),
        (volume, 3, "weekly_volume"),
    ] {
        if matches!(value, None | Some(Value::Null)) {
            continue;
        }
        let what = format!("the {}", name.replace('_', " "));
        terms.insert(
            name.to_owned(),
            items.argument(index, &what, Argument::Whole)?,
        );
    }
    if !terms.is_empty() {
        scenario["terms"] = Value::Object(terms);
    }
    Ok(())
}

/// `[enabled, share, by, seed]` as the criteria file's `check`, if it has
/// that shape (the share's range is the criteria file's to check).
fn expand_check(compact: &Value) -> Option<Value> {
    match compact.as_array()?.as_slice() {
        [enabled, share, by, seed, ..] => {
            let enabled = match enabled.as_u64()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            let by = match by.as_u64()? {
                0 => "recent",
                1 => "random",
                _ => return None,
            };
            Some(
                json!({ "enabled": enabled, "share": share.as_f64()?, "by": by, "seed": seed.as_u64()? }),
            )
        }
        _ => None,
    }
}

/// `[name, rows, [columns…]]` as the criteria file's `data`, if it has
/// that shape.
fn expand_mark(compact: &Value) -> Option<Value> {
    match compact.as_array()?.as_slice() {
        [Value::String(name), rows, Value::Array(columns), ..] => {
            let columns: Option<Vec<&str>> = columns.iter().map(Value::as_str).collect();
            Some(json!({ "name": name, "rows": rows.as_u64()?, "columns": columns? }))
        }
        _ => None,
    }
}

fn expand_mapping(compact: &Value) -> Result<Value, LinkError> {
    let roles = Items::of(compact, "the column mapping")?;
    let mut mapping = Map::new();
    for (index, name) in MAPPING_ROLES.iter().enumerate() {
        match roles.items.get(index) {
            None | Some(Value::Null) => {}
            Some(_) => {
                let what = format!("the {} role", name.replace('_', " "));
                let kind = match index {
                    CONVERTED_VALUES | KNOWN_AFTER => Argument::Texts,
                    DERIVED => Argument::Objects,
                    JOIN => Argument::Object,
                    _ => Argument::Text,
                };
                mapping.insert((*name).to_owned(), roles.argument(index, &what, kind)?);
            }
        }
    }
    Ok(Value::Object(mapping))
}

fn expand_scenario(at: &str, compact: &Value, version: Version) -> Result<Value, LinkError> {
    let items = Items::of(compact, at)?;
    let criteria = items
        .list(2, "the criteria")?
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            expand_criterion(&format!("{at}, criterion {}", c + 1), criterion, version)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut scenario = json!({
        "name": items.argument(0, "the name", Argument::Text)?,
        "threshold": items.argument(1, "the threshold", Argument::Whole)?,
        "criteria": criteria,
    });
    // A fourth item of another shape is a later addition, ignored.
    if let Some(grid) = items.items.get(3).and_then(expand_grid) {
        scenario["grid"] = grid;
    }
    if version >= Version::Two {
        if let Some(agreement) = items.items.get(4).filter(|a| !a.is_null()) {
            expand_agreement(&format!("{at}, the agreement"), agreement, &mut scenario)?;
        }
    }
    Ok(scenario)
}

/// `[fit cuts, engagement cuts, cells]` as the criteria file's `grid`, if
/// it has that shape; the values are the criteria file's to check.
fn expand_grid(compact: &Value) -> Option<Value> {
    let [fit, engagement, cells] = compact.as_array()?.as_slice() else {
        return None;
    };
    let mut grid = Map::new();
    for (name, cuts) in [("fit_cuts", fit), ("engagement_cuts", engagement)] {
        if !cuts.is_null() {
            grid.insert(name.to_owned(), cuts.clone());
        }
    }
    grid.insert("ready_cells".to_owned(), cells.clone());
    Some(Value::Object(grid))
}

fn expand_criterion(at: &str, compact: &Value, version: Version) -> Result<Value, LinkError> {
    let items = Items::of(compact, at)?;
    let known = match version {
        Version::One => KNOWN_FLAGS_V1,
        Version::Two => KNOWN_FLAGS_V2,
    };
    let flags = items
        .get(3, "the flags")?
        .as_u64()
        .filter(|flags| flags & !known == 0)
        .ok_or_else(|| {
            garbled(format!(
                "{at}: the flags are not a number from 0 to {known}"
            ))
        })?;
    let group = if flags & ENGAGEMENT_FLAG == 0 {
        "fit"
    } else {
        "engagement"
    };
    let proposed_by = match flags >> PROPOSER_SHIFT & PROPOSER_MASK {
        0 => "marketing",
        1 => "sales",
        2 => "both",
        _ => {
            return Err(garbled(format!(
                "{at}: the proposer is not one of the three"
            )))
        }
    };
    let column = items.argument(4, "the column", Argument::Text)?;
    let (rule, used) = expand_rule(at, &items, column)?;
    let mut criterion = json!({
        "label": items.argument(0, "the label", Argument::Text)?,
        "rationale": items.argument(1, "the rationale", Argument::Text)?,
        "points": items.argument(2, "the points", Argument::Whole)?,
        "group": group,
        "proposed_by": proposed_by,
        "enabled": flags & DISABLED_FLAG == 0,
        "rule": rule,
    });
    if version >= Version::Two {
        let stance = |shift: u32| match flags >> shift & STANCE_MASK {
            0 => Ok("open"),
            1 => Ok("agrees"),
            2 => Ok("disputes"),
            _ => Err(garbled(format!("{at}: a sign-off is not one of the three"))),
        };
        let mut sign_off = json!({
            "sales": stance(SALES_SHIFT)?,
            "marketing": stance(MARKETING_SHIFT)?,
        });
        if items.items.get(used).is_some() {
            sign_off["note"] = items.argument(used, "the sign-off's note", Argument::Text)?;
        }
        criterion["sign_off"] = sign_off;
    }
    Ok(criterion)
}

/// The rule from its code at position 5 and the arguments after it, and
/// the position after its last argument.
fn expand_rule(at: &str, items: &Items, column: Value) -> Result<(Value, usize), LinkError> {
    const CODE: usize = 5;
    let (op, arguments) = items
        .get(CODE, "the rule kind")?
        .as_u64()
        .and_then(|code| RULE_KINDS.get(usize::try_from(code).ok()?))
        .ok_or_else(|| garbled(format!("{at}: the rule kind is not one this version knows")))?;
    let mut rule = Map::new();
    rule.insert("column".to_owned(), column);
    rule.insert("op".to_owned(), Value::from(*op));
    for (offset, (name, kind)) in arguments.iter().enumerate() {
        let what = format!("the {}", name.replace('_', " "));
        let value = items.argument(CODE + 1 + offset, &what, *kind)?;
        rule.insert((*name).to_owned(), value);
    }
    Ok((Value::Object(rule), CODE + 1 + arguments.len()))
}

/// A positional list of the compact form, with the place it stands for in
/// error messages.
struct Items<'a> {
    items: &'a [Value],
    at: &'a str,
}

impl<'a> Items<'a> {
    fn of(value: &'a Value, at: &'a str) -> Result<Self, LinkError> {
        let items = value
            .as_array()
            .ok_or_else(|| garbled(format!("{at} is not a list")))?;
        Ok(Items { items, at })
    }

    fn get(&self, index: usize, what: &str) -> Result<&'a Value, LinkError> {
        self.items
            .get(index)
            .ok_or_else(|| garbled(format!("{}: {what} is missing", self.at)))
    }

    fn list(&self, index: usize, what: &str) -> Result<&'a [Value], LinkError> {
        self.get(index, what)?
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| garbled(format!("{}: {what} are not a list", self.at)))
    }

    /// The item at `index`, if it is of the `kind` expected.
    fn argument(&self, index: usize, what: &str, kind: Argument) -> Result<Value, LinkError> {
        let value = self.get(index, what)?;
        let (fits, expected) = match kind {
            Argument::Text => (value.is_string(), "text"),
            Argument::Texts => (
                value
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_string)),
                "a list of texts",
            ),
            Argument::Number => (value.is_number(), "a number"),
            Argument::Whole => (value.is_i64() || value.is_u64(), "a whole number"),
            Argument::Objects => (
                value
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_object)),
                "a list of derived columns",
            ),
            Argument::Object => (value.is_object(), "a join to a second file"),
        };
        if fits {
            Ok(value.clone())
        } else {
            Err(garbled(format!("{}: {what} is not {expected}", self.at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::criteria_file::{DataMark, MAX_SCENARIOS};
    use crate::core::derive::{DerivedDuration, DurationUnit};
    use crate::core::join::{JoinOutcome, JoinSpec};
    use crate::core::sample::{sample_mapping, sample_scenario};

    /// `json`, packed the way a link is, for hand-made payloads.
    fn pack(json: &[u8]) -> String {
        let deflated = miniz_oxide::deflate::compress_to_vec(json, DEFLATE_LEVEL);
        format!("v1.{}", URL_SAFE_NO_PAD.encode(deflated))
    }

    fn round_trip(file: &CriteriaFile) -> CriteriaFile {
        let link = encode_link(file).unwrap();
        decode_link(&link).unwrap_or_else(|e| panic!("{link}: {e}"))
    }

    fn criterion(label: &str, points: i32, column: &str, test: RuleTest) -> Criterion {
        Criterion::new(label, points, column, test)
    }

    fn scenario(name: &str, threshold: i32, criteria: Vec<Criterion>) -> Scenario {
        Scenario {
            name: name.into(),
            threshold,
            criteria,
            grid: Default::default(),
            agreement: Default::default(),
        }
    }

    fn every_rule_kind() -> Vec<RuleTest> {
        vec![
            RuleTest::AnyOf {
                values: vec!["Software".into(), "Financial services".into()],
            },
            RuleTest::NoneOf {
                values: vec!["Purchased list".into()],
            },
            RuleTest::Gte { value: 12.5 },
            RuleTest::Lte { value: -3.0 },
            RuleTest::Between {
                min: 0.25,
                max: 1e6,
            },
            RuleTest::IsTrue,
            RuleTest::IsFalse,
            RuleTest::Contains {
                value: "Directør".into(),
            },
            RuleTest::Empty,
            RuleTest::NotEmpty,
            RuleTest::WithinDays { days: 30 },
            RuleTest::PerUnit {
                points_per_unit: 2,
                max_points: 20,
            },
        ]
    }

    /// Two scenarios with every rule kind, negative points, a disabled
    /// criterion, unicode and markup in labels, a partial mapping and the
    /// second scenario active.
    fn varied_file() -> CriteriaFile {
        let mut criteria: Vec<Criterion> = every_rule_kind()
            .into_iter()
            .enumerate()
            .map(|(i, test)| {
                let label = format!("{} rule", test.op_name());
                criterion(&label, 5 * i as i32 - 20, "Column", test)
            })
            .collect();
        criteria[0].label = "<script>alert('x')</script> & \"quotes\"".into();
        criteria[1].label = "Größe ≥ 200 — 日本語 🚀".into();
        criteria[1].rationale = "Ünïcode rationale\nwith a line break".into();
        criteria[2].enabled = false;
        criteria[3].group = Group::Engagement;
        criteria[4].proposed_by = Proposer::Marketing;
        criteria[5].proposed_by = Proposer::Sales;
        let mapping = ColumnMapping {
            outcome: Some("Stage".into()),
            converted_values: vec!["Closed Won".into(), "won".into()],
            first_touch: Some("First touch".into()),
            ..ColumnMapping::default()
        };
        CriteriaFile::new(
            mapping,
            vec![
                scenario("Draft", -5, vec![]),
                scenario("All kinds", 35, criteria),
            ],
            1,
        )
    }

    /// The sample's six criteria and fourteen more made from them, as a
    /// workshop would: same columns, other values, own labels and reasons.
    fn padded_criteria() -> Vec<Criterion> {
        let sample = sample_scenario().criteria;
        let copy = |from: usize, label: &str, rationale: &str, points: i32, values: &[&str]| {
            let mut c = sample[from].clone();
            c.label = label.into();
            c.rationale = rationale.into();
            c.points = points;
            if let RuleTest::AnyOf { values: old } = &mut c.rule.test {
                *old = values.iter().map(|v| v.to_string()).collect();
            }
            c
        };
        let mut trial = copy(
            0,
            "Started a free trial",
            "Trial users already picture using it daily",
            20,
            &[],
        );
        trial.rule.column = "Trial started".into();
        let mut researcher = copy(
            4,
            "Heavy researcher",
            "Fifteen visits means they compare vendors",
            10,
            &[],
        );
        researcher.rule.test = RuleTest::Gte { value: 15.0 };
        let mut criteria = sample.clone();
        criteria.extend([
            trial,
            researcher,
            copy(
                1,
                "Healthcare buyer",
                "Regulated buyers need us for audit trails",
                10,
                &["Healthcare"],
            ),
            copy(
                1,
                "Retail or education",
                "Low budgets and slow public procurement",
                -5,
                &["Retail", "Education"],
            ),
            copy(
                2,
                "Manager level contact",
                "Managers champion us but rarely sign off",
                5,
                &["Manager"],
            ),
            copy(
                2,
                "Individual contributor",
                "Researchers without authority stall deals",
                -5,
                &["Individual contributor"],
            ),
            copy(
                3,
                "Enterprise account",
                "Thousand-seat firms bring the big deals",
                10,
                &["1000+"],
            ),
            copy(
                3,
                "Very small company",
                "Tiny teams rarely have budget for this",
                -10,
                &["1-10"],
            ),
            copy(
                3,
                "Mid-size company",
                "Our best retention is in mid-size accounts",
                5,
                &["51-200"],
            ),
            copy(
                5,
                "Came from a webinar",
                "Attendees sat through an hour with us",
                10,
                &["Webinar"],
            ),
            copy(
                5,
                "Referred by a customer",
                "Referrals close faster and churn far less",
                20,
                &["Referral"],
            ),
            copy(
                5,
                "Met us at a trade show",
                "A talk at the booth beats a form fill-in",
                5,
                &["Trade show"],
            ),
            copy(
                5,
                "Clicked a search ad",
                "Ad clicks show intent but are often students",
                0,
                &["Paid search"],
            ),
            copy(
                5,
                "Downloaded an ebook only",
                "Ebook readers are early and need nurturing",
                -5,
                &["Content download"],
            ),
        ]);
        criteria
    }

    /// A workshop's result: three scenarios of 20 criteria that differ in a
    /// few points, switches and thresholds.
    fn workshop_model() -> CriteriaFile {
        let marketing = Scenario {
            name: "Marketing view".into(),
            threshold: 40,
            criteria: padded_criteria(),
            grid: Default::default(),
            agreement: Default::default(),
        };
        let mut sales = marketing.clone();
        sales.name = "Sales view".into();
        sales.threshold = 55;
        sales.criteria[0].points = 40;
        sales.criteria[4].rule.test = RuleTest::PerUnit {
            points_per_unit: 1,
            max_points: 10,
        };
        sales.criteria[5].points = -25;
        sales.criteria[17].enabled = false;
        let mut agreed = sales.clone();
        agreed.name = "Agreed".into();
        agreed.threshold = 45;
        agreed.criteria[0].points = 35;
        agreed.criteria[17].enabled = true;
        CriteriaFile::new(sample_mapping(), vec![marketing, sales, agreed], 2)
    }

    #[test]
    fn every_rule_kind_and_detail_round_trips() {
        let file = varied_file();
        assert_eq!(
            file.scenarios[1].criteria.len(),
            12,
            "one criterion per rule kind"
        );
        let back = round_trip(&file);
        assert_eq!(back, file);
        let labels: Vec<&str> = back.scenarios[1]
            .criteria
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(labels[0], "<script>alert('x')</script> & \"quotes\"");
        assert_eq!(labels[1], "Größe ≥ 200 — 日本語 🚀");
        assert_eq!(back.active, 1);
        assert!(!back.scenarios[1].criteria[2].enabled);
        assert_eq!(back.scenarios[1].criteria[0].points, -20);
    }

    #[test]
    fn the_data_a_definition_was_made_on_travels_by_name_only() {
        let file = varied_file();
        let mark = DataMark::new("bank_full.csv", 45_211, &file.mapping, &file.scenarios);
        assert_eq!(mark.columns[0], "Stage", "the outcome first");
        let mut unique = mark.columns.clone();
        unique.dedup();
        assert_eq!(unique.len(), mark.columns.len(), "each column once");
        let file = file.made_on(Some(mark.clone()));
        let back = round_trip(&file);
        assert_eq!(back.data, Some(mark));
        assert_eq!(back, file);
        // A link without the mark (as every link made before it) opens
        // with none, and so does one whose mark cannot be read.
        let plain = CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0);
        assert_eq!(round_trip(&plain).data, None);
        let mut link = encode_link(&plain).unwrap();
        for broken in [
            json!(["a.csv", "many", []]),
            json!(["a.csv", 3, [1]]),
            json!("later"),
        ] {
            let mut compact = compact_file(&plain);
            compact.as_array_mut().unwrap().push(broken);
            let deflated = miniz_oxide::deflate::compress_to_vec(
                compact.to_string().as_bytes(),
                DEFLATE_LEVEL,
            );
            link = format!("v1.{}", URL_SAFE_NO_PAD.encode(deflated));
            assert_eq!(decode_link(&link), Ok(plain.clone()));
        }
        assert!(link.starts_with("v1."));
    }

    #[test]
    fn the_check_set_draw_travels_with_or_without_a_data_mark() {
        use crate::core::split::{CheckSplit, SplitBy};
        let random = CheckSplit {
            enabled: true,
            share: 0.3,
            by: SplitBy::Random,
            seed: 77,
        };
        let plain = CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0);
        let file = plain.clone().with_check(Some(random));
        assert_eq!(round_trip(&file), file);
        let off = CheckSplit {
            enabled: false,
            ..CheckSplit::default()
        };
        let marked = plain
            .clone()
            .made_on(Some(DataMark::new(
                "a.csv",
                10,
                &plain.mapping,
                &plain.scenarios,
            )))
            .with_check(Some(off));
        assert_eq!(round_trip(&marked), marked);
        // A draw this build cannot read leaves the default; a share out of
        // range is refused as the criteria file refuses it.
        let with_fifth = |fifth: Value| {
            let mut compact = compact_file(&plain);
            let top = compact.as_array_mut().unwrap();
            top.push(Value::Null);
            top.push(fifth);
            let deflated = miniz_oxide::deflate::compress_to_vec(
                compact.to_string().as_bytes(),
                DEFLATE_LEVEL,
            );
            decode_link(&format!("v1.{}", URL_SAFE_NO_PAD.encode(deflated)))
        };
        assert_eq!(with_fifth(json!([1, 0.2, 7, 1])), Ok(plain.clone()));
        assert_eq!(with_fifth(json!("later")), Ok(plain.clone()));
        assert!(matches!(
            with_fifth(json!([1, 0.9, 1, 1])),
            Err(LinkError::Invalid(_))
        ));
    }

    #[test]
    fn the_grid_travels_with_its_scenario_and_a_broken_one_is_refused() {
        use crate::core::grid::{Cell, Grid};
        let mut scenario = sample_scenario();
        scenario.grid = Grid {
            fit_cuts: Some([30, 15, 0]),
            engagement_cuts: None,
            ready_cells: vec![Cell::parse("A2").unwrap(), Cell::parse("B1").unwrap()],
        };
        let file = CriteriaFile::new(sample_mapping(), vec![scenario, sample_scenario()], 0);
        let back = round_trip(&file);
        assert_eq!(back, file);
        assert!(back.scenarios[1].grid.is_default());
        let json = file.to_json();
        assert!(
            json.contains("\"ready_cells\": [\n          \"A2\",\n          \"B1\"\n        ]"),
            "{json}"
        );
        assert_eq!(CriteriaFile::parse(&json), Ok(file.clone()));
        for (broken, why) in [
            (json.replace("\"A2\"", "\"E7\""), "not a grid cell"),
            (json.replace("\"B1\"", "\"A2\""), "marks a cell twice"),
            (
                json.replace("30,\n", "-30,\n"),
                "do not run from the best grade down",
            ),
        ] {
            let error = CriteriaFile::parse(&broken).unwrap_err().to_string();
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn every_mapping_role_round_trips() {
        let mapping = ColumnMapping {
            outcome: Some("Outcome".into()),
            converted_values: vec!["yes".into(), "".into()],
            followed_up: Some("Followed".into()),
            response_hours: Some("Hours".into()),
            first_touch: Some("Touch".into()),
            created: Some("Created".into()),
            deal_value: Some("Value".into()),
            owner: Some("Owner".into()),
            lead_id: Some("".into()),
            known_after: vec!["Call duration".into(), "Tags".into()],
            derived: vec![DerivedDuration::named_for(
                "CallStart",
                "CallEnd",
                DurationUnit::Minutes,
            )],
            join: Some(JoinSpec {
                file: "deals.csv".into(),
                lead_key: "Lead id".into(),
                row_key: "Lead".into(),
                outcome: JoinOutcome::OneOf {
                    column: "Stage".into(),
                    values: vec!["Closed Won".into()],
                },
                deal_value: Some("Amount".into()),
                close_date: None,
                owner: Some("Rep".into()),
            }),
        };
        for mapping in [mapping, ColumnMapping::default(), sample_mapping()] {
            let file = CriteriaFile::new(mapping, vec![sample_scenario()], 0);
            assert_eq!(round_trip(&file), file);
        }
    }

    #[test]
    fn the_frozen_tables_cover_the_model() {
        // Every field, those left out when empty included.
        let mapping = ColumnMapping {
            join: Some(JoinSpec {
                file: "f".into(),
                lead_key: "k".into(),
                row_key: "k".into(),
                outcome: JoinOutcome::Matched,
                deal_value: None,
                close_date: None,
                owner: None,
            }),
            ..ColumnMapping::default()
        };
        let value = serde_json::to_value(mapping).unwrap();
        let mut fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut roles = MAPPING_ROLES.to_vec();
        fields.sort_unstable();
        roles.sort_unstable();
        assert_eq!(fields, roles, "every mapping field has a place in links");
        assert_eq!(MAPPING_ROLES[CONVERTED_VALUES], "converted_values");
        assert_eq!(MAPPING_ROLES[KNOWN_AFTER], "known_after");
        assert_eq!(MAPPING_ROLES[DERIVED], "derived");
        assert_eq!(MAPPING_ROLES[JOIN], "join");
        for test in every_rule_kind() {
            let code = compact_test(&test)[0].as_u64().unwrap() as usize;
            assert_eq!(RULE_KINDS[code].0, test.op_name(), "code {code}");
        }
    }

    #[test]
    fn every_group_proposer_and_switch_round_trips() {
        let mut criteria = vec![];
        for group in [Group::Fit, Group::Engagement] {
            for proposed_by in [Proposer::Marketing, Proposer::Sales, Proposer::Both] {
                for enabled in [true, false] {
                    let mut c = criterion("c", 1, "x", RuleTest::NotEmpty);
                    c.group = group;
                    c.proposed_by = proposed_by;
                    c.enabled = enabled;
                    criteria.push(c);
                }
            }
        }
        assert_eq!(criteria.len(), 12);
        let file = CriteriaFile::new(
            ColumnMapping::default(),
            vec![scenario("s", 1, criteria)],
            0,
        );
        assert_eq!(round_trip(&file), file);
    }

    #[test]
    fn only_the_active_index_differs_between_links() {
        let mut file = workshop_model();
        for active in 0..3 {
            file.active = active;
            assert_eq!(round_trip(&file).active, active);
        }
    }

    #[test]
    fn a_workshop_model_fits_in_a_short_link() {
        let file = workshop_model();
        assert_eq!(file.scenarios.len(), 3);
        assert!(file.scenarios.iter().all(|s| s.criteria.len() == 20));
        let link = encode_link(&file).unwrap();
        println!(
            "3 scenarios × 20 criteria: {} characters (criteria file JSON: {})",
            link.len(),
            file.to_json().len()
        );
        assert!(link.len() < 1_500, "{} characters", link.len());
        assert!(link
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(decode_link(&link), Ok(file));
    }

    #[test]
    fn hash_and_surrounding_space_are_accepted() {
        let file = CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0);
        let link = encode_link(&file).unwrap();
        for fragment in [
            format!("#{link}"),
            format!("  {link}\n"),
            format!("#{link}\r\n"),
        ] {
            assert_eq!(decode_link(&fragment).as_ref(), Ok(&file));
            assert!(is_share_fragment(&fragment));
        }
    }

    #[test]
    fn share_fragments_are_recognised_by_their_prefix() {
        for yes in ["v1.", "#v1.abc", "v9.", "v123456789012345678901234567890.x"] {
            assert!(is_share_fragment(yes), "{yes}");
        }
        for no in [
            "",
            "#",
            "v.",
            "v1",
            "#section-2",
            "V1.abc",
            "xv1.abc",
            "v1a.b",
            "#/settings",
        ] {
            assert!(!is_share_fragment(no), "{no}");
            assert_eq!(decode_link(no), Err(LinkError::NotALink), "{no}");
        }
    }

    // ------------------------------------------------ frozen fixtures

    /// The sample's first scenario and mapping, spelled out so that the
    /// fixture does not follow later edits of the sample.
    const SAMPLE_MARKETING_VIEW: &str = r#"{
      "format": "leadlens-criteria", "version": 1,
      "mapping": { "outcome": "Converted", "converted_values": ["true"],
        "followed_up": "Followed up", "response_hours": "Response hours",
        "created": "Created", "deal_value": "Deal value", "owner": "Owner",
        "lead_id": "Lead ID" },
      "active": 0,
      "scenarios": [ { "name": "Marketing view", "threshold": 40, "criteria": [
        { "label": "Asked for a demo", "group": "engagement", "proposed_by": "sales",
          "points": 30, "rationale": "Hand-raisers are the leads sales wants first",
          "rule": { "column": "Demo requested", "op": "is_true" } },
        { "label": "Target industry", "group": "fit", "proposed_by": "marketing",
          "points": 15, "rationale": "Software and finance buy the most",
          "rule": { "column": "Industry", "op": "any_of",
                    "values": ["Software", "Financial services"] } },
        { "label": "Decision maker", "group": "fit", "proposed_by": "both",
          "points": 15, "rationale": "Directors and above sign the contract",
          "rule": { "column": "Seniority", "op": "any_of",
                    "values": ["Director", "VP", "C-level"] } },
        { "label": "Company of 200+ people", "group": "fit", "proposed_by": "marketing",
          "points": 10, "rationale": "Larger accounts have budget",
          "rule": { "column": "Company size", "op": "any_of",
                    "values": ["201-1000", "1000+"] } },
        { "label": "Engaged on the website", "group": "engagement",
          "proposed_by": "marketing", "points": 0,
          "rationale": "Interest shows in visits",
          "rule": { "column": "Page views", "op": "per_unit",
                    "points_per_unit": 2, "max_points": 20 } },
        { "label": "From a purchased list", "group": "fit", "proposed_by": "sales",
          "points": -15, "rationale": "Bought contacts rarely answer",
          "rule": { "column": "Lead source", "op": "any_of",
                    "values": ["Purchased list"] } }
      ] } ]
    }"#;

    /// What [`varied_file`] held when its fixture was written.
    const EVERY_RULE_KIND: &str = r#"{
      "format": "leadlens-criteria", "version": 1,
      "mapping": { "outcome": "Stage", "converted_values": ["Closed Won", "won"],
                   "first_touch": "First touch" },
      "active": 1,
      "scenarios": [
        { "name": "Draft", "threshold": -5, "criteria": [] },
        { "name": "All kinds", "threshold": 35, "criteria": [
          { "label": "<script>alert('x')</script> & \"quotes\"", "group": "fit",
            "proposed_by": "both", "points": -20,
            "rule": { "column": "Column", "op": "any_of",
                      "values": ["Software", "Financial services"] } },
          { "label": "Größe ≥ 200 — 日本語 🚀", "group": "fit", "proposed_by": "both",
            "points": -15, "rationale": "Ünïcode rationale\nwith a line break",
            "rule": { "column": "Column", "op": "none_of", "values": ["Purchased list"] } },
          { "label": "gte rule", "group": "fit", "proposed_by": "both", "points": -10,
            "enabled": false, "rule": { "column": "Column", "op": "gte", "value": 12.5 } },
          { "label": "lte rule", "group": "engagement", "proposed_by": "both", "points": -5,
            "rule": { "column": "Column", "op": "lte", "value": -3 } },
          { "label": "between rule", "group": "fit", "proposed_by": "marketing", "points": 0,
            "rule": { "column": "Column", "op": "between", "min": 0.25, "max": 1000000 } },
          { "label": "is_true rule", "group": "fit", "proposed_by": "sales", "points": 5,
            "rule": { "column": "Column", "op": "is_true" } },
          { "label": "is_false rule", "group": "fit", "proposed_by": "both", "points": 10,
            "rule": { "column": "Column", "op": "is_false" } },
          { "label": "contains rule", "group": "fit", "proposed_by": "both", "points": 15,
            "rule": { "column": "Column", "op": "contains", "value": "Directør" } },
          { "label": "empty rule", "group": "fit", "proposed_by": "both", "points": 20,
            "rule": { "column": "Column", "op": "empty" } },
          { "label": "not_empty rule", "group": "fit", "proposed_by": "both", "points": 25,
            "rule": { "column": "Column", "op": "not_empty" } },
          { "label": "within_days rule", "group": "fit", "proposed_by": "both", "points": 30,
            "rule": { "column": "Column", "op": "within_days", "days": 30 } },
          { "label": "per_unit rule", "group": "fit", "proposed_by": "both", "points": 35,
            "rule": { "column": "Column", "op": "per_unit",
                      "points_per_unit": 2, "max_points": 20 } }
        ] }
      ]
    }"#;

    /// An empty mapping and a scenario without criteria.
    const EMPTY_DRAFT: &str = r#"{
      "format": "leadlens-criteria", "version": 1, "mapping": {}, "active": 0,
      "scenarios": [ { "name": "Empty draft", "threshold": 0, "criteria": [] } ]
    }"#;

    fn fixtures() -> [(&'static str, &'static str, &'static str); 3] {
        [
            (
                "sample_marketing_view.txt",
                include_str!("../../tests/fixtures/links/sample_marketing_view.txt"),
                SAMPLE_MARKETING_VIEW,
            ),
            (
                "every_rule_kind.txt",
                include_str!("../../tests/fixtures/links/every_rule_kind.txt"),
                EVERY_RULE_KIND,
            ),
            (
                "empty_draft.txt",
                include_str!("../../tests/fixtures/links/empty_draft.txt"),
                EMPTY_DRAFT,
            ),
        ]
    }

    #[test]
    fn frozen_links_still_open_to_the_same_model() {
        for (name, link, expected) in fixtures() {
            assert!(is_share_fragment(link), "{name}");
            let expected = CriteriaFile::parse(expected).unwrap();
            assert_eq!(decode_link(link), Ok(expected), "{name}");
        }
    }

    #[test]
    fn the_fixture_models_are_the_ones_built_here() {
        // Guards the hand-written expectations above against typos: they
        // must equal the models the fixtures were made from.
        let [sample, varied, empty] =
            fixtures().map(|(_, _, json)| CriteriaFile::parse(json).unwrap());
        assert_eq!(
            sample,
            CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0)
        );
        assert_eq!(varied, varied_file());
        assert_eq!(
            empty,
            CriteriaFile::new(
                ColumnMapping::default(),
                vec![scenario("Empty draft", 0, vec![])],
                0
            )
        );
    }

    // ------------------------------------------------ hostile input

    fn assert_err_or_valid(fragment: &str, original: Option<&CriteriaFile>) -> bool {
        match decode_link(fragment) {
            Err(_) => true,
            Ok(file) => {
                // Whatever opens is a full, valid model that survives
                // another trip through a link.
                assert_eq!(round_trip(&file), file, "{fragment}");
                if let Some(original) = original {
                    assert_eq!(&file, original, "{fragment}");
                }
                false
            }
        }
    }

    #[test]
    fn every_truncation_is_refused_or_complete() {
        let file = workshop_model();
        let link = encode_link(&file).unwrap();
        let mut refused = 0;
        for end in 0..link.len() {
            if assert_err_or_valid(&link[..end], Some(&file)) {
                refused += 1;
            }
        }
        // A cut-off link must not open as something else; nearly all cuts
        // are refused outright.
        assert!(refused + 2 >= link.len(), "{refused} of {}", link.len());
        assert!(matches!(
            decode_link(&link[..link.len() / 2]),
            Err(LinkError::Garbled(_))
        ));
    }

    #[test]
    fn single_character_changes_never_panic() {
        let link = encode_link(&varied_file()).unwrap();
        let mut refused = 0;
        let mut tried = 0;
        for at in 3..link.len() {
            for replacement in ['A', 'z', '0', '-', '_', '=', '.', 'é'] {
                let mut mutated = link.clone();
                let Some(old) = mutated[at..].chars().next() else {
                    continue;
                };
                if old == replacement {
                    continue;
                }
                mutated.replace_range(
                    at..at + old.len_utf8(),
                    replacement.encode_utf8(&mut [0; 4]),
                );
                tried += 1;
                if assert_err_or_valid(&mutated, None) {
                    refused += 1;
                }
            }
        }
        assert!(tried > 1_000);
        assert!(refused * 10 > tried * 9, "{refused} of {tried} refused");
    }

    #[test]
    fn random_fragments_are_refused() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut rng = fastrand::Rng::with_seed(0x5eed_11ad);
        for round in 0..4_000 {
            let len = rng.usize(0..600);
            let fragment = match round % 4 {
                // Plausible base64url after a valid prefix.
                0 => {
                    let body: String = (0..len)
                        .map(|_| char::from(ALPHABET[rng.usize(..ALPHABET.len())]))
                        .collect();
                    format!("v1.{body}")
                }
                // Any characters at all.
                1 => (0..len).map(|_| rng.char(..)).collect(),
                // Correct packing of random bytes.
                2 => pack(&(0..len).map(|_| rng.u8(..)).collect::<Vec<_>>()),
                // Correct packing of random JSON-ish text.
                _ => {
                    let json: String = (0..len)
                        .map(|_| char::from(b"[]{}\",:01a-. s"[rng.usize(..14)]))
                        .collect();
                    pack(json.as_bytes())
                }
            };
            assert!(decode_link(&fragment).is_err(), "{fragment:?}");
        }
    }

    #[test]
    fn an_oversized_fragment_is_refused_before_decoding() {
        let fragment = format!("v1.{}", "A".repeat(MAX_LINK_CHARS));
        assert_eq!(
            decode_link(&fragment),
            Err(LinkError::TooLong {
                chars: MAX_LINK_CHARS + 3,
                limit: MAX_LINK_CHARS
            })
        );
        let at_limit = &fragment[..MAX_LINK_CHARS];
        assert!(matches!(decode_link(at_limit), Err(LinkError::Garbled(_))));
        assert!(decode_link(&fragment)
            .unwrap_err()
            .to_string()
            .contains("too long"));
    }

    #[test]
    fn decompression_bombs_are_stopped_quickly() {
        let zeros = vec![0u8; 20 << 20];
        let bomb = pack(&zeros);
        assert!(bomb.len() <= MAX_LINK_CHARS, "{}", bomb.len());
        let mut huge_json = br#"[0,[],[[""#.to_vec();
        huge_json.extend(std::iter::repeat_n(b'x', 4 << 20));
        huge_json.extend(br#"",0,[]]]]"#);
        let json_bomb = pack(&huge_json);
        for fragment in [bomb, json_bomb] {
            let started = std::time::Instant::now();
            let result = decode_link(&fragment);
            let took = started.elapsed();
            assert_eq!(
                result,
                Err(LinkError::TooLarge {
                    limit: MAX_INFLATED_BYTES
                })
            );
            assert!(took.as_millis() < 1_000, "took {took:?}");
        }
    }

    #[test]
    fn unknown_versions_are_named() {
        let err = decode_link("v9.AAAA").unwrap_err();
        assert_eq!(err, LinkError::UnknownVersion(9));
        assert!(err
            .to_string()
            .contains("newer version of leadlens (link version 9)"));
        assert_eq!(
            decode_link("#v99999999999999999999999999.abc"),
            Err(LinkError::UnknownVersion(u64::MAX))
        );
        assert_eq!(decode_link("v0."), Err(LinkError::UnknownVersion(0)));
        assert!(!LinkError::UnknownVersion(0).to_string().contains("newer"));
        // A newer link keeps its version even when the rest is unreadable.
        assert_eq!(decode_link("v3.!!!"), Err(LinkError::UnknownVersion(3)));
    }

    #[test]
    fn undecodable_layers_are_garbled() {
        let not_base64 = "v1.abc$def";
        let not_deflate = format!(
            "v1.{}",
            URL_SAFE_NO_PAD.encode(b"\xff\xfe definitely not deflate")
        );
        let not_json = pack(b"this is plain text, not JSON");
        let not_utf8 = pack(b"\"\xff\xfe\"");
        for fragment in [
            not_base64,
            "v1.A",
            "v1.",
            &not_deflate,
            &not_json,
            &not_utf8,
        ] {
            let err = decode_link(fragment).unwrap_err();
            assert!(matches!(err, LinkError::Garbled(_)), "{fragment}: {err:?}");
            assert!(err.to_string().contains("damaged or incomplete"), "{err}");
        }
    }

    /// A link whose one scenario holds `criterion` (compact JSON).
    fn with_criterion(criterion: &str) -> String {
        pack(format!(r#"[0,[],[["S",10,[{criterion}]]]]"#).as_bytes())
    }

    #[test]
    fn json_of_the_wrong_shape_is_garbled_with_a_reason() {
        let files = [
            (r#"{"a":0,"s":[]}"#, "the link is not a list"),
            (r#"[]"#, "the active scenario is missing"),
            (r#"[0,[]]"#, "the scenarios is missing"),
            (r#"[-1,[],[]]"#, "active scenario is not a whole number"),
            (r#"[0.5,[],[]]"#, "active scenario is not a whole number"),
            (r#"[0,{},[]]"#, "the column mapping is not a list"),
            (r#"[0,[5],[]]"#, "the outcome role is not text"),
            (
                r#"[0,[null,"yes"],[]]"#,
                "converted values role is not a list of texts",
            ),
            (r#"[0,[],{}]"#, "the scenarios are not a list"),
            (r#"[0,[],["x"]]"#, "scenario 1 is not a list"),
            (r#"[0,[],[["x",1]]]"#, "scenario 1: the criteria is missing"),
            (r#"[0,[],[[1,1,[]]]]"#, "scenario 1: the name is not text"),
            (
                r#"[0,[],[["x",1.5,[]]]]"#,
                "the threshold is not a whole number",
            ),
            (
                r#"[0,[],[["x","1",[]]]]"#,
                "the threshold is not a whole number",
            ),
        ];
        let criteria = [
            (r#"{}"#, "criterion 1 is not a list"),
            (r#"[]"#, "criterion 1: the flags is missing"),
            (
                r#"["l","",1,16,"c",8]"#,
                "flags are not a number from 0 to 15",
            ),
            (
                r#"["l","",1,-1,"c",8]"#,
                "flags are not a number from 0 to 15",
            ),
            (r#"["l","",1,6,"c",8]"#, "proposer is not one of the three"),
            (r#"["l","",1,0,"c"]"#, "the rule kind is missing"),
            (
                r#"["l","",1,0,"c",12]"#,
                "rule kind is not one this version knows",
            ),
            (
                r#"["l","",1,0,"c","empty"]"#,
                "rule kind is not one this version knows",
            ),
            (
                r#"["l","",1,0,"c",18446744073709551615]"#,
                "rule kind is not one",
            ),
            (r#"["l","",1,0,3,8]"#, "the column is not text"),
            (r#"[7,"",1,0,"c",8]"#, "the label is not text"),
            (r#"["l",null,1,0,"c",8]"#, "the rationale is not text"),
            (
                r#"["l","","1",0,"c",8]"#,
                "the points is not a whole number",
            ),
            (r#"["l","",1,0,"c",2,"5"]"#, "the value is not a number"),
            (r#"["l","",1,0,"c",4,1]"#, "the max is missing"),
            (
                r#"["l","",1,0,"c",0,["a",1]]"#,
                "the values is not a list of texts",
            ),
            (r#"["l","",1,0,"c",7,["a"]]"#, "the value is not text"),
            (
                r#"["l","",1,0,"c",10,1.5]"#,
                "the days is not a whole number",
            ),
            (r#"["l","",1,0,"c",11,2]"#, "the max points is missing"),
        ];
        let links = files
            .iter()
            .map(|(json, expected)| (pack(json.as_bytes()), *json, *expected))
            .chain(
                criteria
                    .iter()
                    .map(|(json, expected)| (with_criterion(json), *json, *expected)),
            );
        for (link, json, expected) in links {
            match decode_link(&link) {
                Err(LinkError::Garbled(reason)) => {
                    assert!(reason.contains(expected), "{json}: {reason}")
                }
                other => panic!("{json}: {other:?}"),
            }
        }
    }

    #[test]
    fn later_additions_to_the_format_are_ignored() {
        let json = r#"[0,["Won",null,null,null,null,null,null,null,null,null,null,null,"a future role"],
            [["S",10,[["Demo","",30,3,"Demo requested",5,"extra"]],"later"]],"later"]"#;
        let file = decode_link(&pack(json.as_bytes())).unwrap();
        assert_eq!(file.mapping.outcome.as_deref(), Some("Won"));
        let demo = &file.scenarios[0].criteria[0];
        assert_eq!(demo.rule.test, RuleTest::IsTrue);
        assert_eq!(demo.group, Group::Engagement);
        assert_eq!(demo.proposed_by, Proposer::Sales);
        assert!(demo.enabled);
    }

    #[test]
    fn models_breaking_the_criteria_file_limits_are_invalid() {
        let too_many = CriteriaFile::new(
            ColumnMapping::default(),
            vec![scenario("s", 0, vec![]); MAX_SCENARIOS + 1],
            0,
        );
        let err = decode_link(&encode_link(&too_many).unwrap()).unwrap_err();
        match &err {
            LinkError::Invalid(CriteriaFileError::Invalid(reason)) => {
                assert!(reason.contains("more than 20 scenarios"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("cannot be used"), "{err}");

        let cases = [
            (pack(b"[0,[],[]]"), "no scenario"),
            (pack(br#"[3,[],[["x",1,[]]]]"#), "active scenario"),
            (pack(br#"[0,[],[["x",999999999,[]]]]"#), "threshold"),
            (
                with_criterion(r#"["l","",1,0,"c",4,5,1]"#),
                "range starts above",
            ),
            (
                with_criterion(r#"["l","",99999999999,0,"c",8]"#),
                "99999999999",
            ),
            (with_criterion(r#"["l","",1,0,"c",10,-1]"#), "-1"),
        ];
        for (link, expected) in cases {
            match decode_link(&link) {
                Err(LinkError::Invalid(e)) => {
                    assert!(e.to_string().contains(expected), "{expected}: {e}")
                }
                other => panic!("{expected}: {other:?}"),
            }
        }
        let long_name = CriteriaFile::new(
            ColumnMapping::default(),
            vec![scenario(&"x".repeat(501), 0, vec![])],
            0,
        );
        assert!(matches!(
            decode_link(&encode_link(&long_name).unwrap()),
            Err(LinkError::Invalid(_))
        ));
    }

    #[test]
    fn error_messages_speak_plainly() {
        let garbled = LinkError::Garbled("x".into()).to_string();
        assert!(garbled.contains("cut off when copied"), "{garbled}");
        let large = LinkError::TooLarge { limit: 512 * 1024 }.to_string();
        assert!(large.contains("512 KB"), "{large}");
        assert!(LinkError::NotALink
            .to_string()
            .contains("not a leadlens share link"));
    }

    // ------------------------------------------------ version 2: the record

    /// The record of a workshop: sign-offs of every kind, an agreed
    /// definition with terms, a scenario with only part of the terms, the
    /// attendees and a log with and without figures. Spelled out so that
    /// its frozen link does not follow later edits.
    const AGREED_WORKSHOP: &str = r#"{
      "format": "leadlens-criteria", "version": 2,
      "mapping": { "outcome": "Converted", "converted_values": ["true"] },
      "active": 0,
      "attendees": "Ana (Sales), Bo (Marketing), Chen — RevOps",
      "scenarios": [
        { "name": "Agreed", "threshold": 40, "agreed_on": "2026-12-02",
          "terms": { "follow_up_hours": 24, "worked_percent": 80, "weekly_volume": 120 },
          "criteria": [
            { "label": "Asked for a demo", "group": "engagement", "proposed_by": "sales",
              "points": 30, "sign_off": { "sales": "agrees", "marketing": "agrees" },
              "rule": { "column": "Demo requested", "op": "is_true" } },
            { "label": "Engaged on the website", "group": "engagement",
              "proposed_by": "marketing", "points": 0,
              "sign_off": { "sales": "agrees", "marketing": "agrees",
                            "note": "capped at 20 so visits never outweigh a demo" },
              "rule": { "column": "Page views", "op": "per_unit",
                        "points_per_unit": 2, "max_points": 20 } },
            { "label": "From a purchased list", "group": "fit", "proposed_by": "sales",
              "points": -15, "enabled": false,
              "sign_off": { "sales": "disputes", "marketing": "open", "note": "revisit in Q1" },
              "rule": { "column": "Lead source", "op": "any_of", "values": ["Purchased list"] } }
          ] },
        { "name": "Sales view", "threshold": 55, "terms": { "worked_percent": 90 },
          "criteria": [
            { "label": "Asked for a demo", "group": "engagement", "proposed_by": "sales",
              "points": 40, "sign_off": { "sales": "agrees", "marketing": "disputes" },
              "rule": { "column": "Demo requested", "op": "is_true" } }
          ] }
      ],
      "log": [
        { "at": "2026-12-02T14:05:09Z", "scenario": "Agreed",
          "change": "Asked for a demo: +40 → +30",
          "before": { "sales_ready": 455, "conversion_in": 0.3973, "captured": 0.77 },
          "after": { "sales_ready": 412, "conversion_in": 0.4012, "captured": 0.74 } },
        { "at": "2026-12-02T14:06:00Z", "scenario": "Agreed",
          "change": "Sales agrees to “Asked for a demo”",
          "before": { "sales_ready": 412 } },
        { "at": "2026-12-02T14:30:59Z", "scenario": "Agreed",
          "change": "Marked as the agreed definition on 2026-12-02" }
      ]
    }"#;

    #[test]
    fn the_record_of_an_agreement_travels_in_a_link() {
        let file = CriteriaFile::parse(AGREED_WORKSHOP).unwrap();
        assert_eq!(
            file.scenarios[0].criteria[2].sign_off.sales,
            Stance::Disputes
        );
        assert_eq!(file.log.len(), 3);
        let link = encode_link(&file).unwrap();
        assert!(link.starts_with("v2."), "{link}");
        assert_eq!(decode_link(&link), Ok(file.clone()));
        // Without any of it, a link is what it was apart from its version.
        let plain = CriteriaFile::new(sample_mapping(), vec![sample_scenario()], 0);
        let v2 = encode_link(&plain).unwrap();
        let v1_payload = compact_file(&plain).to_string();
        assert_eq!(decode_link(&pack(v1_payload.as_bytes())), Ok(plain.clone()));
        assert_eq!(decode_link(&v2), Ok(plain));
    }

    #[test]
    fn version_1_links_are_read_as_before_whatever_they_carry() {
        // A version 1 criterion with the stance bits set was refused then,
        // and still is; items after the rule were ignored, and still are.
        let stance_flags = r#"[0,[],[["s",1,[["a","",5,16,"c",5]]]]]"#;
        assert!(matches!(
            decode_link(&pack(stance_flags.as_bytes())),
            Err(LinkError::Garbled(why)) if why.contains("from 0 to 15")
        ));
        let note = r#"[0,[],[["s",1,[["a","",5,0,"c",5,"a note"]],null,["2026-12-02",24]]],null,null,"Ana",[["x"]]]"#;
        let file = decode_link(&pack(note.as_bytes())).unwrap();
        assert!(file.scenarios[0].criteria[0].sign_off.is_blank());
        assert!(file.scenarios[0].agreement.is_blank());
        assert!(file.attendees.is_empty() && file.log.is_empty());
        // The same items in a version 2 link are read.
        let v2 = format!(
            "v2.{}",
            &pack(note.replace("[[\"x\"]]", "[]").as_bytes())[3..]
        );
        let file = decode_link(&v2).unwrap();
        assert_eq!(file.scenarios[0].criteria[0].sign_off.note, "a note");
        assert_eq!(
            file.scenarios[0].agreement.agreed_on.as_deref(),
            Some("2026-12-02")
        );
        assert_eq!(file.scenarios[0].agreement.terms.follow_up_hours, Some(24));
        assert_eq!(file.attendees, "Ana");
    }

    #[test]
    fn a_damaged_record_in_a_link_is_refused_with_the_reason() {
        let cases = [
            (r#"[0,[],[["s",1,[["a","",5,48,"c",5]]]]]"#, "sign-off"),
            (r#"[0,[],[["s",1,[],null,["2 Dec",null]]]]"#, "YYYY-MM-DD"),
            (r#"[0,[],[["s",1,[],null,[null,0]]]]"#, "follow-up time"),
            (
                r#"[0,[],[["s",1,[],null,[null,null,101]]]]"#,
                "leads worked",
            ),
            (
                r#"[0,[],[["s",1,[]]],null,null,null,[["now","s","x",null,null]]]"#,
                "time",
            ),
            (
                r#"[0,[],[["s",1,[]]],null,null,null,[["2026-12-02T14:05:09Z","s","x",[1,2,null],null]]]"#,
                "rate",
            ),
            (
                r#"[0,[],[["s",1,[]]],null,null,null,[["2026-12-02T14:05:09Z","s","x",["many"],null]]]"#,
                "figures",
            ),
        ];
        for (compact, expected) in cases {
            let link = format!("v2.{}", &pack(compact.as_bytes())[3..]);
            let err = decode_link(&link).unwrap_err().to_string();
            let detail = match decode_link(&link).unwrap_err() {
                LinkError::Garbled(why) => why,
                LinkError::Invalid(e) => e.to_string(),
                other => other.to_string(),
            };
            assert!(detail.contains(expected), "{expected}: {detail} ({err})");
        }
    }

    #[test]
    fn the_frozen_version_2_link_still_opens_to_the_same_record() {
        let link = include_str!("../../tests/fixtures/links/v2_agreed_workshop.txt");
        assert!(link.trim().starts_with("v2."));
        assert_eq!(
            decode_link(link),
            Ok(CriteriaFile::parse(AGREED_WORKSHOP).unwrap())
        );
    }
}
