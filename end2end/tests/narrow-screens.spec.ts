import { test, expect, type Page } from '@playwright/test';

// A phone held upright: every page fits its width, the navigation folds into a menu.
test.use({ viewport: { width: 390, height: 844 } });

/** Whether the page scrolls sideways. */
async function scrollsSideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

for (const path of ['/audit-logs', '/members', '/roles', '/api-keys', '/log-streams', '/settings', '/account']) {
  test(`${path} has no horizontal scroll at 390 px`, async ({ page }) => {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('.state-loading')).toHaveCount(0);
    expect(await scrollsSideways(page)).toBe(false);
  });
}

test('the sign-in page has no horizontal scroll at 390 px', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, storageState: undefined });
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await scrollsSideways(page)).toBe(false);
  await page.close();
});

test('the navigation folds into a menu and the table keeps Time, Event, Actor and Result', async ({ page }) => {
  await page.goto('/audit-logs');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(/\/members$/);
  await expect(nav).toBeHidden();

  await page.goto('/audit-logs');
  const headers = page.getByRole('table', { name: 'Audit events' }).getByRole('columnheader');
  await expect(headers.filter({ visible: true })).toHaveText(['Time (local)', 'Event', 'Actor', 'Result']);
});
