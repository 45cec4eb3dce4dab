//! How a file is read (encoding, delimiter, header line, missing-value
//! markers), as controls that ask for the file to be read again. The
//! leads' file and a second file joined to it offer the same settings.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::core::ingest::reader::{delimiter_name, EncodingChoice, DELIMITERS};
use crate::core::ingest::{LoadOptions, LoadReport};

#[derive(Properties, PartialEq)]
pub struct ReadingSettingsProps {
    pub options: LoadOptions,
    pub report: Rc<LoadReport>,
    /// Called with the settings to read the file again with.
    pub on_change: Callback<LoadOptions>,
    /// Put before each control's test id and element id ("join-" for the
    /// second file), so that two sets can be on one page.
    #[prop_or_default]
    pub prefix: AttrValue,
}

#[component]
pub fn ReadingSettings(props: &ReadingSettingsProps) -> Html {
    let options = &props.options;
    let report = &props.report;
    let prefix = props.prefix.as_str();
    let testid = |name: &str| format!("{prefix}{name}");
    // Each control changes one setting and asks for a re-read.
    let changed = |change: fn(&mut LoadOptions, String)| {
        let on_change = props.on_change.clone();
        let options = options.clone();
        Callback::from(move |value: String| {
            let mut next = options.clone();
            change(&mut next, value);
            if next != options {
                on_change.emit(next);
            }
        })
    };
    let from_select = |change: fn(&mut LoadOptions, String)| {
        let changed = changed(change);
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            changed.emit(select.value());
        })
    };
    let from_input = |change: fn(&mut LoadOptions, String)| {
        let changed = changed(change);
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            changed.emit(input.value());
        })
    };
    let on_encoding = from_select(|o, value| {
        o.encoding = match value.as_str() {
            "utf8" => EncodingChoice::Utf8,
            "windows1252" => EncodingChoice::Windows1252,
            _ => EncodingChoice::Auto,
        }
    });
    let on_delimiter = from_select(|o, value| o.delimiter = value.parse::<u8>().ok());
    let on_header_line = from_input(|o, value| {
        // Lines count from 1; the reader counts the records before it.
        if let Ok(line) = value.trim().parse::<usize>() {
            o.header_record = Some(line.clamp(1, 30) - 1);
        }
    });
    let on_markers = from_input(|o, value| {
        let mut markers: Vec<String> = value
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        markers.insert(0, String::new()); // an empty cell is always missing
        o.typing.missing_markers = markers;
    });
    let markers: Vec<&str> = options
        .typing
        .missing_markers
        .iter()
        .map(String::as_str)
        .filter(|m| !m.is_empty())
        .collect();
    let header_note = testid("header-note");
    html! {
        <fieldset class="reading-settings">
            <legend>{ "Reading" }</legend>
            <label>{ "Encoding " }
                <select onchange={on_encoding} data-testid={testid("encoding")}>
                    <option value="auto" selected={options.encoding == EncodingChoice::Auto}>{ "Detect" }</option>
                    <option value="utf8" selected={options.encoding == EncodingChoice::Utf8}>{ "UTF-8" }</option>
                    <option value="windows1252" selected={options.encoding == EncodingChoice::Windows1252}>{ "Windows-1252 / Latin-1" }</option>
                </select>
            </label>
            <label>{ "Delimiter " }
                <select onchange={on_delimiter} data-testid={testid("delimiter")}>
                    <option value="auto" selected={options.delimiter.is_none()}>{ "Detect" }</option>
                    { for DELIMITERS.iter().map(|&d| html! {
                        <option value={d.to_string()} selected={options.delimiter == Some(d)}>{ delimiter_name(d) }</option>
                    }) }
                </select>
            </label>
            <label>{ "Header on line " }
                <input type="number" min="1" max="30" step="1" class="points-number"
                    value={(report.header_record + 1).to_string()} onchange={on_header_line}
                    data-testid={testid("header-line")} aria-describedby={header_note.clone()} />
            </label>
            <span class="header-note" id={header_note.clone()} data-testid={header_note}>
                { match report.before_header.as_slice() {
                    [] => "The first line holds the column names.".to_owned(),
                    lines => format!("Passed over before it: {}", lines.iter().map(|l| format!("“{l}”")).collect::<Vec<_>>().join(", ")),
                } }
            </span>
            <label>{ "Missing-value markers " }
                <input type="text" value={markers.join(", ")} onchange={on_markers}
                    data-testid={testid("missing-markers")} size="40" />
            </label>
        </fieldset>
    }
}
