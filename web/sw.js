// Service worker: keeps the page and the wasm scanner in the browser's cache
// so the page works offline after the first visit.
//
// Strategy: network first, cache as the fallback. Online, every load gets
// the current files (a scanner with stale knowledge is worse than none);
// offline, the cached copy answers. Only this origin's GET requests are
// handled; the page makes no other requests (its CSP forbids them).
const CACHE = 'log4j-scanner-v1';
const FILES = [
  './', 'index.html', 'style.css', 'app.js', 'worker.js', 'export.js', 'cves.js',
  'pkg/scanner_wasm.js', 'pkg/scanner_wasm_bg.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload` skips the HTTP cache, so what is stored is what the server
    // has now.
    await cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    // Take over the page that registered us, so it is covered offline
    // without a second load.
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    } catch (e) {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw e;
    }
  })());
});
