// End-to-end: bringing a lead export into the release build, as a user
// would, and everything that must not go wrong on the way.
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

/** Uploads a file and waits for the mapping step. */
async function upload(page, name) {
  await page.setInputFiles('[data-testid=upload-input]', fixture(name));
  await page.waitForSelector('[data-testid=mapping-step]');
}

async function confirm(page, previousLeads) {
  await page.click('[data-testid=mapping-confirm]');
  return figureChange(page, 'kpi-leads', previousLeads);
}

describe('loading a file', () => {
  test('a HubSpot export goes through the mapping step and replaces the sample', async () => {
    const { context, page, seen } = await openApp(env);
    await upload(page, 'hubspot_export.csv');
    assert.match(await page.textContent('[data-testid=mapping-facts]'), /6 rows and 9 columns; UTF-8, comma-separated/);
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'Lifecycle Stage');
    assert.equal(await page.inputValue('[data-testid=role-created]'), 'Create Date');
    assert.equal(Number(await page.getAttribute('[data-testid=base-rate]', 'data-value')).toFixed(4), (2 / 6).toFixed(4));
    // Until confirmed, the sample stays in use.
    assert.equal(await figure(page, 'kpi-leads'), SAMPLE_TUNING_LEADS);
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 6);
    // The keyboard's place moves to the figures of the confirmed data.
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'headline');
    assert.match(await page.textContent('[data-testid=data-badge]'), /hubspot_export\.csv · 6 leads/);
    const summary = page.locator('[data-testid=data-overview] [data-testid=data-summary]');
    assert.equal(await summary.locator('tbody tr').count(), 9);
    assert.match(await summary.locator('tr[data-column="Industry"]').textContent(), /category.*16\.7%/);
    assert.equal(Number(await page.getAttribute('[data-testid=data-base-rate]', 'data-value')).toFixed(4), (2 / 6).toFixed(4));
    assert.match(await page.textContent('[data-testid=data-base-rate]'), /“Lifecycle Stage”, converted when Customer\. Base rate 33\.3%/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('a Windows-1252, semicolon file with decimal commas reads correctly', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'european_1252.csv');
    assert.match(await page.textContent('[data-testid=mapping-facts]'), /windows-1252, semicolon-separated/);
    const row = page.locator('[data-testid=mapping-step] tr[data-column="Umsatz"]');
    assert.match(await row.textContent(), /decimal comma/);
    assert.match(await row.textContent(), /12\.75 to 7500/);
    assert.match(await page.textContent('[data-testid=mapping-step] tr[data-column="Stadt"]'), /Köln|Zürich|München|Düsseldorf/);
    // No header name is recognised, but the last column is yes/no: it is
    // proposed as the outcome.
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'Gewonnen');
    assert.ok(!(await page.locator('[data-testid=mapping-confirm]').isDisabled()));
    assert.equal(Number(await page.getAttribute('[data-testid=base-rate]', 'data-value')), 0.5);
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 4);
    await context.close();
  });

  test('skipped rows and unreadable values are listed with their lines', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'ragged.csv');
    const skipped = page.locator('[data-testid=skipped-rows]');
    assert.match(await skipped.locator('summary').textContent(), /2 rows were skipped/);
    await skipped.locator('summary').click();
    assert.match(await skipped.textContent(), /line 3: has 2 fields where the header has 3/);
    await upload(page, 'us_dates.csv');
    const bad = page.locator('[data-testid=bad-cells]');
    await bad.locator('summary').click();
    assert.match(await bad.textContent(), /line 5, column 'Created': 'yesterday' is not a date/);
    await context.close();
  });

  test('changing the converted values updates the base rate', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'hubspot_export.csv');
    const before = await page.getAttribute('[data-testid=base-rate]', 'data-value');
    await page.getByLabel('Opportunity', { exact: true }).check();
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid=base-rate]').getAttribute('data-value') !== b,
      before,
    );
    assert.equal(Number(await page.getAttribute('[data-testid=base-rate]', 'data-value')).toFixed(4), (3 / 6).toFixed(4));
    await context.close();
  });

  test('a column type can be overridden and the file is read again', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'hubspot_export.csv');
    const kind = page.locator('[data-testid=mapping-step] tr[data-column="Record ID"] [data-testid=column-kind]');
    await kind.selectOption('text');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=mapping-step] tr[data-column="Record ID"] select')?.value === 'text');
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'Lifecycle Stage', 'roles survive a re-read');
    await context.close();
  });

  test('pasted CSV text loads like a file', async () => {
    const { context, page } = await openApp(env);
    await page.getByRole('button', { name: 'Paste CSV text' }).click();
    await page.fill('[data-testid=paste-input]', 'Lead,Converted\nA,yes\nB,no\nC,no\n');
    await page.click('[data-testid=paste-load]');
    await page.waitForSelector('[data-testid=mapping-step]');
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'Converted');
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 3);
    await context.close();
  });

  test('a file dropped anywhere on the page is loaded', async () => {
    const { context, page } = await openApp(env);
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['id,won\n1,yes\n2,no\n'], 'dropped.csv', { type: 'text/csv' }));
      document.querySelector('.criteria-editor').dispatchEvent(
        new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }),
      );
    });
    await page.waitForSelector('[data-testid=mapping-step]');
    assert.match(await page.textContent('[data-testid=mapping-step] h2'), /dropped\.csv/);
    await context.close();
  });
});

