// Where the time of one search goes: serves DIR on loopback, opens
// /search/ in headless Chromium (fresh context), types each query and
// presses Enter, then prints every file fetched after Enter with its start
// and end (ms after Enter, from the Resource Timing API) and the moment the
// first result appeared (columns: request queued, request sent, response
// complete, size). A profiling aid for bench/search.sh's timings; files
// fetched while the query was typed end before Enter and are not listed.
// usage: node tests/tools/search_trace.mjs DIR QUERY...
import { serveSite, launchChromium } from './site.mjs';

const [dir, ...queries] = process.argv.slice(2);
if (!dir || !queries.length) {
  console.error('usage: node search_trace.mjs DIR QUERY...');
  process.exit(2);
}
const { server, base } = await serveSite(dir);
const browser = await launchChromium();
for (const q of queries) {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  await page.goto(base + '/search/', { waitUntil: 'load' });
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    const w = { enter: null, first: null };
    window.__t = w;
    const list = document.getElementById('search-results');
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && w.enter === null) w.enter = performance.now();
    }, true);
    new MutationObserver(() => {
      if (w.first === null && list.querySelector('li')) w.first = performance.now();
    }).observe(list, { childList: true, subtree: true });
  });
  await page.waitForFunction(() => true);
  await page.fill('#search-q', q);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => window.__t.first !== null, null, { timeout: 30000 });
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => {
    const t0 = window.__t.enter;
    const files = performance.getEntriesByType('resource')
      .filter((e) => e.responseEnd >= t0)
      .map((e) => ({
        path: new URL(e.name).pathname,
        start: e.startTime - t0,
        req: e.requestStart - t0,
        end: e.responseEnd - t0,
        kb: e.encodedBodySize / 1024,
      }));
    return { first: window.__t.first - t0, files };
  });
  console.log(`${q}: first result ${r.first.toFixed(0)} ms`);
  for (const f of r.files.sort((a, b) => a.start - b.start)) {
    console.log(`  ${f.start.toFixed(0).padStart(5)} ${f.req.toFixed(0).padStart(5)} ${f.end.toFixed(0).padStart(5)} ms ${f.kb.toFixed(1).padStart(6)} KB ${f.path}`);
  }
  await context.close();
}
await browser.close();
server.close();
