// What an intercept rule did to a frame, in the frame's detail: the rule, its action, and the frame as it was beside
// what went on instead. Payloads are shown as inert text (binary as hex), never as markup.
import { base64ToBytes, bytesToHex } from '../model/bytes';
import { describeAction } from '../model/intercept/rules';
import type { InterceptRule } from '../model/intercept/types';
import type { MarkPayload, RuleMark } from '../model/types';
import { INTERCEPT_RULE_ID } from './useManualIntercept';

/** Payloads are cut to this many characters (text) or bytes (binary) here; the frame's own view shows it whole. */
const MAX_SHOWN = 64 * 1024;

function PayloadText({ p }: { p: MarkPayload }) {
  if ('text' in p) {
    const cut = p.text.length > MAX_SHOWN;
    return <pre class="payload">{cut ? `${p.text.slice(0, MAX_SHOWN)}…` : p.text}</pre>;
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(p.b64);
  } catch {
    return <pre class="payload error">(bytes that are not valid base64)</pre>;
  }
  const cut = bytes.length > MAX_SHOWN;
  return <pre class="payload hex">{bytesToHex(bytes.subarray(0, MAX_SHOWN)) + (cut ? ' …' : '')}</pre>;
}

// A mock reply's own mark is on the received frame the rule made, yet its original is still what the app sent.
function originalHead(mark: RuleMark): string {
  return mark.dir === 'sent' || mark.action === 'mocked' ? 'Original, as the app sent it' : 'Original, as it arrived';
}

function deliveredHead(mark: RuleMark): string {
  if (mark.action === 'mocked') return 'Mock reply to the app';
  return mark.dir === 'sent' ? 'Delivered to the server' : 'Delivered to the app';
}

/** A frame manual intercept held: how long, and why it went on if the page let it go by itself. */
function HeldNote({ mark }: { mark: RuleMark }) {
  if (mark.rule !== INTERCEPT_RULE_ID || mark.waited === undefined) return null;
  const why =
    mark.reason === 'timeout'
      ? ' — forwarded unchanged by the page: held past its limit'
      : mark.reason === 'lease'
        ? ' — forwarded unchanged by the page: the panel went away'
        : '';
  return (
    <div class="muted" data-testid="rule-held" data-reason={mark.reason ?? 'decided'}>
      held {(mark.waited / 1000).toFixed(1)} s{why}
    </div>
  );
}

function Delivered({ mark }: { mark: RuleMark }) {
  if (mark.action === 'blocked') return (
    <>
      <HeldNote mark={mark} />
      <div class="muted">not delivered</div>
    </>
  );
  if (mark.action === 'closed') return <div class="muted">not delivered: the page closed the socket</div>;
  if (mark.action === 'paused') return <div class="muted">delivered unchanged once the debugger resumed (a message breakpoint)</div>;
  return (
    <>
      {mark.action === 'delayed' && <div class="muted">waited {Math.round(mark.waited ?? 0)} ms</div>}
      <HeldNote mark={mark} />
      {mark.action === 'mocked' && mark.forwarded !== undefined && (
        <div class="muted" data-testid="rule-forwarded" data-forwarded={String(!!mark.forwarded)}>
          {mark.forwarded ? 'The server also got the original.' : 'The server did not get the original.'}
        </div>
      )}
      {mark.delivered ? <PayloadText p={mark.delivered} /> : <div class="muted">not delivered (its socket was no longer open)</div>}
    </>
  );
}

export function RuleDetail({ mark, rule }: { mark: RuleMark; rule?: InterceptRule }) {
  return (
    <div class="rule-detail" data-testid="rule-detail" data-rule={mark.rule} data-action={mark.action}>
      <div class="rule-detail-head">
        <span class={`badge badge-rule rule-${mark.action}`}>{mark.action}</span>{' '}
        {mark.rule === INTERCEPT_RULE_ID ? (
          <>held by manual intercept (Intercept, in the toolbar)</>
        ) : rule ? (
          <>
            by the rule <strong>{describeAction(rule.action)}</strong> on <code>{rule.query || '(every frame)'}</code>
          </>
        ) : (
          <>by a rule no longer kept ({mark.rule})</>
        )}
      </div>
      <div class="rule-sides">
        <div data-testid="rule-original">
          <div class="rule-side-head">{originalHead(mark)}</div>
          <PayloadText p={mark.original} />
        </div>
        <div data-testid="rule-delivered">
          <div class="rule-side-head">{deliveredHead(mark)}</div>
          <Delivered mark={mark} />
        </div>
      </div>
    </div>
  );
}
