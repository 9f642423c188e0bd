import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by .ci/run: playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium for the browser tests. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
