// Render scheduling: at most once per animation frame, with a 20 ms timer fallback (extension frames in headless or
// hidden DevTools may not get animation frames; the fallback keeps rows ~20 ms behind the data, and hidden frames'
// timers are throttled by the browser anyway).
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
    setTimeout(run, 20);
  };
}
