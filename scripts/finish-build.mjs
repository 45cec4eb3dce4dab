// Trunk post-build hook: pins the inline loader script in the
// Content-Security-Policy by its SHA-256 hash, writes the list of built
// files (and a version made of their contents) into the service worker,
// and reports the size of the WebAssembly module, raw and gzipped.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const PLACEHOLDER = 'INLINE-SCRIPT-HASHES';
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('finish-build: TRUNK_STAGING_DIR is not set; run through trunk');
  process.exit(1);
}

const indexPath = join(staging, 'index.html');
let html = readFileSync(indexPath, 'utf8');
if (!html.includes(PLACEHOLDER)) {
  console.error(`finish-build: ${PLACEHOLDER} is missing from the CSP in index.html`);
  process.exit(1);
}
const hashes = [];
for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  const digest = createHash('sha256').update(match[1], 'utf8').digest('base64');
  hashes.push(`'sha256-${digest}'`);
}
html = html.replace(PLACEHOLDER, hashes.join(' '));
writeFileSync(indexPath, html);

// The service worker keeps every built file; its version changes with
// any file's contents, so a new build installs as a new worker.
const workerPath = join(staging, 'service-worker.js');
const built = readdirSync(staging).filter((f) => f !== 'service-worker.js').sort();
const version = createHash('sha256');
for (const name of built) {
  version.update(name).update(readFileSync(join(staging, name)));
}
const worker = readFileSync(workerPath, 'utf8')
  .replace('PRECACHE_FILES', JSON.stringify(['./', ...built]))
  .replace('PRECACHE_VERSION', JSON.stringify(version.digest('hex').slice(0, 16)));
if (worker.includes('PRECACHE_')) {
  console.error('finish-build: the service worker still has a placeholder');
  process.exit(1);
}
writeFileSync(workerPath, worker);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const file of readdirSync(staging).filter((f) => f.endsWith('.wasm'))) {
  const bytes = readFileSync(join(staging, file));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  console.log(`wasm size: ${file}: ${kib(bytes.length)} raw, ${kib(gzipped)} gzipped`);
}
