import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { signIn } from './helpers';

test('export as CSV downloads a file whose rows match the table total', async ({ page }) => {
  await signIn(page);
  await expect(page.locator('.pager-status')).toContainText('(300 total)');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^auditrail-acme-start-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await readFile(await file.path(), 'utf8');
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0].startsWith('id,seq,occurred_at,action,category')).toBe(true);
  expect(lines.length - 1).toBe(300);
});

test('the security auditor reads the log but gets no export', async ({ page }) => {
  await signIn(page, 'auditor@acme.com');
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveCount(0);
});
