// End-to-end: what leaves the workbench — the user's own leads scored, as
// CSV; the scoring rules as SQL; the printed workshop summary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, rule, start } from './browser.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let env;
let dir;
before(async () => {
  env = await start();
  dir = await mkdtemp(join(tmpdir(), 'leadlens-exports-'));
});
after(async () => {
  await env?.close();
});


/** A criteria file for the sample data, with what a summary must show. */
async function workshopCriteria() {
  const path = join(dir, 'workshop.json');
  await writeFile(path, JSON.stringify({
    format: 'leadlens-criteria',
    version: 1,
    mapping: { outcome: 'Converted', converted_values: ['true'], created: 'Created' },
    active: 0,
    scenarios: [{
      name: 'Agreed <i>Q3</i>',
      threshold: 25,
      criteria: [
        rule('Asked for a demo', 30, { column: 'Demo requested', op: 'is_true' },
          { group: 'engagement', rationale: 'Hand-raisers <b>convert</b>' }),
        rule('Target industry', 15, { column: 'Industry', op: 'any_of', values: ['Software'] },
          { proposed_by: 'marketing', enabled: false, rationale: 'Parked for now' }),
        rule('Budget confirmed', 10, { column: 'Budget', op: 'is_true' }, { proposed_by: 'both' }),
      ],
    }],
  }));
  return path;
}

/** Splits one CSV record (no line breaks inside) into its fields. */
function fields(line, delimiter = ',') {
  const out = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { out.push(field); field = ''; } else field += c;
  }
  out.push(field);
  return out;
}

/** Loads a fixture, picks its outcome if asked, and confirms the mapping. */
async function loadFixture(page, name, outcome) {
  const leads = await figure(page, 'kpi-leads');
  await page.setInputFiles('[data-testid=upload-input]', join(FIXTURES, name));
  await page.waitForSelector('[data-testid=mapping-step]');
  if (outcome) await page.selectOption('[data-testid=role-outcome]', outcome);
  await page.click('[data-testid=mapping-confirm]');
  await figureChange(page, 'kpi-leads', leads);
}

/** Exports the scored leads and returns the file's bytes and name. */
async function exportScored(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-scored]')]);
  await page.waitForFunction(() => /^Exported/.test(document.querySelector('[data-testid=export-status]')?.textContent ?? ''));
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

