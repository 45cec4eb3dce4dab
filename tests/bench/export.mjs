// The benchmarks' lead export: 20 columns of the kinds CRM exports hold
// (ids, dates, e-mail addresses, companies, categories, decimals, yes/no,
// free text), deterministic, every row different; twenty criteria on it;
// the timing of a load and of an edit to its painted key figure.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export /** Writes a deterministic 20-column export, every row different. */
async function writeExport(path, rows) {
  const industries = ['Software', 'Financial services', 'Healthcare', 'Retail', 'Manufacturing', 'Education'];
  const sources = ['Organic search', 'Paid search', 'Webinar', 'Referral', 'Trade show', 'Purchased list'];
  const countries = ['United States', 'Germany', 'United Kingdom', 'France', 'Brazil', 'India', 'Canada'];
  const stages = ['Lead', 'MQL', 'SQL', 'Opportunity', 'Customer'];
  const owners = ['Avery Chen', 'Jordan Diaz', 'Sam Okafor', 'Riley Novak', 'Morgan Patel'];
  const out = createWriteStream(path);
  out.write('Lead ID,Created,Email,Company,Industry,Country,Lead source,Employees,Annual revenue,'
    + 'Page views,Time on site (min),Email clicks,Demo requested,Webinar attended,Owner,'
    + 'Followed up,Response hours,Lifecycle stage,Converted,Deal value\n');
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state;
  };
  const pad = (n) => String(n).padStart(2, '0');
  let buffer = '';
  for (let i = 0; i < rows; i += 1) {
    const r = next();
    const s = next();
    const converted = r % 9 === 0;
    const followed = s % 3 === 0;
    buffer += `L-${String(i).padStart(7, '0')},2024-${pad(1 + (r % 12))}-${pad(1 + (s % 28))} ${pad(r % 24)}:${pad(s % 60)}:00,`
      + `person${i}@company${r % 5000}.com,"Company ${s % 20000}, Inc.",${industries[r % 6]},${countries[s % 7]},`
      + `${sources[(r >>> 8) % 6]},${1 + (s % 5000)},${r % 900000}.${pad(s % 100)},${(r >>> 4) % 40},`
      + `${(s >>> 4) % 60}.${s % 10},${(r >>> 12) % 12},${(r >>> 16) % 5 === 0 ? 'yes' : 'no'},`
      + `${(s >>> 16) % 4 === 0 ? 'true' : 'false'},${owners[(s >>> 8) % 5]},${followed ? 1 : 0},`
      + `${followed ? ((r >>> 20) % 2000 / 10).toFixed(1) : ''},${stages[(s >>> 20) % 5]},${converted ? 1 : 0},`
      + `${converted ? 1000 + ((s >>> 12) % 90000) : ''}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}

const rule = (label, column, points, test) => ({
  label, group: 'fit', proposed_by: 'both', points, enabled: true, rule: { column, ...test },
});
const anyOf = (...values) => ({ op: 'any_of', values });
/** Twenty criteria on the export's columns, as a criteria file lists them. */
export const TWENTY_CRITERIA = [
  rule('Demo', 'Demo requested', 30, { op: 'is_true' }),
  rule('Webinar', 'Webinar attended', 10, { op: 'is_true' }),
  rule('Software', 'Industry', 15, anyOf('Software')),
  rule('Finance', 'Industry', 10, anyOf('Financial services')),
  rule('Retail', 'Industry', -5, anyOf('Retail')),
  rule('US', 'Country', 5, anyOf('United States')),
  rule('Emerging', 'Country', -5, anyOf('Brazil', 'India')),
  rule('Referral', 'Lead source', 15, anyOf('Referral')),
  rule('Purchased', 'Lead source', -15, anyOf('Purchased list')),
  rule('Webinar source', 'Lead source', 10, anyOf('Webinar')),
  rule('Big', 'Employees', 10, { op: 'gte', value: 1000 }),
  rule('Tiny', 'Employees', -10, { op: 'lte', value: 10 }),
  rule('Revenue', 'Annual revenue', 5, { op: 'between', min: 100000, max: 900000 }),
  { ...rule('Views', 'Page views', 0, { op: 'per_unit', points_per_unit: 2, max_points: 20 }) },
  rule('Time', 'Time on site (min)', 5, { op: 'gte', value: 20 }),
  rule('Clicks', 'Email clicks', 10, { op: 'gte', value: 3 }),
  rule('No clicks', 'Email clicks', -5, { op: 'lte', value: 0 }),
  rule('Recent', 'Created', 5, { op: 'within_days', days: 90 }),
  rule('Company', 'Company', 2, { op: 'contains', value: '1' }),
  rule('MQL+', 'Lifecycle stage', 5, anyOf('MQL', 'SQL')),
];

/**
 * Times, in the page, from an input event to the painted key figure: the
 * first task after the next frame, queued at top priority so that work the
 * app deferred until after the paint (the lead table's lists) is not
 * counted. Returns that time; with `settled`, also the time until the lead
 * table has caught up, as `{ painted, settled }`.
 */
export const timeEdit = (page, selector, nth, value, { settled = false } = {}) => page.evaluate(async ([sel, n, v, untilSettled]) => {
  const input = document.querySelectorAll(sel)[n];
  const figure = document.querySelector('[data-testid=kpi-sales-ready]');
  const before = figure.getAttribute('data-value');
  const begun = performance.now();
  input.value = String(v);
  input.dispatchEvent(new InputEvent('input', { bubbles: true }));
  const changed = await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (figure.getAttribute('data-value') !== before) { observer.disconnect(); resolve(true); }
    });
    observer.observe(figure, { attributes: true });
    setTimeout(() => { observer.disconnect(); resolve(false); }, 10_000);
  });
  const afterFrame = (resolve) => requestAnimationFrame(() => (globalThis.scheduler?.postTask
    ? scheduler.postTask(resolve, { priority: 'user-blocking' })
    : setTimeout(resolve, 0)));
  await new Promise(afterFrame);
  const painted = changed ? performance.now() - begun : Number.NaN;
  if (!untilSettled) return painted;
  const table = () => document.querySelector('[data-testid=lead-table]');
  while (table()?.getAttribute('data-updating') === 'true') await new Promise((resolve) => setTimeout(resolve, 1));
  await new Promise(afterFrame);
  return { painted, settled: changed ? performance.now() - begun : Number.NaN };
}, [selector, nth, value, settled]);

/** The median and worst of edit times, as a line. */
export const summary = (times) => {
  const sorted = times.filter(Number.isFinite).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(0)} ms, worst ${sorted[sorted.length - 1].toFixed(0)} ms (${sorted.length} edits)`;
};

