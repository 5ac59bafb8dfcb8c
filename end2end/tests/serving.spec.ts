import { test, expect } from '@playwright/test';

// The web app's files as the server sends them: precompressed, and cached by their hashed names.

async function wasmPath(request: import('@playwright/test').APIRequestContext) {
  const html = await (await request.get('/')).text();
  const match = html.match(/\/app-[0-9a-f]+_bg\.wasm/);
  expect(match).not.toBeNull();
  return match![0];
}

test('a served .wasm answers with brotli or gzip when asked, and is immutable', async ({ request }) => {
  const path = await wasmPath(request);
  for (const encoding of ['br', 'gzip']) {
    const response = await request.get(path, { headers: { 'Accept-Encoding': encoding } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe(encoding);
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  }
});

test('index.html is revalidated on every visit', async ({ request }) => {
  for (const path of ['/', '/audit-logs']) {
    const response = await request.get(path);
    expect(response.headers()['cache-control']).toBe('no-cache');
  }
});
