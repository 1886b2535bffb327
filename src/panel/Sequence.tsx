// Replay several frames in order: original timing, scaled timing or a fixed interval; progress and Stop.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { Frame } from '../model/types';
import { OPCODE } from '../model/types';
import { bytesToBase64 } from '../model/bytes';
import { MAX_SPEED, MIN_SPEED, planSequence, type SequenceTiming } from '../model/sequence';
import type { PanelHost } from './host';

export interface SequenceSource {
  frames: number[];
  nonce: number;
}

type Run = { state: 'idle' | 'running' | 'done' | 'stopped' | 'error'; done: number; total: number; message?: string };

export function Sequence({ store, source, host, readOnly = false }: { store: SessionStore; source: SequenceSource; host: PanelHost; readOnly?: boolean }) {
  const [kind, setKind] = useState<SequenceTiming['kind']>('original');
  const [speed, setSpeed] = useState(1);
  const [interval, setIntervalMs] = useState(100);
  const [received, setReceived] = useState<'skip' | 'inject'>('skip');
  const [run, setRun] = useState<Run>({ state: 'idle', done: 0, total: 0 });
  const token = useRef<{ stopped: boolean; why?: string } | null>(null);

  // Keyed by `source.nonce` in the detail pane: a new selection remounts this pane, and leaving it stops the run.
  // (A layout effect: its cleanup is in place as soon as the pane is, not after the next paint.)
  useLayoutEffect(() => () => void (token.current && Object.assign(token.current, { stopped: true, why: 'the pane closed' })), []);

  const frames = source.frames
    .map((id) => store.frameById(id))
    .filter((f): f is Frame => !!f && f.opcode !== OPCODE.error);
  const eligible = frames.filter((f) => f.dir === 'sent' || received === 'inject');
  const timing: SequenceTiming =
    kind === 'original' ? { kind } : kind === 'scaled' ? { kind, speed } : { kind, intervalMs: interval };

  const start = async () => {
    const plan = planSequence(eligible, timing);
    const me: { stopped: boolean; why?: string } = { stopped: false };
    token.current = me;
    setRun({ state: 'running', done: 0, total: plan.length });
    const t0 = performance.now();
    for (let i = 0; i < plan.length; i++) {
      const { frame, at } = plan[i];
      const wait = t0 + at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (me.stopped) {
        setRun({ state: 'stopped', done: i, total: plan.length, message: `Stopped after ${i} of ${plan.length}${me.why ? ` (${me.why})` : ''}.` });
        return;
      }
      const r = await host.replay({
        conn: frame.conn,
        mode: frame.dir === 'sent' ? 'send' : 'inject',
        ...(frame.bytes ? { b64: bytesToBase64(frame.bytes) } : { text: frame.text ?? '' }),
      });
      if (!r.ok) {
        setRun({ state: 'error', done: i, total: plan.length, message: `Frame ${i + 1} of ${plan.length} (#${frame.id}): ${r.error}` });
        return;
      }
      setRun({ state: 'running', done: i + 1, total: plan.length });
    }
    setRun({ state: 'done', done: plan.length, total: plan.length, message: `Replayed ${plan.length} frames.` });
  };

  const running = run.state === 'running';
  const skipped = frames.length - eligible.length;
  return (
    <div class="sequence" data-testid="sequence">
      <div class="meta">
        <span>
          {frames.length} frames selected
          {skipped > 0 && ` (${skipped} received frames skipped)`}
        </span>
      </div>
      <fieldset disabled={running}>
        <legend>Timing</legend>
        <label>
          <input type="radio" name="timing" checked={kind === 'original'} data-testid="sequence-original" onChange={() => setKind('original')} />
          Original timing
        </label>
        <label>
          <input type="radio" name="timing" checked={kind === 'scaled'} data-testid="sequence-scaled" onChange={() => setKind('scaled')} />
          Speed ×
          <input
            type="number"
            min={MIN_SPEED}
            max={MAX_SPEED}
            step="0.1"
            value={speed}
            data-testid="sequence-speed"
            onInput={(e) => setSpeed(Math.min(MAX_SPEED, Math.max(MIN_SPEED, Number((e.currentTarget).value) || 1)))}
          />
        </label>
        <label>
          <input type="radio" name="timing" checked={kind === 'fixed'} data-testid="sequence-fixed" onChange={() => setKind('fixed')} />
          Every
          <input
            type="number"
            min="0"
            step="10"
            value={interval}
            data-testid="sequence-interval"
            onInput={(e) => setIntervalMs(Math.max(0, Number((e.currentTarget).value) || 0))}
          />
          ms
        </label>
      </fieldset>
      <label>
        <input type="checkbox" checked={received === 'inject'} onChange={(e) => setReceived((e.currentTarget).checked ? 'inject' : 'skip')} />
        Inject received frames into the page (otherwise they are skipped)
      </label>
      <div class="actions">
        {readOnly && <div class="notice">Sequences replay on live connections; this session is imported.</div>}
        <button type="button" class="primary" data-testid="sequence-start" disabled={running || eligible.length === 0 || readOnly} onClick={() => void start()}>
          Replay {eligible.length} frames
        </button>
        <button type="button" data-testid="sequence-stop" disabled={!running} onClick={() => token.current && Object.assign(token.current, { stopped: true, why: '' })}>
          Stop
        </button>
      </div>
      <div
        class={`replay-status ${run.state === 'error' ? 'error' : run.state === 'done' ? 'ok' : 'busy'}`}
        data-testid="sequence-progress"
        data-state={run.state}
        data-done={run.done}
        data-total={run.total}
        role="status"
      >
        {run.state === 'idle' ? '' : run.message ?? `${run.done} / ${run.total}`}
        {run.total > 0 && <progress max={run.total} value={run.done} />}
      </div>
    </div>
  );
}
