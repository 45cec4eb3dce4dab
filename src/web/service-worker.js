// leadlens's service worker: keeps the built app in this browser so that
// it opens and works without a network after the first visit (a workshop
// room without Wi-Fi). The page is asked for from the network first, so
// that an online visit gets the newest build; every other file (their
// names carry a content hash) comes from the cache first. Lead data never
// passes through here: files are read in the page, nothing is sent.
//
// The build fills in the files and a version made from their hashes, so
// that a new build is a new worker: it installs on the next online visit,
// takes over at once and drops the caches of builds before it.
const FILES = PRECACHE_FILES;
const VERSION = PRECACHE_VERSION;
const CACHE = `leadlens-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // Past the HTTP cache: the load worker's files keep their names
      // from build to build.
      .then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((key) => key.startsWith('leadlens-') && key !== CACHE)
        .map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

/** The page itself: the network when it answers, else the kept copy. */
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const fresh = await fetch(request);
    if (fresh.ok) {
      await cache.put('./', fresh.clone());
    }
    return fresh;
  } catch (offline) {
    const kept = (await cache.match('./')) ?? (await cache.match('index.html'));
    if (kept) {
      return kept;
    }
    throw offline;
  }
}

/** A built file: the kept copy, else the network. */
async function file(request) {
  const kept = await caches.match(request, { ignoreSearch: true });
  return kept ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(request.mode === 'navigate' ? page(request) : file(request));
});
