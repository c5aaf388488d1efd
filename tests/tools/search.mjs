// End-to-end search test: serves DIR on loopback, opens /search/ in headless
// Chromium at phone width and runs queries as a resident would (typing into
// the box, choosing a filter). Prints one JSON object per query with the
// status text, the results (title, link, highlighted words) and the bytes
// the query downloaded.
//
// usage: node search.mjs DIR QUERY[|FILTER=VALUE]...
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [dir, ...queries] = process.argv.slice(2);
const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
};
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (p.endsWith('/')) p += 'index.html';
  const file = path.join(path.resolve(dir), path.normalize(p));
  if (!file.startsWith(path.resolve(dir)) || !fs.existsSync(file)) {
    res.writeHead(404); res.end(); return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.YISHI_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
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
for (const spec of queries) {
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
    })),
  }));
  console.log(JSON.stringify({ query: q, filter: filter || null, bytes, ...found }));
}
console.log(JSON.stringify({ errors, offsite }));
await browser.close();
server.close();
