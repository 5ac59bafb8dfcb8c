import { test, expect, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_PASSWORD, signIn } from './helpers';

// `serve-test.sh` starts the server with `--allow-private-destinations`, so a stream may deliver
// to this spec's own receiver on 127.0.0.1; link-local (cloud metadata) addresses stay refused.

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const newStreamForm = (page: Page) =>
  page.locator('form').filter({ has: page.getByRole('heading', { name: 'New stream' }) });
const streamCard = (page: Page, name: string) => page.getByRole('article', { name, exact: true });

/** A request the receiver got, body as sent. */
interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A webhook receiver on 127.0.0.1 (a free port) that answers every request 204 and keeps it. */
async function startReceiver() {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A header's single value (Node joins repeated ones into an array). */
function header(request: Received, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/**
 * Whether the request carries the Standard Webhooks signature made with `secret`: one of the
 * space-separated `v1,<base64>` entries of `webhook-signature` is the HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed with the base64 after `whsec_`.
 */
function signedWith(request: Received, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = Buffer.concat([
    Buffer.from(`${header(request, 'webhook-id')}.${header(request, 'webhook-timestamp')}.`),
    request.body,
  ]);
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return header(request, 'webhook-signature').split(' ').includes(expected);
}

/** Opens Log streams through the navigation and waits for the list to load. */
async function openLogStreams(page: Page) {
  await nav(page).getByRole('link', { name: 'Log streams' }).click();
  await expect(page).toHaveURL(/\/log-streams$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Log streams' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New stream' })).toBeVisible();
  await expect(page.locator('.state-loading')).toHaveCount(0);
}

test('the admin streams to a webhook: a signed test event, the delivery log, pause and delete', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    const name = `e2e-hook-${Date.now()}`;
    await signIn(page);
    await openLogStreams(page);

    const form = newStreamForm(page);
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByRole('combobox', { name: 'Kind', exact: true }).selectOption({ label: 'Webhook' });
    await form.getByLabel('URL', { exact: true }).fill(receiver.url);
    await expect(form.getByLabel('Filter', { exact: true })).toHaveAttribute('placeholder', 'action:user.* result:failure');
    await form.getByRole('button', { name: 'Create stream' }).click();
    await expect(form.getByRole('status').filter({ hasText: `Stream ${name} created` })).toBeVisible();

    // The signing secret, shown this once.
    const shownSecret = form.getByTestId('signing-secret');
    await expect(shownSecret).toHaveText(/^whsec_\S+$/);
    const secret = (await shownSecret.textContent()) ?? '';
    await expect(form.getByText('it will not be shown again')).toBeVisible();
    await expect(form.getByRole('button', { name: 'Copy secret' })).toBeVisible();

    const card = streamCard(page, name);
    await expect(card).toBeVisible();
    await expect(card).toContainText('Webhook');
    await expect(card).toContainText(receiver.url);
    await expect(card).toContainText('All events');
    await expect(card.getByTestId('stream-state')).toHaveText('Active');
    await expect(card.getByRole('button', { name: 'Rotate secret' })).toBeVisible();

    // A test event, answered by the receiver.
    await card.getByRole('button', { name: 'Send test event' }).click();
    await expect(card.getByRole('status').filter({ hasText: 'Test event delivered' })).toContainText('HTTP 204');
    await expect(card.getByRole('button', { name: 'Send test event' })).toBeEnabled();

    const logToggle = card.getByRole('button', { name: 'Delivery log' });
    await logToggle.click();
    await expect(logToggle).toHaveAttribute('aria-expanded', 'true');
    const log = card.getByRole('table', { name: 'Delivery log' });
    const testRow = log
      .locator('tbody tr')
      .filter({ has: page.getByRole('cell', { name: 'Test', exact: true }) })
      .first();
    await expect(testRow.getByRole('cell', { name: '204', exact: true })).toBeVisible();
    await expect(testRow.getByRole('cell', { name: 'OK', exact: true })).toBeVisible();

    // What the receiver got (the test event, and any batch of the log's events the stream
    // delivered meanwhile): POSTs to /hook, each signed with the secret shown at creation.
    await expect.poll(() => receiver.requests.length).toBeGreaterThan(0);
    const now = Math.floor(Date.now() / 1000);
    for (const request of [...receiver.requests]) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/hook');
      expect(header(request, 'webhook-id')).not.toBe('');
      expect(header(request, 'webhook-timestamp')).toMatch(/^\d+$/);
      expect(Math.abs(now - Number(header(request, 'webhook-timestamp')))).toBeLessThan(300);
      expect(header(request, 'webhook-signature')).toMatch(/^v1,/);
      expect(signedWith(request, secret), `signature of ${header(request, 'webhook-id')}`).toBe(true);
    }

    // Paused: the state says so and the button resumes.
    await card.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect(card.getByTestId('stream-state')).toHaveText('Paused');
    await expect(card.getByRole('button', { name: 'Resume', exact: true })).toBeVisible();

    // Deleted, after confirming: gone from the page, and after a reload.
    page.once('dialog', (dialog) => dialog.accept());
    await card.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `Stream ${name} deleted` })).toBeVisible();
    await expect(card).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'New stream' })).toBeVisible();
    await expect(page.locator('.state-loading')).toHaveCount(0);
    await expect(streamCard(page, name)).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test('a stream to the cloud metadata address is refused with a readable error next to the form', async ({ page }) => {
  const name = `e2e-metadata-${Date.now()}`;
  const metadata = 'http://169.254.169.254/';
  await signIn(page);
  await openLogStreams(page);
  const form = newStreamForm(page);
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('URL', { exact: true }).fill(metadata);
  await form.getByRole('button', { name: 'Create stream' }).click();
  await expect(form.getByRole('alert')).toContainText(/address/i);
  await expect(form.getByRole('button', { name: 'Create stream' })).toBeEnabled();
  await expect(form.getByLabel('URL', { exact: true })).toHaveValue(metadata);
  await expect(form.getByTestId('signing-secret')).toHaveCount(0);
  await expect(streamCard(page, name)).toHaveCount(0);
});

