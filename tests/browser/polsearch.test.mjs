// Browser tests of the polsearch search page (GET /) and the embeddable widget (/widget.js).
//
// Run from the repository root:
//   bash tests/browser/setup.sh && POLSEARCH_BIN=target/release/polsearch node --test tests/browser/
//
// The test writes a small corpus to a temp folder, starts two host-page servers (one allowed by
// --cors-origin, one not), starts `$POLSEARCH_BIN serve` on a free port, then drives Debian's
// chromium through playwright-core. Screenshots go to target/browser-screenshots/ (or
// $SCREENSHOT_DIR). Every server started here is stopped at the end, also when a test fails.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(REPO, process.env.SCREENSHOT_DIR || path.join('target', 'browser-screenshots'));
const START_TIMEOUT_MS = 120_000;
const GZIP_LIMIT = 20_480;
const HOSTILE_TEXT = '<img src=x onerror=';
const ESCAPED_TEXT = 'cost < 5 & rate > 2';

// Chromium must stay quiet on this closed network: no background services, no QUIC.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const state = {
  tmp: null,
  server: null, // the polsearch child process
  serverLog: '',
  origin: null, // http://127.0.0.1:PORT of polsearch
  hosts: [], // node http servers for host pages
  allowed: null, // origin of the host page that is in --cors-origin
  blocked: null, // origin of the host page that is not
  browser: null,
};

// --------------------------------------------------------------------------------------------
// The corpus: small documents whose wording makes the topic tagger assign water, housing and
// climate, plus one HTML page with markup in its title.

const md = (title, date, heading, body) => `---\ntitle: ${title}\ndate: ${date}\n---\n\n# ${heading}\n\n${body}\n`;

const WATER =
  'The water utility reviewed water affordability and water shutoffs. Water rates and the water bill ' +
  'weigh on households; the water department proposed a water shutoff moratorium and water debt relief. ' +
  'Drinking water quality and the water system budget were discussed with the water utility board.';
const HOUSING =
  'Affordable housing for tenants: eviction prevention, rent stabilization and a right to counsel for ' +
  'tenants facing eviction. The housing authority expanded housing vouchers, public housing and ' +
  'affordable housing production. Landlords and tenants met on rent and eviction filings.';
const CLIMATE =
  'Climate resilience against extreme heat: the climate action plan sets emissions targets, greenhouse ' +
  'gas emission reduction, climate change adaptation and heat emergency response. Climate resilience hubs ' +
  'and cooling centers reduce heat risk while emissions fall.';

const CORPUS = {
  'water-affordability.md': md('Water Affordability Brief', '2021-03-01', 'Water affordability', `${WATER}\n\n${WATER}`),
  'water-shutoffs.md': md('Ending Water Shutoffs', '2020-06-15', 'Shutoff moratorium', `${WATER}\n\n${WATER}\n\n${WATER}`),
  'lead-service-lines.md': md(
    'Lead Service Line Replacement',
    '2022-01-10',
    'Lead lines',
    `Lead service line replacement protects drinking water. ${WATER}\n\n${WATER}`,
  ),
  'tenant-protections.md': md('Tenant Protections and Eviction Prevention', '2021-09-01', 'Tenants', `${HOUSING}\n\n${HOUSING}`),
  'affordable-housing.md': md('Affordable Housing Toolkit', '2019-05-20', 'Affordable housing', `${HOUSING}\n\n${HOUSING}\n\n${HOUSING}`),
  'water-bills-housing.md': md(
    'Water Bills and Housing Stability',
    '2023-02-01',
    'Water debt and eviction',
    `${WATER}\n\n${HOUSING}\n\n${WATER}\n\n${HOUSING}`,
  ),
  'extreme-heat.md': md('Extreme Heat Resilience Plan', '2022-07-01', 'Heat', `${CLIMATE}\n\n${CLIMATE}`),
  'emissions-inventory.md': md('Municipal Emissions Inventory', '2020-11-11', 'Emissions', `${CLIMATE}\n\n${CLIMATE}\n\n${CLIMATE}`),
  'stormwater-climate.md': md(
    'Stormwater and Climate Resilience',
    '2023-04-04',
    'Stormwater',
    `${CLIMATE}\n\n${WATER}\n\n${CLIMATE}\n\n${WATER}`,
  ),
  // Characters that the server escapes in snippets (&lt; &amp; &quot; …) and the widget decodes.
  'zebrafish-notes.md': md(
    'Zebrafish Permit Notes',
    '2018-08-08',
    'Zebrafish',
    'Zebrafish permit rules: cost < 5 & rate > 2 for "quoted" and \'single\' cases.',
  ),
  // The title's markup is escaped in the file, so the extracted title holds the literal tag text.
  'hostile.html': `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Hostile &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; title</title></head>
<body><main><article>
<h1>Hostile &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; title</h1>
<p>Hostile test page about the water utility. ${WATER}</p>
<p>Hostile markup in text must stay text: &lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=y onerror=&quot;window.__pwned=2&quot;&gt; &lt;script&gt;window.__pwned=3&lt;/script&gt;.</p>
<p>${WATER}</p>
</article></main></body></html>
`,
};

