// Search timing in headless Chromium (issue 12, "stays small and fast"):
// serves DIR on loopback and, for each query, in a fresh browser context
// (empty cache, as a first visit), opens /search/, types the query (all at
// once, as an input method commits a word; the page may start fetching
// then), presses Enter at once and measures in the page the time from the Enter keydown to the
// first result `li` in #search-results (or, when the search finds nothing,
// to the final status text). It also counts the bytes downloaded:
//
//   visit  the page's own files (HTML, CSS, JS, ... loaded by /search/
//          before the query is typed) plus the index's top-level files fetched after
//          Enter (meta.json and any other file at the root of the index
//          folder: the same for every query, fetched once per visit);
//   query  the index's files in its subfolders (posting lists, shards,
//          record cards): what this query needs.
//
// After one warm-up visit (not counted), each query runs RUNS times
// (default 3; rounds over the query list, so a slow spell of the shared
// machine spreads over all queries); the report
// gives the median and the max of the times, the bytes of the first run and
// the status line and result count shown.
//
// usage: node search_timing.mjs [--runs=N] [--tsv] DIR QUERY...
//   prints one JSON object per query (or, with --tsv, one tab-separated
//   line: query, median ms, max ms, visit bytes, query bytes, query files,
//   results shown, status).
import { serveSite, launchChromium } from './site.mjs';

let runs = 3;
let tsv = false;
const rest = [];
for (const a of process.argv.slice(2)) {
  if (a.startsWith('--runs=')) runs = Math.max(1, Number(a.slice(7)) | 0);
  else if (a === '--tsv') tsv = true;
  else rest.push(a);
}
const [dir, ...queries] = rest;
if (!dir || queries.length === 0) {
  console.error('usage: node search_timing.mjs [--runs=N] [--tsv] DIR QUERY...');
  process.exit(2);
}

const { server, base } = await serveSite(dir);
const browser = await launchChromium();

// The index folder, from the search form's data-index attribute (read once
// from a throwaway visit).
async function indexPath() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/search/');
  const href = await page.evaluate(() => {
    const f = document.getElementById('search-form');
    return f ? new URL(f.getAttribute('data-index'), document.baseURI).pathname : null;
  });
  await context.close();
  if (!href) throw new Error('no #search-form[data-index] on /search/');
  return href.endsWith('/') ? href : href + '/';
}
const index = await indexPath();

// Status texts that mean "still working" (the busy message ends with an
// ellipsis in every UI language).
const BUSY = /(…|\.\.\.)\s*$/;

async function once(q) {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  let entered = false;
  // Bodies are read after the timed span (no body copied over the
  // protocol while the page works).
  const files = []; // {path, after, response}
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== base) return;
    files.push({ path: u.pathname, after: entered, response: r });
  });
  await page.goto(base + '/search/', { waitUntil: 'load' });
  // Watchers in the page: the Enter keydown, the first result, the last
  // status change.
  await page.evaluate(() => {
    const w = { enter: null, first: null, status: null };
    window.__timing = w;
    const list = document.getElementById('search-results');
    const status = document.getElementById('search-status');
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && w.enter === null) w.enter = performance.now();
    }, true);
    new MutationObserver(() => {
      if (w.first === null && list.querySelector('li')) w.first = performance.now();
    }).observe(list, { childList: true, subtree: true });
    new MutationObserver(() => {
      w.status = performance.now();
    }).observe(status, { childList: true, subtree: true, characterData: true });
  });
  // Playwright's own page-side helpers (the polling behind waitForFunction)
  // are set up before the timed span, not on the page's main thread while
  // it searches.
  await page.waitForFunction(() => true);
  // Files fetched from the moment the query is typed count for the query
  // (the page fetches dictionary shards while the resident types).
  entered = true;
  await page.fill('#search-q', q);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction((busy) => {
    const s = document.getElementById('search-status');
    const t = s ? s.textContent.trim() : '';
    return window.__timing.status !== null && t !== '' && !new RegExp(busy).test(t);
  }, BUSY.source, { timeout: 30000 });
  // Let late responses (a result page's cards) land before counting.
  await page.waitForTimeout(300);
  const seen = await page.evaluate(() => ({
    t: window.__timing,
    status: document.getElementById('search-status').textContent.trim(),
    shown: document.querySelectorAll('#search-results li').length,
  }));
  const sizes = await Promise.all(files.map((f) => f.response.body()
    .then((b) => b.length, () => 0)));
  let visit = 0;
  let query = 0;
  let queryFiles = 0;
  const visitFiles = [];
  files.forEach((f, i) => {
    const rel = f.path.startsWith(index) ? f.path.slice(index.length) : null;
    if (f.after && rel !== null && rel.includes('/')) {
      query += sizes[i];
      queryFiles += 1;
    } else {
      visit += sizes[i];
      visitFiles.push(f.path);
    }
  });
  await context.close();
  const { enter, first, status } = seen.t;
  const end = first !== null ? first : status;
  return {
    ms: enter === null || end === null ? NaN : end - enter,
    found: first !== null,
    visit, query, queryFiles, visitFiles,
    status: seen.status, shown: seen.shown, errors,
  };
}

// One warm-up visit, not counted (the browser's first page pays for
// starting its renderer).
await once(queries[0]);
const results = queries.map(() => []);
for (let r = 0; r < runs; r++) {
  for (let i = 0; i < queries.length; i++) results[i].push(await once(queries[i]));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
let failed = false;
queries.forEach((q, i) => {
  const rs = results[i];
  const ms = rs.map((x) => x.ms);
  const first = rs[0];
  const errors = rs.flatMap((x) => x.errors);
  if (errors.length || ms.some(Number.isNaN)) failed = true;
  const row = {
    query: q,
    ms: ms.map((x) => Math.round(x)),
    median: Math.round(median(ms)),
    max: Math.round(Math.max(...ms)),
    found: first.found,
    visitBytes: first.visit,
    queryBytes: first.query,
    queryFiles: first.queryFiles,
    visitFiles: first.visitFiles,
    shown: first.shown,
    status: first.status,
    errors,
  };
  if (tsv) {
    console.log([q, row.median, row.max, row.visitBytes, row.queryBytes, row.queryFiles,
      row.shown, row.status.replace(/\s+/g, ' ')].join('\t'));
  } else {
    console.log(JSON.stringify(row));
  }
  if (errors.length) console.error(`${q}: page errors: ${errors.join('; ')}`);
});

await browser.close();
server.close();
process.exit(failed ? 1 : 0);
