// End-to-end: the warehouse computes the patterns. The pattern query is
// downloaded from the app, run in a real SQL engine (DuckDB, from the npm
// package the browser benchmark also uses) over the same leads, and its
// result, exported as CSV, is loaded back: the figures equal those of the
// rows, points edits stay live, a rule edit asks for the query again, and
// what needs single leads says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, rule, start, violations } from './browser.mjs';

const require = createRequire(import.meta.url);
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const LEADS_FILE = join(FIXTURES, 'warehouse_leads.csv');
const LEADS = 600;

let env;
let dir;
let tables = 0;
before(async () => {
  env = await start();
  dir = await mkdtemp(join(tmpdir(), 'leadlens-patterns-'));
});
after(async () => {
  await env?.close();
});

/** DuckDB-Wasm in Node, with the leads as the table `leads`. */
async function warehouse() {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  const conn = db.connect();
  db.registerFileBuffer('leads.csv', await readFile(LEADS_FILE));
  conn.query("CREATE TABLE leads AS SELECT * FROM read_csv_auto('leads.csv')");
  return {
    /** Runs a query and writes its result to `path` as CSV, as a console
     * exports it (DuckDB's Node runtime writes to the real file system). */
    async csv(statement, path) {
      const select = statement.trim().replace(/;$/, '');
      conn.query(`COPY (${select}) TO '${path}' (HEADER, USE_TMP_FILE false)`);
      return readFile(path);
    },
  };
}


/** The criteria and mapping the room agreed, as a criteria file. */
async function criteriaFile() {
  const path = join(dir, 'agreed.json');
  await writeFile(path, JSON.stringify({
    format: 'leadlens-criteria',
    version: 1,
    mapping: {
      outcome: 'converted', converted_values: ['yes'], created: 'created', followed_up: 'followed_up',
      response_hours: 'response_hours', deal_value: 'deal_value',
    },
    active: 0,
    scenarios: [
      { name: 'Agreed', threshold: 30, criteria: [
        rule('Enterprise or public', 25, { column: 'segment', op: 'any_of', values: ['Enterprise', 'Public'] }),
        rule('Big companies', 10, { column: 'employees', op: 'gte', value: 500 }),
        rule('Per 100 staff', 0, { column: 'employees', op: 'per_unit', points_per_unit: 1, max_points: 8 }),
        rule('Asked for a demo', 20, { column: 'demo_requested', op: 'is_true' }, { group: 'engagement' }),
        rule('Recent', 5, { column: 'created', op: 'within_days', days: 60 }, { group: 'engagement' }),
      ] },
      { name: 'Marketing', threshold: 20, criteria: [
        rule('Asked for a demo', 30, { column: 'demo_requested', op: 'is_true' }, { group: 'engagement' }),
        rule('No size given', -5, { column: 'employees', op: 'empty' }),
      ] },
    ],
  }));
  return path;
}

const KEY_FIGURES = ['kpi-leads', 'kpi-sales-ready', 'kpi-rate-in', 'kpi-rate-out', 'kpi-lift', 'kpi-captured', 'kpi-auc',
  'kpi-check-leads', 'kpi-check-sales-ready', 'kpi-check-rate-in'];

async function keyFigures(page) {
  const out = {};
  for (const id of KEY_FIGURES) out[id] = await page.getAttribute(`[data-testid=${id}]`, 'data-value');
  out.revenue = await page.getAttribute('[data-testid=kpi-revenue]', 'data-value');
  return out;
}

const criteria = (page) => page.locator('[data-testid=criterion]');

/** What the charts, the grid and suggested points show, as text. */
async function shown(page) {
  for (const id of ['grid', 'suggestions']) {
    const panel = page.locator(`details[data-testid=${id}]`);
    if (!(await panel.evaluate((d) => d.open))) await panel.locator('summary').first().click();
  }
  await page.locator('[data-testid=suggested-points]').first().waitFor();
  const text = async (selector) => (await page.locator(selector).allTextContents()).join('|');
  return {
    distribution: await text('[data-testid=chart-score-distribution-table]'),
    bands: await text('[data-testid=chart-conversion-by-band-table]'),
    sweep: await text('[data-testid=chart-sweep-table]'),
    gains: await text('[data-testid=chart-gains-table]'),
    grid: (await page.locator('[data-testid=grid-cell]').evaluateAll((cells) =>
      cells.map((c) => `${c.dataset.fit}${c.dataset.engagement}:${c.dataset.leads}/${c.dataset.rate}/${c.dataset.ready}`))).join(' '),
    suggested: (await page.locator('[data-testid=suggested-points]').evaluateAll((cells) =>
      cells.map((c) => c.dataset.value))).join(' '),
  };
}

