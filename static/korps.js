/*
 * Korps: starts the Det Fælles Designsystem (dkfds) components.
 *
 * The dkfds bundle (dkfds/js/dkfds.min.js, loaded before this file) is a UMD build that
 * sets `window.DKFDS`; `DKFDS.init()` wires up every component in the document
 * (accordions, alerts with close buttons, dropdowns, the mobile menu, tabs, tooltips,
 * error summary, ...). It does not start itself.
 *
 * Load both files with `defer` (no inline script anywhere: the CSP forbids it):
 *   <script src="{{ url("dkfds/js/dkfds.min.js") }}" defer></script>
 *   <script src="{{ url("korps.js") }}" defer></script>
 *
 * Pages work without JavaScript; if anything here fails, the page stays usable.
 */
(function () {
  'use strict';

  var started = false;

  function start() {
    if (started) {
      return;
    }
    started = true;
    try {
      if (window.DKFDS && typeof window.DKFDS.init === 'function') {
        window.DKFDS.init();
      }
    } catch (err) {
      if (window.console && typeof window.console.warn === 'function') {
        window.console.warn('Korps: DKFDS.init() failed', err);
      }
    }
    try {
      printButtons();
      copyButtons();
    } catch (err) {
      if (window.console && typeof window.console.warn === 'function') {
        window.console.warn('Korps: the print buttons failed', err);
      }
    }
    try {
      sessionTimeout();
    } catch (err) {
      if (window.console && typeof window.console.warn === 'function') {
        window.console.warn('Korps: the session warning failed', err);
      }
    }
  }

  /*
   * Buttons marked data-korps-print print the page (the access log, the data extract);
   * the print stylesheet leaves the menus, filters and buttons out.
   */
  function printButtons() {
    var buttons = document.querySelectorAll('[data-korps-print]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function () {
        window.print();
      });
    }
  }

  /*
   * Buttons marked data-korps-copy="<input id>" copy that input's value (a token shown
   * once) and say so in the status next to them. Without a script the input is still
   * there to select and copy.
   */
  function copyButtons() {
    var buttons = document.querySelectorAll('[data-korps-copy]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function (event) {
        var button = event.currentTarget;
        var input = document.getElementById(button.getAttribute('data-korps-copy'));
        var status = button.parentNode.querySelector('.korps-copy-status');
        if (!input) {
          return;
        }
        input.select();
        var said = function () {
          if (status) {
            status.textContent = button.getAttribute('data-korps-copied');
          }
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(input.value).then(said, function () {});
        } else if (document.execCommand && document.execCommand('copy')) {
          said();
        }
      });
    }
  }

  /*
   * The warning before a signed-in session ends (WCAG 2.2.1), on pages that carry the
   * modal #korps-session-timeout (templates/session_timeout.html). The server says how
   * many seconds the session has left; two minutes before the end the modal opens and
   * counts down. "Forbliv logget ind" posts to the server, which starts the idle time
   * again; the page is not reloaded, so what the user typed stays. When the time has run
   * out the modal says so and the page's forms are held back (posting them would only
   * fail); logging in again in another window lets them be sent after all.
   *
   * Tabs of one browser share the clock through localStorage: activity in one tab keeps
   * the others from warning, and a new login in one tab hands the others its CSRF token.
   */
  function sessionTimeout() {
    var modal = document.getElementById('korps-session-timeout');
    if (!modal || !window.DKFDS || typeof window.DKFDS.Modal !== 'function') {
      return;
    }
    var dialog = new window.DKFDS.Modal(modal);
    var data = modal.dataset;
    var user = data.user;
    var warnMs = Number(data.warnBefore) * 1000;
    var idleMs = Number(data.idleTimeout) * 1000;
    var loaded = Date.now();
    var clock = {
      idleEnd: loaded + Number(data.idleLeft) * 1000,
      absoluteEnd: loaded + Number(data.absoluteLeft) * 1000
    };
    var KEY = 'korps.session';
    var state = null;
    var dismissed = false;
    var returnFocus = null;

    function token() {
      var field = modal.querySelector('input[name="csrf_token"]');
      return field ? field.value : '';
    }

    function stored() {
      try {
        var value = JSON.parse(window.localStorage.getItem(KEY));
        return value && value.user === user ? value : null;
      } catch (err) {
        return null;
      }
    }

    function share() {
      try {
        window.localStorage.setItem(KEY, JSON.stringify({
          user: user,
          idleEnd: clock.idleEnd,
          absoluteEnd: clock.absoluteEnd,
          token: token()
        }));
      } catch (err) {
        // No storage (private mode): each tab keeps its own clock.
      }
    }

    /* Another tab was active later, or logged in again: its clock (and token) count. */
    function adopt(value, withToken) {
      clock.idleEnd = Math.max(clock.idleEnd, value.idleEnd || 0);
      clock.absoluteEnd = Math.max(clock.absoluteEnd, value.absoluteEnd || 0);
      if (withToken && value.token && value.token !== token()) {
        var fields = document.querySelectorAll('input[name="csrf_token"]');
        for (var i = 0; i < fields.length; i++) {
          fields[i].value = value.token;
        }
      }
    }

    function duration(ms) {
      var seconds = Math.max(1, Math.ceil(ms / 1000));
      if (seconds > 90) {
        var minutes = Math.ceil(seconds / 60);
        return minutes === 1 ? data.oneMinute : data.minutes.replace('{}', String(minutes));
      }
      return seconds === 1 ? data.oneSecond : data.seconds.replace('{}', String(seconds));
    }

    function isOpen() {
      return modal.getAttribute('aria-hidden') === 'false';
    }

    function open() {
      if (!isOpen()) {
        returnFocus = document.activeElement;
        dialog.show();
      }
    }

    function close() {
      if (isOpen()) {
        dialog.hide();
        if (returnFocus && typeof returnFocus.focus === 'function' && document.contains(returnFocus)) {
          returnFocus.focus();
        }
      }
    }

    function enter(next) {
      state = next;
      dismissed = false;
      var parts = modal.querySelectorAll('[data-session-state]');
      for (var i = 0; i < parts.length; i++) {
        var states = parts[i].getAttribute('data-session-state').split(' ');
        parts[i].hidden = states.indexOf(next) < 0;
      }
      if (next === null) {
        close();
      } else if (isOpen()) {
        // The text changed under the user's eyes: read the new heading out.
        var title = modal.querySelector('.modal-title');
        if (title) {
          title.focus();
        }
      } else {
        open();
      }
    }

    function tick() {
      var left = Math.min(clock.idleEnd, clock.absoluteEnd) - Date.now();
      var next = null;
      if (left <= 0) {
        next = 'ended';
      } else if (left <= warnMs) {
        next = clock.absoluteEnd <= clock.idleEnd ? 'absolute' : 'idle';
      }
      if (next !== state) {
        enter(next);
      }
      if (next === 'idle' || next === 'absolute') {
        var texts = modal.querySelectorAll('.js-session-left');
        for (var i = 0; i < texts.length; i++) {
          texts[i].textContent = texts[i].getAttribute('data-text').replace('{}', duration(left));
        }
      }
    }

    function stay() {
      var body = new URLSearchParams();
      body.append('csrf_token', token());
      window.fetch(data.stayUrl, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        redirect: 'manual'
      }).then(function (response) {
        if (response.status === 204) {
          clock.idleEnd = Date.now() + idleMs;
          share();
        } else {
          // The session had already ended on the server.
          clock.idleEnd = Date.now() - 1;
        }
        tick();
      }, function () {
        // No connection: the warning stays, and the button can be pressed again.
      });
    }

    var saved = stored();
    if (saved) {
      adopt(saved, false);
    }
    share();

    modal.querySelector('.js-session-stay').addEventListener('click', stay);
    modal.querySelector('.js-session-close').addEventListener('click', function () {
      dismissed = true;
      close();
    });
    window.addEventListener('storage', function (event) {
      if (event.key !== KEY) {
        return;
      }
      var value = stored();
      if (value) {
        adopt(value, true);
        tick();
      }
    });
    // Forms posted after the end would fail and lose what was typed: hold them back.
    document.addEventListener('submit', function (event) {
      var form = event.target;
      var post = form && (form.getAttribute('method') || '').toLowerCase() === 'post';
      if (state === 'ended' && post && form.getAttribute('action') !== '/logout') {
        event.preventDefault();
        if (dismissed) {
          dismissed = false;
          open();
        }
      }
    }, true);
    // Timers are late in background tabs and after sleep; the clock decides, not the timer.
    window.setInterval(tick, 1000);
    document.addEventListener('visibilitychange', tick);
    tick();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
