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
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
