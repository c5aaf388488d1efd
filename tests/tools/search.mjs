// End-to-end search test: serves DIR on loopback, opens /search/ in headless
// Chromium at phone width and runs queries as a resident would (typing into
// the box, choosing a filter). Prints one JSON object per query with the
// status text, the results (title, link, highlighted words) and the bytes
// the query downloaded.
//
// usage: node search.mjs DIR [wait:][more:]QUERY[|FILTER=VALUE]...
// (`wait:`: pause half a second between typing and Enter, as a resident
// does; the index files the page requested in that time are reported as
// `typed`. `more:`: then press 更多结果 once and report the status line
// after it as `status_more`, the results shown as `shown_more` and all
// results as `results_more`)
import { serveSite, launchChromium } from './site.mjs';

const [dir, ...queries] = process.argv.slice(2);
const { server, base } = await serveSite(dir);

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
let bytes = 0;
let offsite = 0;
// Index files requested while the query is typed (before Enter).
let typing = false;
let typed = [];
page.on('request', (r) => {
  const u = new URL(r.url());
  if (typing && u.pathname.includes('/search/')) typed.push(u.pathname);
});
page.on('response', async (r) => {
  if (!r.url().startsWith(base)) { offsite += 1; return; }
  if (r.url().includes('/search/')) {
    try { bytes += (await r.body()).length; } catch { /* redirects */ }
  }
});
await page.goto(base + '/search/');
for (const raw of queries) {
  let spec = raw;
  const wait = spec.startsWith('wait:');
  if (wait) spec = spec.slice(5);
  const clickMore = spec.startsWith('more:');
  if (clickMore) spec = spec.slice(5);
  const [q, filter] = spec.split('|');
  bytes = 0;
  await page.goto(base + '/search/');
  if (filter) {
    const [name, value] = filter.split('=');
    await page.selectOption(`select[name="${name}"]`, { label: value });
  }
  typed = [];
  typing = true;
  await page.fill('#search-q', q);
  if (wait) await page.waitForTimeout(500);
  typing = false;
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => {
    const s = document.getElementById('search-status');
    return s && s.textContent.trim() !== '' && !/正在|加载|…$/.test(s.textContent);
  }, null, { timeout: 15000 });
  await page.waitForTimeout(200);
  const shown = () => [...document.querySelectorAll('#search-results li')].map((li) => ({
    title: li.querySelector('a') ? li.querySelector('a').textContent.trim() : '',
    href: li.querySelector('a') ? li.querySelector('a').getAttribute('href') : '',
    match: li.querySelector('.match') ? li.querySelector('.match').textContent.trim() : '',
  }));
  const found = await page.evaluate(() => ({
    status: document.getElementById('search-status').textContent.trim(),
    url: location.search,
    results: [...document.querySelectorAll('#search-results li')].map((li) => ({
      title: li.querySelector('a') ? li.querySelector('a').textContent.trim() : '',
      href: li.querySelector('a') ? li.querySelector('a').getAttribute('href') : '',
      marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
      match: li.querySelector('.match') ? li.querySelector('.match').textContent.trim() : '',
      time: li.querySelector('time') ? li.querySelector('time').textContent.trim() : '',
      datetime: li.querySelector('time') ? li.querySelector('time').getAttribute('datetime') : '',
    })),
  }));
  if (clickMore) {
    const before = found.results.length;
    await page.click('#search-more');
    await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length > n, before, { timeout: 15000 });
    await page.waitForTimeout(200);
    found.status_more = await page.evaluate(() => document.getElementById('search-status').textContent.trim());
    found.shown_more = await page.evaluate(() => document.querySelectorAll('#search-results li').length);
    found.results_more = await page.evaluate(shown);
  }
  if (wait) found.typed = typed;
  console.log(JSON.stringify({ query: q, filter: filter || null, bytes, ...found }));
}
console.log(JSON.stringify({ errors, offsite }));
await browser.close();
server.close();
