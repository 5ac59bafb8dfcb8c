import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { signIn } from './helpers';

/** The event this spec alters in the database, behind the server's back. */
const ALTERED_SEQ = 5;

/**
 * Edits one stored event of `acme` with Debian's `sqlite3`, first dropping the append-only
 * trigger that refuses it, as someone holding the database file could.
 */
function alterStoredEvent(seq: number) {
  const database = readFileSync('.e2e/database', 'utf8').trim();
  const sql = `
    DROP TRIGGER event_log_refuse_update;
    UPDATE event_log SET data = replace(data, '"message":"', '"message":"tampered ')
    WHERE org_id = (SELECT id FROM organizations WHERE slug = 'acme') AND seq = ${seq};`;
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', database], { input: sql });
}

test('the badge shows an intact chain, then where it breaks once a stored event is altered', async ({ page }) => {
  await signIn(page);
  const badge = page.getByRole('status', { name: 'Chain status' });
  const verifyNow = badge.getByRole('button', { name: 'Verify now' });

  await verifyNow.click();
  await expect(badge).toContainText(/Chain intact · verified \d+ events · just now/);
  await page.reload();
  await expect(badge).toContainText(/Chain intact · verified \d+ events/);

  alterStoredEvent(ALTERED_SEQ);
  await verifyNow.click();
  await expect(badge).toContainText(
    `Chain broken at event ${ALTERED_SEQ}: event ${ALTERED_SEQ} was altered`,
  );
  await page.reload();
  await expect(badge).toContainText(`Chain broken at event ${ALTERED_SEQ}`);
});
