// Firefox: the page hook, a `world: "MAIN"` content script at document_start in every frame (built as a standalone
// IIFE so it runs before the page's own scripts). See src/capture/firefox/page-hook.ts.
import { installHook } from '../capture/firefox/page-hook';

installHook(window);
