import { test, expect } from '@playwright/test';
import { LOG_TOTAL, openLog, pageOf, pagerStatus } from './helpers';

test.beforeEach(async ({ page }) => {
  await openLog(page);
});

test('a search narrows the rows and lives in the URL across a reload', async ({ page }) => {
  await expect(pagerStatus(page)).toContainText(`(${LOG_TOTAL} total)`);
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await search.fill('action:SECRET_* -result:failure');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/search=action%3ASECRET_\*%20-result%3Afailure|search=action%3ASECRET_%2A%20-result%3Afailure/);
  await expect(pagerStatus(page)).not.toContainText(`(${LOG_TOTAL} total)`);
  const events = page.getByRole('table', { name: 'Audit events' }).locator('td.cell-event');
  for (const text of await events.allTextContents()) {
    expect(text.startsWith('SECRET_')).toBe(true);
  }
  const narrowed = await pagerStatus(page).textContent();

  await page.reload();
  await expect(search).toHaveValue('action:SECRET_* -result:failure');
  await expect(pagerStatus(page)).toHaveText(narrowed ?? '');

  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(pagerStatus(page)).toContainText(`(${LOG_TOTAL} total)`);
  await expect(page).toHaveURL(/\/audit-logs$/);
});

test('a bad search says where and why', async ({ page }) => {
  await page.getByRole('searchbox', { name: 'Search events' }).fill('result:success ip:10.0.0.0/40');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert')).toContainText('column 16');
  await expect(page.getByRole('alert')).toContainText('prefix length');
});

test('a search that does not parse keeps the previous rows and pager, dimmed, under its error', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Audit events' });
  const firstRow = await table.locator('tbody tr').first().textContent();
  await page.getByRole('searchbox', { name: 'Search events' }).fill('ip:999.1.1.1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(table.locator('tbody tr').first()).toHaveText(firstRow ?? '');
  await expect(pagerStatus(page)).toHaveText(pageOf(1));
  await expect(page.locator('.results')).toHaveClass(/stale/);
});

test('a failed request shows a Retry banner over the last rows, and Retry loads the page', async ({ page }) => {
  await page.route('**/api/audit_logs/list', (route) => route.abort(), { times: 1 });
  await page.getByRole('button', { name: 'Next' }).click();
  const banner = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) });
  await expect(banner).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first()).toBeVisible();
  await expect(page.locator('.results')).toHaveClass(/stale/);
  await banner.getByRole('button', { name: 'Retry' }).click();
  await expect(banner).toBeHidden();
  await expect(page.locator('.results')).not.toHaveClass(/stale/);
  await expect(pagerStatus(page)).toHaveText(pageOf(2));
});

test('the time column switches between local time and UTC', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table.getByRole('columnheader').first()).toHaveText('Time (local)');
  const cell = table.locator('td.cell-time').first();
  const utcTitle = await cell.getAttribute('title');
  await page.getByRole('button', { name: 'Show UTC' }).click();
  await expect(table.getByRole('columnheader').first()).toHaveText('Time (UTC)');
  await expect(cell).toHaveText(utcTitle ?? '');
  await expect(page).toHaveURL(/tz=utc/);
  await page.getByRole('button', { name: 'Show local time' }).click();
  await expect(table.getByRole('columnheader').first()).toHaveText('Time (local)');
});

test('an open event survives a reload and Back closes it', async ({ page }) => {
  await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().click();
  const dialog = page.getByRole('dialog', { name: 'Event details' });
  await expect(dialog).toBeVisible();
  await page.reload();
  await expect(dialog).toBeVisible();
  await page.goBack();
  await expect(dialog).toBeHidden();
});

test('a preset asks for the key name and fills the search', async ({ page }) => {
  await page.getByRole('group', { name: 'Investigations' }).getByRole('button', { name: 'Suspected leaked API key' }).click();
  await page.getByLabel('API key name').fill('terraform');
  await page.getByRole('button', { name: 'Investigate' }).click();
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await expect(search).toHaveValue(/^actor:api-key:terraform after:\d{4}-\d{2}-\d{2}$/);
  // The demo key may or may not have acted this week: either its rows or the empty state.
  // Polled: right after the search changes the previous rows may still be on screen.
  await expect(async () => {
    const actors = await page.locator('td.cell-actor').allTextContents();
    const empty = await page.locator('.state-empty').count();
    expect(empty > 0 || actors.length > 0).toBe(true);
    for (const text of actors) {
      expect(text).toBe('api-key:terraform');
    }
  }).toPass();
});

