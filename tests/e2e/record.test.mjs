// End-to-end: the agreement as a record. Each side signs off each
// criterion, the scenario becomes the agreed definition with a date and
// service terms, every change goes into the decision log with its effect
// on the key figures, and all of it travels in the link, survives a
// reload and prints as the meeting's minutes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, figureChange, openApp, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const standing = (page) => page.textContent('[data-testid=agreement-standing]');

/** Both sides agree to every criterion that counts, one select at a time. */
async function agreeToAll(page) {
  const rows = page.locator('[data-testid=criterion]');
  const count = await rows.count();
  for (let i = 0; i < count; i += 1) {
    for (const side of ['sales', 'marketing']) {
      const select = rows.nth(i).locator(`[data-testid=signoff-${side}]`);
      await select.selectOption('agrees');
      await page.waitForFunction(([n, s]) =>
        document.querySelectorAll('[data-testid=criterion]')[n]
          .querySelector(`[data-testid=signoff-${s}]`).dataset.value === 'agrees', [i, side]);
    }
  }
  return count;
}

/** The log's entries, newest first, as { change, effect }. */
async function entries(page) {
  const log = page.locator('[data-testid=decision-log]');
  if (!(await log.evaluate((d) => d.open))) await log.locator('summary').click();
  await page.locator('[data-testid=decision-log] .decision-log-body').waitFor();
  return page.locator('[data-testid=decision]').evaluateAll((items) => items.map((li) => ({
    change: li.querySelector('[data-testid=decision-change]').textContent,
    effect: li.querySelector('[data-testid=decision-effect]').textContent,
  })));
}

