// The tablet's service worker (served as /judge/sw.js, scope /judge/): it keeps a copy of
// the tablet page and its files so that reloading without network still opens the tablet.
// Network first, so a judge always gets the newest page when the hall's Wi-Fi works; the
// copy is used only when the network fails or is too slow. Marks never pass through here:
// they live in the page's outbox (IndexedDB) and go over the socket.

const CACHE_NAME = "saiping-judge-v1";
const SLOW_NETWORK_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = url.pathname.startsWith("/judge/") && url.pathname !== "/judge/sw.js";
  const asset = url.pathname.startsWith("/static/");
  if (!page && !asset) return; // the API and the socket go straight to the network
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE_NAME);
  const network = fetch(request).then((response) => {
    // Only real pages: not a redirect to the sign-in page, not an error page.
    if (response.ok && !response.redirected && response.type === "basic") {
      cache.put(request, response.clone());
    }
    return response;
  });
  network.catch(() => {}); // answered from the copy below; nothing else waits for it
  const copy = () => cache.match(request, { ignoreVary: true, ignoreSearch: false });
  try {
    return await Promise.race([
      network,
      new Promise((resolve, reject) => {
        setTimeout(async () => {
          const hit = await copy();
          if (hit) resolve(hit);
          else network.then(resolve, reject);
        }, SLOW_NETWORK_MS);
      }),
    ]);
  } catch (error) {
    const hit = await copy();
    if (hit) return hit;
    throw error;
  }
}
