// Render scheduling: at most once per animation frame, with a timer fallback (extension frames in headless or
// hidden DevTools may not get animation frames).
export function frameScheduler(fn: () => void): () => void {
  let pending = false;
  const run = () => {
    if (!pending) return;
    pending = false;
    fn();
  };
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
    setTimeout(run, 50);
  };
}
