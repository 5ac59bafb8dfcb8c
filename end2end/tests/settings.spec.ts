import { test, expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD, signIn } from './helpers';

// The demo organization is on the pro plan: it starts at, and may keep events for, 90 days.
const PLAN_MAX = '90';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const days = (page: Page) => page.getByLabel('Keep events for');
const hold = (page: Page) => page.getByRole('checkbox', { name: /Legal hold/ });
const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true });
const retentionForm = (page: Page) => page.locator('form').filter({ has: page.getByRole('heading', { name: 'Retention' }) });

/** Opens Settings through the navigation and waits for the form. */
async function openSettings(page: Page) {
  await nav(page).getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(days(page)).toBeVisible();
}

/** Sets the retention form, saves, and waits for the confirmation. */
async function saveRetention(page: Page, value: string, held: boolean) {
  await days(page).fill(value);
  await hold(page).setChecked(held);
  await save(page).click();
  await expect(retentionForm(page).getByRole('status')).toContainText(`Saved: events are kept for ${value} days`);
  await expect(save(page)).toBeEnabled();
}

// Only purges read the retention and the legal hold, and no spec runs one: a shorter retention
// and a hold that is lifted again before the test ends disturb no other spec.
test('the admin changes the retention and the legal hold, which last and are audited', async ({ page }) => {
  await signIn(page);
  await openSettings(page);
  await expect(days(page)).toHaveValue(PLAN_MAX);
  await expect(page.getByText(`Your plan allows up to ${PLAN_MAX} days.`)).toBeVisible();
  await expect(hold(page)).not.toBeChecked();
  await expect(page.getByText('Nothing has been purged yet.')).toBeVisible();

  await saveRetention(page, '89', true);
  await page.reload();
  await expect(days(page)).toHaveValue('89');
  await expect(hold(page)).toBeChecked();

  await nav(page).getByRole('link', { name: 'Audit Logs' }).click();
  await page.getByRole('searchbox', { name: 'Search events' }).fill('action:retention.updated actor:admin@acme.com');
  await page.getByRole('button', { name: 'Apply' }).click();
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table.getByRole('row', { name: /retention\.updated.*admin@acme\.com/ }).first()).toBeVisible();

  await openSettings(page);
  await saveRetention(page, PLAN_MAX, false);
  await page.reload();
  await expect(days(page)).toHaveValue(PLAN_MAX);
  await expect(hold(page)).not.toBeChecked();
});

test('a retention above the plan maximum is refused next to the form, which keeps the value', async ({ page }) => {
  await signIn(page);
  await openSettings(page);
  await days(page).fill('91');
  await save(page).click();
  await expect(retentionForm(page).getByRole('alert')).toContainText(`from 1 to ${PLAN_MAX}`);
  await expect(days(page)).toHaveAttribute('aria-invalid', 'true');
  await expect(days(page)).toHaveValue('91');
  await expect(save(page)).toBeEnabled();
});

test('a role without settings:manage sees no Settings link and gets the no-access page', async ({ page }) => {
  await signIn(page, 'manager@acme.com', DEMO_PASSWORD, /\/members$/);
  await expect(nav(page).getByRole('link', { name: 'Members' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: "You don't have access to settings" })).toBeVisible();
  await expect(days(page)).toHaveCount(0);
});
