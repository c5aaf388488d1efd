// End-to-end check of `yishi serve` in a real browser: the page reloads by
// itself after an edit, shows the problems overlay when the edit is wrong,
// and clears it when fixed.
//
// usage: node live.mjs URL FILE
//   URL   a page of the running server (a topic page)
//   FILE  the record file of that page
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const [url, file] = process.argv.slice(2);
const original = fs.readFileSync(file, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.YISHI_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const fail = async (msg) => { console.log('FAIL: ' + msg); await browser.close(); fs.writeFileSync(file, original); process.exit(1); };
try {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  await page.goto(url);
  // Give the event stream a moment to connect.
  await page.waitForTimeout(500);

  fs.writeFileSync(file, original.replace('title: ', 'title: 浏览器自动刷新 '));
  await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('浏览器自动刷新'), null, { timeout: 10000 })
    .catch(() => fail('the page did not reload after an edit'));

  fs.writeFileSync(file, original.replace(/^type: .*$/m, 'type: 不存在的类型'));
  await page.waitForSelector('#yishi-problems', { timeout: 10000 })
    .catch(() => fail('no overlay for a broken record'));
  const overlay = await page.textContent('#yishi-problems');
  if (!overlay.includes('不存在的类型') || !overlay.includes(':3:')) await fail('overlay lacks message or line: ' + overlay);
  // The last good page is still underneath.
  if (!(await page.textContent('h1')).includes('浏览器自动刷新')) await fail('the last good page is gone');

  fs.writeFileSync(file, original);
  await page.waitForFunction(() => !document.getElementById('yishi-problems') && !document.querySelector('h1')?.textContent.includes('浏览器自动刷新'), null, { timeout: 10000 })
    .catch(() => fail('the overlay did not clear after the fix'));
  console.log('OK: reload, overlay and recovery work in the browser');
} finally {
  await browser.close();
  fs.writeFileSync(file, original);
}
