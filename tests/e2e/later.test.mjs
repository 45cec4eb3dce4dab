// End-to-end: the closed loop. Last quarter's export is loaded and a
// definition agreed on it; this quarter's export, the same columns in
// another order, becomes the check set, and the page compares then and now.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { figure, figureChange, openApp, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** A seeded stream of numbers in [0, 1). */
function seeded(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

/**
 * Leads of one quarter: a demo request converts at `demoRate`, any other
 * lead at 8%. Returns the file and, per lead, whether it asked for a demo
 * and whether it converted.
 */
function quarter({ name, leads, start, demoRate, seed, columns }) {
  const random = seeded(seed);
  const day = (i) => new Date(Date.UTC(2025, start, 1) + Math.floor(i / 10) * 86400000).toISOString().slice(0, 10);
  const truth = [];
  const rows = [columns.join(',')];
  for (let i = 0; i < leads; i += 1) {
    const demo = random() < 0.3;
    const converted = random() < (demo ? demoRate : 0.08);
    truth.push({ demo, converted });
    const cells = {
      'Lead ID': `${name}-${i}`,
      'Created Date': day(i),
      'Lead Source': ['Web', 'Event', 'Partner'][Math.floor(random() * 3)],
      'Demo requested': demo ? 'yes' : 'no',
      'Page views': String(Math.floor(random() * 20)),
      Converted: converted ? 'yes' : 'no',
      Region: 'EMEA',
    };
    rows.push(columns.map((c) => cells[c]).join(','));
  }
  return { file: { name, mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) }, truth };
}

const COLUMNS = ['Lead ID', 'Created Date', 'Lead Source', 'Demo requested', 'Page views', 'Converted'];
const then = quarter({ name: 'q1_leads.csv', leads: 1200, start: 0, demoRate: 0.5, seed: 11, columns: COLUMNS });
// The later export: its columns in another order, one more column.
const now = quarter({
  name: 'q2_leads.csv', leads: 800, start: 4, demoRate: 0.15, seed: 23,
  columns: ['Converted', 'Region', 'Page views', 'Demo requested', 'Lead Source', 'Created Date', 'Lead ID'],
});

/** One criterion: a demo request is sales-ready. */
const demoOnly = {
  name: 'criteria.json',
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify({
    format: 'leadlens-criteria', version: 1, active: 0,
    scenarios: [{
      name: 'Demo only', threshold: 10,
      criteria: [{
        label: 'Demo', group: 'engagement', proposed_by: 'both', points: 10, enabled: true,
        rule: { column: 'Demo requested', op: 'is_true' },
      }],
    }],
  })),
};

/** Sales-ready and converted counts of `truth` under "a demo is sales-ready". */
function expected(truth) {
  const ready = truth.filter((l) => l.demo);
  return {
    leads: truth.length,
    ready: ready.length,
    readyConverted: ready.filter((l) => l.converted).length,
    converted: truth.filter((l) => l.converted).length,
  };
}

async function loadFirstQuarter(page) {
  await page.setInputFiles('[data-testid=upload-input]', then.file);
  await page.waitForSelector('[data-testid=mapping-step]');
  await page.click('[data-testid=mapping-confirm]');
  // The newest fifth is the check set until a later export is chosen.
  assert.equal(await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS), 960);
  await page.setInputFiles('[data-testid=criteria-import-input]', demoOnly);
  await page.click('[data-testid=import-replace]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 1);
}

