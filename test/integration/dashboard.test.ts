/**
 * The dashboard (/ui/) in a real browser: Debian's chromium, headless, driven by playwright-core,
 * against a master, 2 replicas and 3 sentinel-ts with http-port. The page must show the master
 * after its scripts ran, run a dry run on request (naming a replica, moving nothing), and follow
 * a kill -9 failover through the event stream to the new master's port. Screenshots (a laptop's
 * 1366x768) go to test-artifacts/ as test artifacts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { httpPortLines, useSettledTopology } from '../helpers/fixture.js';
import { ROOT } from '../helpers/paths.js';
import { tsOnly } from '../helpers/sentinels.js';
import { redisCli } from '../helpers/wire.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = tsOnly('the dashboard is sentinel-ts\'s') || (fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (Debian package chromium; scripts/setup.sh installs it)`);
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const httpPorts: number[] = [];
const { topo } = useSettledTopology({
  skip,
  downAfterMs: 2000,
  linesFor: httpPortLines(httpPorts),
});

test('the dashboard shows the master, answers a dry run, and follows a kill -9 failover to the new master', { skip, timeout: 120_000 }, async (ctx) => {
  const t = topo();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As root in CI: no sandbox; and none of chromium's own network traffic (the machine has none).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${httpPorts[0]}/ui/`);
    const addr = page.locator('[data-testid="master-address"]');
    await addr.waitFor({ timeout: 15000 });
    assert.equal(await addr.textContent(), `127.0.0.1:${t.master.port}`);
    assert.equal(await page.locator('article .replicas tbody tr').count(), 2);
    assert.equal(await page.locator('article .sentinels tbody tr').count(), 2);
    await page.locator('#conn', { hasText: 'live' }).waitFor({ timeout: 10000 });

    // The dry run: who would win and why; nothing moves.
    await page.locator('button.dry-run').click();
    const verdict = page.locator('.plan .verdict');
    await verdict.waitFor({ timeout: 10000 });
    const text = (await verdict.textContent()) ?? '';
    assert.match(text, /^would start \(epoch \d+\), promoting 127\.0\.0\.1:\d+$/);
    assert.ok(t.replicas.some((r) => text.endsWith(`127.0.0.1:${r.port}`)), text);
    assert.equal(Number((await redisCli(t.sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]), t.master.port);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-before-failover.png'), fullPage: true });

    await t.master.kill9();
    const newPort = await (async () => {
      for (let i = 0; i < 300; i++) {
        const shown = (await addr.textContent()) ?? '';
        if (shown !== `127.0.0.1:${t.master.port}` && shown.startsWith('127.0.0.1:')) return Number(shown.split(':')[1]);
        await page.waitForTimeout(100);
      }
      throw new Error('the page never showed a new master');
    })();
    assert.ok(t.replicas.some((r) => r.port === newPort), `new master ${newPort}`);
    await page.locator('#events li', { hasText: `+switch-master mymaster 127.0.0.1 ${t.master.port} 127.0.0.1 ${newPort}` }).first().waitFor({ timeout: 10000 });
    await page.locator('#failovers tbody tr', { hasText: `127.0.0.1:${newPort}` }).first().waitFor({ timeout: 10000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-failover.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors in the page');
    ctx.diagnostic(`screenshots in ${ARTIFACTS}`);
  } finally {
    await browser.close();
  }
});