describe('files that cannot be used', () => {
  const cases = [
    ['empty.csv', /The file is empty/],
    ['header_only.csv', /header row \(3 columns\) but no data rows/],
    ['workbook.xlsx', /not CSV text: it looks like an Excel workbook/],
  ];
  test('each gets its own message and leaves the loaded data untouched', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'tab_quoted_newlines.tsv');
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 3);
    const messages = new Set();
    for (const [name, expected] of cases) {
      await page.setInputFiles('[data-testid=upload-input]', fixture(name));
      const error = page.locator('[data-testid=load-error]');
      await error.waitFor();
      const text = await error.textContent();
      assert.match(text, expected, name);
      assert.ok(text.includes(name), `the message names ${name}`);
      messages.add(text);
      assert.equal(await figure(page, 'kpi-leads'), 3, `${name} left the data alone`);
      await page.getByRole('button', { name: 'Dismiss message' }).click();
    }
    assert.equal(messages.size, cases.length);
    await context.close();
  });
});

describe('a file without an outcome of its own', () => {
  test('reaches the mapping step, which offers to join the outcomes from another file', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'no_outcome.csv');
    assert.match(await page.textContent('[data-testid=join-step]'), /No column of this file says whether a lead converted/);
    assert.equal(await page.isDisabled('[data-testid=mapping-confirm]'), true);
    assert.equal(await figure(page, 'kpi-leads'), SAMPLE_TUNING_LEADS, 'the sample stays in use');
    await context.close();
  });
});

describe('keeping data between visits', () => {
  test('the loaded data survives a reload until "Forget data"', async () => {
    const { context, page } = await openApp(env);
    await upload(page, 'hubspot_export.csv');
    await page.selectOption('[data-testid=role-owner]', '');
    await confirm(page, SAMPLE_TUNING_LEADS);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid=kpi-leads]')?.getAttribute('data-value') === '6');
    assert.match(await page.textContent('[data-testid=data-badge]'), /hubspot_export\.csv/);
    await page.click('[data-testid=forget-data]');
    assert.equal(await figureChange(page, 'kpi-leads', 6), SAMPLE_TUNING_LEADS);
    await page.reload();
    await page.waitForSelector('[data-testid=kpi-leads]');
    await page.waitForTimeout(500);
    assert.equal(await figure(page, 'kpi-leads'), SAMPLE_TUNING_LEADS);
    await context.close();
  });
});