test('the detail links search by actor, target and IP', async ({ page }) => {
  const row = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr', { hasText: 'SECRET_READ' }).first();
  const actor = (await row.locator('td.cell-actor').textContent()) ?? '';
  await row.click();
  const dialog = page.getByRole('dialog', { name: 'Event details' });
  await expect(dialog.getByRole('link', { name: 'More on this target' })).toBeVisible();
  await expect(dialog.getByRole('link', { name: 'More from this IP' })).toBeVisible();
  await dialog.getByRole('link', { name: 'More by this actor' }).click();
  await expect(page.getByRole('searchbox', { name: 'Search events' })).toHaveValue(`actor:${actor}`);
  // The previous rows stay on screen until the new page arrives: wait for it.
  await expect(async () => {
    const actors = await page.locator('td.cell-actor').allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    for (const text of actors) {
      expect(text).toBe(actor);
    }
  }).toPass();
});

test('the activity chart counts the matching events and a bar narrows the range', async ({ page }) => {
  const chart = page.getByRole('figure', { name: /^Activity: \d+ events, \d+ failed$/ });
  await expect(chart).toBeVisible();
  const busiest = page.locator('g.bar').filter({ has: page.locator('rect.bar-total[height]:not([height="0"])') }).first();
  await busiest.click();
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await expect(search).toHaveValue(/^after:\S+Z before:\S+Z$/);
  await expect(pagerStatus(page)).not.toContainText(`(${LOG_TOTAL} total)`);
  await expect(page.locator('td.cell-time').first()).toBeVisible();
});

test('the activity chart has a time axis and a tooltip per bar reached by keyboard', async ({ page }) => {
  const chart = page.getByRole('figure', { name: /^Activity: / });
  await expect(chart.locator('.chart-tick').nth(2)).toBeVisible();
  expect(await chart.locator('.chart-tick').count()).toBeGreaterThanOrEqual(3);
  // Ticks stand at their times across the axis (positions the Content-Security-Policy lets
  // through), not piled up at its start.
  const first = await chart.locator('.chart-tick').first().boundingBox();
  const last = await chart.locator('.chart-tick').last().boundingBox();
  expect(last!.x - first!.x).toBeGreaterThan(200);
  const bar = chart.getByRole('button').first();
  await bar.focus();
  await expect(chart.getByRole('tooltip')).toHaveText(/ – .*: \d+ events, \d+ failed$/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('searchbox', { name: 'Search events' })).toHaveValue(/^after:\S+Z before:\S+Z$/);
});

test('a saved view keeps a search for later and can be deleted', async ({ page }) => {
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await search.fill('category:secret -result:failure');
  await page.getByRole('button', { name: 'Apply' }).click();
  const views = page.getByRole('group', { name: 'Saved views' });
  await views.getByRole('button', { name: 'Save this view' }).click();
  const name = `secrets ${Date.now()}`;
  await views.getByLabel('View name').fill(name);
  await views.getByRole('button', { name: 'Save' }).click();
  await expect(views.getByRole('button', { name, exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(search).toHaveValue('');
  await views.getByRole('button', { name, exact: true }).click();
  await expect(search).toHaveValue('category:secret -result:failure');

  await views.getByRole('button', { name: `Delete view ${name}` }).click();
  await expect(views.getByRole('button', { name, exact: true })).toHaveCount(0);
});

test('a period button keeps the search and replaces its start', async ({ page }) => {
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await search.fill('category:auth after:2020-01-01');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: 'Last 7 days' }).click();
  await expect(search).toHaveValue(/^category:auth after:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  await expect(page.locator('.pager-status')).not.toContainText(`(${LOG_TOTAL} total)`);
});
