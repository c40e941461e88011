import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../scripts/build-console.ts';
import { createTestApp } from '../support/app.ts';

// Harness of the end-to-end tests: the real app (built console + API) listening on 127.0.0.1,
// driven by Debian's Chromium through playwright-core. No browser download, no network.

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const SCREENSHOT_DIR = path.resolve('docs/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface ConsoleServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Builds the console if stale, then serves app + console on a free loopback port. */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  await ensureConsoleBuilt();
  const { app } = createTestApp({ env });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test does)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A fresh browser context (its own session storage) with Chinese locale and Shanghai time. */
export async function openPage(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Signs in through the console's login page and waits for the signed-in header. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('[data-test="current-user"]').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Toasts of earlier steps would cover the page; the screenshot hides them (CSS, not the DOM).
  await page.screenshot({ path: file, style: '.el-message { display: none !important; }', animations: 'disabled' });
  return file;
}

/** Picks an option of an Element Plus select opened from the field with this label. */
export async function choose(page: Page, label: string, option: string | RegExp): Promise<void> {
  // The select's placeholder lies over its input: the click goes to the select's box.
  // Its accessible name may carry the required-field asterisk drawn by CSS.
  await page.getByRole('combobox', { name: new RegExp(`^(\\* ?)?${label}$`) }).click({ force: true });
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: option }).first().click();
}
