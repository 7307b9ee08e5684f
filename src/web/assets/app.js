/* dukaan progressive enhancement. Every page works without this file; with it, forms marked
   data-fragment="<element id>" are sent with fetch and the server answers with that element re-rendered,
   which replaces the old one in place (the cart bill updates without a page load). */
(function () {
  'use strict';
  if (!window.fetch || !window.FormData || !window.URLSearchParams) return;

  function fallback(form, submitter) {
    // Network trouble: send the form the old way, keeping the pressed button's name/value.
    form.setAttribute('data-plain', '1');
    if (submitter && submitter.name) {
      var keep = document.createElement('input');
      keep.type = 'hidden';
      keep.name = submitter.name;
      keep.value = submitter.value;
      form.appendChild(keep);
    }
    if (submitter && submitter.hasAttribute('formaction')) form.action = submitter.formAction;
    form.submit();
  }

  // What was typed into the old fragment's other forms and not sent yet (a quantity changed, then a coupon applied)
  // stays typed in the new one: only the form that was sent shows the server's values.
  function keepTyped(old, fresh, sent) {
    var freshById = {};
    fresh.querySelectorAll('input[id]').forEach(function (input) {
      freshById[input.id] = input;
    });
    old.querySelectorAll('input[id]:not([type=hidden])').forEach(function (input) {
      if (input.form === sent || input.value === input.defaultValue) return;
      var again = freshById[input.id];
      // Only where the server did not change it meanwhile (the sent form did not touch this line).
      if (again && again.type === input.type && again.value === input.defaultValue) again.value = input.value;
    });
  }

  // Older WebViews have no event.submitter: remember the button that was pressed.
  var lastButton = null;
  document.addEventListener(
    'click',
    function (event) {
      var t = event.target;
      while (t && t.tagName !== 'BUTTON') t = t.parentElement;
      lastButton = t && t.form ? t : null;
    },
    true,
  );

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var targetId = form.getAttribute('data-fragment');
    if (!targetId || form.hasAttribute('data-plain')) return;
    var target = document.getElementById(targetId);
    if (!target) return;
    event.preventDefault();
    var submitter = event.submitter || (lastButton && lastButton.form === form ? lastButton : null);
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var action = submitter && submitter.hasAttribute('formaction') ? submitter.formAction : form.action;
    var body = new URLSearchParams();
    data.forEach(function (value, key) {
      if (typeof value === 'string') body.append(key, value);
    });
    target.classList.add('busy');
    target.setAttribute('aria-busy', 'true');
    fetch(action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'x-fragment': targetId, accept: 'text/html' },
      redirect: 'follow',
    })
      .then(function (res) {
        var go = res.headers.get('x-location');
        if (go) {
          window.location.assign(go);
          return null;
        }
        if (!res.ok && res.status !== 422 && res.status !== 409) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (text) {
        if (text === null) return;
        var holder = document.createElement('div');
        holder.innerHTML = text;
        var fresh = holder.querySelector('#' + targetId);
        if (!fresh) throw new Error('fragment missing');
        keepTyped(target, fresh, form);
        target.replaceWith(fresh);
        var focusBack = submitter && submitter.id ? document.getElementById(submitter.id) : null;
        var status = fresh.querySelector('[data-status]');
        if (focusBack) focusBack.focus();
        else if (status) status.focus();
        var count = fresh.getAttribute('data-cart-count');
        var badge = document.querySelector('[data-testid="cart-count"]');
        if (count !== null && badge) badge.textContent = count;
      })
      .catch(function () {
        target.classList.remove('busy');
        target.removeAttribute('aria-busy');
        fallback(form, submitter);
      });
  });

  // Forms that ask first (cancel order): a dialog, then the POST itself; without JS the GET shows a confirm page.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) return;
    event.preventDefault();
    if (!window.confirm(form.getAttribute('data-confirm'))) return;
    form.removeAttribute('data-confirm');
    form.method = 'post';
    form.submit();
  });

  // Checkout: the bill follows the PIN as it is typed (its delivery area's fee, or "no delivery here" next to the
  // field) and the delivery/pickup chosen, so the total shown, and sent back as expectedTotal, is the order's.
  var pin = document.querySelector('[data-delivery-check]');
  var answer = document.querySelector('[data-delivery-answer]');
  var bill = pin && pin.form && JSON.parse(pin.form.getAttribute('data-bill') || 'null');
  if (pin && answer && bill && window.Intl) {
    var form = pin.form;
    var nf = new Intl.NumberFormat(bill.locale, { style: 'currency', currency: bill.currency });
    var money = function (minor) {
      return nf.format(minor / [1, 10, 100, 1000][bill.exp]);
    };
    var feeCell = document.querySelector('[data-testid="delivery-fee"]');
    var totalCell = document.querySelector('[data-testid="total"]');
    var button = form.querySelector('[data-testid="place-order"]');
    // The delivery fee as billed (free from freeAbove); 0 for a pickup.
    var charge = function (pickup, fee) {
      return pickup || (bill.freeAbove !== null && bill.net >= bill.freeAbove) ? 0 : fee;
    };
    var rebill = function () {
      var pickup = !!form.querySelector('[name="fulfillment"][value="pickup"]:checked');
      var fee = charge(pickup, bill.fee);
      var total = bill.net + fee;
      if (feeCell) {
        feeCell.textContent = pickup ? bill.pickupFree : fee ? money(fee) : bill.free;
        feeCell.previousElementSibling.textContent = pickup
          ? bill.pickup
          : bill.pin
            ? bill.to.replace('{pin}', bill.pin)
            : bill.delivery;
      }
      if (totalCell) totalCell.textContent = money(total);
      if (form.elements.expectedTotal) form.elements.expectedTotal.value = String(total);
      if (button) button.textContent = bill.button.replace('{total}', money(total));
    };
    var check = function () {
      var v = pin.value.replace(/\s/g, '');
      answer.textContent = '';
      if (bill.pin !== null) {
        // Until the new PIN is known, the store's own fee (as the server bills a PIN it cannot place).
        bill.pin = null;
        bill.fee = bill.base;
        rebill();
      }
      if (!/^[0-9]{6}$/.test(v)) return;
      fetch(pin.getAttribute('data-delivery-check') + '?pincode=' + v, { credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (a) {
          if (!a || pin.value.replace(/\s/g, '') !== v) return;
          var fee = a.delivers && charge(false, a.fee);
          answer.textContent = a.delivers
            ? bill.yes.replace('{pin}', v).replace('{fee}', fee ? money(fee) : bill.free)
            : bill.no;
          if (!a.delivers) return;
          bill.pin = v;
          bill.fee = a.fee;
          rebill();
        })
        .catch(function () {});
    };
    pin.addEventListener('input', check);
    form.addEventListener('change', function (event) {
      if (event.target.name === 'fulfillment') rebill();
    });
    // A page restored with other values (back button, autofill before this ran): bill what the form now says.
    rebill();
    if (pin.value.replace(/\s/g, '') !== (bill.pin || '')) check();
  }

  // Photos (data-resize="1600"): a 4 MB phone photo is scaled to at most 1600 px and sent as a ~200 KB JPEG.
  // The form's buttons wait while it is made; any failure keeps the original file (the server handles it).
  document.querySelectorAll('input[type=file][data-resize]').forEach(function (input) {
    if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      var max = Number(input.getAttribute('data-resize'));
      if (!file || !/^image\//.test(file.type) || !max) return;
      var buttons = input.form ? input.form.querySelectorAll('button') : [];
      var hold = function (on) {
        buttons.forEach(function (b) {
          b.disabled = on;
        });
      };
      hold(true);
      createImageBitmap(file, { imageOrientation: 'from-image' })
        .then(function (bitmap) {
          var scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
          if (scale === 1 && file.size < 400000) return null;
          var canvas = document.createElement('canvas');
          canvas.width = Math.round(bitmap.width * scale);
          canvas.height = Math.round(bitmap.height * scale);
          canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          return new Promise(function (resolve) {
            canvas.toBlob(resolve, 'image/jpeg', 0.82);
          });
        })
        .then(function (blob) {
          if (!blob || blob.size >= file.size) return;
          var dt = new DataTransfer();
          dt.items.add(new File([blob], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' }));
          input.files = dt.files;
          input.setAttribute('data-resized', String(blob.size));
        })
        .catch(function () {})
        .then(function () {
          hold(false);
        });
    });
  });
  // The orders list (data-live="15"): new orders appear in place, the tab title says how many are new
  // ("(2) Orders"), and a short tone sounds when the count goes up. With data-events it listens to Server-Sent
  // Events and asks for itself the moment an order comes; while that stream is down it asks every 15 s.
  var live = document.querySelector('[data-live]');
  if (live && window.DOMParser) {
    var seen = Number(live.getAttribute('data-unseen')) || 0;
    var tone = function () {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      try {
        var ctx = new Ctx();
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.15;
        osc.connect(gain).connect(ctx.destination);
        osc.start();
        osc.stop(ctx.currentTime + 0.25);
      } catch (_e) {}
    };
    var busy = false;
    var again = false;
    var refresh = function () {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (res) {
          return res.ok ? res.text() : null;
        })
        .then(function (text) {
          if (!text) return;
          var doc = new DOMParser().parseFromString(text, 'text/html');
          var fresh = doc.getElementById(live.id);
          if (!fresh) return;
          var count = Number(fresh.getAttribute('data-unseen')) || 0;
          document.title = doc.title;
          if (fresh.innerHTML !== live.innerHTML && !live.contains(document.activeElement)) {
            live.replaceWith(fresh);
            live = fresh;
          }
          if (count > seen) tone();
          seen = count;
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    };
    var streaming = false;
    var events = live.getAttribute('data-events');
    if (events && window.EventSource) {
      var opened = false;
      var source = new EventSource(events);
      source.addEventListener('open', function () {
        // After a reconnect, catch up on what happened while the stream was down.
        if (opened) refresh();
        opened = streaming = true;
      });
      source.addEventListener('error', function () {
        streaming = false;
      });
      source.addEventListener('order', refresh);
      source.addEventListener('changed', refresh);
    }
    setInterval(
      function () {
        if (!streaming) refresh();
      },
      Math.min(15, Number(live.getAttribute('data-live')) || 15) * 1000,
    );
  }

  // The dashboard is an installable app: its pages link the manifest, which names the service worker (data-sw).
  var manifest = document.querySelector('link[rel=manifest][data-sw]');
  var sw = navigator.serviceWorker;
  if (manifest && sw) sw.register(manifest.getAttribute('data-sw'), { scope: '/dashboard/' }).catch(function () {});

  // "Notify me of new orders on this phone": Web Push through the service worker (shown only where it can work).
  var optin = document.getElementById('push-optin');
  if (optin && manifest && sw && window.PushManager && window.Notification) {
    var onBtn = optin.querySelector('[type=submit]');
    var offBtn = optin.querySelector('[data-push-off]');
    var said = optin.querySelector('[data-push-status]');
    var send = function (method, path, body) {
      return fetch(optin.action + path, {
        method: method,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': optin.elements._csrf.value },
        body: JSON.stringify(body),
      }).then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.status === 204 ? {} : res.json();
      });
    };
    var show = function (on, words) {
      onBtn.hidden = on;
      offBtn.hidden = !on;
      said.textContent = words ? optin.getAttribute(words) : '';
    };
    var keyBytes = function (b64) {
      var s = b64.replace(/-/g, '+').replace(/_/g, '/');
      var raw = atob(s + '==='.slice((s.length + 3) % 4));
      var out = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      return out;
    };
    var current = function () {
      return sw.ready.then(function (reg) {
        return reg.pushManager.getSubscription().then(function (sub) {
          return { reg: reg, sub: sub };
        });
      });
    };
    optin.hidden = false;
    current()
      .then(function (c) {
        return c.sub ? send('POST', '/status', { endpoint: c.sub.endpoint }) : { subscribed: false };
      })
      .then(function (a) {
        show(a.subscribed, a.subscribed ? 'data-is-on' : null);
      })
      .catch(function () {});
    optin.addEventListener('submit', function (event) {
      event.preventDefault();
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== 'granted') throw new Error(permission);
          return fetch(optin.getAttribute('data-push-key'), { credentials: 'same-origin' });
        })
        .then(function (res) {
          return res.json();
        })
        .then(function (key) {
          return current().then(function (c) {
            var options = { userVisibleOnly: true, applicationServerKey: keyBytes(key.publicKey) };
            return c.sub || c.reg.pushManager.subscribe(options);
          });
        })
        .then(function (sub) {
          return send('POST', '', sub.toJSON());
        })
        .then(function () {
          show(true, 'data-is-on');
        })
        .catch(function () {
          show(false, Notification.permission === 'denied' ? 'data-denied' : 'data-failed');
        });
    });
    offBtn.addEventListener('click', function () {
      current()
        .then(function (c) {
          return c.sub && send('DELETE', '', { endpoint: c.sub.endpoint });
        })
        .then(function () {
          show(false, 'data-is-off');
        })
        .catch(function () {});
    });
  }

  // Copy-to-clipboard buttons (UPI id): hidden until this script can make them work.
  document.querySelectorAll('[data-copy]').forEach(function (btn) {
    if (!navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener('click', function () {
      navigator.clipboard.writeText(btn.getAttribute('data-copy') || '').then(function () {
        btn.textContent = btn.getAttribute('data-copied') || btn.textContent;
      });
    });
  });
})();
