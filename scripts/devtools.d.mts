import type { Browser, Frame, Page } from 'puppeteer';
export const PANEL_TITLE: string;
export const PANEL_PATH: string;
export const DEVTOOLS_PAGE_PATH: string;
/** Chromium flags for the tests and benches, loading the unpacked extension(s) at `extDir` (one dir or several). */
export function chromiumArgs(extDir?: string | string[]): string[];
export function extensionIdOf(browser: Browser): Promise<string>;
export function waitForView(dt: Page, id: string, opts?: { timeout?: number; what?: string }): Promise<void>;
export function waitForPanelTab(dt: Page, extensionId: string, timeout?: number): Promise<void>;
export function showView(dt: Page, id: string): Promise<void>;
export function showFramelinePanel(dt: Page, extensionId: string): Promise<Frame>;
