//! Native ingest benchmark: generates a lead export of 20 columns (ids,
//! dates, categories, decimals, yes/no, free text) and times reading and
//! typing it the way the browser's load worker does (a 512 KiB slice, then
//! 8 MiB slices); counts the heap the load takes at its peak and what it
//! keeps. Then it loads the file in two parts, as two workers do, and
//! times each step that follows the typing, one after the other: those
//! are the steps the parallel split cannot share.
//!
//!     cargo bench --bench ingest            # 1,000,000 rows, about 150 MB
//!     LEADLENS_BENCH_ROWS=100000 cargo bench --bench ingest

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The system allocator, counting the bytes live and their peak, so that
/// the benchmark can say how much memory a load takes beside the file.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only watch.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            // A moved block exists twice for a moment: counted at its
            // peak, as a WebAssembly memory that must grow for it would.
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

use leadlens::core::ingest::transfer;
use leadlens::core::ingest::{
    nominal_starts, part_start, Finish, LoadOptions, Loader, Part, PartLoader,
};
use leadlens::core::summary::summarise;

/// The slices the load worker reads: a short first one, so that the
/// column types are fixed early, then longer ones.
const FIRST_SLICE: usize = 512 * 1024;
const SLICE: usize = 8 * 1024 * 1024;

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
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let mut loader = Loader::new("bench", bytes.len() as u64, &options).unwrap();
    let mut attempts = 0;
    let loaded = loop {
        attempts += 1;
        let (first, rest) = bytes.split_at(FIRST_SLICE.min(bytes.len()));
        loader.push(first).unwrap();
        for chunk in rest.chunks(SLICE) {
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
    let peak = PEAK.load(Ordering::Relaxed) - before;
    drop(loader);
    let kept = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "  rows loaded: {}, outcome suggested: {:?}",
        loaded.dataset.row_count(),
        loaded.suggested.outcome
    );
    println!(
        "  memory:         {:.1} MB at the peak of the load, {:.1} MB kept (the typed columns and the report): {:.2}x and {:.2}x the file",
        mb(peak),
        mb(kept),
        peak as f64 / bytes.len() as f64,
        kept as f64 / bytes.len() as f64
    );
    drop(loaded);
    split(bytes, &options);
}

/// Milliseconds since `start`, and a new start.
fn lap(start: &mut Instant) -> f64 {
    let ms = start.elapsed().as_secs_f64() * 1e3;
    *start = Instant::now();
    ms
}

/// The two-worker load: the first part typed with the plan made, the
/// second from it, then the steps after the typing one by one, as the
/// load worker runs them (the second part's hand-over through its flat
/// buffers, the join, the summaries, the packing for the page).
fn split(bytes: &[u8], options: &LoadOptions) {
    let size = bytes.len() as u64;
    let nominal = nominal_starts(size, 2)[1];
    let from = nominal.saturating_sub(1) as usize;
    let middle = part_start(nominal, &bytes[from..]).unwrap_or(size) as usize;
    let mut at = Instant::now();
    let mut loader = Loader::new("bench", size, options).unwrap();
    let (first, rest) = bytes[..middle].split_at(FIRST_SLICE.min(middle));
    loader.push(first).unwrap();
    for chunk in rest.chunks(SLICE) {
        loader.push(chunk).unwrap();
    }
    let plan = loader.plan().expect("the bench export can be split");
    let first_ms = lap(&mut at);
    let mut part = PartLoader::new(&plan);
    part.expect_bytes((bytes.len() - middle) as u64);
    for chunk in bytes[middle..].chunks(SLICE) {
        part.push(chunk);
    }
    let second_ms = lap(&mut at);
    let (head, buffers) = part.finish().into_buffers();
    let out_ms = lap(&mut at);
    // Taken in a column at a time by the join, as the load worker does.
    let part = Part::from_buffers(&head, buffers).unwrap();
    let Finish::Done(loaded) = loader.finish_with(vec![part]).unwrap() else {
        panic!("the bench export's parts join");
    };
    let join_ms = lap(&mut at);
    let summaries = summarise(&loaded.dataset);
    let summary_ms = lap(&mut at);
    let packed = transfer::pack(loaded, summaries);
    let pack_ms = lap(&mut at);
    println!("  in two parts, as two workers:");
    println!(
        "    typing, each part:   {first_ms:>7.0} ms and {second_ms:.0} ms (in parallel in the browser)"
    );
    println!("    then, one after the other:");
    println!("    second part finished and flattened {out_ms:>5.0} ms");
    println!("    parts joined, the second taken in  {join_ms:>5.0} ms");
    println!("    columns summarised                 {summary_ms:>5.0} ms");
    println!("    packed for the page                {pack_ms:>5.0} ms");
    println!(
        "    ({} buffers, {:.1} MB)",
        packed.buffers.len(),
        mb(packed.buffers.iter().map(|b| b.byte_len()).sum())
    );
}
