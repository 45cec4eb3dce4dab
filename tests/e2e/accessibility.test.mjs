// End-to-end: axe-core's checks on the page as a workshop uses it (two
// scenarios, the comparison and the leads that change open).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figureChange, start, violations } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

describe('accessibility', () => {
  test('axe-core finds nothing on first open, with every panel open, in presenter view, in the mapping step and on paper', async () => {
    // axe is injected by the test, so the page's own policy is lifted for it.
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(env.url);
    await page.waitForSelector('[data-testid=kpi-leads]');
    assert.deepEqual(await violations(page), [], 'first open');

    // Two scenarios, the comparison, and every panel open.
    const ready = await page.getAttribute('[data-testid=kpi-sales-ready]', 'data-value');
    await page.click('[data-testid=scenario-duplicate]');
    await page.fill('[data-testid=threshold]', '60');
    await figureChange(page, 'kpi-sales-ready', ready);
    // Sign-offs of both kinds, terms and a log with entries.
    await page.locator('[data-testid=signoff-sales]').first().selectOption('disputes');
    await page.locator('[data-testid=signoff-marketing]').nth(1).selectOption('agrees');
    await page.fill('[data-testid=terms-hours]', '24');
    await page.press('[data-testid=terms-hours]', 'Tab');
    for (const summary of await page.locator('details > summary').all()) {
      if (!(await summary.evaluate((s) => s.parentElement.open))) await summary.click();
    }
    await page.locator('[data-testid=changes-leaving-list]').waitFor();
    await page.locator('[data-testid=grid-cell]').first().waitFor();
    await page.locator('[data-testid=decision]').first().waitFor();
    assert.deepEqual(await violations(page), [], 'every panel open');

    // The figures pinned while the last criterion is edited.
    await page.locator('[data-testid=criterion-points]').last().scrollIntoViewIfNeeded();
    await page.locator('[data-testid=figure-strip]').waitFor({ state: 'visible' });
    assert.deepEqual(await violations(page), [], 'the pinned strip');

    // Presenter view.
    await page.click('[data-testid=presenter-toggle]');
    await page.waitForFunction(() => document.documentElement.classList.contains('is-presenting'));
    assert.deepEqual(await violations(page), [], 'presenter view');
    await page.click('[data-testid=presenter-toggle]');

    // The workshop summary, as printed.
    await page.emulateMedia({ media: 'print' });
    assert.deepEqual(await violations(page), [], 'the printed summary');
    await page.emulateMedia({ media: 'screen' });

    // The mapping step of a file being loaded.
    await page.setInputFiles('[data-testid=upload-input]', {
      name: 'leads.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Lead,Source,Employees,Created,Converted\n1,Web,10,2025-01-02,yes\n2,Event,200,2025-01-03,no\n'),
    });
    await page.waitForSelector('[data-testid=mapping-step]');
    assert.deepEqual(await violations(page), [], 'the mapping step');
    // With a second file joined for its outcomes.
    await page.setInputFiles('[data-testid=join-input]', {
      name: 'deals.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Lead,Stage,Amount\n1,Closed Won,100\n2,Closed Lost,50\n'),
    });
    await page.waitForSelector('[data-testid=join-summary]');
    await page.click('[data-testid=join-columns] summary');
    assert.deepEqual(await violations(page), [], 'the join step');
    await page.click('[data-testid=join-confirm]');
    await page.waitForSelector('[data-testid=join-applied]');
    assert.deepEqual(await violations(page), [], 'the join step, joined');
    await context.close();
  });

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
    assert.deepEqual(await violations(page, {
      runOnly: ['scrollable-region-focusable', 'button-name', 'label', 'select-name', 'link-name', 'aria-allowed-attr'],
    }), []);
    await context.close();
  });

  test('skip links lead the keyboard to the criteria, the key figures and the charts', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(env.url);
    await page.waitForSelector('[data-testid=kpi-leads]');
    for (const [presses, target] of [[1, 'criteria-title'], [2, 'headline'], [3, 'charts-title']]) {
      // From the top of a freshly opened page, as a keyboard user starts.
      await page.goto(env.url);
      await page.waitForSelector('[data-testid=kpi-leads]');
      for (let i = 0; i < presses; i += 1) await page.keyboard.press('Tab');
      const link = await page.evaluate(() => {
        const a = document.activeElement;
        const box = a.getBoundingClientRect();
        return { href: a.getAttribute('href'), visible: box.top >= 0 && box.bottom <= window.innerHeight };
      });
      assert.equal(link.href, `#${target}`);
      assert.ok(link.visible, 'the focused skip link shows');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), target);
    }
    await context.close();
  });
});
