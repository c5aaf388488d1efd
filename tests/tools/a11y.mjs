// Accessibility check of a built site: serves DIR on loopback, opens pages
// in headless Chromium at phone and desktop widths and runs axe-core with the
// WCAG 2.0/2.1 A and AA rules. Prints every violation; exits 1 if any.
// Widths: 320 and 390 px (phones), 640 px (a 1280 px window at 200% zoom:
// zooming narrows the CSS viewport by the same factor) and 1280 px.
//
// usage: node a11y.mjs DIR PAGE_PATH...
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { serveSite, launchChromium } from './site.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [dir, ...pages] = process.argv.slice(2);

const { server, base } = await serveSite(dir);

const browser = await launchChromium();
let failures = 0;
let checked = 0;
for (const width of [320, 390, 640, 1280]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  for (const p of pages) {
    await page.goto(base + p);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    checked++;
    for (const v of result.violations) {
      failures++;
      console.log(`${p} (${width}px): ${v.id}: ${v.help}`);
      for (const n of v.nodes.slice(0, 3)) console.log(`    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`);
    }
  }
  await page.close();
}
await browser.close();
server.close();
console.log(`${checked} page views checked, ${failures} violations`);
process.exit(failures ? 1 : 0);
