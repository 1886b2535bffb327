// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { Splitter } from '../../../src/panel/Splitter';

afterEach(cleanup);

describe('splitter', () => {
  it('resizes by dragging and by the keyboard, never below its minimum', () => {
    const sizes: number[] = [];
    const { getByTestId } = render(<Splitter axis="y" size={200} min={80} onSize={(s) => sizes.push(s)} testid="s" label="Resize" />);
    const bar = getByTestId('s');
    fireEvent.pointerDown(bar, { clientY: 500, pointerId: 1 });
    fireEvent.pointerMove(bar, { clientY: 450, pointerId: 1 }); // up 50: the pane below grows
    fireEvent.pointerMove(bar, { clientY: 900, pointerId: 1 }); // far down: clamped to the minimum
    fireEvent.pointerUp(bar, { pointerId: 1 });
    fireEvent.pointerMove(bar, { clientY: 100, pointerId: 1 }); // not dragging any more
    fireEvent.keyDown(bar, { key: 'ArrowUp' });
    expect(sizes).toEqual([250, 80, 220]);
    expect(bar.getAttribute('role')).toBe('separator');
  });
});
