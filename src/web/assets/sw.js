/* dukaan dashboard service worker (scope /dashboard/). The server writes SHELL (the hashed CSS and JS, the icons,
   the offline page), OFFLINE, ICON and VERSION above this line (src/web/dashboard/pwa.ts).
   It keeps the shell for slow and lost connections and shows the offline page when a page cannot be loaded. It
   never stores a dashboard page, an order or any answer that needs the session: only the files in SHELL, and the
   offline page fetched without cookies. */
/* global SHELL, OFFLINE, ICON, VERSION */
'use strict';
var CACHE = 'dukaan-shell-' + VERSION;

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        return Promise.all(
          SHELL.map(function (url) {
            return fetch(new Request(url, { credentials: 'omit', cache: 'reload' })).then(function (res) {
              if (!res.ok) throw new Error(url + ': ' + res.status);
              return cache.put(url, res);
            });
          }),
        );
      })
      .then(function () {
        return self.skipWaiting();
      }),
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf('dukaan-shell-') === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            }),
        );
      })
      .then(function () {
        return self.clients.claim();
      }),
  );
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Pages always come from the network (they are private and live); only a failure shows the offline page.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.match(OFFLINE).then(function (page) {
          return page || Response.error();
        });
      }),
    );
    return;
  }
  if (SHELL.indexOf(url.pathname) === -1) return;
  event.respondWith(
    caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }),
  );
});

// A new order (src/notify/push.ts): { title, body, url, tag }.
self.addEventListener('push', function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_e) {
    data = { title: event.data ? event.data.text() : 'dukaan' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'dukaan', {
      body: data.body || '',
      tag: data.tag,
      renotify: true,
      icon: ICON,
      badge: ICON,
      data: { url: data.url || '/dashboard/' },
    }),
  );
});

// A tap opens the order: in a dashboard window already open, else in a new one.
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || '/dashboard/', self.location.origin)
    .href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        var w = windows[i];
        if (w.url.indexOf(self.location.origin + '/dashboard') === 0 && 'focus' in w) {
          // navigate() only works on a window this worker controls; otherwise a new window opens the order.
          return w
            .focus()
            .then(function (focused) {
              return focused.navigate(target);
            })
            .catch(function () {
              return self.clients.openWindow(target);
            });
        }
      }
      return self.clients.openWindow(target);
    }),
  );
});
