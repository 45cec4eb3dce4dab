// End-to-end: a room without Wi-Fi. After one visit the app opens and
// works with the network gone, under the same Content-Security-Policy.
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

const policy = (page) => page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');

describe('offline', () => {
  test('after the first visit the app reloads and works without a network', async () => {
    const { context, page, seen } = await openApp(env);
    const online = await policy(page);
    // The worker has kept every built file and controls the page.
    const kept = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('leadlens-')));
      return { scope: registration.scope, files: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    });
    assert.ok(kept.files.some((f) => f.endsWith('.wasm')), JSON.stringify(kept.files));
    assert.ok(kept.files.some((f) => f.endsWith('.js')));
    assert.ok(kept.files.includes('/manifest.webmanifest'));

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-testid=kpi-leads]');
    assert.equal(await policy(page), online, 'the same policy offline');
    // It works: an edit changes the figures.
    const ready = await figure(page, 'kpi-sales-ready');
    await page.locator('[data-testid=criterion-points]').first().fill('0');
    assert.notEqual(await figureChange(page, 'kpi-sales-ready', ready), ready);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(seen.errors.filter((e) => !/net::ERR_INTERNET_DISCONNECTED/.test(e)), []);
    await context.close();
  });

  test('the app can be installed: a manifest with a name, a start and an icon', async () => {
    const { context, page } = await openApp(env);
    const href = await page.getAttribute('link[rel=manifest]', 'href');
    const response = await page.request.get(new URL(href, env.url).toString());
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /application\/manifest\+json/);
    const manifest = await response.json();
    assert.equal(manifest.short_name, 'leadlens');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, './');
    const icon = await page.request.get(new URL(manifest.icons[0].src, env.url).toString());
    assert.equal(icon.status(), 200);
    await context.close();
  });
});