describe('a later export as the check set', () => {
  test('compares then and now: every figure of each file, the score shift and each criterion', async () => {
    const { context, page } = await openApp(env);
    await loadFirstQuarter(page);
    await page.setInputFiles('[data-testid=later-input]', now.file);
    await page.waitForSelector('[data-testid=then-now]');
    const [t, n] = [expected(then.truth), expected(now.truth)];
    assert.equal(await figure(page, 'kpi-leads'), t.leads, 'then: the whole first file');
    assert.equal(await figure(page, 'kpi-check-leads'), n.leads, 'now: the whole later file');
    assert.equal(await figure(page, 'kpi-sales-ready'), t.ready);
    assert.equal(await figure(page, 'kpi-check-sales-ready'), n.ready);
    assert.ok(Math.abs(await figure(page, 'kpi-check-rate-in') - n.readyConverted / n.ready) < 1e-12);
    assert.ok(Math.abs(await figure(page, 'kpi-check-captured') - n.readyConverted / n.converted) < 1e-12);
    assert.match(await page.textContent('[data-testid=later-in-use]'), /“q2_leads\.csv”/);
    assert.match(await page.textContent('[data-testid=tuned-on]'), /first file's 1,200 leads \(then\).*“q2_leads\.csv” \(800 leads, now\)/);
    // A demo converts far less often now: the note says so.
    assert.match(await page.textContent('[data-testid=check-note]'), /^On the later export “q2_leads\.csv” /);

    const cell = async (key, side) => Number(await page.getAttribute(`[data-testid=then-now-${key}]`, `data-${side}`));
    assert.equal(await cell('leads', 'then'), t.leads);
    assert.equal(await cell('leads', 'now'), n.leads);
    assert.equal(await cell('sales-ready', 'then'), t.ready);
    assert.equal(await cell('sales-ready', 'now'), n.ready);
    assert.ok(Math.abs((await cell('rate-in', 'then')) - t.readyConverted / t.ready) < 1e-12);
    assert.ok((await cell('lift', 'now')) < (await cell('lift', 'then')));
    // Ten leads a day: 120 and 80 days of leads.
    assert.ok(Math.abs((await cell('per-week', 'then')) - t.ready / (119 / 7)) < 1e-9);
    assert.ok(Math.abs((await cell('per-week', 'now')) - n.ready / (79 / 7)) < 1e-9);
    // Two scores (0 and 10) in both files, in nearly the same shares: stable.
    const psi = Number(await page.getAttribute('[data-testid=then-now-stability]', 'data-value'));
    const share = (x) => x.ready / x.leads;
    const byHand = (share(n) - share(t)) * Math.log(share(n) / share(t))
      + ((1 - share(n)) - (1 - share(t))) * Math.log((1 - share(n)) / (1 - share(t)));
    assert.ok(Math.abs(psi - byHand) < 1e-12, `${psi} vs ${byHand}`);
    assert.equal(await page.locator('[data-testid=then-now-criterion]').count(), 1);

    // The scored-leads export writes the first file back, scored.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-scored]'),
    ]);
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 1 + t.leads);
    assert.match(lines[0], /,score,sales_ready,grade,rules_fired/);

    // Both files are kept in this browser: a reload brings then and now back.
    await page.reload();
    await page.waitForSelector('[data-testid=then-now]', { timeout: 30_000 });
    assert.equal(await figure(page, 'kpi-leads'), t.leads);
    assert.equal(await figure(page, 'kpi-check-leads'), n.leads);
    assert.equal(await figure(page, 'kpi-check-sales-ready'), n.ready);

    // Back to the first file alone, with its newest fifth as the check set.
    await page.click('[data-testid=later-remove]');
    assert.equal(await figureChange(page, 'kpi-leads', t.leads), 960);
    assert.equal(await figure(page, 'kpi-check-leads'), 240);
    assert.equal(await page.locator('[data-testid=then-now]').count(), 0);
    // And so is the first file alone.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid=kpi-leads]')?.getAttribute('data-value') === '960');
    assert.equal(await page.locator('[data-testid=then-now]').count(), 0);
    await context.close();
  });

  test('a later file without the same columns is refused with the columns it lacks', async () => {
    const { context, page } = await openApp(env);
    await loadFirstQuarter(page);
    const partial = quarter({
      name: 'partial.csv', leads: 300, start: 4, demoRate: 0.5, seed: 5,
      columns: ['Lead ID', 'Created Date', 'Demo requested', 'Converted'],
    });
    await page.setInputFiles('[data-testid=later-input]', partial.file);
    const error = page.locator('[data-testid=load-error]');
    await error.waitFor();
    const message = await error.textContent();
    assert.match(message, /partial\.csv cannot be the later export/);
    assert.match(message, /“Lead Source”/);
    assert.match(message, /“Page views”/);
    assert.equal(await figure(page, 'kpi-leads'), 960, 'nothing changed');
    assert.equal(await page.locator('[data-testid=then-now]').count(), 0);
    await context.close();
  });
});
