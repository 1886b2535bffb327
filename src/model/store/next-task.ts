/**
 * Run `fn` in a task of its own, soon: a MessageChannel message where there is one (no 4 ms clamp as for nested
 * timers, and input and rendering still get their turn between tasks), a timer otherwise.
 */
export function nextTask(fn: () => void): void {
  if (typeof MessageChannel === 'undefined') {
    setTimeout(fn, 0);
    return;
  }
  if (!taskChannel) {
    taskChannel = new MessageChannel();
    taskChannel.port1.onmessage = () => taskQueue.shift()?.();
  }
  taskQueue.push(fn);
  taskChannel.port2.postMessage(0);
}
let taskChannel: MessageChannel | null = null;
const taskQueue: Array<() => void> = [];
