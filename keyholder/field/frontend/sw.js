// The field app's service worker: the app shell (script, style, icons) precached on the
// first visit, the shell page itself fresh from the network when there is one and from the
// cache when there is none. The API is never cached: the app keeps its data in IndexedDB.
import { precacheAndRoute, cleanupOutdatedCaches } from "workbox-precaching";
import { registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { clientsClaim } from "workbox-core";

const SHELL = "/field/";
const SHELL_CACHE = "field-shell";

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
// The server writes the list in place of this placeholder (field.views.worker).
precacheAndRoute(self.__WB_MANIFEST);

// Only a page of the app is kept, never a sign-in page the server redirected to.
const onlyTheShell = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected ? response : null,
};

registerRoute(
  ({ request, url }) =>
    url.origin === self.location.origin &&
    (request.mode === "navigate" ? url.pathname === SHELL : url.pathname === "/field/manifest.webmanifest"),
  new NetworkFirst({
    cacheName: SHELL_CACHE,
    networkTimeoutSeconds: 8,
    plugins: [onlyTheShell],
    matchOptions: { ignoreSearch: true, ignoreVary: true },
  }),
);

// The shell is kept on the first visit too, before the page ever went through the worker.
self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(async (cache) => {
      const response = await fetch(SHELL, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(SHELL, response);
    }),
  );
});
