// End-to-end: presenter view for a projector: large type, one chart at a
// time beside the criteria, stepped through by keyboard, and the normal
// view back as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figure, figureChange, inked, openApp, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const CHARTS = ['chart-score-distribution', 'chart-conversion-by-band', 'chart-sweep', 'chart-gains', 'chart-roc'];

/** The charts shown (not laid out of sight), by test id. */
const shown = (page) => page.evaluate((ids) => ids.filter((id) => {
  const el = document.querySelector(`[data-testid=${id}]`);
  return el && getComputedStyle(el).display !== 'none';
}), CHARTS);

describe('presenter view', () => {
  test('P shows one chart at a time in large type; the arrows step through them; P again restores the page', async () => {
    const { context, page } = await openApp(env, { viewport: { width: 1920, height: 1080 } });
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid=headline]')).fontSize));
    const normalSize = await size();
    assert.deepEqual(await shown(page), CHARTS);
    // Typing P in a field is typing, not a command.
    await page.locator('[data-testid=criterion-points]').first().press('P');
    assert.equal(await page.getAttribute('[data-testid=presenter-toggle]', 'aria-pressed'), 'false');

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.documentElement.classList.contains('is-presenting'));
    assert.equal(await page.getAttribute('[data-testid=presenter-toggle]', 'aria-pressed'), 'true');
    assert.ok((await size()) > normalSize * 1.2, 'larger type');
    assert.deepEqual(await shown(page), [CHARTS[0]]);
    assert.equal(await page.textContent('[data-testid=presenter-place]'), 'Chart 1 of 5');
    // Beside the criteria, large, drawn at its new size with its text
    // at least 16 px.
    const chartBox = await page.locator(`[data-testid=${CHARTS[0]}] canvas`).boundingBox();
    const criteriaBox = await page.locator('.criteria-editor').boundingBox();
    assert.ok(chartBox.x > criteriaBox.x + criteriaBox.width - 1, 'beside the criteria');
    assert.ok(chartBox.width > 900, `${chartBox.width}px wide`);
    assert.ok((await inked(page, CHARTS[0])) > 2000);
    const drawnWidth = await page.locator(`[data-testid=${CHARTS[0]}] canvas`).evaluate((c) => [c.width, c.clientWidth]);
    assert.equal(drawnWidth[0], drawnWidth[1], 'drawn at its displayed size');

    for (const next of [1, 2, 3, 4, 0]) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((id) => getComputedStyle(document.querySelector(`[data-testid=${id}]`)).display !== 'none', CHARTS[next]);
      assert.deepEqual(await shown(page), [CHARTS[next]]);
    }
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await shown(page), [CHARTS[4]]);
    assert.ok((await inked(page, CHARTS[4])) > 2000, 'the ROC curve drawn when shown');
    // Edits still reach every figure.
    const ready = await figure(page, 'kpi-sales-ready');
    await page.fill('[data-testid=threshold]', '70');
    assert.notEqual(await figureChange(page, 'kpi-sales-ready', ready), ready);

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('P');
    await page.waitForFunction(() => !document.documentElement.classList.contains('is-presenting'));
    assert.equal(await size(), normalSize);
    assert.deepEqual(await shown(page), CHARTS);
    await context.close();
  });
});
