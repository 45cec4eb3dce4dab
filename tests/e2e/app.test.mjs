// End-to-end: the release build in Chromium, used as a person would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figure, figureChange, inked, openApp, SAMPLE_LEADS, SAMPLE_TUNING_LEADS, start } from './browser.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

describe('first visit', () => {
  test('opens on the labelled synthetic sample with every key figure', async () => {
    const { context, page, seen } = await openApp(env);
    // The newest fifth is kept aside as the check set: every figure has
    // its twin there.
    assert.equal(await figure(page, 'kpi-leads'), SAMPLE_TUNING_LEADS);
    assert.equal(await figure(page, 'kpi-check-leads'), SAMPLE_LEADS - SAMPLE_TUNING_LEADS);
    for (const id of ['sales-ready', 'rate-in', 'rate-out', 'lift', 'captured', 'auc', 'per-rep-week', 'revenue']) {
      const twin = await figure(page, `kpi-check-${id}`);
      assert.ok(Number.isFinite(twin) && twin > 0, `kpi-check-${id} = ${twin}`);
    }
    assert.match(await page.textContent('[data-testid=kpi-check-rate-in]'), /^check set: [\d.]+% \([\d.]+–[\d.]+%\)$/);
    assert.match(await page.textContent('[data-testid=tuned-on]'), /tuning set \(4,000 leads\); the check set is the newest 20% of leads \(1,000 leads\)/);
    const badge = await page.textContent('[data-testid=data-badge]');
    assert.match(badge, /Synthetic sample/);
    assert.match(badge, /5,000 leads/);
    for (const id of ['kpi-sales-ready', 'kpi-rate-in', 'kpi-rate-out', 'kpi-lift', 'kpi-captured', 'kpi-auc']) {
      const value = await figure(page, id);
      assert.ok(Number.isFinite(value) && value > 0, `${id} = ${value}`);
    }
    for (const id of ['kpi-rate-in', 'kpi-rate-out', 'kpi-captured', 'kpi-auc']) {
      assert.ok((await figure(page, id)) <= 1, `${id} is a fraction`);
    }
    assert.ok((await figure(page, 'kpi-rate-in')) > (await figure(page, 'kpi-rate-out')));
    // The sample has created dates, so the headline speaks of workload.
    assert.match(await page.textContent('[data-testid=headline]'),
      /^Sales gets [\d,]+ leads a month \(≈[\d.]+ per rep per week\), [\d.]+% of all leads\./);
    const perRep = await figure(page, 'kpi-per-rep-week');
    assert.ok(perRep > 0, `per rep per week ${perRep}`);
    assert.ok((await figure(page, 'kpi-revenue')) > 0, 'revenue captured is shown');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('draws the score distribution with a data table behind it', async () => {
    const { context, page } = await openApp(env);
    const chart = page.locator('[data-testid=chart-score-distribution]');
    const canvas = chart.locator('canvas');
    assert.ok(await canvas.isVisible());
    const box = await canvas.boundingBox();
    assert.ok(box.width > 300 && box.height > 200, JSON.stringify(box));
    const drawn = await inked(page, 'chart-score-distribution');
    assert.ok(drawn > 2000, `only ${drawn} drawn pixels`);
    const rows = chart.locator('[data-testid=chart-score-distribution-table] tbody tr');
    assert.ok((await rows.count()) >= 5);
    const counts = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.replace(/,/g, '')))),
    );
    const total = counts.reduce((sum, [converted, rest]) => sum + converted + rest, 0);
    assert.equal(total, SAMPLE_TUNING_LEADS, 'every lead of the tuning set is in one band');
    await context.close();
  });
});