describe('sign-offs and the agreed definition', () => {
  test('agreed by both once every counted criterion is, marked with a date, withdrawn by a later edit', async () => {
    const { context, page, seen } = await openApp(env);
    const count = await page.locator('[data-testid=criterion]').count();
    assert.match(await standing(page), new RegExp(`^0 of ${count} criteria agreed by both$`));
    assert.equal(await page.isDisabled('[data-testid=mark-agreed]'), true, 'nothing to mark yet');

    const first = page.locator('[data-testid=criterion]').first();
    await first.locator('[data-testid=signoff-sales]').selectOption('agrees');
    await first.locator('[data-testid=signoff-marketing]').selectOption('disputes');
    await page.waitForFunction(() => /1 disputed/.test(document.querySelector('[data-testid=agreement-standing]').textContent));
    await first.locator('[data-testid=signoff-note]').fill('only with a budget');
    await first.locator('[data-testid=signoff-note]').press('Tab');
    assert.match(await standing(page), new RegExp(`^0 of ${count} criteria agreed by both, 1 disputed$`));

    await agreeToAll(page);
    assert.equal(await standing(page), 'Agreed by both');
    assert.equal(await page.getAttribute('[data-testid=agreement-standing]', 'data-agreed'), 'true');
    assert.equal(await first.locator('[data-testid=signoff-note]').inputValue(), 'only with a budget');
    await page.fill('[data-testid=agreed-date]', '2026-11-30');
    await page.click('[data-testid=mark-agreed]');
    const agreed = page.locator('[data-testid=agreed-definition]');
    await agreed.waitFor();
    assert.equal(await agreed.getAttribute('data-day'), '2026-11-30');
    assert.match(await agreed.textContent(), /is the agreed definition, since 30 November 2026/);

    // A points edit: that criterion's sign-offs go, and so does the
    // agreement; the other criteria keep theirs.
    await first.locator('[data-testid=criterion-points]').fill('45');
    await page.waitForFunction(() => document.querySelector('[data-testid=signoff-sales]').dataset.value === 'open');
    assert.equal(await first.locator('[data-testid=signoff-marketing]').getAttribute('data-value'), 'open');
    assert.equal(await page.locator('[data-testid=criterion]').nth(1)
      .locator('[data-testid=signoff-sales]').getAttribute('data-value'), 'agrees');
    assert.equal(await agreed.count(), 0, 'no longer the agreed definition');
    assert.match(await standing(page), new RegExp(`^${count - 1} of ${count} criteria agreed by both$`));

    // The log tells the story, newest first.
    const log = await entries(page);
    const changes = log.map((e) => e.change);
    assert.match(changes[0], /: \+30 → \+45; Sales no longer agrees to “.+”; Marketing no longer agrees to “.+”; No longer the agreed definition$/);
    assert.equal(changes[1], 'Marked as the agreed definition on 2026-11-30');
    assert.ok(changes.includes('Marketing disputes “Asked for a demo”'), changes.join('\n'));
    assert.ok(changes.includes('“Asked for a demo”: note “only with a budget”'), changes.join('\n'));
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

describe('service terms', () => {
  test('the follow-up what-if starts from the agreed terms, and out-of-range terms are refused', async () => {
    const { context, page } = await openApp(env);
    await page.fill('[data-testid=terms-hours]', '24');
    await page.press('[data-testid=terms-hours]', 'Tab');
    await page.fill('[data-testid=terms-worked]', '80');
    await page.press('[data-testid=terms-worked]', 'Tab');
    await page.fill('[data-testid=terms-volume]', '100000');
    await page.press('[data-testid=terms-volume]', 'Tab');
    const delivered = page.locator('[data-testid=terms-delivered]');
    await delivered.waitFor();
    assert.match(await delivered.textContent(), /^This definition gives [\d.,]+ sales-ready leads a week in the data: short of the commitment of 100,000\.$/);

    await page.locator('[data-testid=followup] summary').click();
    await page.locator('[data-testid=what-if]').waitFor();
    assert.equal(await page.textContent('[data-testid=whatif-share-value]'), '80%');
    assert.equal(await page.inputValue('[data-testid=whatif-sla]'), '24');
    assert.match(await page.textContent('[data-testid=whatif-terms]'),
      /within 24 hours and works at least 80% of them\. Marketing delivers at least 100,000/);
    const atTerms = await figure(page, 'whatif-expected');
    // Choosing another share in the what-if leaves the terms alone.
    await page.getByRole('button', { name: '100%', exact: true }).click();
    await figureChange(page, 'whatif-expected', atTerms);
    assert.equal(await page.inputValue('[data-testid=terms-worked]'), '80');

    await page.fill('[data-testid=terms-worked]', '150');
    await page.press('[data-testid=terms-worked]', 'Tab');
    await page.locator('[data-testid=terms-problem]').waitFor();
    assert.match(await page.textContent('[data-testid=terms-problem]'), /outside 1% to 100%/);
    const log = await entries(page);
    assert.equal(log.filter((e) => e.change.startsWith('Service terms:')).length, 1, 'typing the terms is one entry');
    assert.match(log[0].change, /works at least 80% of them/, 'the refused value was not kept');
    await context.close();
  });
});

describe('the decision log', () => {
  test('each edit with its effect on the key figures, as CSV, kept over a reload', async () => {
    const { context, page } = await openApp(env);
    const before = await figure(page, 'kpi-sales-ready');
    const capturedBefore = await figure(page, 'kpi-captured');
    await page.fill('[data-testid=threshold]', '30');
    const after = await figureChange(page, 'kpi-sales-ready', before);
    const capturedAfter = await figure(page, 'kpi-captured');
    let log = await entries(page);
    assert.equal(log.length, 1);
    assert.equal(log[0].change, 'Threshold: 40+ → 30+ points');
    const pct = (x) => `${Math.round(100 * x)}%`;
    const words = `sales-ready ${before.toLocaleString('en-US')} → ${after.toLocaleString('en-US')}`;
    await page.waitForFunction(() => !/not recorded/.test(document.querySelector('[data-testid=decision-effect]').textContent));
    log = await entries(page);
    assert.ok(log[0].effect.startsWith(words), `${log[0].effect} / ${words}`);
    if (pct(capturedBefore) !== pct(capturedAfter)) {
      assert.match(log[0].effect, new RegExp(`captured ${pct(capturedBefore)} → ${pct(capturedAfter)}`));
    }
    // Undo is written down too.
    await page.click('[data-testid=undo]');
    await figureChange(page, 'kpi-sales-ready', after);
    log = await entries(page);
    assert.equal(log[0].change, 'Undone: Threshold: 30+ → 40+ points');

    await page.fill('[data-testid=attendees]', 'Ana (Sales), Bo (Marketing)');
    await page.press('[data-testid=attendees]', 'Tab');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=decision-log-csv]')]);
    assert.equal(download.suggestedFilename(), 'leadlens-decision-log.csv');
    const csv = (await readFile(await download.path(), 'utf8')).split('\r\n');
    assert.equal(csv[0], 'time,scenario,change,effect,sales_ready_before,sales_ready_after,conversion_in_before,conversion_in_after,captured_before,captured_after');
    assert.equal(csv.length, 4, 'a header, two entries and the final line end');
    const cells = csv[1].match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, ''));
    assert.match(cells[0], /^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$/);
    assert.equal(cells[2], '"Threshold: 40+ → 30+ points"');
    assert.equal(Number(cells[4]), before);
    assert.equal(Number(cells[5]), after);

    // Kept with the workspace.
    await page.reload();
    await page.waitForSelector('[data-testid=kpi-leads]');
    log = await entries(page);
    assert.equal(log.length, 2);
    assert.equal(log[1].change, 'Threshold: 40+ → 30+ points');
    assert.equal(await page.inputValue('[data-testid=attendees]'), 'Ana (Sales), Bo (Marketing)');
    await context.close();
  });
});

describe('the record travels', () => {
  test('a link carries sign-offs, the agreed definition, its terms, attendees and the log', async () => {
    const { context, page } = await openApp(env);
    await agreeToAll(page);
    await page.locator('[data-testid=criterion]').nth(1).locator('[data-testid=signoff-note]').fill('agreed after the Q3 review');
    await page.locator('[data-testid=criterion]').nth(1).locator('[data-testid=signoff-note]').press('Tab');
    await page.fill('[data-testid=agreed-date]', '2026-12-01');
    await page.click('[data-testid=mark-agreed]');
    await page.fill('[data-testid=terms-hours]', '4');
    await page.press('[data-testid=terms-hours]', 'Tab');
    await page.locator('[data-testid=decision-log] summary').click();
    await page.fill('[data-testid=attendees]', 'Chen (RevOps)');
    await page.press('[data-testid=attendees]', 'Tab');
    await page.waitForFunction(() => document.querySelector('[data-testid=share-link]').value.includes('#v2.'));
    const logged = await entries(page);
    const link = await page.inputValue('[data-testid=share-link]');
    assert.ok(link.length < 4000, `${link.length} characters`);

    const other = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const fresh = await other.newPage();
    await fresh.goto(link);
    await fresh.waitForSelector('[data-testid=agreed-definition]');
    assert.equal(await fresh.getAttribute('[data-testid=agreed-definition]', 'data-day'), '2026-12-01');
    assert.equal(await standing(fresh), 'Agreed by both');
    const stances = await fresh.locator('[data-testid=signoff-sales], [data-testid=signoff-marketing]')
      .evaluateAll((s) => s.map((el) => el.dataset.value));
    assert.ok(stances.length > 0 && stances.every((v) => v === 'agrees'), stances.join());
    assert.equal(await fresh.locator('[data-testid=signoff-note]').nth(1).inputValue(), 'agreed after the Q3 review');
    assert.equal(await fresh.inputValue('[data-testid=terms-hours]'), '4');
    // The log as it was, and opening the link as its newest entry.
    const received = await entries(fresh);
    assert.deepEqual(received.slice(1), logged);
    assert.equal(received[0].change, 'Replaced the scenarios with those of a criteria file or link: “Marketing view”');
    assert.equal(await fresh.inputValue('[data-testid=attendees]'), 'Chen (RevOps)');
    await other.close();
    await context.close();
  });
});

describe('a version 2 criteria file', () => {
  test('imports with its sign-offs, agreed definition, terms, attendees and log', async () => {
    const { context, page, seen } = await openApp(env);
    await page.setInputFiles('[data-testid=criteria-import-input]', join(FIXTURES, 'criteria_v2_agreed.json'));
    await page.click('[data-testid=import-replace]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    await page.locator('[data-testid=agreed-definition]').waitFor();
    assert.match(await page.textContent('[data-testid=agreed-definition]'), /“Agreed” is the agreed definition, since 2 December 2026/);
    const rows = page.locator('[data-testid=criterion]');
    assert.equal(await rows.nth(2).locator('[data-testid=signoff-sales]').getAttribute('data-value'), 'disputes');
    assert.equal(await rows.nth(2).locator('[data-testid=signoff-note]').inputValue(), 'revisit in Q1');
    assert.equal(await rows.nth(1).locator('[data-testid=signoff-marketing]').getAttribute('data-value'), 'agrees');
    // The disputed criterion is switched off, so it does not count.
    assert.equal(await standing(page), 'Agreed by both');
    assert.equal(await page.inputValue('[data-testid=terms-hours]'), '24');
    assert.equal(await page.inputValue('[data-testid=terms-worked]'), '80');
    assert.equal(await page.inputValue('[data-testid=terms-volume]'), '120');
    const log = await entries(page);
    assert.deepEqual(log.slice(1).map((e) => e.change), [
      'Marked as the agreed definition on 2026-12-02',
      'Sales agrees to “Asked for a demo”',
      'Asked for a demo: +40 → +30',
    ]);
    assert.equal(log[1].effect, 'figures not recorded');
    assert.equal(log[3].effect, 'sales-ready 455 → 412, captured 77% → 74%');
    assert.equal(await page.inputValue('[data-testid=attendees]'), 'Ana (Sales), Bo (Marketing), Chen — RevOps');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

describe('the minutes', () => {
  test('every scenario compared, the differences, sign-offs, terms, the log and who attended, legible on A4', async () => {
    const { context, page, seen } = await openApp(env);
    await agreeToAll(page);
    await page.click('[data-testid=mark-agreed]');
    await page.fill('[data-testid=terms-worked]', '90');
    await page.press('[data-testid=terms-worked]', 'Tab');
    await page.locator('[data-testid=decision-log] summary').click();
    await page.fill('[data-testid=attendees]', 'Ana, Bo, Chen');
    await page.press('[data-testid=attendees]', 'Tab');
    // A second scenario that differs in its threshold.
    await page.click('[data-testid=scenario-duplicate]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=scenario-tab]').length === 2);
    const ready = await figure(page, 'kpi-sales-ready');
    await page.fill('[data-testid=threshold]', '60');
    const tighter = await figureChange(page, 'kpi-sales-ready', ready);
    const logLength = (await entries(page)).length;

    // As the browser prints: charts drawn first, then the print layout.
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    const summary = page.locator('[data-testid=workshop-summary]');
    assert.equal(await summary.isVisible(), true);
    assert.equal(await page.textContent('[data-testid=summary-attendees]'), 'Ana, Bo, Chen');
    assert.match(await page.textContent('[data-testid=summary-standing]'), /^Not the agreed definition: that is “Marketing view”\./);
    const scenarios = page.locator('[data-testid=summary-scenario]');
    assert.equal(await scenarios.count(), 2);
    assert.equal(await scenarios.nth(1).locator('[data-testid=summary-scenario-ready]').textContent(), tighter.toLocaleString('en-US'));
    assert.match(await scenarios.nth(0).textContent(), /Agreed definition, \d+ \w+ 20\d\d/);
    const diff = page.locator('[data-testid=summary-diff]');
    assert.equal(await diff.count(), 1);
    assert.match(await diff.textContent(), /“Sales view” against “Marketing view”.*Threshold: 40\+ → 60\+ points/);
    const signoffs = await page.locator('[data-testid=summary-signoff]').allTextContents();
    assert.ok(signoffs.length > 0 && signoffs.every((t) => t.startsWith('Sales agrees, Marketing agrees')), signoffs.join('|'));
    assert.equal(await page.locator('[data-testid=summary-decision]').count(), logLength);

    // The agreed scenario's own minutes show its terms.
    await page.emulateMedia({ media: 'screen' });
    await page.locator('[data-testid=scenario-tab]').first().click();
    // As the browser prints: charts drawn first, then the print layout.
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    assert.match(await page.textContent('[data-testid=summary-standing]'), /^“Marketing view” is the agreed definition, since /);
    assert.equal(await page.textContent('[data-testid=summary-terms]'), 'Sales works at least 90% of the sales-ready leads.');

    // Chart text on A4: the 16 px labels print at 12 px (9 pt) or more.
    await page.setViewportSize({ width: 794, height: 1123 });
    for (const id of ['summary-chart-distribution', 'summary-chart-bands', 'summary-chart-gains']) {
      const image = page.locator(`[data-testid=${id}]`);
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await image.elementHandle());
      const scale = await image.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return Math.min(box.width / el.naturalWidth, box.height / el.naturalHeight);
      });
      assert.ok(16 * scale >= 12, `${id}: labels print at ${(16 * scale).toFixed(1)} px`);
    }
    // A PDF made from print media has the charts, drawn for the scenario shown.
    await page.emulateMedia({ media: 'screen' });
    await page.fill('[data-testid=threshold]', '35');
    await page.waitForFunction(() => /score 35\+/.test(document.querySelector('[data-testid=summary-figures]').textContent));
    const pdf = await page.pdf({ format: 'A4' });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdf.length > 20_000, `${pdf.length} bytes`);
    assert.match(decodeURIComponent(await page.getAttribute('[data-testid=summary-chart-distribution]', 'src')), /score 35\+/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});
