// The web app as a new user meets it (issue 15), against a running server with the demo
// organization (`make run`, or scripts/bench.sh's web app section):
//   - the bytes of a first visit to /audit-logs: every response, encoded as Chromium received it;
//   - the time from the sign-in click to the first row of the audit log's table (the WASM is
//     already loaded on the sign-in page), in a fresh browser context each run.
// Usage: node end2end/bench/first-visit.mjs [BASE_URL] (default http://127.0.0.1:3000); RUNS=10.
// Leave a minute between two runs: the server allows 20 sign-ins per account per minute.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.env.RUNS ?? 10);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

/** Signs in through the form; answers the milliseconds from the click to the first table row. */
async function signIn(page) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill('admin@acme.com');
  await page.getByLabel('Password').fill('demo-password');
  const clicked = performance.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().waitFor();
  return performance.now() - clicked;
}

const times = [];
let session;
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext();
  times.push(await signIn(await context.newPage()));
  session ??= await context.storageState();
  await context.close();
}

// A first visit with the session cookie and an empty cache.
const context = await browser.newContext({ storageState: session });
const page = await context.newPage();
const responses = [];
page.on('requestfinished', (request) => responses.push(request));
await page.goto(`${base}/audit-logs`);
await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().waitFor();
await page.waitForLoadState('networkidle');
let assets = 0;
let api = 0;
for (const request of responses) {
  const { responseBodySize } = await request.sizes();
  const response = await request.response();
  const encoding = response?.headers()['content-encoding'] ?? 'none';
  const path = new URL(request.url()).pathname;
  console.log(`  ${path.padEnd(40)} ${encoding.padEnd(5)} ${responseBodySize}`);
  if (path.startsWith('/api/')) api += responseBodySize;
  else assets += responseBodySize;
}
await browser.close();

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`first visit to /audit-logs: assets ${assets} B, API answers ${api} B (bodies as received)`);
console.log(
  `sign-in click -> first table row: median ${median.toFixed(0)} ms, ` +
    `min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (${runs} runs)`,
);
