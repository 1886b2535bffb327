/** Fixed per build (`vite build --mode firefox`), so each bundle carries one capture path only. */
export const FIREFOX_BUILD = import.meta.env.MODE === 'firefox';
