//! `criteria`: criteria-file JSON through `CriteriaFile::parse`.
//!
//! A file the reader accepts must come back unchanged from its own JSON,
//! and the share link and the saved workspace must accept it too and give
//! it back unchanged: all three carry the same model.

use std::sync::OnceLock;

use leadlens::core::criteria_file::CriteriaFile;
use leadlens::core::engine::ReplaySettings;
use leadlens::core::share::{decode_link, encode_link};
use leadlens::core::workspace::{SavedWorkspace, MAX_REPS};

use crate::corpus::{files, quietly, Seed};
use crate::replay_checks::{how_changed, variant};
use crate::runner::{fnv64, Ctx};

pub fn seeds() -> Vec<Seed> {
    let mut seeds = files("fuzz/criteria", &[]);
    seeds.extend(files("", &[".json"]));
    for link in files("links", &[".txt"]) {
        let text = String::from_utf8_lossy(&link.data).trim().to_owned();
        if let Some(Ok(json)) = quietly(|| decode_link(&text).map(|file| file.to_json())) {
            seeds.push(Seed {
                name: format!("{} (as a criteria file)", link.name),
                data: json.into_bytes(),
            });
        }
    }
    seeds
}

/// [`seeds`], read once per process.
pub fn seeds_cached() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(seeds)
}

pub fn run(input: &[u8], ctx: &mut Ctx) -> bool {
    let text = String::from_utf8_lossy(input);
    let Some(parsed) = ctx.call("CriteriaFile::parse", || CriteriaFile::parse(&text)) else {
        return false;
    };
    let Ok(file) = parsed else {
        return false;
    };
    let Some(json) = ctx.call("CriteriaFile::to_json", || file.to_json()) else {
        return true;
    };
    let Some(back) = ctx.call("CriteriaFile::parse (again)", || CriteriaFile::parse(&json)) else {
        return true;
    };
    ctx.stage("criteria checks");
    match &back {
        Err(e) => ctx.mismatch(
            &format!(
                "criteria file round trip refuses an accepted file ({})",
                variant(e)
            ),
            || format!("{e:?}\n{json}"),
        ),
        Ok(back) if *back != file => {
            let how = how_changed(&file, back);
            ctx.mismatch(&format!("criteria file round trip {how}"), || {
                format!("before {file:?}\nafter {back:?}")
            })
        }
        Ok(_) => {}
    }
    // The share link.
    let Some(link) = ctx.call("encode_link", || encode_link(&file)) else {
        return true;
    };
    // Too large for a link: refused when the link is made, which is the
    // agreement the link owes the file.
    let Ok(link) = link else {
        return true;
    };
    let Some(decoded) = ctx.call("decode_link", || decode_link(&link)) else {
        return true;
    };
    ctx.stage("criteria checks");
    match &decoded {
        Err(e) => ctx.mismatch(
            &format!(
                "the link refuses a file the criteria reader accepts ({})",
                variant(e)
            ),
            || format!("{e:?}\nfile {file:?}"),
        ),
        Ok(back) if *back != file => {
            let how = how_changed(&file, back);
            ctx.mismatch(
                &format!("share link round trip of an accepted file {how}"),
                || format!("before {file:?}\nafter {back:?}"),
            )
        }
        Ok(_) => {}
    }
    // The saved workspace (which keeps no mapping).
    let reps = 1 + (fnv64(input) % u64::from(MAX_REPS)) as u32;
    let workspace = SavedWorkspace {
        scenarios: file.scenarios.clone(),
        active: file.active,
        settings: ReplaySettings { reps },
        made_on: file.data.clone(),
        check: file.check.unwrap_or_default(),
        attendees: Default::default(),
        log: Default::default(),
    };
    let Some(saved) = ctx.call("SavedWorkspace::to_json", || workspace.to_json()) else {
        return true;
    };
    let Some(restored) = ctx.call("SavedWorkspace::parse", || SavedWorkspace::parse(&saved)) else {
        return true;
    };
    ctx.stage("criteria checks");
    match &restored {
        Err(e) => ctx.mismatch(
            &format!(
                "the workspace refuses the scenarios of an accepted criteria file ({})",
                variant(e)
            ),
            || format!("{e:?}\nfile {file:?}"),
        ),
        Ok(back) if *back != workspace => {
            let how = how_changed(&workspace.scenarios, &back.scenarios);
            ctx.mismatch(
                &format!("workspace round trip of an accepted file {how}"),
                || format!("before {workspace:?}\nafter {back:?}"),
            )
        }
        Ok(_) => {}
    }
    true
}
