// End-to-end: work survives a reload, a damaged saved copy is set aside
// with a message, and "Reset workspace" asks before it removes anything.
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

const tabs = (page) => page.locator('[data-testid=scenario-tab]');

async function reload(page) {
  await page.reload();
  await page.waitForSelector('[data-testid=kpi-leads]');
}

describe('autosave', () => {
  test('scenarios, the active one, thresholds and reps survive a reload', async () => {
    const { context, page } = await openApp(env);
    const marketing = await figure(page, 'kpi-sales-ready');
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    await page.fill('[data-testid=threshold]', '60');
    const sales = await figureChange(page, 'kpi-sales-ready', marketing);
    const perRep = await figure(page, 'kpi-per-rep-week');
    await page.fill('[data-testid=reps]', '10');
    await figureChange(page, 'kpi-per-rep-week', perRep);
    const perRepAtTen = await figure(page, 'kpi-per-rep-week');
    await reload(page);
    assert.deepEqual(await tabs(page).allTextContents(), ['Marketing view', 'Sales view']);
    assert.equal(await tabs(page).nth(1).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.inputValue('[data-testid=threshold]'), '60');
    assert.equal(await figure(page, 'kpi-sales-ready'), sales);
    assert.equal(await page.inputValue('[data-testid=reps]'), '10');
    assert.equal(await figure(page, 'kpi-per-rep-week'), perRepAtTen);
    await tabs(page).nth(0).click();
    assert.equal(await figureChange(page, 'kpi-sales-ready', sales), marketing);
    await context.close();
  });

  test('a damaged saved copy is set aside with a message, and the sample opens', async () => {
    const { context, page } = await openApp(env);
    await page.evaluate(() => localStorage.setItem('leadlens.workspace', '{"format":"leadlens-workspace","version":1,"criteria":'));
    await reload(page);
    const message = await page.textContent('[data-testid=load-error]');
    assert.match(message, /could not be restored/);
    assert.equal(await tabs(page).count(), 1);
    assert.equal(await page.evaluate(() => localStorage.getItem('leadlens.workspace.unreadable')),
      '{"format":"leadlens-workspace","version":1,"criteria":');
    await context.close();
  });
});

describe('after an internal error', () => {
  test('"reload with the kept work set aside" opens the sample and keeps the work aside, once', async () => {
    const { context, page } = await openApp(env);
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    const kept = await page.evaluate(() => localStorage.getItem('leadlens.workspace'));
    assert.ok(kept.includes('Sales view'));
    // The banner's second link.
    await page.goto(`${env.url}?recover`);
    await page.waitForSelector('[data-testid=kpi-leads]');
    assert.match(await page.textContent('[data-testid=load-error]'), /reloaded after an internal error.*set aside/);
    assert.equal(await tabs(page).count(), 1);
    assert.equal(await page.evaluate(() => localStorage.getItem('leadlens.workspace.before-error')), kept);
    assert.equal(new URL(page.url()).search, '', 'the next reload is an ordinary one');
    await context.close();
  });
});

describe('reset workspace', () => {
  test('asks first, keeps everything on "Keep my work", and otherwise returns to a first visit', async () => {
    const { context, page } = await openApp(env);
    const first = await figure(page, 'kpi-sales-ready');
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    await page.fill('[data-testid=threshold]', '70');
    await figureChange(page, 'kpi-sales-ready', first);
    const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.id);
    await page.click('[data-testid=reset-workspace]');
    // Asked, the focus is on the safe answer; kept, back on the button.
    assert.equal(await focused(), 'reset-confirm-no');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('[data-testid=reset-confirm]').count(), 0);
    assert.equal(await focused(), 'reset-workspace');
    assert.equal(await tabs(page).count(), 2);
    await page.click('[data-testid=reset-workspace]');
    await page.click('[data-testid=reset-confirm-yes]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 1);
    // Reset, the focus is on the fresh figures' headline.
    assert.equal(await focused(), 'headline');
    assert.equal(await page.inputValue('[data-testid=threshold]'), '40');
    assert.equal(await figure(page, 'kpi-sales-ready'), first);
    await reload(page);
    assert.equal(await tabs(page).count(), 1);
    assert.equal(await figure(page, 'kpi-sales-ready'), first);
    await context.close();
  });
});
