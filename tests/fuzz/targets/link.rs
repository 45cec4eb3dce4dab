//! `link`: share-link fragments through `decode_link`.
//!
//! Inputs are fragments, made three ways: the encoded text mutated as is;
//! the compact JSON inside a link unpacked, mutated and packed again; and a
//! criteria file's JSON mutated, read without validation and encoded with
//! `encode_link` (so models the reader would refuse get encoded too).
//! A link that decodes must encode and decode back to the same file, and
//! the criteria reader must accept that file as it is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use fastrand::Rng;

use leadlens::core::criteria_file::CriteriaFile;
use leadlens::core::share::{decode_link, encode_link, is_share_fragment, LinkError};

use crate::corpus::{files, quietly, Seed};
use crate::replay_checks::{how_changed, variant};
use crate::runner::Ctx;
use crate::targets::{criteria, JSON, MAX_JSON_BYTES};

const LINK_TOKENS: &[&[u8]] = &[
    b"v1.",
    b"v0.",
    b"v2.",
    b"v18446744073709551616.",
    b"#",
    b"#v1.",
    b" ",
    b"\n",
    b".",
    b"=",
    b"==",
    b"-",
    b"_",
    b"+",
    b"/",
    b"A",
    b"AAAA",
    b"____",
    b"%20",
    b"v",
    b"\xc3\xa9",
    b"\x00",
];

pub fn seeds() -> Vec<Seed> {
    let mut seeds = files("fuzz/link", &[]);
    seeds.extend(files("links", &[".txt"]).into_iter().map(|mut s| {
        let trimmed = String::from_utf8_lossy(&s.data).trim().to_owned();
        s.data = trimmed.into_bytes();
        s
    }));
    for seed in criteria::seeds() {
        let Ok(text) = std::str::from_utf8(&seed.data) else {
            continue;
        };
        if let Ok(file) = serde_json::from_str::<CriteriaFile>(text) {
            if let Some(Ok(link)) = quietly(|| encode_link(&file)) {
                seeds.push(Seed {
                    name: format!("{} (encoded)", seed.name),
                    data: link.into_bytes(),
                });
            }
        }
    }
    seeds
}

/// The compact JSON inside a fragment, if it unpacks.
fn unpack(fragment: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(fragment).ok()?.trim();
    let text = text.strip_prefix('#').unwrap_or(text);
    let payload = text.strip_prefix("v1.")?;
    let deflated = URL_SAFE_NO_PAD.decode(payload).ok()?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, 1 << 20).ok()
}

fn pack(json: &[u8], level: u8) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(json, level);
    format!("v1.{}", URL_SAFE_NO_PAD.encode(deflated)).into_bytes()
}

pub fn next_input(
    rng: &mut Rng,
    base: &[u8],
    other: &[u8],
    out: &mut Vec<u8>,
) -> Option<&'static str> {
    let mode = rng.u8(..20);
    if mode < 5 {
        // A criteria file, mutated as JSON and encoded as the app would.
        let corpus = criteria::seeds_cached();
        if !corpus.is_empty() {
            let seed = &corpus[rng.usize(..corpus.len())];
            let mut json = seed.data.clone();
            crate::mutate::json(rng, &mut json, other, &JSON, MAX_JSON_BYTES);
            if let Ok(file) = serde_json::from_slice::<CriteriaFile>(&json) {
                if let Some(Ok(link)) = quietly(|| encode_link(&file)) {
                    out.clear();
                    out.extend_from_slice(link.as_bytes());
                    return Some("criteria corpus, encoded");
                }
            }
        }
    }
    if mode < 14 {
        // The compact JSON inside the link, mutated and packed again.
        if let Some(mut json) = unpack(base) {
            let other_json = unpack(other).unwrap_or_default();
            crate::mutate::json(rng, &mut json, &other_json, &JSON, MAX_JSON_BYTES);
            let level = [0, 1, 6, 9, 10][rng.usize(..5)];
            out.clear();
            out.extend_from_slice(&pack(&json, level));
            return None;
        }
    }
    out.clear();
    out.extend_from_slice(base);
    crate::mutate::bytes(rng, out, other, LINK_TOKENS, MAX_JSON_BYTES);
    None
}

pub fn run(input: &[u8], ctx: &mut Ctx) -> bool {
    let text = String::from_utf8_lossy(input);
    let Some(decoded) = ctx.call("decode_link", || decode_link(&text)) else {
        return false;
    };
    let Some(looks_like_link) = ctx.call("is_share_fragment", || is_share_fragment(&text)) else {
        return false;
    };
    ctx.stage("link checks");
    match &decoded {
        Err(LinkError::NotALink) if looks_like_link => ctx.mismatch(
            "is_share_fragment says link, decode_link says not a link",
            String::new,
        ),
        Ok(_) if !looks_like_link => ctx.mismatch(
            "a link that decodes is not recognised as a share fragment",
            String::new,
        ),
        _ => {}
    }
    let Ok(file) = decoded else {
        return false;
    };
    let Some(again) = ctx.call("encode_link", || encode_link(&file)) else {
        return true;
    };
    // What a link held always fits one again.
    let Ok(again) = again else {
        ctx.mismatch("a decoded link cannot be encoded again", String::new);
        return true;
    };
    let Some(back) = ctx.call("decode_link (again)", || decode_link(&again)) else {
        return true;
    };
    ctx.stage("link checks");
    match &back {
        Err(e) => ctx.mismatch(
            &format!("a decoded link, encoded again, is refused ({})", variant(e)),
            || format!("{e:?}\nfile {file:?}"),
        ),
        Ok(back) if *back != file => {
            let how = how_changed(&file, back);
            ctx.mismatch(&format!("link round trip of a decoded file {how}"), || {
                format!("before {file:?}\nafter {back:?}")
            })
        }
        Ok(_) => {}
    }
    let Some(json) = ctx.call("CriteriaFile::to_json", || file.to_json()) else {
        return true;
    };
    let Some(parsed) = ctx.call("CriteriaFile::parse", || CriteriaFile::parse(&json)) else {
        return true;
    };
    ctx.stage("link checks");
    match &parsed {
        Err(e) => ctx.mismatch(
            &format!(
                "the criteria reader refuses a file a link decoded to ({})",
                variant(e)
            ),
            || format!("{e:?}\n{json}"),
        ),
        Ok(parsed) if *parsed != file => {
            let how = how_changed(&file, parsed);
            ctx.mismatch(
                &format!("criteria file round trip of a decoded link {how}"),
                || format!("before {file:?}\nafter {parsed:?}"),
            )
        }
        Ok(_) => {}
    }
    true
}
