import { expect, type Page } from '@playwright/test';

/** Every demo user's password (see `auditrail seed`). */
export const DEMO_PASSWORD = 'demo-password';

/** Where the setup project keeps the signed-in admin's cookies for the read-only specs. */
export const ADMIN_STATE = '.e2e/admin.json';

/** Events `serve-test.sh` seeds. */
export const SEEDED_EVENTS = 300;

/**
 * The log's size while the read-only specs run: the seeded events plus the two that the setup
 * project's sign-in records (`user.login` and `user.new_device_logged_in`).
 */
export const LOG_TOTAL = SEEDED_EVENTS + 2;

/** "Page X of Y (Z total)" for the whole log at `size` rows per page. */
export function pageOf(page: number, size = 25) {
  return `Page ${page} of ${Math.ceil(LOG_TOTAL / size)} (${LOG_TOTAL} total)`;
}

/** Signs in through the form and waits for the landing page (`/audit-logs` for the admin). */
export async function signIn(
  page: Page,
  email = 'admin@acme.com',
  password = DEMO_PASSWORD,
  landing = /\/audit-logs$/,
) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(landing);
}

/** Opens the audit log with the stored admin session and waits for its rows. */
export async function openLog(page: Page) {
  await page.goto('/audit-logs');
  await expect(page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first()).toBeVisible();
}

/** The pager's "Page X of Y (Z total)" text. */
export function pagerStatus(page: Page) {
  return page.getByRole('navigation', { name: 'Pagination' }).locator('.pager-status');
}