/**
 * Times loads in the page, as the references are timed: from the file
 * input's change to the first task after the frame that painted the
 * mapping step (or a pattern table's step), and from the confirm click to
 * the one after the frame that painted the new key figures. (Waiting in
 * Playwright polls at intervals of up to half a second, which is not the
 * app's time.) Install with `page.addInitScript(LOAD_TIMING)`.
 */
export function LOAD_TIMING() {
  const afterPaint = (then) => requestAnimationFrame(() => (globalThis.scheduler?.postTask
    ? scheduler.postTask(then, { priority: 'user-blocking' })
    : setTimeout(then, 0)));
  const step = () => document.querySelector('[data-testid=mapping-step], [data-testid=pattern-step]');
  const leads = () => document.querySelector('[data-testid=kpi-leads]')?.getAttribute('data-value');
  window.__times = {};
  addEventListener('change', (event) => {
    if (event.target?.dataset?.testid === 'upload-input') window.__times = { chosen: performance.now() };
  }, true);
  addEventListener('click', (event) => {
    if (event.target?.closest?.('[data-testid=mapping-confirm]')) {
      Object.assign(window.__times, { confirmed: performance.now(), leadsBefore: leads() });
    }
  }, true);
  new MutationObserver(() => {
    const times = window.__times;
    if (times.chosen !== undefined && times.step === undefined && step()) {
      times.step = -1;
      afterPaint(() => { times.step = performance.now(); });
    }
    if (times.confirmed !== undefined && times.figures === undefined && !step() && leads() !== times.leadsBefore) {
      times.figures = -1;
      afterPaint(() => { times.figures = performance.now(); });
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

/** Chooses `path` in the file input; seconds to the painted step. */
export async function chooseTimed(page, path) {
  await page.setInputFiles('[data-testid=upload-input]', path);
  await page.waitForFunction(() => window.__times.step > 0, null, { timeout: 120_000 });
  return page.evaluate(() => (window.__times.step - window.__times.chosen) / 1000);
}

/** Confirms the step; seconds from the click to the painted figures. */
export async function confirmTimed(page) {
  await page.click('[data-testid=mapping-confirm]');
  await page.waitForFunction(() => window.__times.figures > 0, null, { timeout: 120_000 });
  return page.evaluate(() => (window.__times.figures - window.__times.confirmed) / 1000);
}
