// Copying text from the panel. A DevTools panel is a frame inside DevTools, whose frame does not grant the
// clipboard-write permission policy and is often not focused: navigator.clipboard.writeText fails there. The copy
// command, run from the user's click or key press, works in both browsers; its `copy` event carries the text (no
// textarea holding megabytes).

/** Put `text` on the clipboard; throws when the browser refused both ways. */
export async function copyText(text: string): Promise<void> {
  let done = false;
  const onCopy = (e: ClipboardEvent) => {
    if (!e.clipboardData) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    done = true;
  };
  document.addEventListener('copy', onCopy, true);
  try {
    document.execCommand('copy');
  } catch {
    /* refused: try the async clipboard below */
  } finally {
    document.removeEventListener('copy', onCopy, true);
  }
  if (done) return;
  await navigator.clipboard.writeText(text);
}
