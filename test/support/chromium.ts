/**
 * Headless Chromium for tests that check a page as a browser draws it: Debian's `chromium`,
 * found through the tool table (`resolveTool`), driven by playwright-core, with a fresh
 * profile that is removed afterwards and every background service of the browser turned off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PNG } from 'pngjs';
import { resolveTool } from '../../scripts/toolchain.mjs';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs `fn` with a browser context of a new headless Chromium; a missing Chromium fails naming how to install it. */
export async function withChromium<T>(fn: (context: BrowserContext) => Promise<T>): Promise<T> {
  const executablePath = resolveTool('chromium').path;
  const profile = mkdtempSync(join(tmpdir(), 'rcdebug-chromium-'));
  // Playwright passes the profile as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
  try {
    return await fn(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A decoded screenshot: its size and the RGB of a pixel. */
export interface Pixels {
  width: number;
  height: number;
  at(x: number, y: number): [number, number, number];
  /** How many distinct colours it holds. */
  colours(): number;
}

export function decodePng(png: Buffer): Pixels {
  const img = PNG.sync.read(png);
  const at = (x: number, y: number): [number, number, number] => {
    const i = (Math.round(y) * img.width + Math.round(x)) * 4;
    return [img.data[i] ?? 0, img.data[i + 1] ?? 0, img.data[i + 2] ?? 0];
  };
  return {
    width: img.width,
    height: img.height,
    at,
    colours() {
      const seen = new Set<number>();
      for (let i = 0; i < img.data.length; i += 4) seen.add(((img.data[i] ?? 0) << 16) | ((img.data[i + 1] ?? 0) << 8) | (img.data[i + 2] ?? 0));
      return seen.size;
    },
  };
}
