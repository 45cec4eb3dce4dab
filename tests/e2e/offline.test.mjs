// End-to-end: a room without Wi-Fi. After one visit the app opens and
// works with the network gone, under the same Content-Security-Policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, figure, figureChange, openApp, start } from './browser.mjs';
import { serveDirectory } from '../../scripts/serve-dist.mjs';

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

  test('a new build is taken up on the next online visit and is what opens offline after it', async () => {
    // The build as deployed, served from a copy that can be redeployed.
    const site = await mkdtemp(join(tmpdir(), 'leadlens-site-'));
    await cp(DIST, site, { recursive: true });
    const { server, url } = await serveDirectory(site);
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('[data-testid=kpi-leads]');
      const cacheNames = () => page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
          await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
        }
        return (await caches.keys()).filter((n) => n.startsWith('leadlens-'));
      });
      const first = await cacheNames();
      assert.equal(first.length, 1);

      // A new build: one more stylesheet, a new file list and version.
      const worker = await readFile(join(site, 'service-worker.js'), 'utf8');
      const version = worker.match(/const VERSION = "([0-9a-f]+)";/)[1];
      const next = `${version.slice(0, -4)}beef`;
      await writeFile(join(site, 'next-build-0123456789abcdef.css'), 'body { --leadlens-build: next; }\n');
      await writeFile(join(site, 'service-worker.js'), worker
        .replace(`const VERSION = "${version}";`, `const VERSION = "${next}";`)
        .replace('const FILES = ["./",', 'const FILES = ["./","next-build-0123456789abcdef.css",'));
      const index = await readFile(join(site, 'index.html'), 'utf8');
      await writeFile(join(site, 'index.html'),
        index.replace('</head>', '<link rel="stylesheet" href="next-build-0123456789abcdef.css" />\n</head>'));

      // The next online visit: the page is the new one, the new worker
      // takes over and the old build's cache is gone.
      await page.reload();
      await page.waitForSelector('[data-testid=kpi-leads]');
      const build = () => page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--leadlens-build').trim());
      assert.equal(await build(), 'next');
      // (Polled here: a wait on an async predicate would pass at once.)
      const deadline = Date.now() + 10_000;
      let names = await cacheNames();
      while (!(names.length === 1 && names[0] === `leadlens-${next}`) && Date.now() < deadline) {
        await page.waitForTimeout(100);
        names = await cacheNames();
      }
      assert.deepEqual(names, [`leadlens-${next}`], "the new build's cache, and only it");
      const kept = await page.evaluate(async (name) =>
        (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname), `leadlens-${next}`);
      assert.ok(kept.includes('/next-build-0123456789abcdef.css'), kept.join(' '));

      // Offline afterwards, the new build opens and works.
      await context.setOffline(true);
      await page.reload();
      await page.waitForSelector('[data-testid=kpi-leads]');
      assert.equal(await build(), 'next');
      const ready = await figure(page, 'kpi-sales-ready');
      await page.locator('[data-testid=criterion-points]').first().fill('0');
      assert.notEqual(await figureChange(page, 'kpi-sales-ready', ready), ready);
    } finally {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(site, { recursive: true, force: true });
    }
  });
});
