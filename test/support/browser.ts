/**
 * A real browser for the web tests: Debian's `chromium`, driven by
 * `playwright-core` (no browser download), with a fresh profile per launch.
 * Also: axe-core run inside the page, and screenshots kept for people to
 * look at (`FARM_SCREENSHOTS`, default `<tmp>/farm-web-screenshots`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['FARM_TEST_CHROMIUM'] ?? '/usr/bin/chromium';

/** Launches headless chromium; `playwright-core`'s launch gives it a fresh temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (sudo bash scripts/setup-host.sh --with-test-tools)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where screenshots go; created on first use. */
export function screenshotDir(): string {
  const dir = process.env['FARM_SCREENSHOTS'] ?? path.join(os.tmpdir(), 'farm-web-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves a screenshot (of the full page unless `fullPage` is false: very long lists) as `<name>.png` and prints where. */
export async function screenshot(page: Page, name: string, { fullPage = true }: { fullPage?: boolean } = {}): Promise<string> {
  const file = path.join(screenshotDir(), `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  console.log(`screenshot: ${file}`);
  return file;
}

/** A violation axe-core reported, reduced to what a failing test should print. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** Runs axe-core (WCAG 2 A/AA rules and best practices) in the page; returns every violation. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async () => {
    // Runs in the page (no DOM types in this project's tsconfig).
    const w = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
    const result = await w.axe.run(w.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/** Violations that fail a page: serious and critical ones. */
export function serious(violations: readonly AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * How far the page, or any scrolling region in it, is wider than the
 * screen (CSS pixels; 0 when everything fits): on a phone, tables of
 * records must fit as cards, only the versions × targets matrix may scroll.
 */
export async function sidewaysScroll(page: Page, except: readonly string[] = []): Promise<Record<string, number>> {
  return page.evaluate((skip) => {
    type El = { scrollWidth: number; clientWidth: number; getAttribute(n: string): string | null; matches(s: string): boolean };
    const d = (globalThis as unknown as { document: { documentElement: El; querySelectorAll(s: string): ArrayLike<El> } }).document;
    const out: Record<string, number> = {};
    const page = d.documentElement.scrollWidth - d.documentElement.clientWidth;
    if (page > 0) out['page'] = page;
    for (const region of Array.from(d.querySelectorAll('.table-wrap'))) {
      const label = region.getAttribute('aria-label') ?? '?';
      const over = region.scrollWidth - region.clientWidth;
      if (over > 0 && !skip.some((s) => region.matches(s))) out[label] = over;
    }
    return out;
  }, except);
}

/** A phone's viewport (a common 360-px-wide Android). */
export const PHONE = { width: 360, height: 740 } as const;
