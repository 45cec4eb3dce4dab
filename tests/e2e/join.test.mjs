// End-to-end: leads in one export, their outcomes in another. The second
// file is joined in the mapping step; the join is kept with the saved data
// and travels in the link by column names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fixture = (name) => join(FIXTURES, name);

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** Loads the leads, then the deals into the join step, and waits for its summary. */
async function leadsThenDeals(page) {
  await page.setInputFiles('[data-testid=upload-input]', fixture('join_leads.csv'));
  await page.waitForSelector('[data-testid=mapping-step]');
  await page.setInputFiles('[data-testid=join-input]', fixture('join_deals.csv'));
  await page.waitForSelector('[data-testid=join-summary]');
}

const summary = (page) => page.textContent('[data-testid=join-summary]');
const baseRate = async (page) => Number(await page.getAttribute('[data-testid=base-rate]', 'data-value'));

describe('outcomes from another file', () => {
  test('a deals export is matched to the leads, counted, and becomes their outcome', async () => {
    const { context, page, seen } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]', fixture('join_leads.csv'));
    await page.waitForSelector('[data-testid=mapping-step]');
    // The leads alone cannot say who converted.
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), '');
    assert.equal(await page.isDisabled('[data-testid=mapping-confirm]'), true);
    await page.setInputFiles('[data-testid=join-input]', fixture('join_deals.csv'));
    await page.waitForSelector('[data-testid=join-summary]');
    assert.equal(await page.inputValue('[data-testid=join-key-left]'), 'lead_id');
    assert.equal(await page.inputValue('[data-testid=join-key-right]'), 'Lead');
    assert.equal(await page.inputValue('[data-testid=join-outcome]'), 'one_of:Stage');
    assert.equal(await page.inputValue('[data-testid=join-deal-value]'), 'Amount');
    const said = await summary(page);
    // "l-003 " matches L-003: keys compare ignoring case and surrounding space.
    assert.match(said, /7 of 16 leads match a row of “join_deals\.csv” \(lead_id = Lead\); 5 count as converted/);
    assert.match(said, /1 of its 8 rows match no lead/);
    const box = page.locator('[data-testid=join-summary]');
    assert.equal(await box.getAttribute('data-matched'), '7');
    assert.equal(await box.getAttribute('data-unmatched'), '1');

    // The wrong key matches nothing and cannot be joined.
    await page.selectOption('[data-testid=join-key-right]', 'Deal ID');
    await page.waitForFunction(() => document.querySelector('[data-testid=join-summary]')?.dataset.matched === '0');
    assert.equal(await page.isDisabled('[data-testid=join-confirm]'), true);
    await page.selectOption('[data-testid=join-key-right]', 'Lead');
    await page.waitForFunction(() => document.querySelector('[data-testid=join-summary]')?.dataset.matched === '7');

    // A matching row alone, whatever its stage: 7 converted.
    await page.selectOption('[data-testid=join-outcome]', 'matched');
    await page.waitForFunction(() => document.querySelector('[data-testid=join-summary]')?.dataset.converted === '7');
    await page.selectOption('[data-testid=join-outcome]', 'one_of:Stage');
    await page.waitForFunction(() => document.querySelector('[data-testid=join-summary]')?.dataset.converted === '5');

    await page.click('[data-testid=join-confirm]');
    await page.waitForSelector('[data-testid=join-applied]');
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'joined outcome');
    assert.equal(await page.inputValue('[data-testid=role-deal_value]'), 'Amount');
    assert.equal((await baseRate(page)).toFixed(4), (5 / 16).toFixed(4));
    // What the deals file says happened next is never criteria material
    // (the deal value and owner are roles, not offered as columns at all).
    for (const column of ['Stage', 'Close Date', 'Deal ID']) {
      assert.equal(await page.isChecked(`[data-testid=known-after-column][data-column="${column}"]`), true, column);
    }
    await page.click('[data-testid=mapping-confirm]');
    assert.equal(await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS), 16);
    assert.equal(Number(await page.getAttribute('[data-testid=data-base-rate]', 'data-value')).toFixed(4), (5 / 16).toFixed(4));
    assert.match(await page.textContent('[data-testid=data-base-rate]'),
      /Outcome: from “join_deals\.csv”, joined on lead_id = Lead: a lead converted when a matching row's Stage is “Closed Won”\. Base rate 31\.2%/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('a lead with several rows is explained, and the second file can be removed', async () => {
    const { context, page } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]', fixture('join_leads.csv'));
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.setInputFiles('[data-testid=join-input]', {
      name: 'opportunities.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Lead,Amount\nL-001,100\nL-001,250\nL-002,40\nL-003,60\n'),
    });
    await page.waitForSelector('[data-testid=join-summary]');
    const said = await summary(page);
    assert.match(said, /3 of 16 leads match/);
    assert.match(said, /1 leads match more than one row \(up to 2\)/);
    assert.match(said, /The file's other columns are not added/);
    await page.click('[data-testid=join-confirm]');
    await page.waitForSelector('[data-testid=join-applied]');
    assert.equal((await baseRate(page)).toFixed(4), (3 / 16).toFixed(4));
    await page.click('[data-testid=join-remove]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=join-summary]'));
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), '');
    await context.close();
  });

  test('the join is kept with the data, forgotten with it, and travels in the link', async () => {
    const { context, page } = await openApp(env);
    await leadsThenDeals(page);
    await page.click('[data-testid=join-confirm]');
    await page.waitForSelector('[data-testid=join-applied]');
    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    const figures = await Promise.all(['kpi-leads', 'kpi-sales-ready', 'kpi-rate-in', 'kpi-captured'].map((id) => figure(page, id)));
    const link = await page.inputValue('[data-testid=share-link]');

    // Both files are read again on the next visit, and joined as before.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid=kpi-leads]')?.getAttribute('data-value') === '16');
    assert.equal(Number(await page.getAttribute('[data-testid=data-base-rate]', 'data-value')).toFixed(4), (5 / 16).toFixed(4));
    await page.click('[data-testid=forget-data]');
    assert.equal(await figureChange(page, 'kpi-leads', 16), SAMPLE_TUNING_LEADS);
    const kept = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('leadlens');
      open.onsuccess = () => {
        const get = open.result.transaction('data').objectStore('data').get('current');
        get.onsuccess = () => resolve(get.result === undefined);
        get.onerror = () => reject(get.error);
      };
      open.onerror = () => reject(open.error);
    }));
    assert.equal(kept, true, 'both files are forgotten together');
    await context.close();

    // A colleague opens the link and loads the same two files: the link's
    // join waits for its file, then gives the same figures.
    const other = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const b = await other.newPage();
    await b.goto(link);
    await b.waitForSelector('[data-testid=kpi-leads]');
    await b.setInputFiles('[data-testid=upload-input]', fixture('join_leads.csv'));
    await b.waitForSelector('[data-testid=mapping-step]');
    assert.match(await b.textContent('[data-testid=join-step]'), /takes its outcomes from “join_deals\.csv”, joined on lead_id = Lead/);
    assert.match(await b.textContent('[data-testid=mapping-not-yet]'), /add that file/);
    await b.setInputFiles('[data-testid=join-input]', fixture('join_deals.csv'));
    await b.waitForSelector('[data-testid=join-applied]');
    await b.click('[data-testid=mapping-confirm]');
    await figureChange(b, 'kpi-leads', SAMPLE_TUNING_LEADS);
    await b.waitForFunction((n) => document.querySelector('[data-testid=kpi-sales-ready]').dataset.value === String(n), figures[1]);
    const again = await Promise.all(['kpi-leads', 'kpi-sales-ready', 'kpi-rate-in', 'kpi-captured'].map((id) => figure(b, id)));
    assert.deepEqual(again, figures);
    await other.close();
  });

  test('the second file has reading settings of its own', async () => {
    const { context, page } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]', fixture('join_leads.csv'));
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.setInputFiles('[data-testid=join-input]', {
      name: 'won.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Exported from the CRM\nid;stage\nL-004;won\nL-005;lost\nL-006;won\n'),
    });
    await page.waitForSelector('[data-testid=join-step] [data-testid=join-header-line]');
    await page.fill('[data-testid=join-header-line]', '2');
    await page.dispatchEvent('[data-testid=join-header-line]', 'change');
    await page.waitForFunction(() => /3 of 16 leads match/.test(document.querySelector('[data-testid=join-summary]')?.textContent ?? ''));
    assert.equal(await page.inputValue('[data-testid=join-key-right]'), 'id');
    assert.equal(await page.inputValue('[data-testid=join-outcome]'), 'one_of:stage');
    assert.match(await summary(page), /2 count as converted/);
    // Its columns' types can be set as the first file's can.
    await page.click('[data-testid=join-columns] summary');
    const kind = '[data-testid=join-columns] tr[data-column="stage"] [data-testid=column-kind]';
    assert.equal(await page.inputValue(kind), 'auto');
    await page.selectOption(kind, 'text');
    await page.waitForFunction((k) => document.querySelector(k)?.value === 'text', kind);
    assert.match(await page.textContent('[data-testid=join-columns] tr[data-column="stage"]'), /text/);
    await context.close();
  });
});
