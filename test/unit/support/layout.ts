// happy-dom does no layout: while a test runs, the timeline's scroller gets the height a browser would give it.
import { afterEach, beforeEach } from 'vitest';

export function timelineHeight(px = 400): void {
  const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')!;
  beforeEach(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains('timeline-body') ? px : 0;
      },
    });
  });
  afterEach(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', clientHeight);
  });
}
