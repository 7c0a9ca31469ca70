#!/usr/bin/env node
// Renders HTML reports to full-page PNG screenshots in headless Chromium (Debian's chromium by
// default, CHROMIUM=path to choose), to look at the figures as a reader sees them:
//   node scripts/screenshot-reports.js OUTDIR reports/*.html
// The screenshots are not committed (they are outputs). Needs the dev dependency playwright-core.
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');

async function main() {
  const [outDir, ...files] = process.argv.slice(2);
  if (!outDir || files.length === 0) {
    console.error('usage: node scripts/screenshot-reports.js OUTDIR REPORT.html...');
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    for (const file of files) {
      await page.goto(`file://${path.resolve(file)}`);
      const png = path.join(outDir, `${path.basename(file, '.html')}.png`);
      await page.screenshot({ path: png, fullPage: true });
      console.log(png);
    }
  } finally {
    await browser.close();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
