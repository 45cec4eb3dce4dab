// End-to-end: axe-core's checks on the page as a workshop uses it (two
// scenarios, the comparison and the leads that change open).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { figureChange, start } from './browser.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

describe('accessibility', () => {
  test('lists that scroll can be reached by keyboard, and no control lacks a name', async () => {
    // axe is injected by the test, so the page's own policy is lifted for it.
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(env.url);
    await page.waitForSelector('[data-testid=kpi-leads]');
    const ready = await page.getAttribute('[data-testid=kpi-sales-ready]', 'data-value');
    await page.click('[data-testid=scenario-duplicate]');
    await page.fill('[data-testid=threshold]', '60');
    await figureChange(page, 'kpi-sales-ready', ready);
    await page.locator('[data-testid=compare] summary').click();
    await page.locator('[data-testid=changes-leaving-list]').waitFor();
    await page.evaluate(AXE);
    const results = await page.evaluate(() =>
      window.axe.run(document, {
        runOnly: ['scrollable-region-focusable', 'button-name', 'label', 'select-name', 'link-name', 'aria-allowed-attr'],
      }));
    const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(found, []);
    await context.close();
  });
});
