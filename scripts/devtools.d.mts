import type { Browser, Frame, Page } from 'puppeteer';
export const PANEL_TITLE: string;
export const PANEL_PATH: string;
export const DEVTOOLS_PAGE_PATH: string;
export function chromiumArgs(extDir: string): string[];
export function extensionIdOf(browser: Browser): Promise<string>;
export function waitForPanelTab(dt: Page, extensionId: string, timeout?: number): Promise<void>;
export function showView(dt: Page, id: string): Promise<void>;
export function showFramelinePanel(dt: Page, extensionId: string): Promise<Frame>;