describe('editing the definition', () => {
  test('changing a criterion\'s points changes the figures and the chart at once', async () => {
    const { context, page } = await openApp(env);
    const readyBefore = await figure(page, 'kpi-sales-ready');
    const captionBefore = await page.getAttribute('[data-testid=chart-score-distribution] canvas', 'aria-label');
    const tableBefore = await page.innerHTML('[data-testid=chart-score-distribution-table]');

    // "Asked for a demo" from 30 to 45 points: every demo request is now sales-ready.
    await page.locator('[data-testid=criterion-points]').first().fill('45');
    const readyAfter = await figureChange(page, 'kpi-sales-ready', readyBefore);
    assert.ok(readyAfter > readyBefore, `${readyBefore} → ${readyAfter}`);
    assert.notEqual(
      await page.getAttribute('[data-testid=chart-score-distribution] canvas', 'aria-label'),
      captionBefore,
    );
    assert.notEqual(await page.innerHTML('[data-testid=chart-score-distribution-table]'), tableBefore);
    const headline = await page.textContent('[data-testid=headline]');
    const share = (100 * readyAfter / SAMPLE_TUNING_LEADS).toFixed(1);
    assert.ok(headline.includes(`${share}% of all leads`), `${headline} mentions ${share}%`);
    await context.close();
  });

  test('raising the threshold shrinks the sales-ready group and raises its conversion', async () => {
    const { context, page } = await openApp(env);
    const ready = await figure(page, 'kpi-sales-ready');
    const rate = await figure(page, 'kpi-rate-in');
    await page.fill('[data-testid=threshold]', '60');
    const readyAfter = await figureChange(page, 'kpi-sales-ready', ready);
    assert.ok(readyAfter < ready);
    assert.ok((await figure(page, 'kpi-rate-in')) > rate);
    await context.close();
  });

  test('the slider for points is keyboard operable', async () => {
    const { context, page } = await openApp(env);
    const ready = await figure(page, 'kpi-sales-ready');
    const slider = page.getByRole('slider', { name: 'Points for Asked for a demo (slider)' });
    await slider.focus();
    for (let i = 0; i < 15; i += 1) await slider.press('ArrowRight');
    assert.equal(await page.locator('[data-testid=criterion-points]').first().inputValue(), '45');
    assert.ok((await figureChange(page, 'kpi-sales-ready', ready)) > ready);
    await context.close();
  });
});

describe('workload', () => {
  test('more reps share the same sales-ready leads', async () => {
    const { context, page } = await openApp(env);
    const perRep = await figure(page, 'kpi-per-rep-week');
    await page.fill('[data-testid=reps]', '10');
    const after = await figureChange(page, 'kpi-per-rep-week', perRep);
    assert.ok(Math.abs(after - perRep / 2) < 1e-9, `${perRep} → ${after}`);
    await context.close();
  });
});

describe('privacy', () => {
  test('no request leaves the page\'s own origin', async () => {
    const { context, page, seen } = await openApp(env);
    await page.locator('[data-testid=criterion-points]').first().fill('20');
    await page.fill('[data-testid=threshold]', '30');
    await page.waitForTimeout(300);
    const origin = new URL(env.url).origin;
    const foreign = seen.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(foreign, []);
    assert.ok(seen.requests.some((u) => u.endsWith('.wasm')), 'the app itself was loaded');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    await context.close();
  });

  test('the Content-Security-Policy blocks connections to other origins', async () => {
    const { context, page } = await openApp(env);
    const outcome = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.2:9/collect', { method: 'POST', body: 'lead data' });
        return 'sent';
      } catch {
        return 'blocked';
      }
    });
    assert.equal(outcome, 'blocked');
    const violations = await page.evaluate(() => window.__cspViolations);
    assert.ok(violations.some((v) => v.startsWith('connect-src')), JSON.stringify(violations));
    await context.close();
  });

  test('at 1280 px the page does not scroll sideways', async () => {
    const { context, page } = await openApp(env, { viewport: { width: 1280, height: 800 } });
    await page.waitForSelector('[data-testid=chart-sweep-table]', { state: 'attached' });
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `page ${widths[0]} px wide in a ${widths[1]} px window`);
    await context.close();
  });
});
