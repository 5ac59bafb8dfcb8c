import { test, expect, type Locator, type Page } from '@playwright/test';
import { LOG_TOTAL, openLog, pagerStatus } from './helpers';

const FULL = `(${LOG_TOTAL} total)`;

test.beforeEach(async ({ page }) => {
  await openLog(page);
  await expect(pagerStatus(page)).toContainText(FULL);
});

/** Opens the filter panel and answers its form. */
async function openFilters(page: Page) {
  await page.getByRole('button', { name: /^Filters/ }).click();
  const panel = page.getByRole('form', { name: 'Event filters' });
  await expect(panel).toBeVisible();
  return panel;
}

/** Applies the panel and waits for a narrower "Page X of Y (Z total)". */
async function applyNarrowed(page: Page, panel: Locator) {
  await panel.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(pagerStatus(page)).not.toContainText(FULL);
  await expect(pagerStatus(page)).toHaveText(/^Page 1 of \d+ \(\d+ total\)$/);
}

/**
 * Waits until the events table has rows and every `cell` of them satisfies `ok` (the previous
 * page's rows stay on screen while the next one loads).
 */
async function expectEveryRow(page: Page, cell: string, ok: (text: string) => boolean) {
  const cells = page.getByRole('table', { name: 'Audit events' }).locator(`td.${cell}`);
  await expect
    .poll(async () => {
      const texts = await cells.allTextContents();
      return texts.length > 0 && texts.every(ok);
    })
    .toBe(true);
}

/** The search box's value once it says `expected`. */
async function expectSearch(page: Page, expected: string | RegExp) {
  await expect(page.getByRole('searchbox', { name: 'Search events' })).toHaveValue(expected);
}

