// Benchmark: the warehouse computes the patterns, leadlens stays live.
// Generates the benchmarks' lead export, makes a DuckDB table of ten
// copies (default 10,000,000 leads; DuckDB from PyPI in a virtual
// environment under target/, installed on first use), loads a sample of
// the export in the release build with eight criteria and every follow-up
// role, downloads the app's pattern query, runs it in DuckDB on the whole
// table, loads the result back in the page, and times a points edit on it.
// Prints figures; it is not a test.
//
//   node tests/bench/browser-warehouse.mjs [copies]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from '../e2e/browser.mjs';
import { chooseTimed, confirmTimed, LOAD_TIMING, summary, timeEdit, TWENTY_CRITERIA, writeExport } from './export.mjs';

const COPIES = Number(process.argv[2] ?? 10);
const BASE_ROWS = 1_000_000;
const SAMPLE_ROWS = 50_000;
const DUCKDB = '2.0.1';
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The virtual environment's Python with DuckDB, made if missing. */
function python() {
  const venv = join(root, 'target', 'bench-python');
  const bin = join(venv, 'bin', 'python');
  const has = () => {
    try {
      return execFileSync(bin, ['-c', 'import duckdb; print(duckdb.__version__)']).toString().trim() === DUCKDB;
    } catch {
      return false;
    }
  };
  if (!has()) {
    console.log(`installing duckdb ${DUCKDB} from PyPI into ${venv} ...`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', `duckdb==${DUCKDB}`], { stdio: 'inherit' });
  }
  return bin;
}

const py = python();
const warehouse = (...args) => JSON.parse(execFileSync(py, [join(here, 'warehouse.py'), ...args]).toString());

const exportPath = join(tmpdir(), `leadlens-warehouse-${BASE_ROWS}.csv`);
const samplePath = join(tmpdir(), 'leadlens-warehouse-sample.csv');
const database = join(tmpdir(), `leadlens-warehouse-${COPIES}.duckdb`);
const queryPath = join(tmpdir(), 'leadlens-patterns.sql');
const resultPath = join(tmpdir(), 'leadlens-patterns.csv');
const criteriaPath = join(tmpdir(), 'leadlens-warehouse-criteria.json');

console.log(`generating ${BASE_ROWS.toLocaleString('en-US')} rows ...`);
await writeExport(exportPath, BASE_ROWS);
writeFileSync(samplePath, readFileSync(exportPath, 'utf8').split('\n').slice(0, SAMPLE_ROWS + 1).join('\n') + '\n');
if (!existsSync(database)) {
  console.log(`making the warehouse table of ${COPIES} copies ...`);
  warehouse('prepare', exportPath, String(COPIES), database);
}

// Eight criteria, as a workshop agrees on, and every follow-up role.
const picked = ['Demo', 'Webinar', 'Software', 'Referral', 'Big', 'Views', 'Clicks', 'Recent'];
writeFileSync(criteriaPath, JSON.stringify({
  format: 'leadlens-criteria', version: 1, active: 0,
  mapping: {
    outcome: 'Converted', converted_values: ['true'], created: 'Created', followed_up: 'Followed up',
    response_hours: 'Response hours', deal_value: 'Deal value',
  },
  scenarios: [{ name: 'Agreed', threshold: 40, criteria: TWENTY_CRITERIA.filter((c) => picked.includes(c.label)) }],
}));

const env = await start();
try {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.addInitScript(LOAD_TIMING);
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=kpi-leads]');
  const sampleLeads = await page.getAttribute('[data-testid=kpi-leads]', 'data-value');
  await page.setInputFiles('[data-testid=upload-input]', samplePath);
  await page.waitForSelector('[data-testid=mapping-step]', { timeout: 120_000 });
  await page.click('[data-testid=mapping-confirm]');
  await page.waitForFunction((v) => document.querySelector('[data-testid=kpi-leads]')?.dataset.value !== v, sampleLeads);
  await page.setInputFiles('[data-testid=criteria-import-input]', criteriaPath);
  await page.click('[data-testid=import-replace]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=criterion]').length === n, picked.length);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-pattern-sql]')]);
  writeFileSync(queryPath, readFileSync(await download.path()));
  const ran = warehouse('query', database, queryPath, resultPath);

  // The result loaded back: from choosing the file to the painted pattern
  // step, and on to the painted figures (timed in the page).
  const read = await chooseTimed(page, resultPath);
  const leads = Number(await page.getAttribute('[data-testid=pattern-summary]', 'data-leads'));
  const confirmed = await confirmTimed(page);
  const readMs = Math.round(read * 1000);
  const importMs = Math.round((read + confirmed) * 1000);

  // Points edits on the pattern table, from the input event to the
  // painted key figure.
  const times = [];
  for (let i = 0; i < 12; i += 1) times.push(await timeEdit(page, '[data-testid=criterion-points]', 0, i % 2 === 0 ? 45 : 30));

  console.log('');
  console.log(`warehouse table: ${(BASE_ROWS * COPIES).toLocaleString('en-US')} leads in DuckDB ${DUCKDB} (${ran.threads} threads); `
    + `criteria: ${picked.length}, with followed up, response hours, deal value and created mapped`);
  console.log(`pattern query in DuckDB:        ${ran.seconds.toFixed(2)} s → ${ran.patterns.toLocaleString('en-US')} pattern rows `
    + `(${(statSync(resultPath).size / 1e6).toFixed(1)} MB of CSV)`);
  console.log(`pattern table in leadlens:      ${leads.toLocaleString('en-US')} leads; read ${readMs} ms, to the painted figures ${importMs} ms`);
  console.log(`points edit → figures painted:  ${summary(times)}`);
  await context.close();
} finally {
  await env.close();
}
