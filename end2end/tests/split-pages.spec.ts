import { test, expect, type Page } from '@playwright/test';
import { openLog } from './helpers';

// The pages off the audit-log path and the event drawer are WASM chunks of their own, fetched
// when first shown.

/** A chunk's WASM (`app_split-<hash>_<chunk>.wasm`), as named by scripts/bin/wasm-bindgen. */
const CHUNK = /\/app_split-[0-9a-f]{16}_[a-z0-9_]+\.wasm$/;

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

function chunkRequests(page: Page) {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (CHUNK.test(new URL(request.url()).pathname)) urls.push(request.url());
  });
  return urls;
}

test('the audit log downloads no admin page; the Members page fetches its chunk on the first visit', async ({ page }) => {
  const chunks = chunkRequests(page);
  await openLog(page);
  expect(chunks).toEqual([]);

  await nav(page).getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('table', { name: 'Members' })).toContainText('admin@acme.com');
  expect(chunks.some((url) => url.includes('_split_members.wasm'))).toBe(true);
});

test('the event drawer fetches its chunk on the first open', async ({ page }) => {
  const chunks = chunkRequests(page);
  await openLog(page);
  expect(chunks).toEqual([]);

  await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().click();
  await expect(page.getByRole('dialog', { name: 'Event details' }).getByRole('heading', { name: 'Raw JSON' })).toBeVisible();
  expect(chunks.some((url) => url.includes('_split_event_detail.wasm'))).toBe(true);
});

test('a page chunk that cannot be fetched shows a retry banner, and Retry loads the page', async ({ page }) => {
  await page.route(CHUNK, (route) => route.abort('connectionfailed'));
  await page.goto('/roles');
  const banner = page.getByRole('alert');
  await expect(banner).toContainText('The page could not be loaded');

  await page.unroute(CHUNK);
  await banner.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('table', { name: 'Roles' })).toBeVisible();
  await expect(banner).toHaveCount(0);
});

test('a served chunk is compressed when asked, and immutable', async ({ page, request }) => {
  const chunks = chunkRequests(page);
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  expect(chunks.length).toBeGreaterThan(0);
  for (const encoding of ['br', 'gzip']) {
    const response = await request.get(chunks[0], { headers: { 'Accept-Encoding': encoding } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe(encoding);
    expect(response.headers()['content-type']).toBe('application/wasm');
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  }
});
