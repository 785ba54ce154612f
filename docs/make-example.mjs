#!/usr/bin/env node
/**
 * Remakes docs/report-example.html and docs/report-example.png: the report of
 * `nfreplay order captures/demo.pcap --rules captures/demo.rules --report FILE` (the replay's
 * page with the rule ordering proposal and its proof), and a
 * full-page screenshot of it in headless Chromium (Debian's `chromium`; another binary with
 * CHROMIUM=path). Needs a built dist/: `npm run docs:report` builds first. The engine-time
 * figures and the replay time differ from run to run; everything else is the same.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const html = join(root, 'docs', 'report-example.html');
const png = join(root, 'docs', 'report-example.png');

execFileSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'order', 'captures/demo.pcap', '--rules', 'captures/demo.rules', '--report', html, '-q'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const profile = mkdtempSync(join(tmpdir(), 'nfr-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  await page.screenshot({ path: png, fullPage: true });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${html}\n${png}`);