// --------------------------------------------------------------------------------------------
// Servers

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

/** A host-page server: serves tests/browser/host.html with the polsearch origin filled in. */
async function startHost() {
  const template = fs.readFileSync(path.join(HERE, 'host.html'), 'utf8');
  const server = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/host.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(template.replaceAll('{{POLSEARCH_ORIGIN}}', state.origin || 'http://127.0.0.1:9'));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  state.hosts.push(server);
  return listen(server);
}

/** Starts `$POLSEARCH_BIN serve …` and resolves with the origin from its first stdout line. */
function startPolsearch(bin, corpus, index, corsOrigin) {
  const args = ['serve', '--corpus', corpus, '--index', index, '--addr', '127.0.0.1:0', '--cors-origin', corsOrigin];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  state.server = child;
  const keep = (chunk) => {
    state.serverLog = (state.serverLog + chunk.toString()).slice(-8000);
  };
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    let out = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`polsearch did not print its address within ${START_TIMEOUT_MS / 1000} s\n${state.serverLog}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      if (done) return;
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const m = out.slice(0, nl).match(/^polsearch listening on (http:\/\/[^\s/]+)\s*$/);
      if (m) finish(null, m[1]);
      else finish(new Error(`unexpected first stdout line from polsearch: ${JSON.stringify(out.slice(0, nl))}`));
    });
    child.once('error', (e) => finish(new Error(`cannot start ${bin}: ${e.message}`)));
    child.once('exit', (code, signal) =>
      finish(new Error(`polsearch exited early (code ${code}, signal ${signal})\n${state.serverLog}`)),
    );
  });
}

function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// Last resort if the runner dies without running `after`.
process.on('exit', () => {
  if (state.server && state.server.exitCode === null && state.server.signalCode === null) state.server.kill('SIGKILL');
});

before(
  async () => {
    const raw = process.env.POLSEARCH_BIN;
    if (!raw) {
      throw new Error(
        'POLSEARCH_BIN is not set: point it at the polsearch binary, e.g. ' +
          'POLSEARCH_BIN=target/release/polsearch node --test tests/browser/',
      );
    }
    const bin = path.resolve(process.cwd(), raw);
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      throw new Error(`POLSEARCH_BIN=${raw} is not an executable file (resolved to ${bin}); build it first`);
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash tests/browser/setup.sh`);

    state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'polsearch-browser-'));
    const corpus = path.join(state.tmp, 'corpus');
    fs.mkdirSync(corpus);
    for (const [name, text] of Object.entries(CORPUS)) fs.writeFileSync(path.join(corpus, name), text);

    state.allowed = await startHost();
    state.blocked = await startHost();
    state.origin = await startPolsearch(bin, corpus, path.join(state.tmp, 'index'), state.allowed);

    fs.mkdirSync(SHOTS, { recursive: true });
    state.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  },
  { timeout: START_TIMEOUT_MS + 60_000 },
);

after(async () => {
  if (state.browser) await state.browser.close().catch(() => {});
  await stopChild(state.server);
  await Promise.all(state.hosts.map((s) => new Promise((r) => s.close(() => r()))));
  if (state.tmp) fs.rmSync(state.tmp, { recursive: true, force: true });
});

// --------------------------------------------------------------------------------------------
// Helpers

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A fresh context and page; page errors (uncaught exceptions) are collected in page.errors. */
async function open(options = {}) {
  const context = await state.browser.newContext({ viewport: DESKTOP, ...options });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  return { context, page };
}

async function withPage(options, fn) {
  const { context, page } = await open(options);
  try {
    await fn(page);
  } finally {
    await context.close();
  }
}

const shot = (page, name, opts = {}) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true, ...opts });
const int = (s) => Number.parseInt(String(s).replace(/[^\d]/g, ''), 10);
const url = (p) => new URL(p, state.origin).href;

