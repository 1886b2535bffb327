// Which workers Chrome's host attaches by id for a tab: the shared workers of the inspected page's origin (its service
// workers come through the tab's own auto-attach).
import { describe, expect, it } from 'vitest';
import { workersToAttach, type ListedTarget } from '../../../../src/capture/chrome/worker-targets';

const listed: ListedTarget[] = [
  { id: 'page', type: 'page', url: 'https://app.example/chat', title: 'chat', tabId: 7 },
  { id: 'other-tab', type: 'page', url: 'https://elsewhere.example/', title: 'x', tabId: 8 },
  { id: 'shared', type: 'worker', url: 'https://app.example/shared.js', title: '' },
  { id: 'sw', type: 'worker', url: 'https://app.example/sw.js', title: 'Service Worker https://app.example/sw.js' },
  { id: 'foreign', type: 'worker', url: 'https://elsewhere.example/shared.js', title: '' },
  { id: 'ext', type: 'worker', url: 'chrome-extension://abc/service-worker-loader.js', title: 'Service Worker chrome-extension://abc/service-worker-loader.js' },
  { id: 'devtools', type: 'other', url: 'https://app.example/frame.html', title: '' },
];

describe('workersToAttach', () => {
  it("picks the shared workers of the tab's page origin, not its service workers", () => {
    expect(workersToAttach(listed, 7, () => false)).toEqual([{ id: 'shared', type: 'shared_worker', url: 'https://app.example/shared.js' }]);
    expect(workersToAttach(listed, 8, () => false).map((w) => w.id)).toEqual(['foreign']);
  });

  it('leaves out those attached or refused lately', () => {
    expect(workersToAttach(listed, 7, (id) => id === 'shared')).toEqual([]);
  });

  it('picks nothing for a tab not listed, or on a page that is not http(s)', () => {
    expect(workersToAttach(listed, 9, () => false)).toEqual([]);
    const blank = listed.map((t) => (t.id === 'page' ? { ...t, url: 'about:blank' } : t));
    expect(workersToAttach(blank, 7, () => false)).toEqual([]);
    expect(workersToAttach([{ id: 'p', type: 'page', url: 'not a url', title: '', tabId: 7 }], 7, () => false)).toEqual([]);
  });
});
