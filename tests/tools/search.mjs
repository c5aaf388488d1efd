// End-to-end search test: serves DIR on loopback, opens /search/ in headless
// Chromium at phone width and runs queries as a resident would (typing into
// the box, choosing a filter). Prints one JSON object per query with the
// status text, the results (title, link, highlighted words) and the bytes
// the query downloaded.
//
// usage: node search.mjs DIR [more:]QUERY[|FILTER=VALUE]...
// (`more:`: then press 更多结果 once and report the status line after it
// as `status_more` and the results shown as `shown_more`)
import { serveSite, launchChromium } from './site.mjs';

const [dir, ...queries] = process.argv.slice(2);
const { server, base } = await serveSite(dir);

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
let bytes = 0;
let offsite = 0;
page.on('response', async (r) => {
  if (!r.url().startsWith(base)) { offsite += 1; return; }
  if (r.url().includes('/search/')) {
    try { bytes += (await r.body()).length; } catch { /* redirects */ }
  }
});
await page.goto(base + '/search/');
for (const raw of queries) {
  const clickMore = raw.startsWith('more:');
  const spec = clickMore ? raw.slice(5) : raw;
  const [q, filter] = spec.split('|');
  bytes = 0;
  await page.goto(base + '/search/');
  if (filter) {
    const [name, value] = filter.split('=');
    await page.selectOption(`select[name="${name}"]`, { label: value });
  }
  await page.fill('#search-q', q);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => {
    const s = document.getElementById('search-status');
    return s && s.textContent.trim() !== '' && !/正在|加载|…$/.test(s.textContent);
  }, null, { timeout: 15000 });
  await page.waitForTimeout(200);
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
  }
  console.log(JSON.stringify({ query: q, filter: filter || null, bytes, ...found }));
}
console.log(JSON.stringify({ errors, offsite }));
await browser.close();
server.close();
