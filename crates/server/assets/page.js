/*
 * polsearch: optional enhancement of the server-rendered search page (GET /).
 *
 * The page works fully without this file. With it:
 *   - results update as you type: after a short pause the page URL the form would submit is
 *     fetched with `fragment=1&typing=1` added; the server answers with only the HTML of
 *     `<div class="layout">`, which replaces the current one, and the address bar is updated
 *     with history.replaceState, so the URL stays shareable (/?q=water&topic=housing);
 *   - once typing settles (a longer pause, or leaving the box) the same URL is fetched once more
 *     without `typing=1`: the server counts that one in its analytics and may add a "Did you
 *     mean" line, so each query is counted once, not per letter;
 *   - pressing Enter on a query whose results are already shown (and counted) moves focus to
 *     the results instead of loading the same page again;
 *   - on narrow screens the filters collapse behind a "Filter results" toggle button.
 * Facet, pagination and result links stay ordinary links. The fragment is the server's own
 * markup for this page; it is parsed with DOMParser (scripts in it never run) and only its
 * .layout element is taken.
 */
(() => {
  'use strict';

  const DEBOUNCE_MS = 250;
  const SETTLE_MS = 1000;
  const narrow = window.matchMedia ? window.matchMedia('(max-width: 47.99rem)') : null;
  let filtersOpen = false;

  /** Collapse the filters behind a toggle on narrow screens; undo it on wide ones. */
  function enhanceFacets() {
    const facets = document.querySelector('.layout .facets');
    const title = facets && facets.querySelector('.facets-title');
    if (!title) return;
    let button = title.querySelector('.facets-toggle');
    if (narrow && narrow.matches) {
      if (!button) {
        const label = title.textContent.trim() || 'Filter results';
        const active = facets.querySelectorAll('.facet-value[aria-current="true"], .facet-value.selected').length;
        button = document.createElement('button');
        button.type = 'button';
        button.className = 'facets-toggle';
        button.textContent = active ? `${label} (${active} active)` : label;
        title.dataset.label = label;
        title.replaceChildren(button);
        button.addEventListener('click', () => {
          filtersOpen = !filtersOpen;
          facets.classList.toggle('is-collapsed', !filtersOpen);
          button.setAttribute('aria-expanded', String(filtersOpen));
        });
      }
      facets.classList.add('has-toggle');
      facets.classList.toggle('is-collapsed', !filtersOpen);
      button.setAttribute('aria-expanded', String(filtersOpen));
    } else if (button) {
      title.textContent = title.dataset.label || button.textContent;
      facets.classList.remove('has-toggle', 'is-collapsed');
    }
  }

  enhanceFacets();
  if (narrow) {
    if (narrow.addEventListener) narrow.addEventListener('change', enhanceFacets);
    else if (narrow.addListener) narrow.addListener(enhanceFacets);
  }

  const form = document.querySelector('form.search-form');
  const input = form && form.querySelector('#q');
  if (!input || !window.fetch || !window.DOMParser || !window.URLSearchParams || !history.replaceState) return;

  // "water — Policy Library" → "Policy Library"
  const baseTitle = (() => {
    const t = document.title;
    const i = t.lastIndexOf(' — ');
    return i >= 0 ? t.slice(i + 3) : t;
  })();

  // A live region that outlives the swapped .layout, so result counts are announced.
  const live = document.createElement('div');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  (document.querySelector('main') || document.body).append(live);

  let timer = 0;
  let settleTimer = 0;
  let seq = 0;
  let ctrl = null;
  let shownHtml = '';

  /** The page URL the form would submit right now, without empty values. */
  function pageUrl() {
    const url = new URL(form.getAttribute('action') || location.pathname, location.href);
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) {
      if (typeof v === 'string' && v.trim() !== '') params.append(k, k === 'q' ? v.trim() : v);
    }
    url.search = params.toString();
    url.hash = '';
    return url.href;
  }

  // The page as loaded is on screen, and the server counted it when it rendered it.
  let shown = pageUrl();
  let recorded = shown;

  function swapIn(html, href) {
    const fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('.layout');
    const current = document.querySelector('.layout');
    if (!fresh || !current) return false;
    current.replaceWith(document.adoptNode(fresh));
    shown = href;
    shownHtml = html;
    const target = new URL(href);
    history.replaceState(history.state, '', target.pathname + target.search);
    const q = target.searchParams.get('q');
    document.title = q ? `${q} — ${baseTitle}` : baseTitle;
    enhanceFacets();
    const status = fresh.querySelector('.result-count, .no-results p');
    live.textContent = status ? status.textContent.replace(/\s+/g, ' ').trim() : '';
    return true;
  }

  async function fetchLayout(href, typing, signal) {
    const url = new URL(href);
    url.searchParams.set('fragment', '1');
    if (typing) url.searchParams.set('typing', '1');
    const res = await fetch(url.href, { signal, credentials: 'same-origin', headers: { Accept: 'text/html' } });
    return res.ok ? res.text() : null;
  }

  /** Per-keystroke update: marked typing=1, not counted by the server. */
  async function update() {
    const href = pageUrl();
    if (href === shown) return;
    const my = ++seq;
    if (ctrl) ctrl.abort();
    const c = (ctrl = window.AbortController ? new AbortController() : null);
    const layout = document.querySelector('.layout');
    if (layout) layout.setAttribute('aria-busy', 'true');
    try {
      const html = await fetchLayout(href, true, c ? c.signal : undefined);
      if (html == null || my !== seq) return;
      if (swapIn(html, href)) {
        clearTimeout(settleTimer);
        settleTimer = setTimeout(settle, SETTLE_MS);
      }
    } catch {
      // Offline or aborted: the form still works the ordinary way.
    } finally {
      if (my === seq) {
        const l = document.querySelector('.layout');
        if (l) l.removeAttribute('aria-busy');
      }
    }
  }

  /** Typing has settled: ask once more without typing=1, so the query is counted once. */
  async function settle() {
    clearTimeout(settleTimer);
    const href = pageUrl();
    if (href !== shown || href === recorded) return;
    recorded = href;
    const my = seq;
    try {
      const html = await fetchLayout(href, false);
      // Swap only if nothing moved meanwhile and the answer adds something (a "Did you mean").
      const focusInLayout = document.activeElement && document.activeElement.closest('.layout');
      if (html != null && my === seq && pageUrl() === href && html !== shownHtml && !focusInLayout) swapIn(html, href);
    } catch {
      // Counting is best effort.
    }
  }

  input.addEventListener('input', (e) => {
    if (e.isComposing) return;
    clearTimeout(timer);
    clearTimeout(settleTimer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  input.addEventListener('compositionend', () => {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  input.addEventListener('blur', () => {
    if (pageUrl() === shown && shown !== recorded) settle();
  });
  form.addEventListener('submit', (e) => {
    clearTimeout(timer);
    clearTimeout(settleTimer);
    const href = pageUrl();
    if (href === shown && href === recorded) {
      // These results are on screen and counted already: go to them instead of reloading.
      e.preventDefault();
      const results = document.getElementById('results');
      if (results) results.focus();
      return;
    }
    seq += 1; // a full page load is coming; ignore any fragment still in flight
  });
})();
