//! Native ingest benchmark: generates a lead export of 20 columns (ids,
//! dates, categories, decimals, yes/no, free text) and times reading and
//! typing it the way the browser does, in 4 MiB chunks.
//!
//!     cargo bench --bench ingest            # 1,000,000 rows, about 150 MB
//!     LEADLENS_BENCH_ROWS=100000 cargo bench --bench ingest

use std::fmt::Write as _;
use std::time::Instant;

use leadlens::core::ingest::{Finish, LoadOptions, Loader};

const CHUNK: usize = 4 * 1024 * 1024;

/// A deterministic export; every row is different.
fn export(rows: usize) -> String {
    let industries = [
        "Software",
        "Financial services",
        "Healthcare",
        "Retail",
        "Manufacturing",
        "Education",
    ];
    let sources = [
        "Organic search",
        "Paid search",
        "Webinar",
        "Referral",
        "Trade show",
        "Purchased list",
    ];
    let countries = [
        "United States",
        "Germany",
        "United Kingdom",
        "France",
        "Brazil",
        "India",
        "Canada",
    ];
    let stages = ["Lead", "MQL", "SQL", "Opportunity", "Customer"];
    let owners = [
        "Avery Chen",
        "Jordan Diaz",
        "Sam Okafor",
        "Riley Novak",
        "Morgan Patel",
    ];
    let mut out = String::with_capacity(rows * 160);
    out.push_str(
        "Lead ID,Created,Email,Company,Industry,Country,Lead source,Employees,Annual revenue,\
         Page views,Time on site (min),Email clicks,Demo requested,Webinar attended,Owner,\
         Followed up,Response hours,Lifecycle stage,Converted,Deal value\n",
    );
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..rows {
        let r = next();
        let converted = r % 9 == 0;
        let followed = r % 3 == 0;
        let _ = writeln!(
            out,
            "L-{i:07},2024-{:02}-{:02} {:02}:{:02}:00,person{i}@company{}.com,\"Company {}, Inc.\",{},{},{},{},{}.{:02},{},{}.{},{},{},{},{},{},{},{},{},{}",
            1 + r % 12,
            1 + (r >> 4) % 28,
            (r >> 9) % 24,
            (r >> 14) % 60,
            (r >> 20) % 5000,
            (r >> 22) % 20000,
            industries[((r >> 26) % 6) as usize],
            countries[((r >> 29) % 7) as usize],
            sources[((r >> 32) % 6) as usize],
            1 + (r >> 35) % 5000,
            (r >> 38) % 900_000,
            (r >> 40) % 100,
            (r >> 42) % 40,
            (r >> 46) % 60,
            (r >> 49) % 10,
            (r >> 51) % 12,
            if (r >> 53) % 5 == 0 { "yes" } else { "no" },
            if (r >> 55) % 4 == 0 { "true" } else { "false" },
            owners[((r >> 57) % 5) as usize],
            if followed { "1" } else { "0" },
            if followed { format!("{:.1}", ((r >> 20) % 2000) as f64 / 10.0) } else { String::new() },
            stages[((r >> 60) % 5) as usize],
            if converted { "1" } else { "0" },
            if converted { format!("{}", 1000 + (r >> 30) % 90_000) } else { String::new() },
        );
    }
    out
}

fn mb_per_s(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / 1e6 / seconds
}

fn main() {
    let rows: usize = std::env::var("LEADLENS_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let csv = export(rows);
    let bytes = csv.as_bytes();
    println!(
        "ingest benchmark: {rows} rows, 20 columns, {:.1} MB",
        bytes.len() as f64 / 1e6
    );

    let options = LoadOptions::default();
    let start = Instant::now();
    let mut loader = Loader::new("bench", bytes.len() as u64, &options).unwrap();
    let mut attempts = 0;
    let loaded = loop {
        attempts += 1;
        for chunk in bytes.chunks(CHUNK) {
            loader.push(chunk).unwrap();
        }
        if let Finish::Done(loaded) = loader.finish().unwrap() {
            break loaded;
        }
    };
    let total = start.elapsed().as_secs_f64();

    println!(
        "  read, type, assemble:  {:>7.0} ms  {:>6.0} MB/s  ({attempts} pass{})",
        total * 1e3,
        mb_per_s(bytes.len(), total),
        if attempts == 1 { "" } else { "es" }
    );
    println!(
        "  rows loaded: {}, outcome suggested: {:?}",
        loaded.dataset.row_count(),
        loaded.suggested.outcome
    );
}
