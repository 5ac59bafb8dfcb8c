import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { LOG_TOTAL, openLog } from './helpers';

test('export as CSV downloads a file whose rows match the table total', async ({ page }) => {
  await openLog(page);
  await expect(page.locator('.pager-status')).toContainText(`(${LOG_TOTAL} total)`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^auditrail-acme-start-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await readFile(await file.path(), 'utf8');
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0].startsWith('id,seq,occurred_at,action,category')).toBe(true);
  expect(lines.length - 1).toBe(LOG_TOTAL);
});
