import { test, expect } from '@playwright/test';
import { LOG_TOTAL, openLog, pageOf, pagerStatus } from './helpers';

test.beforeEach(async ({ page }) => {
  await openLog(page);
});

test('the table shows the seeded events newest first', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table).toBeVisible();
  const headers = table.getByRole('columnheader');
  await expect(headers).toHaveText(['Time (local)', 'Event', 'Actor', 'Target', 'IP', 'Result', 'Message']);
  await expect(table.locator('tbody tr')).toHaveCount(25);
  await expect(pagerStatus(page)).toHaveText(pageOf(1));
  const times = await table.locator('tbody td.cell-time').allTextContents();
  expect(times[0]).not.toBe('');
  expect([...times].sort().reverse()).toEqual(times);
});

test('next and previous change the page counter and the rows', async ({ page }) => {
  const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
  await expect(pagerStatus(page)).toHaveText(pageOf(1));
  const previous = page.getByRole('button', { name: 'Previous' });
  await expect(previous).toBeDisabled();
  const firstRow = await rows.first().textContent();

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(pagerStatus(page)).toHaveText(pageOf(2));
  await expect(rows.first()).not.toHaveText(firstRow ?? '');
  await expect(previous).toBeEnabled();

  await previous.click();
  await expect(pagerStatus(page)).toHaveText(pageOf(1));
  await expect(rows.first()).toHaveText(firstRow ?? '');
});

test('the last page disables next', async ({ page }) => {
  await page.getByLabel('Rows per page').selectOption('100');
  await expect(pagerStatus(page)).toHaveText(pageOf(1, 100));
  const pages = Math.ceil(LOG_TOTAL / 100);
  const next = page.getByRole('button', { name: 'Next' });
  for (let n = 2; n <= pages; n++) {
    await next.click();
    await expect(pagerStatus(page)).toHaveText(pageOf(n, 100));
  }
  await expect(next).toBeDisabled();
  const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
  await expect(rows).toHaveCount(LOG_TOTAL - (pages - 1) * 100);
});

test('a row opens its detail and close returns to the table', async ({ page }) => {
  const firstRow = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first();
  const action = (await firstRow.locator('td.cell-event').textContent()) ?? '';
  await firstRow.click();
  const dialog = page.getByRole('dialog', { name: 'Event details' });
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(/[?&]event=[0-9a-f-]{36}/);
  await expect(dialog.getByRole('heading', { name: 'Raw JSON' })).toBeVisible();
  await expect(dialog.locator('dl.detail-list code').first()).toHaveText(action);
  // Who handed the event in (an API key, Auditrail itself, or an operator command) is shown.
  await expect(dialog.getByText('Recorded from')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/audit-logs$/);
});

test('an event shows its inclusion in the latest signed checkpoint', async ({ page }) => {
  // The page's oldest row: long in a checkpoint, whatever other specs are appending meanwhile.
  await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').last().click();
  const dialog = page.getByRole('dialog', { name: 'Event details' });
  await expect(dialog.getByText(/Included in the signed checkpoint of \d+ events/)).toBeVisible();
  await dialog.getByText('Signed checkpoint', { exact: true }).click();
  await expect(dialog.locator('details.signed-checkpoint pre')).toContainText('/acme');
});

test('a row opens with the keyboard too', async ({ page }) => {
  const firstRow = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first();
  await firstRow.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Event details' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Event details' })).toBeHidden();
});
