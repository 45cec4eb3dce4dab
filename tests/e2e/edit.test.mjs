// End-to-end: editing the lead definition as a workshop would, checked
// against figures the app computes another way (a criterion's own count of
// the leads it fires for, and its evidence).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, start } from './browser.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const tabs = (page) => page.locator('[data-testid=scenario-tab]');
const criteria = (page) => page.locator('[data-testid=criterion]');

/** The number in a criterion's "fires for N leads" line. */
async function firesFor(row) {
  const text = await row.locator('.rule-matches').textContent();
  return Number(/fires for ([\d,]+) leads/.exec(text)[1].replace(/,/g, ''));
}

async function importCriteria(page, name, choice) {
  await page.setInputFiles('[data-testid=criteria-import-input]', join(FIXTURES, name));
  if (choice) {
    await page.locator('[data-testid=import-choice]').waitFor();
    await page.click(`[data-testid=import-${choice}]`);
  }
}

describe('criteria files', () => {
  test('an imported file is added beside the current scenario and its figures follow', async () => {
    const { context, page } = await openApp(env);
    await importCriteria(page, 'criteria_demo_only.json', 'add');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    assert.equal(await tabs(page).nth(1).getAttribute('aria-pressed'), 'true');
    assert.equal(await tabs(page).nth(1).textContent(), 'Demo only');
    assert.equal(await criteria(page).count(), 1);
    // One criterion worth the threshold: sales-ready = the leads it fires for.
    const fires = await firesFor(criteria(page).first());
    await page.waitForFunction((n) =>
      document.querySelector('[data-testid=kpi-sales-ready]').getAttribute('data-value') === String(n), fires);
    const evidence = await criteria(page).first().locator('[data-testid=criterion-evidence]').textContent();
    const rateIn = await figure(page, 'kpi-rate-in');
    assert.ok(evidence.startsWith(`converts at ${(100 * rateIn).toFixed(1)}% when it fires`), `${evidence} vs ${rateIn}`);
    // Below the threshold, nobody is sales-ready.
    await criteria(page).first().locator('[data-testid=criterion-points]').fill('5');
    assert.equal(await figureChange(page, 'kpi-sales-ready', fires), 0);
    // The first scenario is still there, unchanged.
    await tabs(page).nth(0).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 6);
    await context.close();
  });

  test('replacing by import can be undone', async () => {
    const { context, page } = await openApp(env);
    await importCriteria(page, 'criteria_demo_only.json', 'replace');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 1);
    assert.equal(await tabs(page).count(), 1);
    await page.click('[data-testid=undo]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 6);
    assert.equal(await tabs(page).first().textContent(), 'Marketing view');
    await context.close();
  });

  test('a file of an unknown version or not a criteria file says so and changes nothing', async () => {
    const { context, page } = await openApp(env);
    const ready = await figure(page, 'kpi-sales-ready');
    await importCriteria(page, 'criteria_from_the_future.json');
    const error = page.locator('[data-testid=load-error]');
    await error.waitFor();
    assert.match(await error.textContent(), /version 7; this version of leadlens reads versions 1 to 2/);
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    await importCriteria(page, 'hubspot_export.csv');
    await error.waitFor();
    assert.match(await error.textContent(), /not valid JSON/);
    assert.equal(await tabs(page).count(), 1);
    assert.equal(await figure(page, 'kpi-sales-ready'), ready);
    await context.close();
  });

  test('export writes the criteria file of the specification, which imports back', async () => {
    const { context, page } = await openApp(env);
    await page.locator('[data-testid=criterion-points]').nth(1).fill('22');
    await page.waitForTimeout(100);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=criteria-export]')]);
    assert.equal(download.suggestedFilename(), 'leadlens-criteria.json');
    const path = await download.path();
    const file = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(file.format, 'leadlens-criteria');
    assert.equal(file.version, 2);
    assert.equal(file.mapping.outcome, 'Converted');
    // The edit is in the file's decision log, with the figures it moved.
    assert.equal(file.log.length, 1);
    assert.match(file.log[0].change, /→ \+22$/);
    assert.match(file.log[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(typeof file.log[0].before.sales_ready, 'number');
    assert.equal(typeof file.log[0].after.sales_ready, 'number');
    assert.equal(file.scenarios[0].name, 'Marketing view');
    assert.equal(file.scenarios[0].criteria[1].points, 22);
    assert.equal(file.scenarios[0].criteria[0].rule.op, 'is_true');
    // Importing the exported file reproduces the same figures.
    const ready = await figure(page, 'kpi-sales-ready');
    const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.id);
    // Asked how to import, the focus is on the first answer; cancelled,
    // back on the import input; imported, on the criteria.
    await page.setInputFiles('[data-testid=criteria-import-input]', path);
    await page.locator('[data-testid=import-choice]').waitFor();
    assert.equal(await focused(), 'import-add');
    await page.locator('[data-testid=import-choice] button', { hasText: 'Cancel' }).click();
    assert.equal(await focused(), 'criteria-import-input');
    await page.setInputFiles('[data-testid=criteria-import-input]', path);
    await page.locator('[data-testid=import-choice]').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    assert.equal(await focused(), 'criteria-title');
    assert.equal(await figure(page, 'kpi-sales-ready'), ready);
    await context.close();
  });
});

