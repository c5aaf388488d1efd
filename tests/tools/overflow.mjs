// No page wider than a phone: serves DIR on loopback, opens each page in
// headless Chromium 320 px wide and checks that the document is no wider
// than the viewport (wide tables and code scroll inside their own box).
// Prints each page that scrolls sideways and what sticks out; exits 1 if any.
//
// usage: node overflow.mjs DIR PAGE_PATH...
import { serveSite, launchChromium } from './site.mjs';

const WIDTH = 320;
const [dir, ...pages] = process.argv.slice(2);

const { server, base } = await serveSite(dir);
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: WIDTH, height: 700 } });
let failures = 0;
for (const p of pages) {
  const res = await page.goto(base + p);
  if (!res || res.status() !== 200) {
    failures++;
    console.log(`${p}: not found (${res ? res.status() : 'no answer'})`);
    continue;
  }
  const { width, culprits } = await page.evaluate((max) => {
    const width = document.documentElement.scrollWidth;
    const culprits = [];
    if (width > max) {
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > max + 0.5 && culprits.length < 5) {
          culprits.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} (${Math.round(r.right)}px)`);
        }
      }
    }
    return { width, culprits };
  }, WIDTH);
  if (width > WIDTH) {
    failures++;
    console.log(`${p}: ${width}px wide at ${WIDTH}px: ${culprits.join(', ')}`);
  }
}
await browser.close();
server.close();
console.log(`${pages.length} pages checked at ${WIDTH}px, ${failures} too wide`);
process.exit(failures ? 1 : 0);
