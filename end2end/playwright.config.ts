// Playwright drives Debian's Chromium (no browser download) against the real `auditrail`
// binary serving the built SPA on a fresh SQLite database seeded with demo data.
import { defineConfig } from '@playwright/test';
import { ADMIN_STATE } from './tests/helpers';

// E2E_PORT lets two checkouts run their suites side by side.
const port = Number(process.env.E2E_PORT ?? 3107);

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: 'list',
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'setup', testMatch: /session\.setup\.ts/ },
    // Read-only specs share the setup's admin session, so the log's total stays fixed.
    {
      name: 'chromium',
      testMatch: /(audit-logs|search|filters|narrow-screens|serving|split-pages)\.spec\.ts/,
      dependencies: ['setup'],
      use: { storageState: ADMIN_STATE },
    },
    // Exports and live tail add events, so they run after the specs that count rows, one
    // after the other.
    {
      name: 'export',
      testMatch: /export\.spec\.ts/,
      dependencies: ['chromium'],
      use: { storageState: ADMIN_STATE },
    },
    {
      name: 'live',
      testMatch: /live\.spec\.ts/,
      dependencies: ['export'],
      use: { storageState: ADMIN_STATE },
    },
    // Sign-ins, lockouts, roles, invitations, keys and log streams each write to the log: last.
    { name: 'identity', testMatch: /(sign-in|identity|settings|log-streams)\.spec\.ts/, dependencies: ['live'] },
    // Tampers with a stored event behind the server, which breaks the chain for good: very last.
    { name: 'verify', testMatch: /verify\.spec\.ts/, dependencies: ['identity'] },
  ],
  webServer: {
    command: `bash serve-test.sh ${port}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
