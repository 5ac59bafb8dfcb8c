import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

test('a wrong password shows an error and stays on the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Auditrail' })).toBeVisible();
  await page.getByLabel('Email').fill('admin@acme.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid email or password');
  await expect(page).toHaveURL(/\/login$/);
});

test('the demo admin signs in and sees the audit log', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit Logs' })).toBeVisible();
  await expect(page.getByText('admin@acme.com').first()).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Logs' })).toBeVisible();
});

test('sign out returns to the sign-in page and protects the log', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/audit-logs');
  await expect(page).toHaveURL(/\/login$/);
});

test('a live stream stops and says why when its session ends', async ({ browser }) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  await signIn(page, 'auditor@acme.com');
  await page.getByRole('button', { name: 'Live' }).click();
  await expect(page.getByRole('button', { name: '● Live' })).toHaveAttribute('aria-pressed', 'true');
  expect((await context.request.post('/api/session/sign_out')).status()).toBe(200);
  await expect(page.getByRole('alert').filter({ hasText: 'Live stopped' })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Live', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await context.close();
});