describe('scenarios and history', () => {
  test('"Duplicate as Sales view" copies the definition; edits stay in the copy', async () => {
    const { context, page } = await openApp(env);
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    assert.equal(await tabs(page).nth(1).textContent(), 'Sales view');
    const ready = await figure(page, 'kpi-sales-ready');
    await page.fill('[data-testid=threshold]', '60');
    const salesReady = await figureChange(page, 'kpi-sales-ready', ready);
    await tabs(page).nth(0).click();
    assert.equal(await figureChange(page, 'kpi-sales-ready', salesReady), ready);
    assert.equal(await page.inputValue('[data-testid=threshold]'), '40');
    await page.fill('[data-testid=scenario-name]', 'Marketing (Q3)');
    await page.press('[data-testid=scenario-name]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=scenario-tab]').textContent === 'Marketing (Q3)');
    await context.close();
  });

  test('Ctrl+Z undoes an edit and Ctrl+Shift+Z redoes it', async () => {
    const { context, page } = await openApp(env);
    const warnings = [];
    page.on('console', (message) => warnings.push(message.text()));
    const ready = await figure(page, 'kpi-sales-ready');
    await page.locator('[data-testid=criterion-points]').first().fill('45');
    const raised = await figureChange(page, 'kpi-sales-ready', ready);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    assert.equal(await figureChange(page, 'kpi-sales-ready', raised), ready);
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await figureChange(page, 'kpi-sales-ready', ready), raised);
    // The shortcut takes the key without a warning from the browser.
    assert.deepEqual(warnings.filter((w) => /preventDefault|passive/i.test(w)), []);
    await context.close();
  });
});

describe('comparing scenarios', () => {
  test('the key figures of every scenario side by side', async () => {
    const { context, page } = await openApp(env);
    assert.match(await page.textContent('[data-testid=compare] summary'), /there is one so far/);
    // The duplicate button keeps a short label whatever the scenario's name.
    assert.equal(await page.textContent('[data-testid=scenario-duplicate]'), "Duplicate as other team's view");
    assert.equal(await page.getAttribute('[data-testid=scenario-duplicate]', 'title'), 'Copy as “Sales view”');
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    await page.fill('[data-testid=threshold]', '60');
    const salesReady = await page.waitForFunction(() => document.querySelector('[data-testid=kpi-sales-ready]').dataset.value);
    assert.match(await page.textContent('[data-testid=compare] summary'), /Compare the 2 scenarios side by side/);
    await page.locator('[data-testid=compare] summary').click();
    const table = page.locator('[data-testid=compare-table]');
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    assert.deepEqual(headers, ['Figure', 'Marketing view', 'Sales view']);
    const ready = await table.locator('tbody tr', { hasText: 'Sales-ready leads' }).locator('td').evaluateAll(
      (tds) => tds.map((td) => Number(td.dataset.value)));
    assert.equal(ready[1], Number(await salesReady.jsonValue()), 'the active scenario matches its key figure');
    assert.ok(ready[0] > ready[1], 'a lower threshold sends more leads');
    await context.close();
  });
});

describe('criteria', () => {
  test('a new criterion is built in the editor from the data\'s own values', async () => {
    const { context, page } = await openApp(env);
    await page.click('[data-testid=criterion-add]');
    const row = criteria(page).nth(6);
    const editor = row.locator('[data-testid=rule-editor]');
    await editor.waitFor();
    await editor.locator('[data-testid=criterion-label]').fill('Retail');
    await editor.locator('[data-testid=rule-column]').selectOption('Industry');
    await editor.locator('[data-testid=rule-op]').selectOption('any_of');
    const picker = editor.locator('[data-testid=rule-values]');
    // Values come with their counts, taken from the data.
    assert.match(await picker.textContent(), /Retail \([\d,]+\)/);
    for (const box of await picker.locator('input:checked').all()) await box.uncheck();
    await picker.getByLabel(/^Retail \(/).check();
    await row.locator('[data-testid=criterion-points]').fill('50');
    await editor.getByRole('button', { name: 'Done' }).click();
    assert.match(await row.locator('.rule').textContent(), /Industry is any of Retail/);
    // 50 points alone pass the threshold: every retail lead is sales-ready.
    const retail = await firesFor(row);
    assert.ok(retail > 100, `${retail} retail leads`);
    assert.ok((await figure(page, 'kpi-sales-ready')) >= retail);
    await context.close();
  });

  test('deleting, duplicating and moving criteria', async () => {
    const { context, page } = await openApp(env);
    const first = await criteria(page).first().locator('.criterion-label').textContent();
    await criteria(page).first().locator('[data-testid=criterion-duplicate]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 7);
    assert.equal(await criteria(page).nth(1).locator('.criterion-label').textContent(), `${first} (copy)`);
    await criteria(page).nth(1).getByRole('button', { name: /^Move .* down$/ }).click();
    await page.waitForFunction((label) =>
      document.querySelectorAll('[data-testid=criterion] .criterion-label')[2].textContent === label, `${first} (copy)`);
    await criteria(page).nth(2).locator('[data-testid=criterion-delete]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=criterion]').length === 6);
    await context.close();
  });
});
