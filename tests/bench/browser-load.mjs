// Browser benchmark: how long leadlens takes to load and type a large lead
// export in Chromium, how much memory the tab needs, the longest main-thread
// task meanwhile, and PapaParse's plain parse of the same file in the same
// page for comparison. Prints figures; it is not a pass/fail test.
//
//   node tests/bench/browser-load.mjs [rows]      (default 1,000,000 rows)
//
// Needs the release build in dist/ (make build).
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { start } from '../e2e/browser.mjs';
import { writeExport } from './export.mjs';

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

const env = await start();
try {
  const context = await env.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (event) => { window.__wasm = event.detail.wasm; });
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=kpi-leads]');
  await page.waitForTimeout(500);
  const idle = rendererMemory();
  /** The app's WebAssembly memory and the JavaScript heap, in bytes. */
  const heaps = () => page.evaluate(() => ({
    wasm: window.__wasm?.memory?.buffer.byteLength ?? Number.NaN,
    js: performance.memory?.usedJSHeapSize ?? Number.NaN,
  }));
  const idleHeaps = await heaps();
  await page.evaluate(() => { window.__longest = 0; });

  const stopWatching = watchMemory();
  const started = Date.now();
  await page.setInputFiles('[data-testid=upload-input]', path);
  await page.waitForSelector('[data-testid=mapping-step]', { timeout: 120_000 });
  const loadSeconds = (Date.now() - started) / 1000;
  const peak = stopWatching();
  const longest = await page.evaluate(() => window.__longest);
  const loadedHeaps = await heaps();
  const facts = await page.textContent('[data-testid=mapping-facts]');
  const steps = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith('leadlens:'))
    .map((m) => [m.name.slice('leadlens:'.length), m.duration]));

  // PapaParse, plain parse (no typing, no worker), on the same File.
  await page.addScriptTag({ path: require.resolve('papaparse/papaparse.min.js') });
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'papa-input';
    document.body.append(input);
  });
  await page.setInputFiles('#papa-input', path);
  const papa = await page.evaluate(() => new Promise((resolve) => {
    const file = document.getElementById('papa-input').files[0];
    const begun = performance.now();
    window.Papa.parse(file, {
      complete: (results) => resolve({ seconds: (performance.now() - begun) / 1000, rows: results.data.length }),
    });
  }));

  console.log('');
  console.log(`leadlens load + typing:  ${loadSeconds.toFixed(2)} s  (${(size / 1e6 / loadSeconds).toFixed(0)} MB/s)  ${facts.trim()}`);
  console.log(`tab memory (private):    idle ${mb(idle.anon)}, peak ${mb(peak.anon)} = ${(peak.anon / size).toFixed(2)}x the file`);
  console.log(`  resident incl. shared: idle ${mb(idle.rss)}, peak ${mb(peak.rss)} = ${(peak.rss / size).toFixed(2)}x the file`);
  console.log(`  of which:               WebAssembly memory ${mb(idleHeaps.wasm)} idle, ${mb(loadedHeaps.wasm)} loaded; JS heap ${mb(idleHeaps.js)} idle, ${mb(loadedHeaps.js)} loaded`);
  console.log(`longest main-thread task while loading: ${longest.toFixed(0)} ms`);
  console.log('steps (ms):              ' + steps.map(([n, d]) => `${n} ${d.toFixed(0)}`).join(', '));
  console.log(`PapaParse plain parse:   ${papa.seconds.toFixed(2)} s  (${papa.rows.toLocaleString('en-US')} rows)`);
  console.log(`ratio:                   leadlens takes ${(loadSeconds / papa.seconds).toFixed(2)}x PapaParse's time`);
  await context.close();
} finally {
  await env.close();
  unlinkSync(path);
}
