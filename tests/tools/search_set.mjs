// The search query set in headless Chromium: serves DIR on loopback, opens
// /search/ once at phone width and types every query of the TSV file into
// the box, one after another, as a resident would. Prints one JSON object
// per query (line, kind, query, the status line, the result links and
// titles in order, milliseconds until the status line changed), then one
// with the script errors and off-site requests of the whole session.
//
// usage: node search_set.mjs DIR QUERIES.tsv
// (TSV lines: kind<TAB>query<TAB>expected<TAB>also_relevant<TAB>why; `#`
// lines are comments.)
import fs from 'node:fs';
import { serveSite, launchChromium } from './site.mjs';

// The status text while a search runs.
const BUSY = '正在搜索…';

const [dir, tsv] = process.argv.slice(2);
if (!dir || !tsv) {
  console.error('usage: node search_set.mjs DIR QUERIES.tsv');
  process.exit(2);
}
const queries = [];
fs.readFileSync(tsv, 'utf8').split('\n').forEach((raw, i) => {
  if (raw.trim() === '' || raw.startsWith('#')) return;
  const [kind, query] = raw.split('\t');
  queries.push({ line: i + 1, kind: kind.trim(), query: (query || '').trim() });
});

const { server, base } = await serveSite(dir);
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
const errors = [];
let offsite = 0;
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith(base)) offsite += 1; });
await page.goto(base + '/search/');

for (const { line, kind, query } of queries) {
  // An empty status line marks the start: the search sets it to BUSY and
  // then to its outcome.
  await page.evaluate(() => { document.getElementById('search-status').textContent = ''; });
  await page.fill('#search-q', query);
  const start = Date.now();
  await page.press('#search-q', 'Enter');
  let timedOut = false;
  try {
    await page.waitForFunction((busy) => {
      const t = document.getElementById('search-status').textContent.trim();
      return t !== '' && t !== busy;
    }, BUSY, { timeout: 15000, polling: 10 });
  } catch {
    timedOut = true;
  }
  const ms = Date.now() - start;
  const found = await page.evaluate(() => ({
    status: document.getElementById('search-status').textContent.trim(),
    results: [...document.querySelectorAll('#search-results li')].map((li) => {
      const a = li.querySelector('a');
      return { href: a ? a.getAttribute('href') : '', title: a ? a.textContent.trim() : '' };
    }),
  }));
  console.log(JSON.stringify({ line, kind, query, ms, timedOut, ...found }));
}
console.log(JSON.stringify({ errors, offsite }));
await browser.close();
server.close();
