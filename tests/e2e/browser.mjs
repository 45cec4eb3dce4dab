// Shared set-up for the end-to-end suite: serve the release build from
// dist/ on loopback and drive Debian's Chromium through playwright-core.
import { chromium } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDirectory } from '../../scripts/serve-dist.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(root, 'dist');
/** The synthetic sample's leads, and those its figures are tuned on: all
 * but its check set, the newest 20% by created date. */
export const SAMPLE_LEADS = 5000;
export const SAMPLE_TUNING_LEADS = 4000;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the server and the browser; returns them with a `close()`. */
export async function start() {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the release app first (make build)');
  }
  const { server, url } = await serveDirectory(DIST);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Opens the app in a fresh context and records what a reviewer would want
 * to know: every request, page errors, console errors and CSP violations.
 */
export async function openApp(env, { viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  const seen = { requests: [], errors: [], violations: [] };
  context.on('request', (request) => seen.requests.push(request.url()));
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=kpi-leads]');
  return { context, page, seen };
}

/** The `data-value` of a key figure, as a number (NaN when undefined). */
export async function figure(page, testid) {
  const raw = await page.getAttribute(`[data-testid=${testid}]`, 'data-value');
  return raw === '' || raw === null ? Number.NaN : Number(raw);
}

/** Waits until a key figure's `data-value` differs from `previous`. */
export async function figureChange(page, testid, previous) {
  await page.waitForFunction(
    ([id, before]) => document.querySelector(`[data-testid=${id}]`)?.getAttribute('data-value') !== before,
    [testid, String(previous)],
  );
  return figure(page, testid);
}

/**
 * Brings the chart `testid` into view, waits until its canvas shows what
 * it should (charts out of view are drawn when they come into view), and
 * counts its inked pixels.
 */
export async function inked(page, testid) {
  const canvas = page.locator(`[data-testid=${testid}] canvas`);
  await canvas.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (id) => document.querySelector(`[data-testid=${id}] canvas`)?.getAttribute('data-drawn') === 'true',
    testid,
  );
  return canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) count += 1;
    }
    return count;
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Every violation axe-core finds on the page as it stands, as text, with
 * axe's `options` (the page's context must bypass its content security
 * policy for axe). */
export async function violations(page, options = {}) {
  await page.evaluate(AXE);
  const results = await page.evaluate((o) => window.axe.run(document, o), options);
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A criterion as a criteria file writes it. */
export const rule = (label, points, ruleSpec, extra = {}) => ({
  label, group: 'fit', proposed_by: 'sales', points, rationale: '', rule: ruleSpec, ...extra,
});
