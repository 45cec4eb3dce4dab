// End-to-end: the share link carries the agreed definition to another
// browser, never silently replaces work there, and a hostile or broken link
// changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const KPIS = ['kpi-leads', 'kpi-sales-ready', 'kpi-rate-in', 'kpi-rate-out', 'kpi-lift', 'kpi-captured', 'kpi-auc'];

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const tabs = (page) => page.locator('[data-testid=scenario-tab]');
const kpis = (page) => Promise.all(KPIS.map((id) => page.getAttribute(`[data-testid=${id}]`, 'data-value')));

/** Opens `link` in a fresh browser context, as a colleague would. */
async function openLink(link) {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(link);
  await page.waitForSelector('[data-testid=kpi-leads]');
  return { context, page, errors };
}

/** A workshop's edits: a second scenario with other points and threshold. */
async function editTogether(page) {
  const ready = await figure(page, 'kpi-sales-ready');
  await page.click('[data-testid=scenario-duplicate]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
  await page.locator('[data-testid=criterion-points]').first().fill('35');
  await page.fill('[data-testid=threshold]', '55');
  await figureChange(page, 'kpi-sales-ready', ready);
}

describe('share link', () => {
  test('a copied link opens the same scenarios, with identical figures, in a fresh browser', async () => {
    const { context, page } = await openApp(env);
    const before = await page.inputValue('[data-testid=share-link]');
    await editTogether(page);
    const link = await page.inputValue('[data-testid=share-link]');
    assert.notEqual(link, before, 'the link follows every edit');
    assert.ok(link.startsWith(`${env.url}#v2.`), link);
    assert.ok(link.length < 1500, `${link.length} characters`);
    const figures = await kpis(page);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('[data-testid=copy-link]');
    await page.waitForFunction(() => document.querySelector('[data-testid=copy-status]').textContent.startsWith('Link copied'));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    const other = await openLink(link);
    assert.deepEqual(await tabs(other.page).allTextContents(), ['Marketing view', 'Sales view']);
    assert.equal(await tabs(other.page).nth(1).getAttribute('aria-pressed'), 'true');
    await other.page.waitForFunction((n) => document.querySelector('[data-testid=kpi-sales-ready]').dataset.value === n, figures[1]);
    assert.deepEqual(await kpis(other.page), figures);
    assert.equal(new URL(other.page.url()).hash, '', 'the link is taken from the address once');
    assert.deepEqual(other.errors, []);
    await other.context.close();
    await context.close();
  });

  test('with work of one\'s own, the link\'s scenarios wait for "add beside" or "replace"', async () => {
    const first = await openApp(env);
    await editTogether(first.page);
    const link = await first.page.inputValue('[data-testid=share-link]');
    await first.context.close();

    const { context, page } = await openApp(env);
    await page.fill('[data-testid=threshold]', '20');
    await page.goto(link);
    await page.locator('[data-testid=import-choice]').waitFor();
    assert.match(await page.textContent('[data-testid=import-choice]'), /The link you opened holds 2 scenarios/);
    assert.equal(await tabs(page).count(), 1, 'nothing changes before the choice');
    assert.equal(await page.inputValue('[data-testid=threshold]'), '20');
    await page.click('[data-testid=import-add]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 3);
    await context.close();
  });

  test('the link\'s mapping is applied to data loaded later', async () => {
    const a = await openApp(env);
    await a.page.setInputFiles('[data-testid=upload-input]', join(FIXTURES, 'hubspot_export.csv'));
    await a.page.waitForSelector('[data-testid=mapping-step]');
    await a.page.click('[data-testid=mapping-confirm]');
    await figureChange(a.page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    // A criterion on one of the file's own columns.
    const count = await a.page.locator('[data-testid=criterion]').count();
    await a.page.click('[data-testid=criterion-add]');
    await a.page.waitForFunction((n) => document.querySelectorAll('[data-testid=criterion]').length === n + 1, count);
    const link = await a.page.inputValue('[data-testid=share-link]');
    const figures = await kpis(a.page);
    const active = await a.page.locator('[data-testid=scenario-tab][aria-pressed=true]').textContent();

    const b = await openLink(link);
    // On the sample, rules on the link's columns cannot fire, and say so.
    await b.page.locator(`[data-testid=scenario-tab]:text-is("${active}")`).click();
    assert.match(await b.page.locator('[data-testid=criterion]').last().textContent(), /no column/);
    await b.page.setInputFiles('[data-testid=upload-input]', join(FIXTURES, 'hubspot_export.csv'));
    await b.page.waitForSelector('[data-testid=mapping-step]');
    await b.page.click('[data-testid=mapping-confirm]');
    await figureChange(b.page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    await b.page.locator(`[data-testid=scenario-tab]:text-is("${active}")`).first().click();
    await b.page.waitForFunction((n) => document.querySelector('[data-testid=kpi-sales-ready]').dataset.value === n, figures[1]);
    assert.deepEqual(await kpis(b.page), figures);
    await b.context.close();
    await a.context.close();
  });

  test('a link opened before its data keeps its figures once that data is loaded', async () => {
    const a = await openApp(env);
    await a.page.setInputFiles('[data-testid=upload-input]', join(FIXTURES, 'bank_telemarketing.csv'));
    await a.page.waitForSelector('[data-testid=mapping-step]');
    await a.page.click('[data-testid=mapping-confirm]');
    assert.equal(await figureChange(a.page, 'kpi-leads', SAMPLE_TUNING_LEADS), 400);
    // The sample's scenario uses none of the file's columns: set aside, undoably.
    assert.match(await a.page.textContent('[data-testid=notice]'), /Set aside 1 scenario .*Undo brings it back/);
    assert.deepEqual(await tabs(a.page).allTextContents(), ['Starting point (from bank_telemarketing.csv)']);
    await editTogether(a.page);
    const link = await a.page.inputValue('[data-testid=share-link]');
    const figures = await kpis(a.page);
    const names = await tabs(a.page).allTextContents();

    const b = await openLink(link);
    assert.match(
      await b.page.textContent('[data-testid=made-on]'),
      /Made on bank_telemarketing\.csv \(400 leads\): load that export to see the figures/,
    );
    await b.page.setInputFiles('[data-testid=upload-input]', join(FIXTURES, 'bank_telemarketing.csv'));
    await b.page.waitForSelector('[data-testid=mapping-step]');
    await b.page.click('[data-testid=mapping-confirm]');
    await figureChange(b.page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    await b.page.waitForFunction((n) => document.querySelector('[data-testid=kpi-sales-ready]').dataset.value === n, figures[1]);
    assert.deepEqual(await tabs(b.page).allTextContents(), names, 'no starting point added');
    assert.equal(await tabs(b.page).nth(1).getAttribute('aria-pressed'), 'true', 'the sender\'s active scenario');
    assert.deepEqual(await kpis(b.page), figures);
    assert.equal(await b.page.locator('[data-testid=made-on]').count(), 0, 'the data it was made on is in use');
    assert.equal(await b.page.locator('[data-testid=notice]').count(), 0);
    // A starting point still comes on request.
    await b.page.click('[data-testid=suggest-start]');
    await b.page.waitForFunction((n) => document.querySelectorAll('[data-testid=scenario-tab]').length === n + 1, names.length);
    assert.deepEqual(b.errors, []);
    await b.context.close();
    await a.context.close();
  });

  test('labels travel as text, never as markup', async () => {
    const { context, page } = await openApp(env);
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await page.fill('[data-testid=scenario-name]', hostile);
    await page.press('[data-testid=scenario-name]', 'Enter');
    await page.waitForFunction((h) => document.querySelector('[data-testid=scenario-tab]').textContent === h, hostile);
    const link = await page.inputValue('[data-testid=share-link]');
    await context.close();
    const other = await openLink(link);
    assert.equal(await tabs(other.page).first().textContent(), hostile);
    assert.equal(await other.page.locator('[data-testid=scenario-tab] img, [data-testid=scenario-tab] script').count(), 0);
    assert.equal(await other.page.evaluate(() => window.__pwned), undefined);
    await other.context.close();
  });
});

describe('hostile links', () => {
  test('truncated, garbled, oversized or future links say why and change nothing', async () => {
    const { context, page } = await openApp(env);
    await page.fill('[data-testid=threshold]', '33');
    const ready = await figure(page, 'kpi-sales-ready');
    const good = (await page.inputValue('[data-testid=share-link]')).split('#')[1];
    const cases = [
      [good.slice(0, Math.floor(good.length / 2)), /damaged|incomplete|cut off/i],
      ['v1.' + 'A'.repeat(40), /./],
      ['v1.!!!not*base64', /./],
      ['v9.' + good.slice(3), /newer version/i],
      ['v1.' + 'A'.repeat(40_000), /too long/i],
    ];
    for (const [fragment, message] of cases) {
      await page.goto(`${env.url}#${fragment}`);
      const error = page.locator('[data-testid=load-error]');
      await error.waitFor();
      assert.match(await error.textContent(), /This share link could not be opened/);
      assert.match(await error.textContent(), message);
      assert.equal(await tabs(page).count(), 1);
      assert.equal(await page.inputValue('[data-testid=threshold]'), '33');
      assert.equal(await figure(page, 'kpi-sales-ready'), ready);
      await page.getByRole('button', { name: 'Dismiss message' }).click();
    }
    await context.close();
  });
});
