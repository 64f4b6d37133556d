/*
 * polsearch widget: the Policy Library search box that any site can embed with one tag.
 *
 *   <script src="https://search.example.org/widget.js" data-target="#search" async></script>
 *
 *   data-target       CSS selector of the element to mount into; without it (or when nothing
 *                     matches) a new element is inserted right after this script tag
 *   data-placeholder  placeholder text of the search box
 *   data-limit        how many results to show (1-20, default 5)
 *
 * What this file owns: finding the polsearch server it was loaded from, mounting a search box in
 * a Shadow DOM (so host CSS and widget CSS never meet), asking that server's /api/search as the
 * visitor types (and /api/suggest when nothing matches), and rendering results, topic chips and a
 * link to the full results page. It talks to no other origin, defines no globals and needs no
 * build step.
 *
 * Analytics: requests sent while the visitor types carry typing=1, which the server does not
 * record; once typing settles (a pause, leaving the box, or opening a result) the same search is
 * sent once more without it, so each query is counted once. That request may also bring a
 * did_you_mean correction, offered when nothing matched.
 *
 * Safety rule: every string from the server is inserted as text. Snippets are the one exception:
 * they may contain <mark> and </mark>, so they are split on exactly those two tags and every piece
 * goes in as a text node (entities decoded by a small table), never through innerHTML.
 *
 * Theming: the host page may set --polsearch-accent, --polsearch-font, --polsearch-text and
 * --polsearch-bg on the target element; they inherit into the shadow root.
 */
