// SPDX-License-Identifier: MIT
// Browser tests of the `exectrail serve` dashboard in headless Chromium
// (Debian's chromium, driven by playwright-core). The server is started by
// tests/cli/t0704-dashboard.sh, which passes: URL (the server), CHROMIUM
// (the browser), SHOTS (where screenshots go), EXEC_ID (an execution with
// a failed action, criteria and a stored <script>), INGEST_CMD (a shell
// command that records one new execution and prints its id). Prints TAP;
// exit status 1 on any failure.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { t, done } from '../tap.mjs';

const URL = process.env.URL;
const SHOTS = process.env.SHOTS;
const EXEC_ID = process.env.EXEC_ID;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  // root in a container has no user namespaces for the sandbox
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
const page = await ctx.newPage();
const dialogs = [];
const cspViolations = [];
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
page.on('console', (m) => {
  if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
});
page.on('pageerror', (e) => cspViolations.push('page error: ' + e.message));
const sse = []; // the feed's answers, shown when the live check fails
page.on('response', async (r) => {
  if (r.url().includes('/ui/events')) {
    const h = await r.request().allHeaders();
    sse.push(`${r.url()} Last-Event-ID=${h['last-event-id']}: ` +
             (await r.text().catch(() => '')).replace(/\n/g, '|').slice(0, 300));
  }
});

await t('the list shows the executions, newest first', async () => {
  await page.goto(URL + '/');
  const rows = await page.locator('#rows tr').count();
  assert.ok(rows >= 3, `${rows} rows`);
  await page.screenshot({ path: `${SHOTS}/list.png` });
});

await t('the query box filters the list', async () => {
  await page.goto(URL + '/');
  await page.fill('#q', 'agent = "xss-agent"');
  await page.press('#q', 'Enter');
  await page.waitForURL(/q=agent/);
  const agents = await page.locator('#rows tr td:nth-child(3)').allTextContents();
  assert.deepEqual(agents, ['xss-agent']);
  assert.equal(await page.inputValue('#q'), 'agent = "xss-agent"');
});

await t('the filters filter too (state)', async () => {
  await page.goto(URL + '/');
  await page.selectOption('select[name=state]', 'started');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/state=started/);
  const states = await page.locator('#rows tr td:nth-child(4)').allTextContents();
  assert.ok(states.length >= 1 && states.every((s) => s === 'started'), JSON.stringify(states));
});

await t('a bad query shows its error at the offending column', async () => {
  await page.goto(URL + '/');
  await page.fill('#q', 'duration_ms > 5 )');
  await page.press('#q', 'Enter');
  const err = page.locator('#qerr');
  await err.waitFor();
  const text = await err.textContent();
  assert.match(text, /unexpected '\)' at column 17/);
  // the caret sits under column 17
  const caret = await page.locator('#qerr pre.caret').textContent();
  assert.equal(caret.split('\n')[1].indexOf('^'), 16);
  assert.equal(await page.getAttribute('#q', 'aria-invalid'), 'true');
  await page.screenshot({ path: `${SHOTS}/bad-query.png` });
});

await t('"/" focuses the query box (keyboard)', async () => {
  await page.goto(URL + '/');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
});

await t('the detail page shows the seven phases, the timeline and the evidence', async () => {
  await page.goto(`${URL}/ui/executions/${EXEC_ID}`);
  const phases = await page.locator('section h2').allTextContents();
  assert.deepEqual(phases, ['1. Pre-delegation', '2. Delegation', '3. Execution',
    '4. Response', '5. Verification', '6. Storage', '7. Learning']);
  assert.equal(await page.locator('#timeline tbody tr').count(), 3);
  assert.equal(await page.locator('#timeline tr.failed').count(), 1);
  assert.equal(await page.locator('#timeline rect.wf-bar.fail').count(), 1);
  const ev = await page.locator('#evidence tbody tr').allTextContents();
  assert.ok(ev.length >= 2, JSON.stringify(ev));
  assert.ok(ev.some((r) => /passed/.test(r)) && ev.some((r) => /failed/.test(r)), JSON.stringify(ev));
  assert.ok(await page.locator('mark.redacted').count() >= 1, 'a redaction marker');
  await page.locator('#timeline details').first().locator('summary').click();
  await page.screenshot({ path: `${SHOTS}/detail.png`, fullPage: true });
  // the README's picture (docs/img/dashboard.png): the phases and the timeline
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/dashboard.png` });
  await page.setViewportSize({ width: 1200, height: 800 });
});

await t('a stored <script> is shown as text and never run', async () => {
  await page.goto(`${URL}/ui/executions/${EXEC_ID}`);
  const body = await page.locator('#phase-1').textContent();
  assert.ok(body.includes('<script>window.__xss=1;alert(1)</script>'), body.slice(0, 300));
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
});

await t('a new execution appears live in the list, without a reload', async () => {
  await page.goto(URL + '/');
  await page.locator('#live').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  await page.evaluate(() => { window.__sameDocument = true; });
  const before = await page.locator('#rows tr').count();
  const id = execSync(process.env.INGEST_CMD, { encoding: 'utf8' }).trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const row = page.locator(`#x-${id}`);
  await row.waitFor({ timeout: 15000 }).catch((e) => {
    throw new Error(`${e.message}\nthe feed answered:\n${sse.slice(-6).join('\n')}`);
  });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
  assert.equal(await page.locator('#rows tr').count(), before + 1);
  assert.equal(await page.locator('#rows tr').first().getAttribute('id'), `x-${id}`);
  assert.match(await row.textContent(), /live-agent/);
  await page.screenshot({ path: `${SHOTS}/live.png` });
});

await t('the ledger page verifies on request and shows the result', async () => {
  await page.goto(URL + '/ui/ledger');
  assert.match(await page.locator('#tree-size').textContent(), /^\d+ events$/);
  await page.click('#verify');
  const res = page.locator('#verify-result');
  await res.waitFor();
  assert.match(await res.textContent(), /verified.*events/);
  await page.fill('input[name=execution]', EXEC_ID);
  await page.press('input[name=execution]', 'Enter');
  const link = page.locator(`a[download="proof-${EXEC_ID}.json"]`);
  await link.waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const proof = JSON.parse(await (await import('node:fs/promises')).readFile(await dl.path(), 'utf8'));
  assert.ok(proof.checkpoint || proof.tree_size, Object.keys(proof).join(','));
  await page.screenshot({ path: `${SHOTS}/ledger.png`, fullPage: true });
});

await t('the agents and daily report pages render their charts', async () => {
  await page.goto(URL + '/ui/agents');
  assert.ok(await page.locator('table.list tbody tr').count() >= 2);
  await page.goto(URL + '/ui/reports/daily');
  assert.ok(await page.locator('.report svg.chart').count() >= 1);
  await page.screenshot({ path: `${SHOTS}/daily.png`, fullPage: true });
});

await t('at phone width nothing overflows the page sideways', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const p = await phone.newPage();
  for (const path of ['/', `/ui/executions/${EXEC_ID}`, '/ui/ledger', '/ui/agents']) {
    await p.goto(URL + path);
    const w = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 391, `${path}: ${w}px wide`);
  }
  await p.goto(URL + '/');
  await p.screenshot({ path: `${SHOTS}/phone.png` });
  await phone.close();
});

await t('no Content-Security-Policy violation or script error on any page', async () => {
  assert.deepEqual(cspViolations, []);
});

await browser.close();
done();
