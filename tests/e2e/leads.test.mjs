// End-to-end: the lead table explains scores and finds the leads that
// matter, and stays light with many leads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figure, figureChange, openApp, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

/** A figure over every lead: the tuning set's and the check set's. */
const both = async (page, id) => (await figure(page, `kpi-${id}`)) + (await figure(page, `kpi-check-${id}`));

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const count = async (page) => Number(await page.getAttribute('[data-testid=lead-count]', 'data-value'));

describe('the lead table', () => {
  test('lists the sales-ready leads, highest score first, each with its reasons', async () => {
    const { context, page } = await openApp(env);
    assert.equal(await count(page), await both(page, 'sales-ready'));
    const rows = page.locator('[data-testid=lead-row]');
    const scores = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.score)));
    assert.ok(scores.length > 10 && scores.length < 40, `${scores.length} rows rendered, not all of them`);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const why = await rows.first().locator('.why').textContent();
    // The reasons add up to the score.
    const total = [...why.matchAll(/([+-]\d+)(?: ·|$)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(total, scores[0], why);
    assert.match(await rows.first().locator('th').textContent(), /^L-\d{6}$/);
    await context.close();
  });

  test('ready-made lists: what the definition misses, and what sales never touched', async () => {
    const { context, page } = await openApp(env);
    await page.selectOption('[data-testid=lead-list]', 'converted-missed');
    const missed = await count(page);
    let expected = 0;
    for (const set of ['kpi', 'kpi-check']) {
      const captured = await figure(page, `${set}-captured`);
      const ready = Math.round((await figure(page, `${set}-rate-in`)) * (await figure(page, `${set}-sales-ready`)));
      expected += Math.round(ready / captured) - ready;
    }
    assert.equal(missed, expected);
    for (const text of await page.locator('[data-testid=lead-row] td:nth-child(3)').allTextContents()) assert.equal(text, 'no');
    await page.selectOption('[data-testid=lead-list]', 'ready-not-followed');
    const ignored = await count(page);
    assert.ok(ignored > 0 && ignored < (await both(page, 'sales-ready')));
    for (const text of await page.locator('[data-testid=lead-row] td:nth-child(5)').allTextContents()) assert.equal(text, 'no');
    await context.close();
  });

  test('search by lead id, lowest first, and scrolling renders further rows', async () => {
    const { context, page } = await openApp(env);
    await page.selectOption('[data-testid=lead-list]', 'all');
    assert.equal(await count(page), 5000);
    await page.fill('[data-testid=lead-search]', 'L-00004');
    await page.press('[data-testid=lead-search]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=lead-count]').dataset.value === '10');
    await page.fill('[data-testid=lead-search]', '');
    await page.press('[data-testid=lead-search]', 'Enter');
    await page.click('[data-testid=lead-order]');
    const firstRow = page.locator('[data-testid=lead-row]').first();
    const first = Number(await firstRow.getAttribute('data-score'));
    const firstId = await firstRow.locator('th').textContent();
    await page.locator('.lead-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForFunction((id) =>
      document.querySelector('[data-testid=lead-row] th').textContent !== id, firstId);
    const last = await page.locator('[data-testid=lead-row]').last().getAttribute('data-score');
    assert.ok(Number(last) > first, `${first} … ${last}`);
    assert.ok((await page.locator('[data-testid=lead-row]').count()) < 40);
    await context.close();
  });

  test('followed up as the follow-up figures count it: without its column, from a response time', async () => {
    // No followed-up column, but a response time: a lead answered is
    // followed up, as the follow-up analysis counts it.
    const rows = ['Lead ID,Lead Source,Page views,Response hours,Converted'];
    for (let i = 0; i < 600; i += 1) {
      const answered = (i * 7) % 3 !== 0;
      rows.push(`L${i}-${answered ? 'answered' : 'silent'},${['Web', 'Event'][i % 2]},${i % 23},`
        + `${answered ? (i % 50) / 2 : ''},${i % 5 === 0 ? 'yes' : 'no'}`);
    }
    const { context, page } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]',
      { name: 'answered.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.selectOption('[data-testid=role-followed_up]', '');
    await page.selectOption('[data-testid=role-response_hours]', 'Response hours');
    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    await page.selectOption('[data-testid=lead-list]', 'all');
    await page.waitForFunction(() => document.querySelector('[data-testid=lead-count]').dataset.value === '600');
    const listed = await page.locator('[data-testid=lead-row]').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td:nth-child(5)').textContent]));
    assert.ok(listed.length > 10);
    for (const [id, followed] of listed) assert.equal(followed, id.endsWith('answered') ? 'yes' : 'no', id);
    await page.selectOption('[data-testid=lead-list]', 'ready-not-followed');
    // Every lead sales-ready: the list is every lead never answered.
    await page.fill('[data-testid=threshold]', '0');
    await page.waitForFunction(() => document.querySelector('[data-testid=lead-count]').dataset.value === '200');
    assert.equal(await both(page, 'sales-ready'), 600);
    const ids = await page.locator('[data-testid=lead-row] th').allTextContents();
    assert.ok(ids.length > 10);
    for (const id of ids) assert.ok(id.endsWith('silent'), id);
    await context.close();
  });

  test('a count of touches can be the followed-up column: above zero is followed up', async () => {
    const rows = ['Lead ID,Lead Source,Page views,Touches,Converted'];
    for (let i = 0; i < 600; i += 1) {
      const touches = (i * 7) % 4;
      rows.push(`L${i}-t${touches},${['Web', 'Event'][i % 2]},${i % 23},${touches},${i % 5 === 0 ? 'yes' : 'no'}`);
    }
    const { context, page } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]',
      { name: 'touches.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.selectOption('[data-testid=role-followed_up]', 'Touches');
    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    const touchesOf = (id) => Number(id.split('-t')[1]);
    await page.selectOption('[data-testid=lead-list]', 'all');
    await page.waitForFunction(() => document.querySelector('[data-testid=lead-count]').dataset.value === '600');
    const listed = await page.locator('[data-testid=lead-row]').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td:nth-child(5)').textContent]));
    assert.ok(listed.some(([id]) => touchesOf(id) >= 2), 'some lead was touched more than once');
    for (const [id, followed] of listed) assert.equal(followed, touchesOf(id) > 0 ? 'yes' : 'no', id);
    // Every lead sales-ready: the list is every lead never touched.
    await page.selectOption('[data-testid=lead-list]', 'ready-not-followed');
    await page.fill('[data-testid=threshold]', '0');
    await page.waitForFunction(() => document.querySelector('[data-testid=lead-count]').dataset.value === '150');
    for (const id of await page.locator('[data-testid=lead-row] th').allTextContents()) assert.equal(touchesOf(id), 0, id);
    await context.close();
  });
});
