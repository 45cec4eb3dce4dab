// End-to-end: the fit × engagement grid. Cells add up to the leads, a
// marked cell's leads become sales-ready whatever their score (undoably),
// the grade shows in the lead table and the scored CSV, and cuts and marks
// travel with the link.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { figure, figureChange, openApp, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const cells = (page) => page.locator('[data-testid=grid-cell]').evaluateAll((tds) => tds.map((td) => ({
  cell: td.dataset.fit + td.dataset.engagement,
  leads: Number(td.dataset.leads),
  ready: Number(td.dataset.ready),
  rate: td.dataset.rate === '' ? null : Number(td.dataset.rate),
  marked: td.dataset.marked === 'true',
})));

describe('the fit × engagement grid', () => {
  test('cells hold every lead, and a marked cell is sales-ready whatever the score', async () => {
    const { context, page, seen } = await openApp(env);
    await page.locator('[data-testid=grid] summary').click();
    // The grid is drawn once it is opened, on the next render.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=grid-cell]').length === 16);
    let grid = await cells(page);
    assert.equal(grid.length, 16);
    assert.deepEqual(grid.slice(0, 5).map((c) => c.cell), ['A1', 'A2', 'A3', 'A4', 'B1']);
    const leads = await figure(page, 'kpi-leads');
    assert.equal(grid.reduce((sum, c) => sum + c.leads, 0), leads, 'every lead of the tuning set in one cell');
    assert.equal(grid.reduce((sum, c) => sum + c.ready, 0), await figure(page, 'kpi-sales-ready'));
    for (const c of grid.filter((g) => g.leads > 0)) assert.ok(c.rate >= 0 && c.rate <= 1, JSON.stringify(c));

    // The largest cell with leads below the threshold.
    const target = grid.filter((c) => c.ready < c.leads).sort((a, b) => b.leads - a.leads)[0];
    const before = await figure(page, 'kpi-sales-ready');
    const cell = page.locator(`[data-testid=grid-cell][data-fit="${target.cell[0]}"][data-engagement="${target.cell[1]}"]`);
    await cell.locator('[data-testid=grid-mark]').click();
    const after = await figureChange(page, 'kpi-sales-ready', before);
    assert.equal(after, before + target.leads - target.ready);
    grid = await cells(page);
    const now = grid.find((c) => c.cell === target.cell);
    assert.ok(now.marked && now.ready === now.leads, JSON.stringify(now));
    assert.equal(await cell.locator('[data-testid=grid-mark]').getAttribute('aria-pressed'), 'true');

    // The lead table lists them as sales-ready, with their grade.
    await page.selectOption('[data-testid=lead-list]', 'ready');
    const grades = await page.locator('[data-testid=lead-grade]').allTextContents();
    assert.ok(grades.length > 0 && grades.every((g) => /^[A-D][1-4]( · check set)?$/.test(g)), grades.join());

    // The link carries the mark: a colleague gets the same sales-ready leads.
    const link = await page.inputValue('[data-testid=share-link]');
    const other = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const colleague = await other.newPage();
    await colleague.goto(link);
    await colleague.waitForFunction((n) => document.querySelector('[data-testid=kpi-sales-ready]')?.dataset.value === String(n), after);
    await other.close();

    await page.click('[data-testid=undo]');
    assert.equal(await figureChange(page, 'kpi-sales-ready', after), before);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('cut points can be moved, and the grades follow', async () => {
    const { context, page } = await openApp(env);
    await page.locator('[data-testid=grid] summary').click();
    const cuts = page.locator('[data-testid=grid-fit-cut]');
    const first = Number(await cuts.nth(0).inputValue());
    const aLeads = async () => (await cells(page)).filter((c) => c.cell[0] === 'A').reduce((s, c) => s + c.leads, 0);
    const before = await aLeads();
    await cuts.nth(0).fill(String(first + 1000));
    await cuts.nth(0).dispatchEvent('change');
    await page.waitForFunction((v) => document.querySelectorAll('[data-testid=grid-fit-cut]')[0].value === v, String(first + 1000));
    assert.equal(await aLeads(), 0, 'no lead reaches a fit grade A that high');
    assert.ok(before > 0);
    // The others stay below it, grades running from the best down.
    const values = await cuts.evaluateAll((inputs) => inputs.map((i) => Number(i.value)));
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    await page.click('[data-testid=grid-quartiles]');
    await page.waitForFunction((v) => document.querySelectorAll('[data-testid=grid-fit-cut]')[0].value === v, String(first));
    await context.close();
  });
});
