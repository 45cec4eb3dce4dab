//! `workspace`: saved-workspace text through `SavedWorkspace::parse`.
//!
//! A workspace that reads must come back unchanged from its own JSON, and
//! its scenarios must read as a criteria file too.

use leadlens::core::criteria_file::CriteriaFile;
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::workspace::SavedWorkspace;

use crate::corpus::{files, quietly, Seed};
use crate::replay_checks::{how_changed, variant};
use crate::runner::Ctx;
use crate::targets::criteria;

pub fn seeds() -> Vec<Seed> {
    let mut seeds = files("fuzz/workspace", &[]);
    // Every criteria seed the reader accepts, saved as a workspace.
    for (i, seed) in criteria::seeds_cached().iter().enumerate() {
        let text = String::from_utf8_lossy(&seed.data);
        let Some(Ok(file)) = quietly(|| CriteriaFile::parse(&text)) else {
            continue;
        };
        let workspace = SavedWorkspace {
            scenarios: file.scenarios,
            active: file.active,
            settings: leadlens::core::engine::ReplaySettings {
                reps: [1, 5, 12, 100_000][i % 4],
            },
            check: file.check.unwrap_or_default(),
            made_on: file.data,
            attendees: Default::default(),
            log: Default::default(),
        };
        if let Some(json) = quietly(|| workspace.to_json()) {
            seeds.push(Seed {
                name: format!("{} (as a workspace)", seed.name),
                data: json.into_bytes(),
            });
        }
    }
    seeds
}

pub fn run(input: &[u8], ctx: &mut Ctx) -> bool {
    let text = String::from_utf8_lossy(input);
    let Some(parsed) = ctx.call("SavedWorkspace::parse", || SavedWorkspace::parse(&text)) else {
        return false;
    };
    let Ok(workspace) = parsed else {
        return false;
    };
    let Some(saved) = ctx.call("SavedWorkspace::to_json", || workspace.to_json()) else {
        return true;
    };
    let Some(back) = ctx.call("SavedWorkspace::parse (again)", || {
        SavedWorkspace::parse(&saved)
    }) else {
        return true;
    };
    ctx.stage("workspace checks");
    match &back {
        Err(e) => ctx.mismatch(
            &format!(
                "workspace round trip refuses a workspace that read ({})",
                variant(e)
            ),
            || format!("{e:?}\n{saved}"),
        ),
        Ok(back) if *back != workspace => {
            let how = how_changed(&workspace.scenarios, &back.scenarios);
            ctx.mismatch(&format!("workspace round trip {how}"), || {
                format!("before {workspace:?}\nafter {back:?}")
            })
        }
        Ok(_) => {}
    }
    let file = CriteriaFile::new(
        ColumnMapping::default(),
        workspace.scenarios.clone(),
        workspace.active,
    );
    let Some(json) = ctx.call("CriteriaFile::to_json", || file.to_json()) else {
        return true;
    };
    let Some(read) = ctx.call("CriteriaFile::parse", || CriteriaFile::parse(&json)) else {
        return true;
    };
    ctx.stage("workspace checks");
    match &read {
        Err(e) => ctx.mismatch(
            &format!(
                "the criteria reader refuses the scenarios of a workspace that read ({})",
                variant(e)
            ),
            || format!("{e:?}\n{json}"),
        ),
        Ok(read) if *read != file => {
            let how = how_changed(&file, read);
            ctx.mismatch(
                &format!("a workspace's scenarios as a criteria file: the round trip {how}"),
                || format!("before {file:?}\nafter {read:?}"),
            )
        }
        Ok(_) => {}
    }
    true
}
