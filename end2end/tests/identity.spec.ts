import { test, expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD, signIn } from './helpers';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('the finance user sees no Audit Logs link and gets the no-access page on the direct URL', async ({ page }) => {
  await signIn(page, 'finance@acme.com', DEMO_PASSWORD, /\/account$/);
  await expect(nav(page).getByRole('link', { name: 'Account' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Audit Logs' })).toHaveCount(0);
  await page.goto('/audit-logs');
  await expect(page.getByRole('heading', { name: "You don't have access to security logs" })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' })).toHaveCount(0);
});

test('the security auditor reads the log but gets no Export and no admin pages', async ({ page }) => {
  await signIn(page, 'auditor@acme.com');
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveCount(0);
  await expect(nav(page).getByRole('link', { name: 'Members' })).toHaveCount(0);
  await page.goto('/api-keys');
  await expect(page.getByRole('heading', { name: "You don't have access to API keys" })).toBeVisible();
});

test('the admin creates a custom role, invites a user who accepts and signs in with it', async ({ page, browser }) => {
  const stamp = Date.now();
  const role = `Reviewer ${stamp}`;
  const email = `reviewer-${stamp}@acme.com`;
  await signIn(page);
  await nav(page).getByRole('link', { name: 'Roles' }).click();
  await page.getByLabel('Role name').fill(role);
  await page.getByRole('checkbox', { name: /audit_logs:read/ }).check();
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('status')).toContainText(`Role ${role} created`);
  await expect(page.getByRole('table', { name: 'Roles' }).getByRole('row', { name: new RegExp(role) })).toContainText('audit_logs:read');

  await nav(page).getByRole('link', { name: 'Members' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: role });
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByTestId('invitation-link').textContent()) ?? '';
  expect(link).toMatch(/\/invite\/[A-Za-z0-9]{43}$/);
  await expect(page.getByRole('table', { name: 'Pending invitations' })).toContainText(email);

  const invitee = await browser.newContext();
  const newcomer = await invitee.newPage();
  await newcomer.goto(link);
  await expect(newcomer.getByText(`as ${role}`)).toBeVisible();
  await newcomer.getByLabel('Your name').fill('Rita Reviewer');
  await newcomer.getByLabel('Choose a password').fill('reviewer-password');
  await newcomer.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(newcomer).toHaveURL(/\/audit-logs$/);
  await expect(newcomer.locator('.user-role')).toHaveText(role);
  await newcomer.getByRole('button', { name: 'Sign out' }).click();
  await signIn(newcomer, email, 'reviewer-password');
  await invitee.close();

  await page.reload();
  await expect(page.getByRole('table', { name: 'Members' })).toContainText(email);
});

test('a rotated key stops working at once', async ({ page, request }) => {
  const name = `e2e-rotate-${Date.now()}`;
  const event = { action: 'user.login', actor: { type: 'user', id: 'u_e2e' } };
  const post = (key: string) =>
    request.post('/api/v1/events', { headers: { Authorization: `Bearer ${key}` }, data: event });
  await signIn(page);
  await nav(page).getByRole('link', { name: 'API Keys' }).click();
  await page.getByLabel('Key name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByTestId('api-key-secret');
  await expect(secret).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create key' })).toBeEnabled();
  const first = (await secret.textContent()) ?? '';
  expect(first).toMatch(/^atr_/);
  expect((await post(first)).status()).toBe(201);
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(`***${first.slice(-4)}`);

  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Rotate' }).click();
  await expect(page.getByRole('status').first()).toContainText(`Key ${name} rotated`);
  await expect(secret).not.toHaveText(first);
  await expect(row.getByRole('button', { name: 'Rotate' })).toBeEnabled();
  const second = (await secret.textContent()) ?? '';
  expect((await post(first)).status()).toBe(401);
  expect((await post(second)).status()).toBe(201);
});

test('five wrong passwords lock the account and the lockout events appear in the admin table', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('lockout@acme.com');
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel('Password').fill(`wrong-${attempt}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const expected = attempt < 5 ? 'Invalid email or password' : 'temporarily locked';
    await expect(page.getByRole('alert')).toContainText(expected);
  }
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('temporarily locked');

  await signIn(page);
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await search.fill('category:security');
  await page.getByRole('button', { name: 'Apply' }).click();
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table.getByRole('row', { name: /security\.account\.lockout.*lockout@acme\.com/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /security\.brute_force\.detected.*lockout@acme\.com/ })).toBeVisible();
});

test('a free-plan organization shows that audit logs need a paid plan', async ({ page }) => {
  await signIn(page);
  await page.getByLabel('Organization').selectOption('globex');
  await expect(page.getByRole('heading', { name: 'Audit logs require a paid plan' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Members' })).toBeVisible();
});

test('an account manager has no way to pick the admin role nor to act on an admin', async ({ page }) => {
  await signIn(page, 'manager@acme.com', DEMO_PASSWORD, /\/members$/);
  const invite = page.getByRole('combobox', { name: 'Role', exact: true });
  await expect(invite.getByRole('option', { name: 'finance' })).toHaveCount(1);
  await expect(invite.getByRole('option', { name: 'admin' })).toHaveCount(0);
  await expect(invite.getByRole('option', { name: 'Security Auditor' })).toHaveCount(0);
  const adminRow = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /admin@acme\.com/ });
  await expect(adminRow).toContainText('admin');
  await expect(adminRow.getByRole('combobox')).toHaveCount(0);
  await expect(adminRow.getByRole('button', { name: 'Remove' })).toHaveCount(0);
  const financeRow = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /finance@acme\.com/ });
  await expect(financeRow.getByRole('combobox').getByRole('option', { name: 'admin' })).toHaveCount(0);
});
