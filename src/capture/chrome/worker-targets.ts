// Chrome: which shared workers to capture for a tab. The tab's auto-attach reaches its dedicated workers and the service
// workers of its origin, never a shared worker, and CDP's own target discovery is closed to extensions: the host lists
// the browser's targets (chrome.debugger.getTargets) now and then, and this picks the shared workers of the inspected
// page's origin it has not attached yet.

/** The part of chrome.debugger.TargetInfo read here. */
export interface ListedTarget {
  id: string;
  type: string;
  url: string;
  title: string;
  tabId?: number;
}

export interface WorkerPick {
  id: string;
  type: 'shared_worker';
  url: string;
}

const originOf = (url: string): string | undefined => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Shared workers of the tab's page origin not attached yet (nor refused lately: `skip`). The list names shared and
 * service workers alike 'worker' (dedicated workers are not listed); a service worker's title says so.
 */
export function workersToAttach(listed: readonly ListedTarget[], tabId: number, skip: (id: string) => boolean): WorkerPick[] {
  const page = listed.find((t) => t.type === 'page' && t.tabId === tabId);
  const origin = page && originOf(page.url);
  if (!origin) return [];
  return listed
    .filter((t) => t.type === 'worker' && !/^service worker\b/i.test(t.title) && originOf(t.url) === origin && !skip(t.id))
    .map((t) => ({ id: t.id, url: t.url, type: 'shared_worker' }));
}
