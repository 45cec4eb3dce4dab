// Browser benchmark: how long leadlens takes from choosing a large lead
// export to its painted figures in Chromium (reading and typing in its
// workers, then replaying the starting criteria), how much memory the tab
// needs, and the longest main-thread task meanwhile; then, in the same
// page, the references a user would otherwise pick on the same File:
// PapaParse's plain parse and DuckDB-Wasm's `read_csv_auto` (its files
// served locally by this script, never fetched). A second page repeats
// leadlens with a single worker, to show what the parallel split buys.
// Prints figures; it is not a pass/fail test.
//
//   node tests/bench/browser-load.mjs [rows]      (default 1,000,000 rows)
//
// Needs the release build in dist/ (make build).
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { start } from '../e2e/browser.mjs';
import { chooseTimed, confirmTimed, LOAD_TIMING, writeExport } from './export.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const require = createRequire(import.meta.url);

/**
 * Memory of Chromium's largest renderer process, in bytes: `anon` is its
 * private memory (heaps, WebAssembly memory, buffers: what the tab itself
 * uses), `rss` also counts the browser's own code and files mapped into
 * it, which every tab shares.
 */
function rendererMemory() {
  let largest = { rss: 0, anon: 0 };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
      const memory = { rss: kb('VmRSS'), anon: kb('RssAnon') };
      if (memory.rss > largest.rss) largest = memory;
    } catch {
      // The process ended while we looked.
    }
  }
  return largest;
}

/** Samples renderer memory every 20 ms until stopped; returns the peaks. */
function watchMemory() {
  const peak = { rss: 0, anon: 0 };
  const sample = () => {
    const now = rendererMemory();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.anon = Math.max(peak.anon, now.anon);
  };
  sample();
  const timer = setInterval(sample, 20);
  return () => { clearInterval(timer); sample(); return peak; };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

const path = join(tmpdir(), `leadlens-bench-${ROWS}.csv`);
console.log(`generating ${ROWS.toLocaleString('en-US')} rows ...`);
await writeExport(path, ROWS);
const size = statSync(path).size;
console.log(`file: ${path}, ${mb(size)}, 20 columns`);

/** DuckDB-Wasm's browser files, served under /__bench/ by route. */
const duckdbDist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
// Apache Arrow (DuckDB-Wasm's dependency) as one classic script; its
// package exports do not list the file, so it is found beside DuckDB's.
const arrowBundle = join(duckdbDist, '..', '..', '..', 'apache-arrow', 'Arrow.es2015.min.js');

async function serveReferences(context) {
  await context.route('**/__bench/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const file = join(duckdbDist, name);
    if (name === 'duckdb-browser.mjs') {
      // Its one bare import, Apache Arrow, comes from the bundle the page
      // loads as a plain script (it sets globalThis.Arrow).
      const text = readFileSync(file, 'utf8').replaceAll('import*as u from"apache-arrow";', 'const u=globalThis.Arrow;')
        .replaceAll('import*as d from"apache-arrow";', 'const d=globalThis.Arrow;');
      await route.fulfill({ body: text, contentType: 'text/javascript' });
    } else {
      await route.fulfill({ path: file, contentType: name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
    }
  });
}

/**
 * Opens leadlens (with `workers` load workers, or as many as the browser
 * has cores), loads the file and confirms the mapping step; returns the
 * times to the mapping step and on to the painted figures, the longest
 * main-thread task, memory and the app's own step timings.
 */
async function leadlens(env, workers) {
  const context = await env.browser.newContext({ bypassCSP: true });
  await serveReferences(context);
  const page = await context.newPage();
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (event) => { window.__wasm = event.detail.wasm; });
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__long.push([entry.startTime, entry.duration]);
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.addInitScript(LOAD_TIMING);
  await page.goto(workers ? `${env.url}?workers=${workers}` : env.url);
  await page.waitForSelector('[data-testid=kpi-leads]');
  // A person takes a moment to find the file; meanwhile the app starts
  // the worker the load will begin with (counted in the idle memory).
  await page.waitForTimeout(1_500);
  const idle = rendererMemory();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  /** The app's WebAssembly memory and the JavaScript heap, in bytes. */
  const heaps = () => page.evaluate(() => ({
    wasm: window.__wasm?.memory?.buffer.byteLength ?? Number.NaN,
    js: performance.memory?.usedJSHeapSize ?? Number.NaN,
  }));
  const idleHeaps = await heaps();
  await page.evaluate(() => { window.__long = []; window.__chosen = performance.now(); });

  const stopWatching = watchMemory();
  const toMapping = await chooseTimed(page, path);
  const facts = await page.textContent('[data-testid=mapping-facts]');
  // Confirmed at once, as a user who accepts the suggested roles would.
  const toFigures = await confirmTimed(page);
  const peak = stopWatching();
  // Each long task, when it began after the file was chosen, whether it
  // began before the figures were painted, and the app's steps it
  // overlapped: where the main thread was held. Those after the paint
  // (the lead table catching up) were seen only because the page was
  // asked for the times a moment later.
  const allLongTasks = await page.evaluate(() => {
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('leadlens:'));
    return window.__long.map(([start, duration]) => ({
      at: start - window.__chosen,
      duration,
      beforePaint: start < window.__times.figures,
      during: measures
        .filter((m) => m.startTime < start + duration && m.startTime + m.duration > start)
        .map((m) => m.name.slice('leadlens:'.length)),
    }));
  });
  const longTasks = allLongTasks.filter((t) => t.beforePaint);
  const afterPaint = allLongTasks.filter((t) => !t.beforePaint);
  const longest = Math.max(0, ...longTasks.map((t) => t.duration));
  const loadedHeaps = await heaps();
  const steps = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith('leadlens:'))
    .map((m) => [m.name.slice('leadlens:'.length), m.duration]));
  return { context, page, cores, idle, peak, idleHeaps, loadedHeaps, toMapping, toFigures, longest, longTasks, afterPaint, facts, steps };
}

