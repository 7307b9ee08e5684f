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

  // Delivery area: say at once whether the shop delivers to the PIN typed (before the rest of the address).
  var pin = document.querySelector('[data-delivery-check]');
  var answer = document.querySelector('[data-delivery-answer]');
  if (pin && answer) {
    pin.addEventListener('input', function () {
      var v = pin.value.replace(/\s/g, '');
      answer.textContent = '';
      if (!/^[0-9]{6}$/.test(v)) return;
      fetch(pin.getAttribute('data-delivery-check') + '?pincode=' + v, { credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (a) {
          if (a) answer.textContent = answer.getAttribute(a.delivers ? 'data-yes' : 'data-no');
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
