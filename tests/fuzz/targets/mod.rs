//! The targets: what each feeds the core, how it mutates its inputs, and
//! what it checks.

pub mod criteria;
pub mod csv;
pub mod engine;
pub mod link;
pub mod patterns_check;
pub mod workspace;

use fastrand::Rng;

use crate::corpus::Seed;
use crate::mutate::JsonDictionary;
use crate::runner::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    Link,
    Criteria,
    Workspace,
    #[default]
    Csv,
    Engine,
}

impl Target {
    /// In the order `all` runs them: the quick decoders first.
    pub const ALL: [Target; 5] = [
        Target::Link,
        Target::Criteria,
        Target::Workspace,
        Target::Csv,
        Target::Engine,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Link => "link",
            Target::Criteria => "criteria",
            Target::Workspace => "workspace",
            Target::Csv => "csv",
            Target::Engine => "engine",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn default_inputs(self) -> u64 {
        match self {
            Target::Link | Target::Criteria | Target::Workspace => 10_000_000,
            Target::Csv | Target::Engine => 1_000_000,
        }
    }

    pub fn seeds(self) -> Vec<Seed> {
        match self {
            Target::Link => link::seeds(),
            Target::Criteria => criteria::seeds(),
            Target::Workspace => workspace::seeds(),
            Target::Csv => csv::seeds(),
            Target::Engine => engine::seeds(),
        }
    }

    /// Writes the next input into `out`, made from `base` (and `other`, for
    /// splices); returns a name when the input was generated rather than
    /// derived from `base`.
    pub fn next_input(
        self,
        rng: &mut Rng,
        base: &[u8],
        other: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<&'static str> {
        match self {
            Target::Link => link::next_input(rng, base, other, out),
            Target::Criteria | Target::Workspace => {
                out.clear();
                out.extend_from_slice(base);
                crate::mutate::json(rng, out, other, &JSON, MAX_JSON_BYTES);
                None
            }
            Target::Csv => csv::next_input(rng, base, other, out),
            Target::Engine => {
                out.clear();
                out.extend_from_slice(&rng.u64(..).to_le_bytes());
                Some("engine case")
            }
        }
    }

    /// Runs one input; true when the core accepted it (worth mutating on).
    pub fn run(self, input: &[u8], ctx: &mut Ctx) -> bool {
        match self {
            Target::Link => link::run(input, ctx),
            Target::Criteria => criteria::run(input, ctx),
            Target::Workspace => workspace::run(input, ctx),
            Target::Csv => csv::run(input, ctx),
            Target::Engine => engine::run(input, ctx),
        }
    }
}

/// The largest criteria file, workspace or link fuzzed.
pub const MAX_JSON_BYTES: usize = 16 * 1024;

/// Values, keys and tokens of the criteria file, the workspace and the
/// link's compact JSON.
pub const JSON: JsonDictionary = JsonDictionary {
    values: &[
        "-2147483648", "2147483647", "-2147483647", "2147483648", "18446744073709551615",
        "18446744073709551616", "1e400", "-1e400", "-0.0", "0", "1", "-1", "100000", "100001",
        "-100000", "-100001", "4294967295", "4294967296", "9007199254740992", "9007199254740993",
        "91.41006403393325", "0.1", "5e-324", "1.7976931348623157e308", "20", "21", "1000", "1001",
        "500", "null", "true", "false", "\"\"", "[]", "{}", "[[]]", "[null]", "[0]", "[\"\"]",
        "\"per_unit\"", "\"within_days\"", "\"any_of\"", "\"none_of\"", "\"gte\"", "\"lte\"",
        "\"between\"", "\"is_true\"", "\"is_false\"", "\"contains\"", "\"empty\"", "\"not_empty\"",
        "\"is_purple\"", "\"fit\"", "\"engagement\"", "\"marketing\"", "\"sales\"", "\"both\"",
        "\"leadlens-criteria\"", "\"leadlens-workspace\"", "\"Converted\"", "\"Industry\"",
        "\"Software\"", "\" Software \"", "\"software\"", "\"\\u0000\"", "\"\\ud800\"",
        "\"\\u00e9\"", "\"é\"", "\"ß\"", "\"İ\"", "\"\\\"\"", "\"\\\\\"", "\"a\\nb\"",
        "\"=HYPERLINK(1)\"", "\"<b>&amp;</b>\"", "\"'; DROP TABLE leads; --\"", "\"%_!\"",
        "{\"op\": \"per_unit\", \"column\": \"Page views\", \"points_per_unit\": 2147483647, \"max_points\": -2147483648}",
        "{\"op\": \"within_days\", \"column\": \"Created\", \"days\": 4294967295}",
        "{\"op\": \"between\", \"column\": \"n\", \"min\": 1e308, \"max\": -1e308}",
        "{\"label\": \"x\", \"group\": \"fit\", \"proposed_by\": \"both\", \"points\": -2147483648, \"rule\": {\"column\": \"c\", \"op\": \"empty\"}}",
        "[\"x\", \"\", 1, 15, \"c\", 11, 2147483647, -2147483648]",
        "[\"x\", \"\", -2147483648, 0, \"c\", 8]",
        "[\"x\", \"\", 1, 0, \"c\", 10, 4294967296]",
        "[\"x\", \"\", 1, 16, \"c\", 12]",
        "\"agrees\"", "\"disputes\"", "\"open\"", "\"2026-12-02\"", "\"2026-02-30\"",
        "\"2026-12-02T14:05:09Z\"", "\"2026-12-02T25:05:09Z\"",
        "{\"sales\": \"agrees\", \"marketing\": \"disputes\", \"note\": \"x\"}",
        "{\"follow_up_hours\": 0, \"worked_percent\": 255, \"weekly_volume\": 4294967295}",
        "{\"at\": \"2026-12-02T14:05:09Z\", \"scenario\": \"s\", \"change\": \"x\", \"before\": {\"sales_ready\": 18446744073709551615, \"conversion_in\": 1e308}}",
        "[\"x\", \"\", 1, 255, \"c\", 5, \"note\"]",
        "[\"2026-12-02\", 8760, 100, 10000000]",
        "[[\"2026-12-02T14:05:09Z\", \"s\", \"c\", [1, 0.5, null], null]]",
        "{\"file\": \"deals.csv\", \"lead_key\": \"id\", \"row_key\": \"Lead\", \"outcome\": {\"when\": \"one_of\", \"column\": \"Stage\", \"values\": [\"Won\"]}, \"owner\": \"Rep\"}",
        "{\"when\": \"matched\"}", "{\"when\": \"present\", \"column\": \"\"}", "{\"when\": \"never\"}",
    ],
    keys: &[
        "\"format\"", "\"version\"", "\"mapping\"", "\"active\"", "\"scenarios\"", "\"name\"",
        "\"threshold\"", "\"criteria\"", "\"label\"", "\"group\"", "\"proposed_by\"", "\"points\"",
        "\"enabled\"", "\"rationale\"", "\"rule\"", "\"column\"", "\"op\"", "\"values\"", "\"value\"",
        "\"min\"", "\"max\"", "\"days\"", "\"points_per_unit\"", "\"max_points\"", "\"outcome\"",
        "\"converted_values\"", "\"followed_up\"", "\"response_hours\"", "\"first_touch\"",
        "\"created\"", "\"deal_value\"", "\"owner\"", "\"lead_id\"", "\"reps\"", "\"key\"",
        "\"join\"", "\"lead_key\"", "\"row_key\"", "\"when\"", "\"close_date\"", "\"file\"",
        "\"theme\"", "\"sign_off\"", "\"sales\"", "\"marketing\"", "\"note\"",
        "\"agreed_on\"", "\"terms\"", "\"follow_up_hours\"", "\"worked_percent\"",
        "\"weekly_volume\"", "\"attendees\"", "\"log\"", "\"at\"", "\"scenario\"",
        "\"change\"", "\"before\"", "\"after\"", "\"sales_ready\"", "\"conversion_in\"",
        "\"captured\"",
    ],
    tokens: &[
        b"-2147483648", b"2147483647", b"18446744073709551615", b"1e400", b"-0.0",
        b"91.41006403393325", b"\"per_unit\"", b"\"within_days\"", b"\"any_of\"", b"\"none_of\"",
        b"\"between\"", b"\"is_true\"", b"\"contains\"", b"\"not_empty\"", b"\"points\"",
        b"\"threshold\"", b"\"max_points\"", b"\"points_per_unit\"", b"\"days\"", b"\"values\"",
        b"\"active\"", b"\"version\"", b"null", b"true", b"[", b"]", b"{", b"}", b",", b":",
        b"\"", b"\\", b"\\u", b"e", b".", b"-", b"0", b"9", b" ", b"\n",
    ],
};