/** Loads the leads with the agreed criteria. */
async function leadsWithCriteria(page) {
  const sampleLeads = await figure(page, 'kpi-leads');
  await page.setInputFiles('[data-testid=upload-input]', LEADS_FILE);
  await page.waitForSelector('[data-testid=mapping-step]');
  await page.click('[data-testid=mapping-confirm]');
  await figureChange(page, 'kpi-leads', sampleLeads);
  await page.setInputFiles('[data-testid=criteria-import-input]', await criteriaFile());
  await page.click('[data-testid=import-replace]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 5);
}

/** Downloads the pattern query, runs it in DuckDB, and returns the query
 * and the path of its result. */
async function patternTable(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-pattern-sql]')]);
  assert.equal(download.suggestedFilename(), 'leadlens-patterns.sql');
  const sql = await readFile(await download.path(), 'utf8');
  const path = join(dir, `patterns-${++tables}.csv`);
  const table = await (await warehouse()).csv(sql, path);
  return { sql, path, rows: table.toString().trim().split('\n').length - 1 };
}


describe('pattern tables from the warehouse', () => {
  test('the pattern query run in DuckDB gives back the figures of the rows, live under points edits', async () => {
    const { context, page, seen } = await openApp(env);
    await leadsWithCriteria(page);
    const rows = await keyFigures(page);
    assert.ok(Number(rows['kpi-check-leads']) >= 100, 'the newest fifth is kept as the check set');
    const rowsShown = await shown(page);
    assert.ok(rowsShown.sweep.length > 100 && rowsShown.grid.includes(':'), JSON.stringify(rowsShown));
    // A points edit on the rows, to repeat on the pattern table.
    await criteria(page).nth(0).locator('[data-testid=criterion-points]').fill('40');
    await criteria(page).nth(0).locator('[data-testid=criterion-points]').press('Enter');
    await figureChange(page, 'kpi-sales-ready', rows['kpi-sales-ready']);
    const rowsEdited = await keyFigures(page);
    await page.click('[data-testid=undo]');
    await page.waitForFunction((v) => document.querySelector('[data-testid=kpi-sales-ready]')?.dataset.value === v,
      rows['kpi-sales-ready']);

    // The pattern query, for both scenarios, run in the warehouse.
    const { sql, path: tablePath, rows: patternRows } = await patternTable(page);
    assert.match(sql, /GROUP BY/);
    assert.match(sql, /"ll_check"/);
    assert.match(await page.textContent('[data-testid=pattern-sql-status]'), /evaluates 6 rules/);
    assert.ok(patternRows > 10 && patternRows < LEADS, `${patternRows} patterns`);

    // Loaded like any file: recognised by its header.
    await page.setInputFiles('[data-testid=upload-input]', tablePath);
    await page.waitForSelector('[data-testid=pattern-step]');
    const summary = page.locator('[data-testid=pattern-summary]');
    assert.equal(await summary.getAttribute('data-leads'), String(LEADS));
    assert.equal(await summary.getAttribute('data-patterns'), String(patternRows));
    const coverage = page.locator('[data-testid=pattern-coverage] li');
    assert.equal(await coverage.nth(0).getAttribute('data-missing'), '0');
    assert.equal(await coverage.nth(1).getAttribute('data-missing'), '0');
    await page.click('[data-testid=mapping-confirm]');
    await page.waitForSelector('[data-testid=lead-table-needs-rows]');
    assert.match(await page.textContent('[data-testid=data-badge]'), /600 leads/);
    assert.deepEqual(await keyFigures(page), rows, 'the same figures as the rows');
    assert.deepEqual(await shown(page), rowsShown, 'the same charts, grid and suggested points');
    assert.match(await page.textContent('[data-testid=data-base-rate]'), /pattern table from the warehouse/);

    // Points stay live and exact.
    await criteria(page).nth(0).locator('[data-testid=criterion-points]').fill('40');
    await criteria(page).nth(0).locator('[data-testid=criterion-points]').press('Enter');
    await figureChange(page, 'kpi-sales-ready', rows['kpi-sales-ready']);
    assert.deepEqual(await keyFigures(page), rowsEdited, 'the same figures after the points edit');

    // Single leads are not there; scored leads cannot be exported, nor a
    // starting point built; criteria are still added on the sample's columns.
    assert.ok(await page.locator('[data-testid=export-scored]').isDisabled());
    assert.ok(await page.locator('[data-testid=suggest-start]').isDisabled());
    assert.ok(await page.locator('[data-testid=criterion-add]').isEnabled());

    // A rule edit: the table has no column for the new rule.
    await criteria(page).nth(1).locator('[data-testid=criterion-edit]').click();
    const editor = criteria(page).nth(1).locator('[data-testid=rule-editor]');
    // Rules are written on the sample's columns, never on the table's own.
    const columnsListed = (at) => at.locator('[data-testid=rule-column] option')
      .evaluateAll((options) => options.map((o) => o.textContent));
    const listed = await columnsListed(editor);
    assert.ok(listed.includes('employees'), `the sample's columns are listed: ${listed}`);
    assert.ok(!listed.some((name) => name.startsWith('ll_')), `no pattern-table column is listed: ${listed}`);
    assert.match(await editor.textContent(), /values run from/, "the edited column's range, from the sample");
    await editor.locator('[data-testid=rule-number]').fill('800');
    await editor.locator('[data-testid=rule-number]').press('Tab');
    await page.waitForSelector('[data-testid=criterion] .rule-inactive');
    assert.match(await criteria(page).nth(1).locator('.rule-inactive').textContent(),
      /pattern table was computed without this rule.*re-run the updated pattern query/);
    // The updated query has the edited rule (the sample is still in this tab).
    const [again] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-pattern-sql]')]);
    const updated = await readFile(await again.path(), 'utf8');
    assert.match(updated, /"employees" >= 800/);
    assert.doesNotMatch(sql, /"employees" >= 800/);

    // The query fixed the check set; its controls say so.
    assert.match(await page.textContent('[data-testid=check-fixed]'), /fixed the check set/);
    assert.equal(await page.locator('[data-testid=check-share]').count(), 0);

    // Received alone, in a browser without the sample: the criteria there
    // have no columns in it, and no query can be written.
    const alone = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const fresh = await alone.newPage();
    await fresh.goto(env.url);
    await fresh.waitForSelector('[data-testid=kpi-leads]');
    await fresh.setInputFiles('[data-testid=upload-input]', tablePath);
    await fresh.waitForSelector('[data-testid=pattern-step]');
    assert.equal(await fresh.locator('[data-testid=pattern-coverage] li').first().getAttribute('data-covered'), '0');
    assert.match(await fresh.textContent('[data-testid=pattern-coverage]'), /not in it/);
    await fresh.click('[data-testid=mapping-confirm]');
    await fresh.waitForSelector('[data-testid=lead-table-needs-rows]');
    assert.ok(await fresh.locator('[data-testid=export-pattern-sql]').isDisabled());
    assert.ok(await fresh.locator('[data-testid=criterion-add]').isDisabled());
    assert.match(await fresh.locator('[data-testid=criterion] .rule-inactive').first().textContent(), /re-run/);
    await criteria(fresh).nth(1).locator('[data-testid=criterion-edit]').click();
    const aloneListed = await columnsListed(criteria(fresh).nth(1).locator('[data-testid=rule-editor]'));
    assert.equal(aloneListed.length, 1, `only the rule's own column: ${aloneListed}`);
    assert.match(aloneListed[0], /\(not in the data\)$/);
    await alone.close();

    // Kept for the next visit like any data, with the sample beside it.
    await page.reload();
    await page.waitForSelector('[data-testid=lead-table-needs-rows]');
    assert.equal(await page.getAttribute('[data-testid=kpi-leads]', 'data-value'), rowsEdited['kpi-leads']);
    await page.waitForFunction(() => !document.querySelector('[data-testid=export-pattern-sql]')?.disabled);
    const [kept] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-pattern-sql]')]);
    assert.equal(await readFile(await kept.path(), 'utf8'), updated, 'the same query after a reload');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('follow-up worked out from first-touch dates in the warehouse equals the rows\' follow-up', async () => {
    const { context, page, seen } = await openApp(env);
    const sampleLeads = await figure(page, 'kpi-leads');
    await page.setInputFiles('[data-testid=upload-input]', LEADS_FILE);
    await page.waitForSelector('[data-testid=mapping-step]');
    // Response times from the first touch, not from a column of hours.
    await page.selectOption('[data-testid=role-response_hours]', '');
    await page.selectOption('[data-testid=role-followed_up]', '');
    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', sampleLeads);
    const path = join(dir, 'first-touch.json');
    await writeFile(path, JSON.stringify({
      format: 'leadlens-criteria', version: 1, active: 0,
      mapping: { outcome: 'converted', converted_values: ['yes'], created: 'created', first_touch: 'first_touch',
        deal_value: 'deal_value' },
      scenarios: [{ name: 'Agreed', threshold: 20, criteria: [
        rule('Enterprise or public', 25, { column: 'segment', op: 'any_of', values: ['Enterprise', 'Public'] }),
        rule('Asked for a demo', 20, { column: 'demo_requested', op: 'is_true' }, { group: 'engagement' }),
      ] }],
    }));
    await page.setInputFiles('[data-testid=criteria-import-input]', path);
    await page.click('[data-testid=import-replace]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 2);
    /** The follow-up panel's tables and what-if, with a 4-hour commitment. */
    const followUp = async () => {
      const panel = page.locator('[data-testid=followup]');
      if (!(await panel.evaluate((d) => d.open))) await panel.locator('summary').first().click();
      await page.fill('[data-testid=whatif-sla]', '4');
      await page.press('[data-testid=whatif-sla]', 'Tab');
      await page.locator('[data-testid=chart-response-time-table]').waitFor({ state: 'attached' });
      return {
        bands: await page.textContent('[data-testid=chart-followup-rate-table]'),
        response: await page.textContent('[data-testid=chart-response-time-table]'),
        expected: await page.getAttribute('[data-testid=whatif-expected]', 'data-value'),
        historical: await page.getAttribute('[data-testid=whatif-historical]', 'data-value'),
      };
    };
    const rows = await followUp();
    assert.match(rows.response, /under 1 hour/);
    const { sql, path: tablePath } = await patternTable(page);
    assert.match(sql, /EXTRACT\(EPOCH FROM/);
    await page.setInputFiles('[data-testid=upload-input]', tablePath);
    await page.waitForSelector('[data-testid=pattern-step]');
    await page.click('[data-testid=mapping-confirm]');
    await page.waitForSelector('[data-testid=lead-table-needs-rows]');
    assert.deepEqual(await followUp(), rows);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('axe-core finds nothing in the pattern step and on aggregated data with every panel open', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(env.url);
    await page.waitForSelector('[data-testid=kpi-leads]');
    await leadsWithCriteria(page);
    const { path } = await patternTable(page);
    await page.setInputFiles('[data-testid=upload-input]', path);
    await page.waitForSelector('[data-testid=pattern-step]');
    assert.deepEqual(await violations(page), [], 'the pattern step');
    await page.click('[data-testid=mapping-confirm]');
    await page.waitForSelector('[data-testid=lead-table-needs-rows]');
    for (const summary of await page.locator('details > summary').all()) {
      if (!(await summary.evaluate((s) => s.parentElement.open))) await summary.click();
    }
    await page.locator('[data-testid=changes-needs-rows]').waitFor();
    await page.locator('[data-testid=suggest-criteria-needs-rows]').waitFor();
    assert.deepEqual(await violations(page), [], 'aggregated data, every panel open');
    await context.close();
  });

  test('a table that is not a whole pattern table is refused in words', async () => {
    const { context, page } = await openApp(env);
    const path = join(dir, 'broken.csv');
    await writeFile(path, 'll_leads,ll_converted,ll_rule_0123456789abcdef\n10,12,1\n5,1,0\n');
    await page.setInputFiles('[data-testid=upload-input]', path);
    await page.waitForSelector('[data-testid=pattern-step]');
    assert.match(await page.textContent('[data-testid=pattern-error]'), /row 1 of the pattern table counts more in 'll_converted' than it has leads/);
    assert.ok(await page.locator('[data-testid=mapping-confirm]').isDisabled());
    await context.close();
  });
});