test('a period of the date range narrows to recent events', async ({ page }) => {
  const panel = await openFilters(page);
  await panel.getByRole('group', { name: 'Periods' }).getByRole('button', { name: 'Last 7 days' }).click();
  await applyNarrowed(page, panel);
  await expectSearch(page, /^after:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

test('a custom date range includes the whole To day', async ({ page }) => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const panel = await openFilters(page);
  await panel.getByLabel('From (UTC)').fill(day(30));
  await panel.getByLabel('To (UTC, inclusive)').fill(day(10));
  await applyNarrowed(page, panel);
  await expectSearch(page, `after:${day(30)} before:${day(9)}`);
  await expect(panel.getByLabel('To (UTC, inclusive)')).toHaveValue(day(10));
});

test('an actor picked from the typeahead narrows to that actor', async ({ page }) => {
  const panel = await openFilters(page);
  const actor = panel.getByRole('combobox', { name: 'Actor' });
  await actor.fill('carol');
  await panel.getByRole('option', { name: /carol@acme\.com/ }).click();
  await expect(panel.getByRole('list', { name: 'Chosen actors' })).toContainText('carol@acme.com');
  await expect(actor).toHaveValue('');
  await applyNarrowed(page, panel);
  await expectSearch(page, 'actor:carol@acme.com');
  await expectEveryRow(page, 'cell-actor', (text) => text === 'carol@acme.com');
});

test('a typed actor is added with Enter or by Apply, and removed with its button', async ({ page }) => {
  const panel = await openFilters(page);
  const actor = panel.getByRole('combobox', { name: 'Actor' });
  await actor.fill('dave@acme.com');
  await actor.press('Enter');
  await panel.getByRole('button', { name: 'Remove actor dave@acme.com' }).click();
  await expect(panel.getByRole('list', { name: 'Chosen actors' })).not.toContainText('dave');
  await actor.fill('api-key:terraform');
  await applyNarrowed(page, panel);
  await expectSearch(page, 'actor:api-key:terraform');
  await expectEveryRow(page, 'cell-actor', (text) => text === 'api-key:terraform');
});

test('a category checkbox narrows to that category', async ({ page }) => {
  const panel = await openFilters(page);
  await panel.getByRole('group', { name: 'Category' }).getByRole('checkbox', { name: 'secret', exact: true }).check();
  await applyNarrowed(page, panel);
  await expectSearch(page, 'category:secret');
  await expectEveryRow(page, 'cell-event', (text) => /^SECRET_/.test(text));
});

test('actions are picked from the grouped catalogue or typed as a pattern', async ({ page }) => {
  const panel = await openFilters(page);
  const action = panel.getByRole('searchbox', { name: 'Action' });
  await action.fill('invited');
  const list = panel.getByRole('group', { name: 'Catalogue actions' });
  await expect(list.getByRole('group', { name: 'user' })).toBeVisible();
  await expect(list.getByRole('group', { name: 'secret' })).toHaveCount(0);
  await list.getByRole('checkbox', { name: /^user\.invited / }).check();
  await action.fill('auth.login.*');
  await action.press('Enter');
  await applyNarrowed(page, panel);
  await expectSearch(page, 'action:user.invited action:auth.login.*');
  await expectEveryRow(page, 'cell-event', (text) => /^(user\.invited|auth\.login\..+)$/.test(text));
});

test('target type and target id narrow to those targets', async ({ page }) => {
  const panel = await openFilters(page);
  await panel.getByLabel('Target type').fill('secret');
  await applyNarrowed(page, panel);
  await expectSearch(page, 'type:secret');
  await expectEveryRow(page, 'cell-event', (text) => ['SECRET_READ', 'SECRET_SET'].includes(text));

  await panel.getByRole('button', { name: 'Reset' }).click();
  await expect(pagerStatus(page)).toContainText(FULL);
  await panel.getByLabel('Target id').fill('application_billing-service');
  await applyNarrowed(page, panel);
  await expectSearch(page, 'target:application_billing-service');
  await expectEveryRow(page, 'cell-target', (text) => text === 'billing-service');
});

test('an IP block narrows to its addresses and a bad one is explained', async ({ page }) => {
  const panel = await openFilters(page);
  const ip = panel.getByLabel('IP address or CIDR');
  await ip.fill('10.0.0.0/40');
  await expect(panel.getByRole('alert')).toContainText('prefix length');
  await panel.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page).toHaveURL(/\/audit-logs$/);

  await ip.fill('10.8.0.0/16, 2001:db8::/32');
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await applyNarrowed(page, panel);
  await expectSearch(page, 'ip:10.8.0.0/16 ip:2001:db8::/32');
  await expectEveryRow(page, 'cell-ip', (text) => /^(10\.8\.0\.\d+|2001:db8:.*)$/.test(text));
});

test('result and environment narrow the rows', async ({ page }) => {
  const panel = await openFilters(page);
  await panel.getByRole('group', { name: 'Result' }).getByRole('checkbox', { name: 'failure' }).check();
  await applyNarrowed(page, panel);
  await expectSearch(page, 'result:failure');
  await expectEveryRow(page, 'cell-result', (text) => text === 'failure');

  await panel.getByRole('group', { name: 'Result' }).getByRole('checkbox', { name: 'failure' }).uncheck();
  await panel.getByRole('textbox', { name: 'Environment', exact: true }).fill('staging');
  await panel.getByRole('button', { name: 'Apply', exact: true }).click();
  await expectSearch(page, 'env:staging');
  await expect(pagerStatus(page)).not.toContainText(FULL);
  await expectEveryRow(page, 'cell-event', (text) => ['SECRET_READ', 'SECRET_SET', 'SECRET_LIST', 'VARIABLE_SET'].includes(text));
});

test('free text narrows the rows', async ({ page }) => {
  const panel = await openFilters(page);
  await panel.getByLabel('Free text').fill('payments-api');
  await applyNarrowed(page, panel);
  await expectSearch(page, '"payments-api"');
  await expectEveryRow(page, 'cell-target', (text) => text === 'payments-api');
});

test('Apply writes the search into the URL, a reload restores the panel, Reset clears it', async ({ page }) => {
  let panel = await openFilters(page);
  await panel.getByRole('group', { name: 'Category' }).getByRole('checkbox', { name: 'auth', exact: true }).check();
  await panel.getByRole('group', { name: 'Result' }).getByRole('checkbox', { name: 'failure' }).check();
  await panel.getByLabel('IP address or CIDR').fill('203.0.113.0/24');
  await applyNarrowed(page, panel);
  const search = 'category:auth ip:203.0.113.0/24 result:failure';
  await expect(page).toHaveURL(`/audit-logs?search=${encodeURIComponent(search)}`);
  await expectSearch(page, search);
  const narrowed = await pagerStatus(page).textContent();

  await page.reload();
  await expect(pagerStatus(page)).toHaveText(narrowed ?? '');
  await expect(page.getByRole('button', { name: 'Filters (3)' })).toBeVisible();
  panel = await openFilters(page);
  await expect(panel.getByRole('group', { name: 'Category' }).getByRole('checkbox', { name: 'auth', exact: true })).toBeChecked();
  await expect(panel.getByRole('group', { name: 'Result' }).getByRole('checkbox', { name: 'failure' })).toBeChecked();
  await expect(panel.getByLabel('IP address or CIDR')).toHaveValue('203.0.113.0/24');

  // The search box and the panel edit the same filter.
  await page.getByRole('searchbox', { name: 'Search events' }).fill('actor:bob@acme.com -result:success');
  await page.getByRole('search').getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('list', { name: 'Chosen actors' })).toContainText('bob@acme.com');
  await expect(panel.getByRole('group', { name: 'Category' }).getByRole('checkbox', { name: 'auth', exact: true })).not.toBeChecked();
  await expect(panel).toContainText('-result:success');

  await panel.getByRole('button', { name: 'Reset' }).click();
  await expect(pagerStatus(page)).toContainText(FULL);
  await expect(page).toHaveURL(/\/audit-logs$/);
  await expectSearch(page, '');
  await expect(page.getByRole('button', { name: 'Filters', exact: true })).toBeVisible();
});
