// Playwright drives Debian's Chromium (no browser download) against the real `auditrail`
// binary serving the built SPA on a fresh SQLite database seeded with demo data.
import { defineConfig } from '@playwright/test';

const port = 3107;

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
    { name: 'chromium', testIgnore: /(export|live)\.spec\.ts/ },
    // Exports and live tail add events, so they run after the specs that count rows, one
    // after the other.
    { name: 'export', testMatch: /export\.spec\.ts/, dependencies: ['chromium'] },
    { name: 'live', testMatch: /live\.spec\.ts/, dependencies: ['export'] },
  ],
  webServer: {
    command: `bash serve-test.sh ${port}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