describe('large files', () => {
  test('show progress and can be cancelled without losing anything', async () => {
    const { context, page } = await openApp(env);
    // About 17 MB, generated in the page; the Cancel click is made from the
    // page as soon as the progress shows, so it cannot miss a fast load.
    const seen = await page.evaluate(async () => {
      const rows = ['id,source,views,converted'];
      for (let i = 0; i < 1_000_000; i += 1) rows.push(`${i},Web,${i % 50},${i % 7 === 0 ? 'yes' : 'no'}`);
      const transfer = new DataTransfer();
      transfer.items.add(new File([rows.join('\n')], 'big.csv', { type: 'text/csv' }));
      const input = document.querySelector('[data-testid=upload-input]');
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      for (;;) {
        const progress = document.querySelector('[data-testid=load-progress]');
        if (progress) {
          const text = progress.textContent;
          progress.querySelector('button').click();
          return text;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    assert.match(seen, /big\.csv/);
    await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached' });
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('[data-testid=mapping-step]').count(), 0, 'the cancelled load never reaches the mapping step');
    assert.equal(await figure(page, 'kpi-leads'), SAMPLE_TUNING_LEADS);
    await context.close();
  });
});

describe('a starting point', () => {
  test('new data gets a starting scenario built from its columns, and the sample\'s is set aside undoably', async () => {
    const { context, page } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]', fixture('salesforce_leads.csv'));
    await page.waitForSelector('[data-testid=mapping-step]');
    await page.click('[data-testid=mapping-confirm]');
    await page.waitForFunction(() => document.querySelector('[data-testid=scenario-tab]')?.textContent.startsWith('Starting point'));
    assert.deepEqual(await page.locator('[data-testid=scenario-tab]').allTextContents(), ['Starting point (from salesforce_leads.csv)']);
    // The sample's scenario has no column here: set aside, with a message.
    assert.match(await page.textContent('[data-testid=notice]'), /Set aside 1 scenario whose rules use none of this file's columns: “Marketing view”/);
    await page.click('[data-testid=undo]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 1
      && document.querySelector('[data-testid=scenario-tab]').textContent === 'Marketing view');
    await page.waitForSelector('.rule-inactive');
    assert.match(await page.locator('.rule-inactive').first().textContent(), /the data has no column/);
    await page.click('[data-testid=notice] button');
    assert.equal(await page.locator('[data-testid=notice]').count(), 0);
    await context.close();
  });
});

describe('exports as people keep them', () => {
  test('a title line, CR-only line ends and 220 padding columns: the real columns and rows load', async () => {
    const { context, page, seen } = await openApp(env);
    await upload(page, 'title_line_padded.csv');
    assert.match(await page.textContent('[data-testid=mapping-facts]'), /^30 rows and 4 columns; UTF-8, comma-separated; header on line 2\./);
    assert.equal(await page.inputValue('[data-testid=header-line]'), '2');
    assert.match(await page.textContent('[data-testid=header-note]'), /Passed over before it: “Leads export, generated 1 May 2024 by Reporting”/);
    assert.match(await page.textContent('[data-testid=dropped-columns] summary'), /220 columns empty in every row were left out/);
    assert.equal(await page.locator('[data-testid=renamed-headers]').count(), 0);
    // Put back on line 1 by hand, the title becomes the header; line 2 again restores it.
    await page.fill('[data-testid=header-line]', '1');
    await page.press('[data-testid=header-line]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=header-line]')?.value === '1');
    await page.waitForFunction(() => !document.querySelector('[data-testid=mapping-facts]').textContent.includes('header on line 2'));
    await page.fill('[data-testid=header-line]', '2');
    await page.press('[data-testid=header-line]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=mapping-facts]')?.textContent.includes('header on line 2'));
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'Converted');
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 30);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

describe('times of day', () => {
  test('call start and end are times of day, and their duration is derived in the mapping step', async () => {
    const { context, page, seen } = await openApp(env);
    await upload(page, 'car_insurance_calls.csv');
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'CarInsurance');
    const start = page.locator('[data-testid=mapping-step] tr[data-column="CallStart"]');
    assert.match(await start.textContent(), /time of day/);
    assert.match(await start.textContent(), /\d\d:\d\d:\d\d to \d\d:\d\d:\d\d/);
    await page.selectOption('[data-testid=derive-from]', 'CallStart');
    await page.selectOption('[data-testid=derive-to]', 'CallEnd');
    await page.selectOption('[data-testid=derive-unit]', 'minutes');
    await page.click('[data-testid=derive-add]');
    await page.locator('[data-testid=derived-column]').waitFor();
    assert.match(await page.textContent('[data-testid=derived-column]'), /CallStart to CallEnd \(minutes\): a number column/);
    const derived = page.locator('[data-testid=mapping-step] tr[data-column="CallStart to CallEnd (minutes)"]');
    assert.match(await derived.textContent(), /number/);
    assert.equal(await confirm(page, SAMPLE_TUNING_LEADS), 60);
    // The derived column can carry a rule, and travels with the mapping.
    const link = await page.inputValue('[data-testid=share-link]');
    const count = await page.locator('[data-testid=criterion]').count();
    await page.click('[data-testid=criterion-add]');
    const editor = page.locator('[data-testid=criterion]').nth(count).locator('[data-testid=rule-editor]');
    await editor.waitFor();
    const options = await editor.locator('[data-testid=rule-column] option').allTextContents();
    assert.ok(options.includes('CallStart to CallEnd (minutes)'), options.join(', '));
    assert.ok(link.includes('#v2.'));
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

describe('hindsight', () => {
  test('a call duration is known only after the call: proposed so, left out of the start, flagged when used', async () => {
    const { context, page, seen } = await openApp(env);
    await page.setInputFiles('[data-testid=upload-input]', fixture('bank_telemarketing.csv'));
    await page.waitForSelector('[data-testid=mapping-step]');
    assert.equal(await page.inputValue('[data-testid=role-outcome]'), 'y');
    const duration = page.locator('[data-testid=known-after-column][data-column=duration]');
    assert.ok(await duration.isChecked(), 'duration is proposed as known only afterwards');
    assert.match(await page.locator('[data-testid=known-after] li', { has: duration }).textContent(), /proposed: its name says so/);
    assert.equal(await page.locator('[data-testid=known-after-column][data-column=age]').isChecked(), false);
    assert.equal(await page.locator('[data-testid=known-after-column][data-column=y]').count(), 0, 'the outcome is not asked about');

    // An outcome no lead reached (`default` is "no" throughout): the step
    // says why it cannot go on.
    await page.selectOption('[data-testid=role-outcome]', 'default');
    assert.match(await page.textContent('[data-testid=mapping-not-yet]'), /No lead counts as converted/);
    assert.ok(await page.locator('[data-testid=mapping-confirm]').isDisabled());
    await page.selectOption('[data-testid=role-outcome]', 'y');
    await page.waitForFunction(() => !document.querySelector('[data-testid=mapping-confirm]').disabled);
    assert.ok(await duration.isChecked(), 'asked again for the outcome chosen again');

    await page.click('[data-testid=mapping-confirm]');
    await figureChange(page, 'kpi-leads', SAMPLE_TUNING_LEADS);
    const columns = await page.locator('[data-testid=criterion] .rule-column').allTextContents();
    assert.ok(columns.length > 0, 'a starting point from the columns known on arrival');
    assert.ok(!columns.includes('duration') && !columns.includes('y'), columns.join(', '));
    assert.equal(await page.locator('[data-testid=criterion-hindsight]').count(), 0);

    // Used anyway, it is flagged; the outcome is never offered as a rule column.
    const count = await page.locator('[data-testid=criterion]').count();
    await page.click('[data-testid=criterion-add]');
    const row = page.locator('[data-testid=criterion]').nth(count);
    const editor = row.locator('[data-testid=rule-editor]');
    await editor.waitFor();
    const options = await editor.locator('[data-testid=rule-column] option').allTextContents();
    assert.ok(!options.includes('y'), options.join(', '));
    await editor.locator('[data-testid=rule-column]').selectOption('duration');
    await row.locator('[data-testid=criterion-hindsight]').waitFor();
    assert.match(await row.locator('[data-testid=criterion-hindsight]').textContent(), /known only after sales worked the lead/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});
