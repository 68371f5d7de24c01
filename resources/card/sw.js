// The member card's service worker: the page and its scripts come from the cache, so the card
// opens and keeps showing a fresh code with no signal at the counter. API calls (/v1/) always
// go to the network; the page keeps the last account it read.
const CACHE = "posloyalty-card-v2";
const SHELL = ["/m/", "/m/card.js", "/m/card.css", "/m/qrcode.js", "/m/manifest.webmanifest", "/m/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/m/")) {
    return;
  }
  // Network first (a new version reaches the phone when it has signal), the cache without one.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((hit) => hit || caches.match("/m/")))
  );
});
