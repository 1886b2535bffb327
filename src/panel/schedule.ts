// Render scheduling: at most once per animation frame. Renders run in the frame's animation callbacks, right before
// the browser's own style/layout/paint, so a render's layout work (the timeline's scroll write forces one) is done
// once per painted frame. Rendering on a timer as well would, when the panel's renderer is busy with a stream (it
// shares its main thread with the capture host), run renders that are never painted, each with a forced layout:
// measured, two of three layouts during a 3k frames/s burst were such waste.
// A timer is only a fallback for frames that get no animation frames at all (hidden DevTools, some headless modes):
// it fires when no animation frame came for FALLBACK_MS.
export const FALLBACK_MS = 100;

export function frameScheduler(fn: () => void): () => void {
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    pending = false;
    fn();
  };
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
    timer = setTimeout(run, FALLBACK_MS);
  };
}
