import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashApiKey } from '@homelab/platform';
import { realServersRequired } from '@homelab/test-servers';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPorts, platformProcesses } from './platform-processes.ts';
import { demoIdentity, loadOrCreateSecrets } from './secrets.ts';
import { type Supervisor, supervise } from './supervisor.ts';

const chromiumPath = '/usr/bin/chromium';
const repositoryRoot = resolve(import.meta.dirname, '../../..');
const screenshots = join(repositoryRoot, '.artifacts/screenshots');
const available = existsSync(chromiumPath);
if (!available && !realServersRequired()) {
  console.warn(
    `\n[notice] ${chromiumPath} not found: the browser end-to-end test is skipped (apt-get install chromium)`,
  );
}

/** The real api, gateway and web as `homelab up` starts them, driven by Debian's Chromium (never a download). */
describe.runIf(available || realServersRequired())('web in a real browser', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'web-e2e-'));
  const userDataDir = mkdtempSync(join(tmpdir(), 'web-e2e-chromium-'));
  // Below the kernel's ephemeral range (32768+) where freePort() picks, and apart from the up test's range.
  const portOffset = 10_000 + Math.floor(Math.random() * 300) * 20;
  const web = `http://localhost:${localPorts(portOffset).web}`;
  let platform: Supervisor;
  let demoPassword = '';
  let browser: BrowserContext;
  let page: Page;
  const logs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`CI requires ${chromiumPath}: apt-get install chromium`);
    mkdirSync(screenshots, { recursive: true });
    const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
    demoPassword = secrets.demoPassword;
    platform = supervise(
      platformProcesses({
        root: repositoryRoot,
        dataDir,
        secrets,
        demoApiKeyHash: hashApiKey(secrets.demoApiKey),
        demoIdentity,
        portOffset,
        logLevel: 'warn',
      }),
      { log: (name, line) => logs.push(`${name} | ${line}`) },
    );
    await platform.waitUntilReady(90_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    // A fresh profile per run: playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      viewport: { width: 1000, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('dialog', (dialog) => dialog.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('signs in, creates, edits and deletes a note', async () => {
    await page.goto(`${web}/`);
    await expect.poll(() => page.url()).toContain('/signin');
    await page.screenshot({ path: join(screenshots, 'signin.png'), fullPage: true });
    // A wrong password first: the generic failure, and still signed out.
    await page.getByLabel('User name').fill(demoIdentity);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Wrong user name or password.');
    // Then the generated password, as the README says to find it (homelab credentials / .data/credentials).
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/notes');
    expect(await page.getByTestId('identity').textContent()).toBe(demoIdentity);

    const title = 'Groceries for the weekend';
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Text').fill('milk, eggs, bread');
    await page.getByRole('button', { name: 'Create note' }).click();
    await page.waitForURL('**/notes?done=created');
    expect(await page.getByRole('status').textContent()).toContain('Note created');
    expect(await page.getByRole('heading', { name: title }).count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'notes.png'), fullPage: true });

    await page.getByRole('link', { name: `Edit “${title}”` }).click();
    const edited = `${title} (edited)`;
    await page.getByLabel('Title').fill(edited);
    await page.screenshot({ path: join(screenshots, 'edit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL('**/notes?done=saved');
    expect(await page.getByRole('heading', { name: edited }).count()).toBe(1);

    await page.getByRole('button', { name: `Delete “${edited}”` }).click();
    await page.waitForURL('**/notes?done=deleted');
    expect(await page.getByRole('heading', { name: edited }).count()).toBe(0);
  });

  it('shows validation errors from the API without losing the input', async () => {
    await page.goto(`${web}/notes`);
    await page.getByLabel('Title').fill('x'.repeat(10));
    // Bypass the browser's own maxlength check the way a script would, so the API's validation answers.
    await page.getByLabel('Title').evaluate((el: { removeAttribute(name: string): void; value: string }) => {
      el.removeAttribute('maxlength');
      el.value = 'y'.repeat(201);
    });
    await page.getByRole('button', { name: 'Create note' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/Bad Request/);
    expect(await page.getByLabel('Title').inputValue()).toBe('y'.repeat(201));
  });

  it('renders the status page with SLO numbers for every service', async () => {
    await page.goto(`${web}/status`);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(6);
    const apiAvailability = page.locator('tr[data-service="api"][data-slo="availability"]');
    expect(await apiAvailability.getByTestId('error-ratio').textContent()).toMatch(/^\d+\.\d{3} %$/);
    expect(await apiAvailability.getByTestId('budget-left').textContent()).toMatch(/^-?\d+\.\d %$/);
    expect(await page.getByTestId('canary').textContent()).toMatch(/canary/i);
    await page.screenshot({ path: join(screenshots, 'status.png'), fullPage: true });
  });
});