test('the form asks for the fields of the chosen kind', async ({ page }) => {
  await signIn(page);
  await openLogStreams(page);
  const form = newStreamForm(page);
  const kind = form.getByRole('combobox', { name: 'Kind', exact: true });

  await kind.selectOption({ label: 'Splunk HEC' });
  await expect(form.getByLabel('URL', { exact: true })).toBeVisible();
  await expect(form.getByLabel('Index (optional)')).toBeVisible();
  await expect(form.getByLabel('HEC token')).toHaveAttribute('type', 'password');

  await kind.selectOption({ label: 'Datadog' });
  await expect(form.getByLabel('Service (optional)')).toBeVisible();
  await expect(form.getByLabel('Tags (optional)')).toBeVisible();
  await expect(form.getByLabel('API key')).toHaveAttribute('type', 'password');
  await expect(form.getByLabel('HEC token')).toHaveCount(0);

  await kind.selectOption({ label: 'Syslog' });
  await expect(form.getByLabel('Host')).toBeVisible();
  await expect(form.getByLabel('Port')).toHaveValue('6514');
  await expect(form.getByRole('checkbox', { name: /TLS/ })).toBeChecked();
  await expect(form.getByLabel('URL', { exact: true })).toHaveCount(0);
  await expect(form.getByLabel('API key')).toHaveCount(0);
});

test('a role without webhooks:manage sees no Log streams link and gets the no-access page', async ({ page }) => {
  await signIn(page, 'manager@acme.com', DEMO_PASSWORD, /\/members$/);
  await expect(nav(page).getByRole('link', { name: 'Members' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Log streams' })).toHaveCount(0);
  await page.goto('/log-streams');
  await expect(page.getByRole('heading', { name: "You don't have access to log streams" })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New stream' })).toHaveCount(0);
});