async function resultTotal(page) {
  return int(await page.locator('.result-count strong').first().textContent());
}

/** The widget's parts on a host page (playwright's CSS locators pierce open shadow roots). */
function widget(page) {
  const root = page.locator('#search');
  return {
    input: root.locator('input[role="combobox"]'),
    options: root.locator('[role="option"]'),
    chips: root.locator('.chip'),
    titles: root.locator('[role="option"] .t'),
    message: root.locator('.msg'),
    all: root.locator('a.all'),
    root,
  };
}

async function isFocusVisible(locator) {
  return locator.evaluate((el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) > 0;
    return outline || (s.boxShadow && s.boxShadow !== 'none');
  });
}

// --------------------------------------------------------------------------------------------
// The search page

test('search page lists results with numeric topic facet counts', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=water'));
    assert.ok((await page.locator('.result').count()) > 0, 'no .result items for q=water');
    assert.ok((await resultTotal(page)) > 0, 'result count is not a positive number');
    const counts = await page.locator('.facet[data-facet="topic"] .facet-count').allTextContents();
    assert.ok(counts.length > 0, 'no topic facet values');
    for (const c of counts) assert.match(c.trim(), /^\d[\d,]*$/, `facet count ${JSON.stringify(c)} is not a number`);
    assert.equal(await page.title().then((t) => t.includes('water')), true, 'title does not name the query');
    await shot(page, 'page-desktop.png');
    assert.deepEqual(page.errors, []);
  });
});

test('clicking a topic facet narrows the results to that topic', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=water'));
    const before = await resultTotal(page);
    const links = page.locator('.facet[data-facet="topic"] a.facet-value:not([aria-current="true"])');
    assert.ok((await links.count()) > 0, 'no unselected topic facet link');
    // Prefer housing: under q=water it matches fewer documents, so the narrowing is visible.
    const housing = page.locator('.facet[data-facet="topic"] a.facet-value[data-value="housing"]');
    const link = (await housing.count()) > 0 ? housing : links.first();
    const label = (await link.locator('.facet-label').textContent()).trim();
    const value = await link.getAttribute('data-value');
    const facetCount = int(await link.locator('.facet-count').textContent());

    await Promise.all([page.waitForURL(/[?&]topic=/), link.click()]);
    assert.match(page.url(), /[?&]topic=/);
    const afterTotal = await resultTotal(page);
    assert.ok(afterTotal <= before, `filtering raised the count: ${before} → ${afterTotal}`);
    assert.equal(afterTotal, facetCount, `facet said ${facetCount} documents, the filtered page says ${afterTotal}`);

    const results = page.locator('.result');
    const n = await results.count();
    assert.ok(n > 0, 'no results after filtering');
    for (let i = 0; i < n; i++) {
      const topics = (await results.nth(i).locator('.result-topics li').allTextContents()).map((t) => t.trim().toLowerCase());
      assert.ok(topics.includes(label.toLowerCase()), `result ${i + 1} lacks topic ${label}: ${JSON.stringify(topics)}`);
    }
    const selected = page.locator(`.facet[data-facet="topic"] a.facet-value[data-value="${value}"]`);
    assert.equal(await selected.getAttribute('aria-current'), 'true', 'the chosen facet is not marked aria-current');
    assert.equal(await page.locator(`form.search-form input[type="hidden"][name="topic"][value="${value}"]`).count(), 1);
    assert.deepEqual(page.errors, []);
  });
});

test('without JavaScript: keyboard submit shows results, facet links work, filters survive a new query', async () => {
  await withPage({ javaScriptEnabled: false }, async (page) => {
    await page.goto(url('/'));
    await page.locator('#q').focus();
    await page.keyboard.type('water');
    await Promise.all([page.waitForURL(/[?&]q=water/), page.keyboard.press('Enter')]);
    assert.ok((await page.locator('.result').count()) > 0, 'no results after submitting the form');

    const link = page.locator('.facet[data-facet="topic"] a.facet-value').first();
    const value = await link.getAttribute('data-value');
    await Promise.all([page.waitForURL(/[?&]topic=/), link.click()]);
    assert.ok((await page.locator('.result, .no-results').count()) > 0, 'facet link led to an empty page');

    await page.locator('#q').fill('water utility');
    await Promise.all([page.waitForURL(/q=water(\+|%20)utility/), page.locator('#q').press('Enter')]);
    const params = new URL(page.url()).searchParams;
    assert.ok(params.getAll('topic').includes(value), `the topic filter was lost: ${page.url()}`);
  });
});