/** PapaParse's plain parse (no typing, on the main thread) of `file`. */
async function papaparse(page) {
  await page.addScriptTag({ path: require.resolve('papaparse/papaparse.min.js') });
  return page.evaluate(() => new Promise((resolve) => {
    const file = document.getElementById('bench-input').files[0];
    const begun = performance.now();
    window.Papa.parse(file, {
      complete: (results) => resolve({ seconds: (performance.now() - begun) / 1000, rows: results.data.length }),
    });
  }));
}

/** DuckDB-Wasm (single-threaded `eh` build): read_csv_auto into a table. */
async function duckdb(page) {
  await page.addScriptTag({ path: arrowBundle });
  return page.evaluate(async () => {
    const duck = await import('/__bench/duckdb-browser.mjs');
    const worker = new Worker('/__bench/duckdb-browser-eh.worker.js');
    const db = new duck.AsyncDuckDB(new duck.VoidLogger(), worker);
    const begun = performance.now();
    await db.instantiate('/__bench/duckdb-eh.wasm');
    const instantiated = performance.now();
    const file = document.getElementById('bench-input').files[0];
    await db.registerFileHandle('leads.csv', file, duck.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    const connection = await db.connect();
    const reading = performance.now();
    await connection.query("CREATE TABLE leads AS SELECT * FROM read_csv_auto('leads.csv')");
    const read = performance.now();
    const rows = Number((await connection.query('SELECT count(*) AS n FROM leads')).toArray()[0].n);
    await connection.close();
    await db.terminate();
    return { instantiate: (instantiated - begun) / 1000, seconds: (read - reading) / 1000, rows };
  });
}

const env = await start();
try {
  const parallel = await leadlens(env);
  const { page } = parallel;
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-input';
    document.body.append(input);
  });
  await page.setInputFiles('#bench-input', path);
  const papa = await papaparse(page);
  const duck = await duckdb(page);
  await parallel.context.close();
  const single = await leadlens(env, 1);
  await single.context.close();

  const total = (run) => run.toMapping + run.toFigures;
  const report = (label, run) => {
    console.log(`${label}: ${total(run).toFixed(2)} s to the figures = ${run.toMapping.toFixed(2)} s to the mapping step `
      + `+ ${run.toFigures.toFixed(2)} s from confirming to painted figures  (${(size / 1e6 / total(run)).toFixed(0)} MB/s)`);
    console.log(`  longest main-thread task, file chosen to figures painted: ${run.longest.toFixed(0)} ms`);
    const tasks = (list) => list.map((t) => `${t.duration.toFixed(0)} ms at ${(t.at / 1000).toFixed(2)} s`
      + (t.during.length ? ` (${t.during.join(', ')})` : '')).join('; ') || 'none';
    console.log(`  tasks over 50 ms: ${tasks(run.longTasks)}`);
    if (run.afterPaint.length) console.log(`  and after the paint: ${tasks(run.afterPaint)}`);
    console.log(`  tab memory (private): idle ${mb(run.idle.anon)}, peak ${mb(run.peak.anon)} = ${(run.peak.anon / size).toFixed(2)}x the file;`
      + ` resident incl. shared: peak ${mb(run.peak.rss)}`);
    console.log(`  WebAssembly memory ${mb(run.idleHeaps.wasm)} idle, ${mb(run.loadedHeaps.wasm)} loaded; JS heap ${mb(run.idleHeaps.js)} idle, ${mb(run.loadedHeaps.js)} loaded`);
    console.log('  steps (ms): ' + run.steps.map(([n, d]) => `${n} ${d.toFixed(0)}`).join(', '));
  };
  console.log('');
  console.log(`file: ${mb(size)}; ${parallel.facts.trim()}`);
  report(`leadlens, ${Math.min(parallel.cores, 8)} workers (cores: ${parallel.cores})`, parallel);
  report('leadlens, 1 worker', single);
  console.log(`PapaParse plain parse:   ${papa.seconds.toFixed(2)} s  (${papa.rows.toLocaleString('en-US')} rows)`);
  console.log(`DuckDB-Wasm read_csv_auto: ${duck.seconds.toFixed(2)} s  (${duck.rows.toLocaleString('en-US')} rows; instantiating took ${duck.instantiate.toFixed(2)} s more)`);
  const best = Math.min(papa.seconds, duck.seconds);
  console.log(`ratio: the fastest reference takes ${(best / total(parallel)).toFixed(2)}x leadlens's time to the figures `
    + `(${(papa.seconds / total(parallel)).toFixed(2)}x PapaParse, ${(duck.seconds / total(parallel)).toFixed(2)}x DuckDB-Wasm)`);
} finally {
  await env.close();
  unlinkSync(path);
}
