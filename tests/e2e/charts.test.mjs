// End-to-end: the charts as a workshop uses them — the threshold moved on
// the chart itself, every chart drawn with its numbers behind it, and each
// one downloaded as a valid SVG and PNG.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { figure, figureChange, inked, openApp, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** Clicks a download button and returns the file's name and bytes. */
export async function download(page, testid) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-testid=${testid}]`),
  ]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

/** Checks an exported SVG: a complete document that carries `title`. */
export function assertSvg({ name, bytes }, title) {
  const text = bytes.toString('utf8');
  assert.match(name, /\.svg$/);
  assert.match(text, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<\/svg>\s*$/);
  assert.ok(text.includes(title), `the SVG lacks its title "${title}"`);
  assert.ok(!/<script/i.test(text));
}

/** Checks an exported PNG: the signature and the export size in its header. */
export function assertPng({ name, bytes }) {
  assert.match(name, /\.png$/);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(bytes.toString('ascii', 12, 16), 'IHDR');
  assert.equal(bytes.readUInt32BE(16), 1280);
  assert.equal(bytes.readUInt32BE(20), 720);
  assert.ok(bytes.length > 10_000, `a ${bytes.length}-byte PNG is too small to hold a chart`);
}

describe('the score distribution', () => {
  test('its slider on the score axis moves the threshold and every figure', async () => {
    const { context, page } = await openApp(env);
    const slider = page.locator('[data-testid=chart-threshold]');
    const before = Number(await page.inputValue('[data-testid=threshold]'));
    assert.equal(Number(await slider.inputValue()), before);
    const ready = await figure(page, 'kpi-sales-ready');
    await slider.focus();
    for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => document.querySelector('[data-testid=threshold]').value === String(t), before + 10);
    const after = await figureChange(page, 'kpi-sales-ready', ready);
    assert.ok(after < ready, `${after} sales-ready at ${before + 10}+ against ${ready} at ${before}+`);
    // The chart's title states the new threshold.
    const caption = await page.textContent('[data-testid=chart-score-distribution-table] caption');
    assert.ok(caption.includes(`${before + 10}+`), caption);
    await context.close();
  });

  test('downloads as SVG and PNG', async () => {
    const { context, page } = await openApp(env);
    const title = await page.textContent('[data-testid=chart-score-distribution-table] caption');
    assertSvg(await download(page, 'chart-score-distribution-svg'), title);
    assertPng(await download(page, 'chart-score-distribution-png'));
    await context.close();
  });
});

/** How many pixels of a chart's canvas are drawn in something darker than a pale grey. */
const CHARTS = ['chart-conversion-by-band', 'chart-sweep', 'chart-gains', 'chart-roc'];

describe('the charts panel', () => {
  test('draws every chart, titled with its finding, with its numbers in a table', async () => {
    const { context, page } = await openApp(env);
    for (const id of CHARTS) {
      assert.ok((await inked(page, id)) > 2000, `${id} is blank`);
      const caption = await page.textContent(`[data-testid=${id}-table] caption`);
      assert.ok(caption.length > 20, `${id}: "${caption}"`);
      assert.ok((await page.locator(`[data-testid=${id}-table] tbody tr`).count()) >= 1, id);
    }
    // Conversion by band accounts for every lead.
    const leads = await page.locator('[data-testid=chart-conversion-by-band-table] tbody tr td:nth-child(2)')
      .evaluateAll((tds) => tds.reduce((sum, td) => sum + Number(td.textContent.replace(/,/g, '')), 0));
    assert.equal(leads, await figure(page, 'kpi-leads'));
    // The sweep's row at the threshold agrees with the key figures.
    const threshold = await page.inputValue('[data-testid=threshold]');
    const row = page.locator('[data-testid=chart-sweep-table] tbody tr', { has: page.locator(`th:text-is("${threshold}+")`) });
    if (await row.count()) {
      const ready = Number((await row.locator('td').first().textContent()).replace(/,/g, ''));
      assert.equal(ready, await figure(page, 'kpi-sales-ready'));
    }
    await context.close();
  });

  test('each chart downloads as SVG and PNG', async () => {
    const { context, page } = await openApp(env);
    for (const id of CHARTS) {
      const title = await page.textContent(`[data-testid=${id}-table] caption`);
      assertSvg(await download(page, `${id}-svg`), title);
      assertPng(await download(page, `${id}-png`));
    }
    await context.close();
  });

  test('charts out of view are drawn when they come into view, and all of them before printing', async () => {
    const { context, page } = await openApp(env);
    const drawn = (id) => page.getAttribute(`[data-testid=${id}] canvas`, 'data-drawn');
    const below = await page.locator('[data-testid=chart-roc] canvas').evaluate((c) => c.getBoundingClientRect().top - window.innerHeight);
    assert.ok(below > 400, `the ROC chart starts ${below}px below the view`);
    await page.waitForTimeout(300);
    assert.equal(await drawn('chart-roc'), 'false', 'not drawn while far out of view');
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    assert.equal(await drawn('chart-roc'), 'true', 'drawn before printing');
    // An edit leaves the chart out of view stale until it is seen.
    const ready = await figure(page, 'kpi-sales-ready');
    await page.locator('[data-testid=criterion-points]').first().fill('0');
    await figureChange(page, 'kpi-sales-ready', ready);
    await page.waitForFunction(() => document.querySelector('[data-testid=chart-roc] canvas').getAttribute('data-drawn') === 'false');
    assert.ok((await inked(page, 'chart-roc')) > 2000, 'drawn on coming into view');
    await context.close();
  });

  test('charts are redrawn at their new size when the window resizes', async () => {
    const { context, page } = await openApp(env);
    assert.ok((await inked(page, 'chart-roc')) > 2000);
    const width = () => page.locator('[data-testid=chart-roc] canvas').evaluate((c) => [c.width, c.clientWidth]);
    const [before, shown] = await width();
    assert.equal(before, shown, 'drawn at its displayed size');
    await page.setViewportSize({ width: 640, height: 1000 });
    await page.waitForFunction((w) => {
      const c = document.querySelector('[data-testid=chart-roc] canvas');
      return c.width !== w && c.width === c.clientWidth;
    }, before);
    assert.ok((await inked(page, 'chart-roc')) > 2000, 'redrawn, not just scaled');
    await context.close();
  });

  test('the sweep follows the threshold and has its own slider', async () => {
    const { context, page } = await openApp(env);
    const title = () => page.textContent('[data-testid=chart-sweep-table] caption');
    const before = await title();
    const ready = await figure(page, 'kpi-sales-ready');
    await page.locator('[data-testid=sweep-threshold]').focus();
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowLeft');
    const lowered = await figureChange(page, 'kpi-sales-ready', ready);
    assert.ok(lowered > ready);
    // Once the five steps are through, both sliders agree.
    await page.waitForFunction(() => {
      const value = (id) => document.querySelector(`[data-testid=${id}]`).value;
      return value('threshold') === value('sweep-threshold') && value('threshold') === value('chart-threshold');
    });
    const threshold = await page.inputValue('[data-testid=threshold]');
    assert.equal(await page.inputValue('[data-testid=chart-threshold]'), threshold, 'both sliders agree');
    await page.waitForFunction((t) => document.querySelector('[data-testid=chart-sweep-table] caption').textContent.startsWith(`At ${t}+ points`), threshold);
    assert.notEqual(await title(), before);
    await context.close();
  });

  test('scenarios are overlaid, and the leads that change between two are counted and listed', async () => {
    const { context, page } = await openApp(env);
    // The lead-level comparison is over every lead, tuning and check set.
    const allReady = async () => (await figure(page, 'kpi-sales-ready')) + (await figure(page, 'kpi-check-sales-ready'));
    const marketing = await allReady();
    const tuned = await figure(page, 'kpi-sales-ready');
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    await page.fill('[data-testid=threshold]', '60');
    await figureChange(page, 'kpi-sales-ready', tuned);
    const sales = await allReady();
    // Gains and ROC now carry a curve per scenario, and the active one's
    // twin on the check set.
    const gainsHeaders = await page.locator('[data-testid=chart-gains-table] thead th').allTextContents();
    assert.equal(gainsHeaders.length, 4, gainsHeaders.join(' | '));
    assert.match(gainsHeaders[3], /, check set: conversions captured$/);
    assert.equal(await page.locator('[data-testid=chart-roc-table] tbody tr').count(), 3);
    await page.locator('[data-testid=compare] summary').click();
    const leaving = page.locator('[data-testid=changes-leaving]');
    await leaving.waitFor();
    assert.equal(Number(await leaving.getAttribute('data-value')), marketing - sales);
    assert.equal(Number(await page.getAttribute('[data-testid=changes-entering]', 'data-value')), 0);
    // A list that scrolls can be reached and scrolled by keyboard.
    assert.equal(await page.getAttribute('[data-testid=changes-leaving-list]', 'tabindex'), '0');
    const listed = await page.locator('[data-testid=changes-leaving-list] li').count();
    assert.equal(listed, Math.min(marketing - sales, 50) + (marketing - sales > 50 ? 1 : 0));
    // What differs, criterion by criterion: only the threshold so far.
    const changes = page.locator('[data-testid=scenario-diff-change]');
    assert.equal(await changes.count(), 1);
    assert.equal(await changes.first().getAttribute('data-kind'), 'threshold');
    assert.match(await changes.first().textContent(), /^Threshold: \d+\+ → 60\+ points$/);
    // A points edit on the copy shows up beside it, in words.
    const label = (await page.locator('[data-testid=criterion] .criterion-label').first().textContent()).trim();
    const points = Number(await page.locator('[data-testid=criterion-points]').first().inputValue());
    await page.locator('[data-testid=criterion-points]').first().fill(String(points + 5));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-diff-change]').length === 2);
    assert.equal(await changes.nth(1).getAttribute('data-kind'), 'points');
    assert.equal(await changes.nth(1).textContent(), `${label}: +${points} → +${points + 5}`);
    // Swapping the pair turns leavers into newcomers.
    await page.locator('[data-testid=criterion-points]').first().fill(String(points));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-diff-change]').length === 1);
    await page.selectOption('[data-testid=changes-from]', '1');
    await page.selectOption('[data-testid=changes-to]', '0');
    await page.waitForFunction((n) => document.querySelector('[data-testid=changes-entering]').dataset.value === String(n), marketing - sales);
    assert.match(await changes.first().textContent(), /^Threshold: 60\+ → \d+\+ points$/);
    await context.close();
  });
});

describe('criteria', () => {
  test('an open editor stays with its criterion when the criterion moves', async () => {
    const { context, page } = await openApp(env);
    const rows = page.locator('[data-testid=criterion]');
    const label = await rows.first().locator('.criterion-label').textContent();
    await rows.first().locator('[data-testid=criterion-edit]').click();
    assert.equal(await rows.first().locator('[data-testid=criterion-edit]').getAttribute('aria-expanded'), 'true');
    await rows.first().getByRole('button', { name: /^Move .* down$/ }).click();
    await page.waitForFunction((l) =>
      document.querySelectorAll('[data-testid=criterion] .criterion-label')[1].textContent === l, label);
    assert.equal(await rows.nth(1).locator('[data-testid=criterion-edit]').getAttribute('aria-expanded'), 'true');
    assert.equal(await rows.nth(0).locator('[data-testid=criterion-edit]').getAttribute('aria-expanded'), 'false');
    await context.close();
  });
});

describe('follow-up effects', () => {
  test('show cherry-picking and speed to lead, with a what-if that moves', async () => {
    const { context, page } = await openApp(env);
    await page.locator('[data-testid=followup] summary').click();
    for (const id of ['chart-followup-rate', 'chart-followup-conversion', 'chart-response-time']) {
      await page.waitForSelector(`[data-testid=${id}] canvas`);
      assert.ok((await inked(page, id)) > 2000, `${id} is blank`);
    }
    assert.match(await page.textContent('[data-testid=followup-caveat]'), /not what will happen/);
    assert.equal(await page.locator('[data-testid=followup-missing]').count(), 0);
    // Response-time buckets account for every lead whose follow-up is known.
    const rows = await page.locator('[data-testid=chart-response-time-table] tbody tr').count();
    assert.equal(rows, 6);
    const expected = () => figure(page, 'whatif-expected');
    const observed = await expected();
    assert.ok(observed > 0);
    // Over every lead: the tuning set's sales-ready conversions and the
    // check set's.
    assert.equal(await figure(page, 'whatif-historical'), await page.evaluate(() => {
      const value = (id) => Number(document.querySelector(`[data-testid=${id}]`).dataset.value);
      return Math.round(value('kpi-rate-in') * value('kpi-sales-ready'))
        + Math.round(value('kpi-check-rate-in') * value('kpi-check-sales-ready'));
    }));
    await page.getByRole('button', { name: '100%', exact: true }).click();
    const everyone = await figureChange(page, 'whatif-expected', observed);
    assert.ok(everyone > observed, `${everyone} with every lead followed up vs ${observed}`);
    await page.getByRole('button', { name: '15%', exact: true }).click();
    const few = await figureChange(page, 'whatif-expected', everyone);
    assert.ok(few < observed, `${few} at 15% vs ${observed}`);
    assert.equal(await page.textContent('[data-testid=whatif-share-value]'), '15%');
    await page.fill('[data-testid=whatif-sla]', '1');
    const fast = await figureChange(page, 'whatif-expected', few);
    assert.ok(fast > few, `answering within an hour: ${fast} vs ${few}`);
    // A points edit re-scores the leads and the what-if follows.
    await page.locator('[data-testid=criterion-points]').first().fill('0');
    await figureChange(page, 'whatif-expected', fast);
    assertSvg(await download(page, 'chart-followup-rate-svg'),
      await page.textContent('[data-testid=chart-followup-rate-table] caption'));
    await context.close();
  });

  test('without follow-up columns, the panel says which columns would enable it', async () => {
    const { context, page } = await openApp(env);
    await page.getByRole('button', { name: 'Paste CSV text' }).click();
    await page.fill('[data-testid=paste-input]', 'Lead,Converted\nA,yes\nB,no\nC,no\n');
    await page.click('[data-testid=paste-load]');
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    await page.locator('[data-testid=followup] summary').click();
    const notes = await page.locator('[data-testid=followup-missing] li').allTextContents();
    assert.ok(notes.some((n) => /Map a Followed up column.* to see follow-up and conversion by score band/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /to see conversion by response time/.test(n)), notes.join('\n'));
    assert.equal(await page.locator('[data-testid=chart-followup-rate]').count(), 0);
    await context.close();
  });
});