describe('scored leads export', () => {
  test('the original file comes back cell for cell, with score, sales-ready and the rules that fired', async () => {
    const { context, page, seen } = await openApp(env);
    assert.ok(await page.locator('[data-testid=export-scored]').isDisabled(), 'the sample has no file behind it');
    await loadFixture(page, 'hubspot_export.csv');
    const criteriaPath = join(dir, 'hubspot.json');
    await writeFile(criteriaPath, JSON.stringify({
      format: 'leadlens-criteria',
      version: 1,
      mapping: { outcome: 'Lifecycle Stage', converted_values: ['Customer'] },
      scenarios: [{ name: 'Agreed', threshold: 20, criteria: [
        rule('Software, first', 20, { column: 'Industry', op: 'any_of', values: ['Software'] }),
        rule('Viewed pages', 0, { column: 'Number of Pageviews', op: 'per_unit', points_per_unit: 1, max_points: 10 }),
        rule('No industry', -5, { column: 'Industry', op: 'empty' }),
      ] }],
    }));
    await page.setInputFiles('[data-testid=criteria-import-input]', criteriaPath);
    await page.click('[data-testid=import-replace]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 3);
    const { name, bytes } = await exportScored(page);
    assert.equal(name, 'hubspot_export-scored.csv');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark, for Excel');
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines.pop(), '', 'every record ends with CRLF');
    const original = (await readFile(join(FIXTURES, 'hubspot_export.csv'), 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, original.length);
    assert.equal(lines[0], `${original[0]},score,sales_ready,grade,rules_fired`);
    const threshold = Number(await page.inputValue('[data-testid=threshold]'));
    let ready = 0;
    let fired = 0;
    for (let i = 1; i < lines.length; i += 1) {
      assert.ok(lines[i].startsWith(`${original[i]},`), `${lines[i]} keeps ${original[i]}`);
      const [score, salesReady, grade, rules] = fields(lines[i]).slice(-4);
      assert.match(score, /^-?\d+$/);
      assert.match(grade, /^[A-D][1-4]$/);
      assert.equal(salesReady, Number(score) >= threshold ? 'yes' : 'no');
      if (salesReady === 'yes') ready += 1;
      // The points of the rules listed add up to the score.
      const points = [...rules.matchAll(/\(([+-]\d+)\)(?:; |$)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.equal(points, Number(score), rules);
      if (rules) fired += 1;
    }
    assert.equal(ready, await figure(page, 'kpi-sales-ready'));
    assert.ok(fired >= 5, `rules fired for ${fired} leads`);
    // Record 101 (Software, 14 page views): +20 and +10, capped.
    assert.deepEqual(fields(lines[1]).slice(-4).filter((_, i) => i !== 2), ['30', 'yes', 'Software, first (+20); Viewed pages (+10)']);
    // Record 103 ("Select" is a missing marker): only the empty-industry rule.
    assert.deepEqual(fields(lines[3]).slice(-4).filter((_, i) => i !== 2), ['-5', 'no', 'No industry (-5)']);
    assert.match(await page.textContent('[data-testid=export-status]'), /Exported 6 scored leads/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('a Windows-1252 semicolon file keeps its delimiter and values, now in UTF-8; skipped rows are said', async () => {
    const { context, page } = await openApp(env);
    await loadFixture(page, 'european_1252.csv', 'Gewonnen');
    const { bytes } = await exportScored(page);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines[0], 'Kunde;Stadt;Umsatz;Erstellt;Gewonnen;score;sales_ready;grade;rules_fired');
    assert.ok(lines[1].startsWith('Müller GmbH;Köln;1.234,50;15.03.2024;yes;'), lines[1]);
    assert.ok(lines.some((l) => l.startsWith('Café Noir;Zürich;12,75;02.04.2024;no;')));

    await loadFixture(page, 'ragged.csv');
    const ragged = await exportScored(page);
    const rows = ragged.bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    assert.deepEqual(rows.map((r) => r.split(',').slice(0, 3).join(',')), [
      'name,source,converted', 'A,Web,yes', 'D,Event,no', 'E,Web,yes']);
    assert.match(await page.textContent('[data-testid=export-status]'), /Exported 3 scored leads.* 2 rows skipped on loading have no score and are left out/);
    await context.close();
  });
});

describe('SQL export', () => {
  test('the active scenario downloads as SQL that scores every lead as the workbench does', async () => {
    const { context, page, seen } = await openApp(env);
    await page.setInputFiles('[data-testid=criteria-import-input]', await workshopCriteria());
    await page.click('[data-testid=import-replace]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-sql]')]);
    assert.equal(download.suggestedFilename(), 'leadlens-scoring.sql');
    const sql = await readFile(await download.path(), 'utf8');
    assert.match(sql, /leadlens lead scores for the scenario "Agreed <i>Q3<\/i>"/);
    assert.match(sql, /at a score of 25 or more/);
    assert.match(sql, /\/\* Asked for a demo \*\/ CASE WHEN .*"Demo requested".* THEN 30 ELSE 0 END/);
    assert.doesNotMatch(sql, /\/\* Target industry \*\//, 'a switched-off criterion adds nothing');
    assert.match(sql, /switched off in leadlens:\s+- "Target industry"/);
    assert.match(sql, /cannot be applied to this data:\s+- "Budget confirmed": the data has no column 'Budget'/);
    assert.match(sql, /FROM "leads"\) "parts"\) "scored";\s*$/);
    // The grid's grade beside the score, with the cuts in use on the page.
    assert.match(sql, /CASE WHEN "parts"\."fit_score" >= -?\d+ THEN 'A' .* ELSE 'D' END\s+\|\| CASE WHEN "parts"\."engagement_score" >= -?\d+ THEN '1' .* ELSE '4' END AS "grade"/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

describe('workshop summary', () => {
  test('printing shows only the summary: criteria with rationales and proposers, figures, charts, date and data', async () => {
    const { context, page, seen } = await openApp(env);
    await page.setInputFiles('[data-testid=criteria-import-input]', await workshopCriteria());
    await page.click('[data-testid=import-replace]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 3);
    const summary = page.locator('[data-testid=workshop-summary]');
    assert.equal(await summary.isVisible(), false, 'hidden on screen');
    assert.equal(await page.isVisible('[data-testid=print-summary]'), true);

    // What the browser's print command (or the button) does first.
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await summary.isVisible(), true, 'the summary is what prints');
    assert.equal(await page.isVisible('[data-testid=kpi-leads]'), false, 'the workbench does not print');

    assert.equal(await summary.locator('h1').textContent(), 'Lead definition: Agreed <i>Q3</i>');
    const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
    assert.equal(await page.textContent('[data-testid=summary-date]'), today);
    const badge = await page.textContent('[data-testid=data-badge]');
    const name = await page.textContent('[data-testid=summary-data]');
    assert.ok(name.length > 0 && badge.startsWith(`${name} · `), `${name} / ${badge}`);
    assert.equal(Number(await page.getAttribute('[data-testid=summary-rows]', 'data-value')),
      (await figure(page, 'kpi-leads')) + (await figure(page, 'kpi-check-leads')));
    assert.match(await page.textContent('[data-testid=summary-check]'), /^Tuned on [\d,]+ leads; checked on the newest 20% of leads \([\d,]+ leads\), where sales-ready leads convert at/);

    // Counted criteria in a table; the disabled one set aside.
    const rows = summary.locator('[data-testid=summary-criterion]');
    assert.equal(await rows.count(), 2);
    const demo = await rows.nth(0).locator('th, td').allTextContents();
    assert.deepEqual(demo.slice(0, 6), ['Asked for a demo', 'Demo requested is yes', '+30', 'Engagement', 'Sales',
      'Hand-raisers <b>convert</b>']);
    assert.match(demo[6], /^\d+\.\d% when it fires \([\d,]+ leads\), \d+\.\d% otherwise/);
    assert.equal(await rows.nth(0).locator('b').count(), 0, 'a rationale is text, never markup');
    const missing = await rows.nth(1).textContent();
    assert.match(missing, /Budget confirmed/);
    assert.match(missing, /not applied: .*Budget/);
    assert.match(missing, /Both/);
    assert.match(await page.textContent('[data-testid=summary-set-aside]'), /Target industry — Industry is any of Software \(\+15; Parked for now\)/);

    // Key figures as on screen.
    const figures = await page.textContent('[data-testid=summary-figures]');
    const ready = await figure(page, 'kpi-sales-ready');
    assert.ok(figures.includes(`Sales-ready${ready.toLocaleString('en-US')}`), figures);
    assert.match(figures, /score 25\+/);
    assert.match(figures, /AUC0\.\d{3}/);

    // The key charts, drawn for print, each a readable SVG image.
    for (const id of ['summary-chart-distribution', 'summary-chart-bands', 'summary-chart-gains']) {
      const image = page.locator(`[data-testid=${id}]`);
      const src = await image.getAttribute('src');
      assert.ok(src.startsWith('data:image/svg+xml'), id);
      assert.match(decodeURIComponent(src), /<svg[\s\S]*<\/svg>/);
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await image.elementHandle());
      assert.match(await image.getAttribute('alt'), /^Chart: ./);
    }
    assert.match(decodeURIComponent(await page.getAttribute('[data-testid=summary-chart-distribution]', 'src')), /score 25\+/);

    // Saving as PDF goes through the same path.
    const pdf = await page.pdf({ format: 'A4' });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('the summary follows edits: a new threshold reaches the next print', async () => {
    const { context, page } = await openApp(env);
    await page.fill('[data-testid=threshold]', '55');
    await page.waitForFunction(() => /score 55\+/.test(document.querySelector('[data-testid=summary-figures]').textContent));
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 10_000, `${pdf.length} bytes`);
    const src = await page.getAttribute('[data-testid=summary-chart-distribution]', 'src');
    assert.match(decodeURIComponent(src), /score 55\+/, 'printing drew the chart for the current threshold');
    await context.close();
  });
});
