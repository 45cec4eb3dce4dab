// Files are read in load workers, in parallel byte ranges where there is
// more than one: the same figures whatever the number of workers, and
// Cancel stops every worker at once. The first worker of a load is
// started ahead of it, while the page waits for a file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { start, openApp } from './browser.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/**
 * Generates about 21 MB of leads in the page (quoted fields with commas,
 * quotes and line breaks among them) and chooses it as the file.
 */
async function chooseGenerated(page) {
  await page.evaluate(() => {
    const rows = ['id,source,views,note,converted'];
    for (let i = 0; i < 1_000_000; i += 1) {
      const note = i % 13 === 0 ? `"two\nlines, ""quoted"" ${i % 97}"` : `n${i % 40}`;
      rows.push(`${i},${['Web', 'Ads', 'Event'][i % 3]},${i % 50},${note},${i % 7 === 0 ? 'yes' : 'no'}`);
    }
    const transfer = new DataTransfer();
    transfer.items.add(new File([rows.join('\n')], 'generated.csv', { type: 'text/csv' }));
    const input = document.querySelector('[data-testid=upload-input]');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

const isLoadWorker = (worker) => worker.url().endsWith('load_worker_loader.js');

/** Waits until the page has a load worker waiting for the next file. */
async function spareReady(page) {
  for (let i = 0; i < 100 && !page.workers().some(isLoadWorker); i += 1) await page.waitForTimeout(50);
  assert.ok(page.workers().some(isLoadWorker), 'a worker is started before any file is chosen');
}

async function loadWith(workers) {
  const { context, page, seen } = await openApp(env);
  await page.goto(`${env.url}?workers=${workers}`);
  await page.waitForSelector('[data-testid=kpi-leads]');
  await spareReady(page);
  const started = [];
  page.on('worker', (worker) => started.push(worker.url()));
  await chooseGenerated(page);
  await page.waitForSelector('[data-testid=mapping-step]', { timeout: 60_000 });
  // The workers this load started itself, besides the one started ahead.
  const startedByLoad = started.filter((u) => u.endsWith('load_worker_loader.js')).length;
  const facts = (await page.textContent('[data-testid=mapping-facts]')).trim();
  await page.click('[data-testid=mapping-confirm]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=mapping-step]'));
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-leads]')?.getAttribute('data-value') !== '4000');
  const figures = {};
  for (const id of ['kpi-leads', 'kpi-sales-ready', 'kpi-rate-in', 'kpi-lift', 'kpi-auc']) {
    figures[id] = await page.getAttribute(`[data-testid=${id}]`, 'data-value');
  }
  const summary = await page.locator('[data-testid=data-summary]').textContent().catch(() => '');
  await context.close();
  return { facts, figures, summary, startedByLoad, errors: seen.errors };
}

describe('load workers', () => {
  test('two workers typing byte ranges give what one worker gives', async () => {
    const one = await loadWith(1);
    const two = await loadWith(2);
    assert.match(one.facts, /^1,000,000 rows and 5 columns/);
    assert.equal(two.facts, one.facts);
    assert.deepEqual(two.figures, one.figures);
    assert.equal(two.summary, one.summary);
    assert.equal(one.startedByLoad, 0, 'one worker: the one started ahead');
    assert.equal(two.startedByLoad, 1, 'two workers: the one started ahead and one more');
    assert.deepEqual([...one.errors, ...two.errors], []);
  });

  test('Cancel stops every worker at once', async () => {
    const { context, page } = await openApp(env);
    await page.goto(`${env.url}?workers=2`);
    await page.waitForSelector('[data-testid=kpi-leads]');
    await spareReady(page);
    const workers = [];
    const watch = (worker) => {
      const entry = { closed: false };
      worker.on('close', () => { entry.closed = true; });
      workers.push(entry);
    };
    page.workers().filter(isLoadWorker).forEach(watch);
    page.on('worker', watch);
    await chooseGenerated(page);
    // Both of the load's workers are running.
    for (let i = 0; i < 100 && workers.length < 2; i += 1) await page.waitForTimeout(50);
    await page.locator('[data-testid=load-progress] button').click();
    const loads = workers.slice();
    await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached' });
    for (let i = 0; i < 50 && !loads.every((w) => w.closed); i += 1) await page.waitForTimeout(100);
    assert.equal(loads.length, 2, 'the load ran on two workers');
    assert.ok(loads.every((w) => w.closed), 'every worker of the load is gone');
    assert.equal(await page.locator('[data-testid=mapping-step]').count(), 0);
    // A moment later one worker waits for the next file, and it reads it.
    await spareReady(page);
    await page.waitForTimeout(300);
    assert.equal(page.workers().filter(isLoadWorker).length, 1, 'one worker waits, not more');
    await page.setInputFiles('[data-testid=upload-input]', {
      name: 'after-cancel.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('id,source,converted\n1,Web,yes\n2,Ads,no\n3,Web,no\n'),
    });
    await page.waitForSelector('[data-testid=mapping-step]');
    assert.match(await page.textContent('[data-testid=mapping-facts]'), /^3 rows and 3 columns/);
    await context.close();
  });
});