test('keyboard: skip link comes first, then the search box; focus is visible', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=water'));
    await page.keyboard.press('Tab');
    const skip = page.locator(':focus');
    assert.equal(await skip.getAttribute('class').then((c) => /\bskip-link\b/.test(c || '')), true, 'first Tab stop is not the skip link');
    assert.ok(await isFocusVisible(skip), 'skip link has no visible focus indicator');
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0 && box.width > 1 && box.height > 1, 'skip link is not visible when focused');

    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement && document.activeElement.id);
      const inLayout = await page.evaluate(() => !!(document.activeElement && document.activeElement.closest('.layout')));
      assert.ok(!inLayout, 'Tab reached the filters or results before the search box');
      reached = id === 'q';
    }
    assert.ok(reached, 'Tab never reached the search input #q');
    assert.ok(await isFocusVisible(page.locator('#q')), 'search input has no visible focus indicator');

    await page.keyboard.press('Tab'); // the Search button
    assert.ok(await isFocusVisible(page.locator(':focus')), 'search button has no visible focus indicator');

    // The skip link moves focus to the results.
    await page.goto(url('/?q=water'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'results');
  });
});

test('phone width: no sideways scrolling, filters above results', async () => {
  await withPage({ viewport: PHONE, isMobile: true, hasTouch: true }, async (page) => {
    await page.goto(url('/?q=water'));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone screen`);
    const facets = await page.locator('.facets').boundingBox();
    const results = await page.locator('.results').boundingBox();
    assert.ok(facets && results && facets.y < results.y, 'filters are not above the results on a phone');
    await shot(page, 'page-phone.png');
  });
});

test('nothing matches: the no-results block shows', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=zzqxv+wqxzz'));
    assert.equal(await page.locator('.result').count(), 0);
    assert.ok(await page.locator('.no-results').isVisible(), 'no .no-results block');
    await shot(page, 'no-results.png');
  });
});

test('results update while typing (page.js fetches ?fragment=1) and the URL stays shareable', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/'));
    const typing = [];
    const settled = [];
    page.on('request', (r) => {
      const p = new URL(r.url()).searchParams;
      if (p.get('fragment') !== '1') return;
      (p.get('typing') === '1' ? typing : settled).push(r.url());
    });
    await page.locator('#q').pressSequentially('housing', { delay: 40 });
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'housing');
    await page.waitForFunction(() => (document.querySelector('.result-count') || {}).textContent?.includes('housing'));
    assert.ok(typing.length >= 1, 'no fragment request marked typing=1 was made');
    assert.ok(typing.length <= 4, `typing 7 letters made ${typing.length} fragment requests (no debounce?)`);
    // Once typing settles, the query is sent once more without typing=1 (the one the server counts).
    await page.waitForTimeout(1800);
    assert.equal(settled.length, 1, `expected one settled request, got ${JSON.stringify(settled)}`);
    assert.equal(new URL(settled[0]).searchParams.get('q'), 'housing');
    assert.ok(!page.url().includes('fragment='), 'the address bar kept fragment=1');
    assert.equal(await page.locator('.layout').count(), 1, 'the page has more than one .layout after the update');
    assert.ok((await page.locator('.result').count()) > 0);
    assert.deepEqual(page.errors, []);
  });
});

// --------------------------------------------------------------------------------------------
// The widget

test('widget on an allowed host page survives hostile CSS and works by keyboard', async () => {
  await withPage({}, async (page) => {
    await page.goto(`${state.allowed}/host.html`);
    const w = widget(page);
    await w.input.waitFor({ state: 'visible' });
    assert.notEqual(await w.input.evaluate((el) => getComputedStyle(el).display), 'none', 'host CSS hid the input');
    assert.equal(await w.input.getAttribute('aria-expanded'), 'false');

    await w.input.click();
    await w.input.pressSequentially('water', { delay: 30 });
    await w.options.first().waitFor({ state: 'visible' });
    const n = await w.options.count();
    assert.ok(n > 0 && n <= 5, `expected 1-5 results, got ${n}`);
    assert.equal(await w.input.getAttribute('aria-expanded'), 'true');

    const chipCount = await w.chips.count();
    assert.ok(chipCount > 0, 'no topic chips');
    for (const t of await w.chips.locator('.n').allTextContents()) assert.match(t.trim(), /^\d+$/, `chip count ${t}`);

    const fontSize = await w.titles.first().evaluate((el) => getComputedStyle(el).fontSize);
    assert.notEqual(fontSize, '40px', 'host CSS set the result title font size');
    assert.ok(Number.parseFloat(fontSize) >= 12 && Number.parseFloat(fontSize) <= 24, `odd title font size ${fontSize}`);
    const color = await w.titles.first().evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(color, 'rgb(255, 0, 0)', 'host CSS coloured the result title');
    assert.ok(await w.root.locator('mark').first().evaluate((el) => getComputedStyle(el).backgroundColor !== 'rgb(0, 0, 0)'));

    const all = await w.all.getAttribute('href');
    assert.ok(all.startsWith(`${state.origin}/?`) && /[?&]q=water/.test(all), `"See all" link is ${all}`);

    // Keyboard: ArrowDown / ArrowUp move the active option.
    await w.input.press('ArrowDown');
    const first = await w.options.nth(0).getAttribute('id');
    assert.equal(await w.input.getAttribute('aria-activedescendant'), first);
    assert.equal(await w.options.nth(0).getAttribute('aria-selected'), 'true');
    if (n > 1) {
      await w.input.press('ArrowDown');
      assert.equal(await w.input.getAttribute('aria-activedescendant'), await w.options.nth(1).getAttribute('id'));
      await w.input.press('ArrowUp');
      assert.equal(await w.input.getAttribute('aria-activedescendant'), first);
    }
    await shot(page, 'widget-host.png');

    // Escape closes the list; ArrowDown opens it again.
    await w.input.press('Escape');
    assert.equal(await w.input.getAttribute('aria-expanded'), 'false');
    assert.equal(await w.options.first().isVisible(), false, 'results still visible after Escape');
    await w.input.press('ArrowDown');
    assert.equal(await w.input.getAttribute('aria-activedescendant'), first);

    // Enter opens the active result: a navigation to the polsearch server.
    const href = await w.titles.nth(0).getAttribute('href');
    assert.ok(href.startsWith('http://') || href.startsWith('https://'), `result link is not absolute: ${href}`);
    await page.route(`${state.origin}/**`, (route) =>
      route.request().isNavigationRequest()
        ? route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>opened</p>' })
        : route.continue(),
    );
    await Promise.all([page.waitForURL((u) => u.href === href), w.input.press('Enter')]);
    assert.deepEqual(page.errors, []);
  });
});

test('widget marks per-keystroke searches typing=1 and sends the settled query once', async () => {
  await withPage({}, async (page) => {
    const typing = [];
    const settled = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin !== state.origin || u.pathname !== '/api/search') return;
      (u.searchParams.get('typing') === '1' ? typing : settled).push(u.searchParams.get('q'));
    });
    await page.goto(`${state.allowed}/host.html`);
    const w = widget(page);
    await w.input.pressSequentially('water', { delay: 60 });
    await w.options.first().waitFor({ state: 'visible' });
    await page.waitForTimeout(1800);
    assert.ok(typing.length >= 1 && typing.length <= 5, `typing=1 searches: ${JSON.stringify(typing)}`);
    assert.deepEqual(settled, ['water'], 'the settled query was not sent exactly once');
  });
});

test('widget topic chips filter the results', async () => {
  await withPage({}, async (page) => {
    await page.goto(`${state.allowed}/host.html`);
    const w = widget(page);
    await w.input.fill('water');
    await w.options.first().waitFor({ state: 'visible' });
    const chip = w.root.locator('.chip[aria-pressed="false"]').first();
    const value = await chip.getAttribute('data-value');
    const count = int(await chip.locator('.n').textContent());
    await chip.click();
    await page.waitForFunction(
      (v) => {
        const host = document.querySelector('#search');
        const root = host && host.shadowRoot;
        const c = root && root.querySelector(`.chip[data-value="${v}"]`);
        return c && c.getAttribute('aria-pressed') === 'true';
      },
      value,
    );
    await w.options.first().waitFor({ state: 'visible' });
    const all = new URL(await w.all.getAttribute('href'));
    assert.ok(all.searchParams.getAll('topic').includes(value), `"See all" link lost the topic: ${all}`);
    assert.match((await w.all.textContent()).trim(), new RegExp(`\\b${count}\\b`), 'See-all total differs from the chip count');
    assert.deepEqual(page.errors, []);
  });
});

test('widget on a host page not allowed by CORS shows a polite error and no results', async () => {
  await withPage({}, async (page) => {
    await page.goto(`${state.blocked}/host.html`);
    const w = widget(page);
    await w.input.waitFor({ state: 'visible' });
    await w.input.fill('water');
    await w.message.waitFor({ state: 'visible' });
    assert.match(await w.message.textContent(), /sorry|not available|try again/i);
    assert.equal(await w.options.count(), 0, 'results shown despite CORS');
    await shot(page, 'widget-blocked.png');
    assert.deepEqual(page.errors, [], 'the widget threw an uncaught error');
  });

  const blocked = await fetch(url('/api/search?q=water'), { headers: { Origin: state.blocked } });
  const acao = blocked.headers.get('access-control-allow-origin');
  assert.ok(acao === null || (acao !== state.blocked && acao !== '*'), `blocked origin got access-control-allow-origin: ${acao}`);
  const allowed = await fetch(url('/api/search?q=water'), { headers: { Origin: state.allowed } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), state.allowed, 'the allowed origin got no CORS header');
});

test('a hostile document title is shown as text, in the page and in the widget', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=Hostile'));
    const titles = await page.locator('.result-title').allTextContents();
    assert.ok(titles.some((t) => t.includes(HOSTILE_TEXT)), `page titles: ${JSON.stringify(titles)}`);
    assert.equal(await page.locator('.results img, .results script').count(), 0, 'markup from the document became elements');
    await page.waitForTimeout(300); // an injected <img onerror> would have fired by now
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'injected script ran on the page');
    const snippetTags = await page.locator('.snippet *').evaluateAll((els) => els.map((e) => e.tagName));
    assert.ok(snippetTags.every((t) => t === 'MARK'), `snippet contains ${snippetTags}`);
  });

  await withPage({}, async (page) => {
    await page.goto(`${state.allowed}/host.html`);
    const w = widget(page);
    await w.input.fill('Hostile');
    await w.options.first().waitFor({ state: 'visible' });
    const titles = await w.titles.allTextContents();
    assert.ok(titles.some((t) => t.includes(HOSTILE_TEXT)), `widget titles: ${JSON.stringify(titles)}`);
    assert.equal(await w.root.locator('img, script, b').count(), 0, 'markup from the document became elements in the widget');
    await page.waitForTimeout(300);
    const snippetTags = await w.root.locator('.s *').evaluateAll((els) => els.map((e) => e.tagName));
    assert.ok(snippetTags.every((t) => t === 'MARK'), `widget snippet contains ${snippetTags}`);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'injected script ran on the host page');
    assert.deepEqual(page.errors, []);
  });
});

test('snippet entities are decoded once: the text reads as written', async () => {
  await withPage({}, async (page) => {
    await page.goto(url('/?q=zebrafish'));
    const snippets = (await page.locator('.result .snippet').allTextContents()).join(' ');
    assert.ok(snippets.includes(ESCAPED_TEXT), `page snippets: ${JSON.stringify(snippets)}`);
    assert.ok(!/&(lt|gt|amp|quot|#39);/.test(snippets), `page snippets show raw entities: ${snippets}`);
  });
  await withPage({}, async (page) => {
    await page.goto(`${state.allowed}/host.html`);
    const w = widget(page);
    await w.input.fill('zebrafish');
    await w.options.first().waitFor({ state: 'visible' });
    const snippets = (await w.root.locator('.s').allTextContents()).join(' ');
    assert.ok(snippets.includes(ESCAPED_TEXT), `widget snippets: ${JSON.stringify(snippets)}`);
    assert.ok(snippets.includes('"quoted"'), `widget snippets: ${JSON.stringify(snippets)}`);
    assert.ok(!/&(lt|gt|amp|quot|#39);/.test(snippets), `widget snippets show raw entities: ${snippets}`);
  });
});

test('widget.js is small and served as JavaScript', async () => {
  const file = fs.readFileSync(path.join(REPO, 'crates', 'server', 'assets', 'widget.js'));
  const fileGz = zlib.gzipSync(file).length;
  assert.ok(fileGz <= GZIP_LIMIT, `widget.js is ${fileGz} bytes gzipped (limit ${GZIP_LIMIT})`);

  const res = await fetch(url('/widget.js'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^(text|application)\/(javascript|ecmascript)\b/);
  const served = Buffer.from(await res.arrayBuffer());
  const servedGz = zlib.gzipSync(served).length;
  assert.ok(servedGz <= GZIP_LIMIT, `served /widget.js is ${servedGz} bytes gzipped (limit ${GZIP_LIMIT})`);
  assert.ok(served.length > 0);
});