(() => {
  'use strict';

  // document.currentScript is only set while this file first runs, so capture it now.
  const script =
    document.currentScript ||
    [...document.getElementsByTagName('script')]
      .reverse()
      .find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src));
  if (!script || !script.src) return;

  let origin;
  try {
    origin = new URL(script.src, location.href).origin;
  } catch {
    return;
  }

  const opts = script.dataset;
  const limit = Math.min(20, Math.max(1, parseInt(opts.limit, 10) || 5));
  const DEBOUNCE_MS = 150; // pause in typing before results are fetched
  const SETTLE_MS = 1000; // pause after which the query counts as asked (see settle below)
  const TIMEOUT_MS = 10000;

  const STYLE = `
/* The host element: reset, but stay in the page flow even if host CSS positions every div. */
:host{all:initial;display:block;position:relative!important;z-index:auto;float:none;visibility:visible}
:host([hidden]){display:none}
.ps{all:initial;display:block;box-sizing:border-box;position:relative;max-width:100%;
  font:400 16px/1.45 var(--polsearch-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);
  color:var(--polsearch-text,#1f2328);text-align:left;-webkit-text-size-adjust:100%;
  --ac:var(--polsearch-accent,#0b5cad);--bg:var(--polsearch-bg,#fff)}
.ps *,.ps *::before,.ps *::after{box-sizing:border-box}
.vh{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
form{display:flex;margin:0;gap:0}
input{flex:1 1 auto;min-width:0;margin:0;font:inherit;font-size:16px;line-height:24px;color:inherit;
  background:var(--bg);border:1px solid #6b7785;border-right:0;border-radius:8px 0 0 8px;padding:9px 12px;
  -webkit-appearance:none;appearance:none}
input::placeholder{color:#5f6b78;opacity:1}
input::-webkit-search-decoration{-webkit-appearance:none}
button{font:inherit;cursor:pointer}
.go{flex:0 0 auto;display:flex;align-items:center;justify-content:center;width:48px;margin:0;padding:0;
  border:1px solid var(--ac);border-radius:0 8px 8px 0;background:var(--ac);color:#fff}
.go svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2.4;stroke-linecap:round}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--ac);outline-offset:2px}
input:focus-visible{position:relative;z-index:1}
.go:focus-visible{outline-color:#1f2328}
.panel{margin-top:6px;background:var(--bg);border:1px solid #d0d7de;border-radius:10px;
  box-shadow:0 6px 20px rgba(31,35,40,.12);overflow:hidden}
.panel[hidden]{display:none}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:10px 12px 8px;border-bottom:1px solid #eaeef2}
.chips[hidden],.msg[hidden],.foot[hidden],.head[hidden]{display:none}
.chip{display:inline-flex;align-items:center;gap:6px;margin:0;padding:3px 10px;font-size:14px;line-height:20px;
  color:#1f2328;background:#f6f8fa;border:1px solid #b8c1cb;border-radius:999px}
.chip:hover{border-color:var(--ac)}
.chip[aria-pressed="true"]{color:#fff;background:var(--ac);border-color:var(--ac)}
.chip[aria-pressed="true"]::before{content:"\\2713";font-size:12px}
.n{font-size:12px;font-variant-numeric:tabular-nums;padding:0 6px;border-radius:999px;background:#e3e8ee;color:#1f2328}
.chip[aria-pressed="true"] .n{background:rgba(0,0,0,.25);color:#fff}
.head{margin:0;padding:10px 12px 8px;font-size:13px;color:#57606a}
ul{list-style:none;margin:0;padding:0}
.opt{display:block;margin:0;padding:10px 12px;border-top:1px solid #eaeef2;cursor:pointer}
.opt:first-child{border-top:0}
.opt:hover{background:#f6f8fa}
.opt[aria-selected="true"]{background:#eaf2fc;box-shadow:inset 3px 0 0 var(--ac)}
.t{display:block;font-size:16px;line-height:22px;font-weight:600;color:var(--ac);text-decoration:none;overflow-wrap:anywhere}
.opt:hover .t,.opt[aria-selected="true"] .t{text-decoration:underline}
.m{display:block;margin-top:2px;font-size:13px;line-height:18px;color:#57606a}
.s{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden;margin:4px 0 0;
  font-size:14px;line-height:20px;color:#30363d;overflow-wrap:anywhere}
mark{background:#fff0a6;color:inherit;padding:0 1px;border-radius:2px}
.sg{font-size:15px;color:#1f2328}
.msg{margin:0;padding:12px;font-size:14px;color:#30363d}
.foot{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:6px 12px;
  padding:8px 12px;border-top:1px solid #eaeef2;background:#f6f8fa;font-size:13px;color:#57606a}
.all{font-size:14px;font-weight:600;color:var(--ac);text-decoration:underline}
@media (forced-colors:active){.opt[aria-selected="true"]{outline:2px solid Highlight}}
`;

  // The five entities the server's HTML escaping produces, plus numeric references.
  const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };
  const decode = (s) =>
    s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (all, e) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? all;
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff) ? String.fromCodePoint(n) : '\ufffd';
    });

  /** A tiny element builder: strings become text nodes, attributes are set verbatim. */
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    el.append(...kids.flat().filter((k) => k != null && k !== ''));
    return el;
  };

  /** Snippet markup to nodes: only <mark>…</mark> becomes an element, the rest is text. */
  const snippetNodes = (s) => {
    const out = [];
    let mark = null;
    for (const piece of String(s).split(/(<mark>|<\/mark>)/)) {
      if (piece === '<mark>') mark = mark || h('mark');
      else if (piece === '</mark>') {
        if (mark) out.push(mark);
        mark = null;
      } else if (piece) (mark || { append: (t) => out.push(t) }).append(decode(piece));
    }
    if (mark) out.push(mark);
    return out;
  };

  const str = (v) => (typeof v === 'string' ? v : v == null ? '' : String(v));
  const humanize = (slug) => {
    const s = str(slug).split('/').pop().replace(/[-_]+/g, ' ').trim();
    return s ? s[0].toUpperCase() + s.slice(1) : '';
  };

  /** An absolute http(s) link on the server (relative links) or on the web; never javascript:. */
  const safeUrl = (u) => {
    if (!u) return null;
    try {
      const url = new URL(str(u), origin + '/');
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  };

  let instances = 0;

  function mount(target) {
    if (target.shadowRoot) return; // mounted already (the tag was included twice)
    let root;
    try {
      root = target.attachShadow({ mode: 'open' });
    } catch {
      // Elements such as <ul> or <input> cannot host a shadow root: mount inside a child.
      const box = target.appendChild(document.createElement('div'));
      root = box.attachShadow({ mode: 'open' });
    }
    const n = instances++;
    const id = (name) => `ps${n}-${name}`;

    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function') {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } catch {
        root.append(h('style', null, STYLE));
      }
    } else root.append(h('style', null, STYLE));

    const input = h('input', {
      id: id('q'),
      type: 'search',
      name: 'q',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': id('list'),
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      enterkeyhint: 'search',
      placeholder: opts.placeholder || 'Search guides, briefs and reports',
    });
    const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', 'M10.5 4a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM15.5 15.5 20 20');
    icon.append(path);
    const hidden = h('div'); // hidden topic inputs, so submitting keeps the filters
    const form = h(
      'form',
      { role: 'search', action: origin + '/', method: 'get', 'aria-label': 'Policy Library' },
      h('label', { for: id('q'), class: 'vh' }, 'Search the policy library'),
      input,
      h('button', { class: 'go', type: 'submit' }, icon, h('span', { class: 'vh' }, 'See all results')),
      hidden,
    );
    const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by topic', hidden: true });
    const head = h('p', { class: 'head', id: id('head'), hidden: true });
    const list = h('ul', { id: id('list'), role: 'listbox', 'aria-label': 'Search results' });
    const msg = h('p', { class: 'msg', hidden: true });
    const count = h('span');
    const all = h('a', { class: 'all' });
    const foot = h('div', { class: 'foot', hidden: true }, count, all);
    const panel = h('div', { class: 'panel', hidden: true }, chips, head, list, msg, foot);
    const live = h('div', { class: 'vh', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const wrap = h('div', { class: 'ps' }, form, panel, live);
    root.append(wrap);

    const topics = new Set(); // selected topic slugs
    let options = []; // [{el, go()}] in listbox order
    let active = -1;
    let seq = 0;
    let timer = 0;
    let ctrl = null;
    let hasContent = false;
    let refocusChip = null;
    let settleTimer = 0;
    let shownKey = ''; // the search whose results are on screen
    let recorded = ''; // the last search sent without typing=1
    let noMatch = null; // {q, data, suggestions} while the screen shows "no documents match"

    const fullUrl = (q) => {
      const u = new URL('/', origin);
      if (q) u.searchParams.set('q', q);
      for (const t of topics) u.searchParams.append('topic', t);
      return u.href;
    };

    const setOpen = (open) => {
      open = open && hasContent;
      panel.hidden = !open;
      input.setAttribute('aria-expanded', String(open && options.length > 0));
      if (!open) setActive(-1);
    };

    const setActive = (i) => {
      if (options[active]) options[active].el.setAttribute('aria-selected', 'false');
      active = i;
      const o = options[i];
      if (o) {
        o.el.setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', o.el.id);
        o.el.scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    };

    const syncHidden = () => {
      hidden.replaceChildren(...[...topics].map((t) => h('input', { type: 'hidden', name: 'topic', value: t })));
    };

    const say = (text) => {
      // Rewrite the live region a beat later so screen readers announce repeated texts too.
      live.textContent = '';
      setTimeout(() => (live.textContent = text), 50);
    };

    const keyOf = (q) => [q, ...[...topics].sort()].join('\n');

    const searchParams = (q, typing) => {
      const params = [['q', q], ['limit', String(limit)], ...[...topics].map((t) => ['topic', t])];
      if (typing) params.push(['typing', '1']);
      return params;
    };

    const apiUrl = (pathname, params) => {
      const url = new URL(pathname, origin);
      for (const [k, v] of params) url.searchParams.append(k, v);
      return url.href;
    };

    const clear = () => {
      clearTimeout(settleTimer);
      shownKey = '';
      noMatch = null;
      seq += 1;
      if (ctrl) ctrl.abort();
      options = [];
      list.replaceChildren();
      chips.hidden = head.hidden = msg.hidden = foot.hidden = true;
      hasContent = false;
      setOpen(false);
    };

    const showMessage = (text) => {
      options = [];
      list.replaceChildren();
      head.hidden = foot.hidden = true;
      msg.textContent = text;
      msg.hidden = false;
      hasContent = true;
      setOpen(root.activeElement != null);
      say(text);
    };

    const renderChips = (facets) => {
      const values = Array.isArray(facets && facets.topic) ? facets.topic : [];
      // Top-level topics only (a subtopic adds nothing to its selected parent when OR-ed with it).
      const list = values
        .filter((f) => f && typeof f.value === 'string' && !f.value.includes('/'))
        .filter((f) => f.count > 0 || topics.has(f.value))
        .slice(0, 8);
      for (const t of topics) if (!list.some((f) => f.value === t)) list.push({ value: t, count: null });
      chips.replaceChildren(
        ...list.map((f) => {
          const on = topics.has(f.value);
          const n = Number.isFinite(f.count) ? f.count : null;
          const label = str(f.label).trim() || humanize(f.value);
          const chip = h(
            'button',
            {
              type: 'button',
              class: 'chip',
              'aria-pressed': String(on),
              'data-value': f.value,
              'aria-label': label + (n == null ? '' : `, ${n} ${n === 1 ? 'document' : 'documents'}`),
            },
            label,
            n == null ? null : h('span', { class: 'n', 'aria-hidden': 'true' }, String(n)),
          );
          chip.addEventListener('click', () => {
            if (topics.has(f.value)) topics.delete(f.value);
            else topics.add(f.value);
            syncHidden();
            refocusChip = f.value;
            run(false);
          });
          return chip;
        }),
      );
      chips.hidden = list.length === 0;
      if (refocusChip != null) {
        const again = [...chips.children].find((c) => c.dataset.value === refocusChip);
        refocusChip = null;
        (again || input).focus();
      }
    };

    const hitOption = (hit, i) => {
      const passages = Array.isArray(hit.passages) ? hit.passages : [];
      const best = passages.find((p) => p && p.url) || {};
      const href = safeUrl(best.url) || safeUrl(hit.url) || fullUrl(str(hit.title));
      const snippet = str(hit.snippet) || str(passages[0] && passages[0].snippet);
      const meta = [hit.year, humanize(hit.type), best.page ? `page ${best.page}` : str(best.heading)]
        .map(str)
        .filter(Boolean)
        .join(' · ');
      const title = str(hit.title).trim() || 'Untitled document';
      const link = h('a', { class: 't', href, tabindex: '-1', id: id(`t${i}`) }, title);
      const el = h(
        'li',
        {
          class: 'opt',
          role: 'option',
          id: id(`o${i}`),
          'aria-selected': 'false',
          'aria-labelledby': id(`t${i}`),
          'aria-describedby': [meta && id(`m${i}`), snippet && id(`s${i}`)].filter(Boolean).join(' ') || null,
        },
        link,
        meta ? h('span', { class: 'm', id: id(`m${i}`) }, meta) : null,
        snippet ? h('span', { class: 's', id: id(`s${i}`) }, snippetNodes(snippet)) : null,
      );
      return { el, hit: true, go: (newTab) => (newTab ? window.open(href, '_blank', 'noopener') : link.click()) };
    };

    const suggestionOption = (s, i) => {
      const text = str(s && s.text);
      const el = h('li', { class: 'opt sg', role: 'option', id: id(`o${i}`), 'aria-selected': 'false' }, text);
      return {
        el,
        go: () => {
          input.value = text;
          input.focus();
          run(false);
        },
      };
    };

    const render = (q, data, suggestions) => {
      const hits = Array.isArray(data.hits) ? data.hits.slice(0, limit) : [];
      const total = Number.isFinite(data.total) ? data.total : hits.length;
      active = -1;
      input.removeAttribute('aria-activedescendant');
      renderChips(data.facets);
      msg.hidden = true;
      noMatch = null;
      if (hits.length) {
        options = hits.map(hitOption);
        head.hidden = true;
        count.textContent = `${hits.length} of ${total}`;
        all.textContent = `See all ${total} ${total === 1 ? 'result' : 'results'}`;
        all.href = fullUrl(q);
        foot.hidden = false;
        say(`${total} ${total === 1 ? 'result' : 'results'}. Use the up and down arrow keys to browse.`);
      } else {
        noMatch = { q, data, suggestions };
        const seen = new Set();
        const sugg = suggestions
          .filter((s) => s && typeof s.text === 'string' && s.text.trim())
          .filter((s) => !seen.has(s.text.trim().toLowerCase()) && seen.add(s.text.trim().toLowerCase()))
          .slice(0, limit);
        options = sugg.map(suggestionOption);
        foot.hidden = true;
        head.textContent = `No documents match “${q}”.` + (sugg.length ? ' Did you mean:' : '');
        head.hidden = false;
        say(head.textContent);
      }
      list.replaceChildren(...options.map((o) => o.el));
      hasContent = true;
      setOpen(root.activeElement != null);
    };

    const api = async (pathname, params, signal) => {
      const res = await fetch(apiUrl(pathname, params), {
        signal,
        credentials: 'omit',
        headers: { Accept: 'application/json' },
      });
      let body = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      if (!res.ok || !body || typeof body !== 'object') {
        const err = new Error(`HTTP ${res.status}`);
        err.status = res.status;
        err.detail = body && typeof body.message === 'string' ? body.message : '';
        throw err;
      }
      return body;
    };

    /** Sends the search on screen once without typing=1, so the server counts it (once). */
    function settle(leaving) {
      clearTimeout(settleTimer);
      const q = input.value.trim();
      const key = keyOf(q);
      if (!q || key !== shownKey || key === recorded) return;
      recorded = key;
      const empty = noMatch;
      fetch(apiUrl('/api/search', searchParams(q, false)), {
        credentials: 'omit',
        keepalive: !!leaving,
        headers: { Accept: 'application/json' },
      })
        .then((res) => (res.ok ? res.json() : null))
        .then((data) => {
          const fix = data && typeof data.did_you_mean === 'string' ? data.did_you_mean.trim() : '';
          if (!fix || leaving || !empty || noMatch !== empty || fix.toLowerCase() === q.toLowerCase()) return;
          const was = active;
          const rest = empty.suggestions.filter((x) => str(x && x.text).trim().toLowerCase() !== fix.toLowerCase());
          render(q, empty.data, [{ text: fix, kind: 'did_you_mean' }, ...rest]);
          if (was >= 0 && !panel.hidden) setActive(Math.min(was + 1, options.length - 1));
        })
        .catch(() => {});
    }

    async function run(typing = true) {
      clearTimeout(timer);
      clearTimeout(settleTimer);
      const q = input.value.trim();
      if (!q) {
        clear();
        return;
      }
      const my = ++seq;
      if (ctrl) ctrl.abort();
      const c = (ctrl = new AbortController());
      const stop = setTimeout(() => c.abort(), TIMEOUT_MS);
      wrap.setAttribute('aria-busy', 'true');
      try {
        const data = await api('/api/search', searchParams(q, typing), c.signal);
        let suggestions = [];
        if (!Array.isArray(data.hits) || data.hits.length === 0) {
          const fix = typeof data.did_you_mean === 'string' ? data.did_you_mean.trim() : '';
          if (fix && fix.toLowerCase() !== q.toLowerCase()) suggestions.push({ text: fix, kind: 'did_you_mean' });
          try {
            const s = await api('/api/suggest', [['q', q]], c.signal);
            if (Array.isArray(s.suggestions)) suggestions.push(...s.suggestions);
          } catch {
            // Suggestions are a nicety; the "no documents match" line stands alone.
          }
        }
        if (my !== seq) return;
        render(q, data, suggestions);
        shownKey = keyOf(q);
        if (typing) settleTimer = setTimeout(() => settle(false), SETTLE_MS);
        else recorded = shownKey;
      } catch (e) {
        if (my !== seq) return;
        if (e && e.status >= 400 && e.status < 500) {
          showMessage(e.detail ? `Sorry, that search did not work: ${e.detail}` : 'Sorry, that search did not work. Try other words.');
        } else {
          showMessage('Sorry, search is not available right now. Please try again later.');
        }
      } finally {
        clearTimeout(stop);
        if (my === seq) wrap.removeAttribute('aria-busy');
      }
    }

    input.addEventListener('input', () => {
      clearTimeout(timer);
      clearTimeout(settleTimer);
      if (!input.value.trim()) clear();
      else timer = setTimeout(() => run(true), DEBOUNCE_MS);
    });

    input.addEventListener('focus', () => setOpen(true));

    input.addEventListener('keydown', (e) => {
      if (e.isComposing) return;
      const n = options.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!n) return;
        e.preventDefault();
        if (panel.hidden) setOpen(true);
        if (e.key === 'ArrowDown') setActive(active < n - 1 ? active + 1 : 0);
        else setActive(active > 0 ? active - 1 : n - 1);
      } else if (e.key === 'Enter') {
        if (options[active] && !panel.hidden) {
          e.preventDefault();
          if (options[active].hit) settle(true);
          options[active].go(e.ctrlKey || e.metaKey);
        } else if (!input.value.trim()) e.preventDefault();
        // Otherwise the form submits: the full results page, which the server counts itself.
      } else if (e.key === 'Escape') {
        if (!panel.hidden) {
          e.preventDefault();
          setOpen(false);
        } else if (input.value) {
          e.preventDefault();
          input.value = '';
          clear();
        }
      }
    });

    list.addEventListener('click', (e) => {
      const li = e.target.closest && e.target.closest('[role="option"]');
      const i = options.findIndex((o) => o.el === li);
      if (i < 0) return;
      if (options[i].hit) settle(true);
      if (e.target.closest('a')) return; // a real link click: let the browser follow it
      e.preventDefault();
      options[i].go(e.ctrlKey || e.metaKey);
    });

    // Close when the visitor moves elsewhere on the page.
    document.addEventListener('pointerdown', (e) => {
      if (!e.composedPath().includes(target)) setOpen(false);
    });
    wrap.addEventListener('focusout', (e) => {
      if (e.relatedTarget && root.contains(e.relatedTarget)) return;
      settle();
      if (e.relatedTarget) setOpen(false);
    });
    form.addEventListener('submit', (e) => {
      clearTimeout(timer);
      clearTimeout(settleTimer);
      if (!input.value.trim()) e.preventDefault();
    });
  }

  function start() {
    let target = null;
    if (opts.target) {
      try {
        target = document.querySelector(opts.target);
      } catch {
        target = null;
      }
    }
    if (!target) {
      target = document.createElement('div');
      const parent = script.parentNode;
      if (parent && parent !== document.head && parent.nodeType === 1) parent.insertBefore(target, script.nextSibling);
      else (document.body || document.documentElement).append(target);
    }
    try {
      mount(target);
    } catch (e) {
      if (window.console) console.warn('polsearch widget could not start:', e);
    }
  }

  const wanted = () => {
    try {
      return opts.target && document.querySelector(opts.target);
    } catch {
      return null;
    }
  };
  if (document.readyState === 'loading' && (!opts.target || !wanted())) {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else start();
})();
