// End-to-end: the workshop room. While a criterion far down the page is
// edited, the key figures stay in sight in a strip pinned to the top.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figure, figureChange, openApp, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

describe('the figures always in sight', () => {
  test('a strip of the key figures stays pinned while the last criterion is edited at 1280×720', async () => {
    const { context, page } = await openApp(env, { viewport: { width: 1280, height: 720 } });
    const strip = page.locator('[data-testid=figure-strip]');
    // At the top of the page the figures themselves are in view.
    assert.equal(await strip.isVisible(), false);

    const last = page.locator('[data-testid=criterion-points]').last();
    await last.scrollIntoViewIfNeeded();
    const figuresBox = await page.locator('.key-figures .figures').boundingBox();
    assert.ok(figuresBox.y + figuresBox.height < 0 || figuresBox.y > 720, 'the key figures are out of sight');
    await strip.waitFor({ state: 'visible' });
    const box = await strip.boundingBox();
    assert.equal(box.y, 0, 'pinned to the top');
    assert.ok(box.height < 120, `one compact band, ${box.height}px`);
    const input = await last.boundingBox();
    assert.ok(input.y >= box.y + box.height, 'the edited criterion is not hidden under it');

    // An edit there changes the strip at once, with the key figures.
    const ready = await figure(page, 'kpi-sales-ready');
    const points = Number(await last.inputValue());
    await last.fill(String(points + 60));
    const after = await figureChange(page, 'kpi-sales-ready', ready);
    await page.waitForFunction((v) => document.querySelector('[data-testid=strip-sales-ready]').getAttribute('data-value') === String(v), after);
    for (const id of ['rate-in', 'rate-out', 'lift', 'captured']) {
      assert.equal(
        await page.getAttribute(`[data-testid=strip-${id}]`, 'data-value'),
        await page.getAttribute(`[data-testid=kpi-${id}]`, 'data-value'),
        id,
      );
    }
    // The check set's twins are in the strip too.
    assert.match(await page.textContent('[data-testid=strip-sales-ready]'), /check \d/);
    assert.equal(await page.textContent('.strip-headline'), await page.textContent('[data-testid=headline]'));

    // Back at the top, the strip gives way to the figures.
    await page.evaluate(() => window.scrollTo(0, 0));
    await strip.waitFor({ state: 'hidden' });
    await context.close();
  });
});
