import { expect, type Page } from '@playwright/test';

/** Every demo user's password (see `auditrail seed`). */
export const DEMO_PASSWORD = 'demo-password';

/** Signs in through the form and waits for the audit log. */
export async function signIn(page: Page, email = 'admin@acme.com', password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/audit-logs$/);
}

/** The pager's "Page X of Y (Z total)" text. */
export function pagerStatus(page: Page) {
  return page.getByRole('navigation', { name: 'Pagination' }).locator('.pager-status');
}
