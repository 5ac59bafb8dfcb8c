import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { openLog } from './helpers';

test('an event ingested while Live is on appears at the top of the table', async ({ page, request }) => {
  await openLog(page);
  const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await page.getByRole('button', { name: 'Live' }).click();
  await expect(page.getByRole('button', { name: '● Live' })).toHaveAttribute('aria-pressed', 'true');

  const key = (await readFile('.e2e/ingest-key', 'utf8')).trim();
  const marker = `live-${Date.now()}`;
  const answer = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      action: 'SECRET_READ',
      actor: { type: 'api_key', id: 'k_live', name: 'live-test' },
      targets: [{ type: 'secret', id: marker, name: marker }],
      context: { ip: '198.51.100.99' },
    },
  });
  expect(answer.status()).toBe(201);
  await expect(rows.first().locator('td.cell-target')).toHaveText(marker, { timeout: 10_000 });
});
