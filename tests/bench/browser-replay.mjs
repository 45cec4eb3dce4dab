// Browser benchmark: how quickly the figures follow an edit with a large
// data set loaded. Loads a generated export (default 1,000,000 rows) in the
// release build, imports 20 criteria on its columns, then times, in the
// page, from an edit to the updated key figure being painted: points edits
// (re-scoring only) and rule edits (one rule re-evaluated), and until the
// lead table, which follows the figures after the paint, has caught up;
// then fitting suggested points and the export of every lead scored.
// Prints figures.
//
//   node tests/bench/browser-replay.mjs [rows]
import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../e2e/browser.mjs';
import { summary, timeEdit, TWENTY_CRITERIA as criteria, writeExport } from './export.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);

const dataPath = join(tmpdir(), `leadlens-replay-${ROWS}.csv`);
const criteriaPath = join(tmpdir(), 'leadlens-replay-criteria.json');
console.log(`generating ${ROWS.toLocaleString('en-US')} rows ...`);
await writeExport(dataPath, ROWS);
writeFileSync(criteriaPath, JSON.stringify({
  format: 'leadlens-criteria', version: 1, active: 0,
  mapping: { outcome: 'Converted', converted_values: ['true'], created: 'Created' },
  scenarios: [{ name: 'Twenty criteria', threshold: 40, criteria }],
}));

const env = await start();
try {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=kpi-leads]');
  await page.setInputFiles('[data-testid=upload-input]', dataPath);
  await page.waitForSelector('[data-testid=mapping-step]', { timeout: 120_000 });
  await page.click('[data-testid=mapping-confirm]');
  // Every lead is in the tuning or the check set, whose figures repaint
  // on every edit too.
  await page.waitForFunction((n) => {
    const leads = (id) => Number(document.querySelector(`[data-testid=${id}]`).getAttribute('data-value') || 0);
    return leads('kpi-leads') + leads('kpi-check-leads') === n;
  }, ROWS, { timeout: 120_000 });
  await page.setInputFiles('[data-testid=criteria-import-input]', criteriaPath);
  await page.click('[data-testid=import-replace]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 20, null, { timeout: 60_000 });
  await page.waitForTimeout(500);

  const settled = { settled: true };
  const points = [];
  for (let i = 0; i < 12; i += 1) points.push(await timeEdit(page, '[data-testid=criterion-points]', 0, i % 2 === 0 ? 45 : 30, settled));
  // A rule edit: the "Big" criterion's employee count, in its editor.
  await page.locator('[data-testid=criterion]').nth(10).locator('[data-testid=criterion-edit]').click();
  await page.evaluate(() => performance.clearMeasures());
  const rules = [];
  for (let i = 0; i < 6; i += 1) rules.push(await timeEdit(page, '[data-testid=rule-number]', 0, i % 2 === 0 ? 4000 : 200, settled));

  console.log('');
  console.log(`data: ${ROWS.toLocaleString('en-US')} leads (${(statSync(dataPath).size / 1e6).toFixed(0)} MB), 20 criteria`);
  const painted = (times) => summary(times.map((t) => t.painted));
  const caughtUp = (times) => summary(times.map((t) => t.settled));
  console.log(`points edit → figures painted:  ${painted(points)}`);
  console.log(`  → lead table caught up:       ${caughtUp(points)}`);
  console.log(`rule edit → figures painted:    ${painted(rules)}`);
  console.log(`  → lead table caught up:       ${caughtUp(rules)}`);
  // Where a rule edit's time goes: each named step, summed per edit.
  const steps = await page.evaluate(() => {
    const totals = {};
    for (const m of performance.getEntriesByType('measure')) {
      if (!m.name.startsWith('leadlens:')) continue;
      const name = m.name.slice('leadlens:'.length);
      totals[name] = totals[name] ?? { sum: 0, count: 0 };
      totals[name].sum += m.duration;
      totals[name].count += 1;
    }
    return totals;
  });
  for (const [name, { sum, count }] of Object.entries(steps)) {
    console.log(`  per rule edit, ${name}:`.padEnd(34) + `${(sum / rules.length).toFixed(1)} ms (${count} steps in ${rules.length} edits)`);
  }

  // Suggested points: the fit on the tuning set, with both definitions
  // replayed on the check set, from opening the panel to the painted table.
  await page.evaluate(() => performance.clearMeasures());
  const suggestStarted = Date.now();
  await page.locator('[data-testid=suggestions] summary').click();
  await page.waitForSelector('[data-testid=suggested-points]', { timeout: 60_000 });
  const suggestMs = Date.now() - suggestStarted;
  const fitMs = await page.evaluate(() => performance.getEntriesByName('leadlens:suggest points')[0]?.duration);
  console.log(`suggested points:               ${suggestMs} ms to the painted table (fit and check replays ${fitMs?.toFixed(0)} ms)`);

  // Exporting every lead scored: the file read again and written back.
  const exportStarted = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.click('[data-testid=export-scored]'),
  ]);
  const exportSeconds = (Date.now() - exportStarted) / 1000;
  const exported = statSync(await download.path()).size;
  console.log(`scored leads export:            ${exportSeconds.toFixed(2)} s for ${(exported / 1e6).toFixed(0)} MB`);
  await context.close();
} finally {
  await env.close();
  unlinkSync(dataPath);
  unlinkSync(criteriaPath);
}
