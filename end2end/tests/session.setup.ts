import { test as setup } from '@playwright/test';
import { ADMIN_STATE, signIn } from './helpers';

// One sign-in for every read-only spec: their totals stay fixed while they run in parallel.
setup('sign in the demo admin once', async ({ page }) => {
  await signIn(page);
  await page.context().storageState({ path: ADMIN_STATE });
});
