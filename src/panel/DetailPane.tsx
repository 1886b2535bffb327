import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { useMenu } from './useMenu';
import type { SessionStore } from '../model/store';
import type { Connection, Frame } from '../model/types';
import { OPCODE } from '../model/types';
import { bytesToBase64, bytesToUtf8, formatBytes, hexDump } from '../model/bytes';
import { opcodeName } from '../model/preview';
import { formatClock } from '../model/time';
import { JsonTree } from './JsonTree';
import { Handshake } from './Handshake';
import { Composer, type ComposerSource } from './Composer';
import { Sequence, type SequenceSource } from './Sequence';
import { PaneBoundary } from './PaneBoundary';
import type { PanelHost } from './host';
import { DecoderSelect } from './DecoderSelect';
import { decodingOf } from '../model/decode/decoding';
import { decoderById, type Decoded } from '../model/decode';
import { pairsOf } from '../model/pairs/of-store';
import { PAIR_FLAG } from '../model/pairs/types';
import type { PairInfo } from '../model/pairs';
import { formatLatency } from '../model/time';
import type { InterceptRule } from '../model/intercept/types';
import { RuleDetail } from './RuleDetail';

/** Payloads longer than this are shown cut, with a notice (the whole payload stays in the store). */
export const MAX_TEXT_SHOWN = 256 * 1024;
const MAX_JSON_PARSE = 2 * 1024 * 1024;

export type DetailTab = 'frame' | 'handshake' | 'replay' | 'sequence' | 'pairs' | 'rules';

export interface DetailPaneProps {
  store: SessionStore;
  frame?: Frame;
  conn?: Connection;
  tab?: DetailTab;
  onTab?: (t: DetailTab) => void;
  composer?: ComposerSource | null;
  host?: PanelHost;
  onReplay?: (f: Frame) => void;
  sequence?: SequenceSource | null;
  /** An imported session: only fresh connections can be replayed to. */
  readOnly?: boolean;
  /** The menu of a frame (copy, save, export), opened by the detail's Copy button or a right-click in it. */
  renderMenu?: (id: number, x: number, y: number) => ComponentChildren;
  /** Export a connection as code (the handshake's button). */
  onExportCode?: (conn: number) => void;
  /** Show another frame (a request's answer, an answer's request). */
  onJump?: (frameId: number) => void;
  /** The pairs summary, shown in its tab. */
  pairsView?: ComponentChildren;
  /** The intercept rules section, shown in its tab. */
  rulesView?: ComponentChildren;
  /** An intercept rule by id (a marked frame's detail names its rule). */
  ruleOf?: (id: string) => InterceptRule | undefined;
}

/** The tab the pane shows: the one asked for when it has something to show, else the frame's or the handshake. */
export function activeDetailTab(p: Pick<DetailPaneProps, 'frame' | 'tab' | 'composer' | 'host' | 'sequence' | 'pairsView' | 'rulesView'>): DetailTab {
  const { frame, tab = 'frame', composer, host, sequence, pairsView, rulesView } = p;
  return tab === 'replay' && composer && host
    ? 'replay'
    : tab === 'sequence' && sequence && host
      ? 'sequence'
      : tab === 'pairs' && pairsView
        ? 'pairs'
        : tab === 'rules' && rulesView
          ? 'rules'
          : frame && tab !== 'handshake'
            ? 'frame'
            : 'handshake';
}

/** Nothing to show (no frame, no connection, no other tab open): the pane is only its tab strip. */
export const detailIsEmpty = (p: Pick<DetailPaneProps, 'frame' | 'conn' | 'tab' | 'composer' | 'host' | 'sequence' | 'pairsView' | 'rulesView'>): boolean =>
  activeDetailTab(p) === 'handshake' && !p.conn;

export function DetailPane(props: DetailPaneProps) {
  const { store, frame, conn, onTab = () => {}, composer, host, onReplay, sequence, readOnly = false, renderMenu, onExportCode, onJump, pairsView, rulesView, ruleOf } = props;
  const active = activeDetailTab(props);
  return (
    <div class="detail">
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={active === 'frame'} disabled={!frame} onClick={() => onTab('frame')}>
          Frame
        </button>
        <button type="button" role="tab" aria-selected={active === 'handshake'} onClick={() => onTab('handshake')}>
          Handshake
        </button>
        {composer && host && (
          <button type="button" role="tab" aria-selected={active === 'replay'} onClick={() => onTab('replay')}>
            Replay
          </button>
        )}
        {sequence && host && (
          <button type="button" role="tab" aria-selected={active === 'sequence'} onClick={() => onTab('sequence')}>
            Sequence
          </button>
        )}
        {pairsView && (
          <button type="button" role="tab" data-testid="tab-pairs" aria-selected={active === 'pairs'} onClick={() => onTab('pairs')}>
            Pairs
          </button>
        )}
        {rulesView && (
          <button type="button" role="tab" data-testid="tab-rules" aria-selected={active === 'rules'} onClick={() => onTab('rules')}>
            Rules
          </button>
        )}
      </div>
      <div class="detail-body">
        {active === 'pairs' ? (
          pairsView
        ) : active === 'rules' ? (
          rulesView
        ) : active === 'sequence' && sequence && host ? (
          <PaneBoundary name="sequence" label="sequence" resetOn={sequence.nonce}>
            <Sequence key={sequence.nonce} store={store} source={sequence} host={host} readOnly={readOnly} />
          </PaneBoundary>
        ) : active === 'replay' && composer && host ? (
          <PaneBoundary name="composer" label="composer" resetOn={composer.nonce}>
            <Composer key={composer.nonce} conn={store.connections.get(composer.conn)} source={composer} host={host} readOnly={readOnly} />
          </PaneBoundary>
        ) : active === 'frame' && frame ? (
          <FrameDetail store={store} frame={frame} onReplay={onReplay} renderMenu={renderMenu} onJump={onJump} ruleOf={ruleOf} />
        ) : conn ? (
          <Handshake store={store} conn={conn} onExportCode={onExportCode} />
        ) : (
          <div class="empty">Select a frame or a connection.</div>
        )}
      </div>
    </div>
  );
}

interface FrameDetailProps {
  store: SessionStore;
  frame: Frame;
  onReplay?: (f: Frame) => void;
  renderMenu?: (id: number, x: number, y: number) => ComponentChildren;
  onJump?: (frameId: number) => void;
  ruleOf?: (id: string) => InterceptRule | undefined;
}

function FrameDetail({ store, frame, onReplay, renderMenu, onJump, ruleOf }: FrameDetailProps) {
  const [menu, setMenu] = useMenu();
  const wall = store.wallMs(frame.ts);
  // NaN before an anchor is known; a time a Date cannot hold would make toISOString throw.
  const dated = !Number.isNaN(new Date(wall).getTime());
  const decoding = decodingOf(store);
  const decoded = decoding.decode(frame);
  const [raw, setRaw] = useState(false);
  const payload = frame.bytes ? <BinaryView bytes={frame.bytes} /> : <TextView text={frame.text ?? ''} error={frame.opcode === OPCODE.error} />;
  const pairs = pairsOf(store).sync();
  const flags = pairs.flagsOf(frame.id);
  const exchanges = flags ? pairs.pairsOf(frame.id) : [];
  const ruled = store.ruleMarks.of(frame.id);
  const first = exchanges[0];
  // The other side of the frame's first exchange, shown beside it.
  const partnerId = first ? (first.requestId === frame.id ? first.answerId : first.requestId) : NaN;
  const partner = Number.isNaN(partnerId) ? undefined : store.frameById(partnerId);
  const body =
    decoded && !raw ? (
      <PaneBoundary name="decoded" label="decoded view" resetOn={frame.id}>
        <DecodedView decoded={decoded} />
      </PaneBoundary>
    ) : (
      payload
    );
  return (
    <div
      data-testid="frame-detail"
      data-frame-id={frame.id}
      class="frame-detail"
      onContextMenu={(e) => {
        // A text selection keeps the browser's own menu (Copy the selected text).
        if (!renderMenu || getSelection()?.toString()) return;
        e.preventDefault();
        setMenu({ x: e.clientX, y: e.clientY, id: frame.id });
      }}
    >
      {menu && (
        <div class="menu-host" onClick={() => setMenu(null)}>
          {renderMenu?.(menu.id, menu.x, menu.y)}
        </div>
      )}
      <div class="meta">
        {renderMenu && (
          <button
            type="button"
            data-testid="detail-copy"
            title="Copy this frame, save its payload, export its connection as code"
            onClick={(e) => {
              const r = e.currentTarget.getBoundingClientRect();
              setMenu({ x: r.left, y: r.bottom, id: frame.id });
            }}
          >
            Copy ▾
          </button>
        )}
        {onReplay && frame.opcode !== OPCODE.error && (
          <button type="button" data-testid="replay-open" title="Edit this payload and send it again" onClick={() => onReplay(frame)}>
            Edit &amp; replay
          </button>
        )}
        {frame.mark && <span class={`badge badge-${frame.mark}`}>{frame.mark}</span>}
        <span>{frame.dir === 'sent' ? '↑ sent' : '↓ received'}</span>
        <span>{opcodeName(frame.opcode)}</span>
        <span>{formatBytes(frame.size)}</span>
        <span>connection #{frame.conn}</span>
        {dated && <span>{new Date(wall).toISOString().slice(0, 10)} {formatClock(wall)}</span>}
        {frame.opcode !== OPCODE.error && <DecoderSelect store={store} conn={frame.conn} />}
      </div>
      {decoded && (
        <div class="subtabs">
          <button type="button" aria-pressed={!raw} data-view="decoded" onClick={() => setRaw(false)}>
            Decoded
          </button>
          <button type="button" aria-pressed={raw} data-view="raw" onClick={() => setRaw(true)}>
            Raw
          </button>
        </div>
      )}
      {ruled && <RuleDetail mark={ruled} rule={ruleOf?.(ruled.rule)} />}
      {flags !== 0 && <PairSection frameId={frame.id} flags={flags} exchanges={exchanges} onJump={onJump} />}
      {partner ? (
        <div class="pair-sides">
          <div>{body}</div>
          <PartnerView store={store} frame={partner} of={frame} latency={first.latencyMs} />
        </div>
      ) : (
        body
      )}
    </div>
  );
}

const MAX_EXCHANGES_SHOWN = 8;

/** The exchanges a frame takes part in: its name, state, latency, and a jump to the other side. */
function PairSection({ frameId, flags, exchanges, onJump }: { frameId: number; flags: number; exchanges: PairInfo[]; onJump?: (id: number) => void }) {
  const jump = (id: number, label: string) =>
    onJump && (
      <button type="button" class="link" data-testid="pair-jump" data-target={id} onClick={() => onJump(id)}>
        {label}
      </button>
    );
  return (
    <div class="pair-section" data-testid="pair-detail" data-flags={flags}>
      {exchanges.length === 0 && flags & PAIR_FLAG.orphan ? (
        <div class="pair-line">An answer to no request seen: sent before capture began, evicted, or never made.</div>
      ) : null}
      {exchanges.length === 0 && !(flags & PAIR_FLAG.orphan) ? <div class="pair-line">A later message of an exchange whose request is no longer held.</div> : null}
      {exchanges.slice(0, MAX_EXCHANGES_SHOWN).map((x, i) => {
        const isRequest = x.requestId === frameId;
        return (
          <div class="pair-line" key={i} data-testid="pair-exchange" data-state={x.state} data-request={x.requestId} data-answer={Number.isNaN(x.answerId) ? undefined : x.answerId}>
            <span>{isRequest ? 'Request' : 'Answer to'}</span>
            <strong>{x.name || '(unnamed)'}</strong>
            <span class={`pair-state-${x.state}`}>
              {x.state === 'open' ? 'no answer yet' : x.state === 'superseded' ? 'left unanswered: its id was used again' : x.state === 'cancelled' ? 'cancelled' : `answered in ${formatLatency(x.latencyMs)}`}
            </span>
            {isRequest ? !Number.isNaN(x.answerId) && jump(x.answerId, `go to answer #${x.answerId}`) : jump(x.requestId, `go to request #${x.requestId}`)}
          </div>
        );
      })}
      {exchanges.length > MAX_EXCHANGES_SHOWN && <div class="pair-line">and {exchanges.length - MAX_EXCHANGES_SHOWN} more exchanges</div>}
    </div>
  );
}

/** The other side of an exchange, beside the frame: its decode, or its payload. */
function PartnerView({ store, frame, of, latency }: { store: SessionStore; frame: Frame; of: Frame; latency: number }) {
  const decoded = decodingOf(store).decode(frame);
  const answer = frame.id > of.id;
  return (
    <div class="pair-partner" data-testid="pair-partner" data-frame-id={frame.id}>
      <div class="pair-partner-head">
        {answer ? `Answer #${frame.id}, ${formatLatency(latency)} later` : `Request #${frame.id}, ${formatLatency(latency)} before`} · {frame.dir === 'sent' ? '↑ sent' : '↓ received'} ·{' '}
        {formatBytes(frame.size)}
      </div>
      {decoded ? (
        <DecodedView decoded={decoded} />
      ) : frame.bytes ? (
        <BinaryView bytes={frame.bytes} />
      ) : (
        <TextView text={frame.text ?? ''} error={frame.opcode === OPCODE.error} />
      )}
    </div>
  );
}

/** What the decoder read: each message its summary and its value as a tree; a failure says why. */
function DecodedView({ decoded }: { decoded: Decoded }) {
  const label = decoderById(decoded.proto)?.label ?? decoded.proto;
  return (
    <div data-testid="decoded" data-protocol={decoded.proto} data-messages={decoded.messages.length}>
      {decoded.truncated && (
        <div class="notice" data-testid="decoded-truncated">
          {decoded.truncated}
        </div>
      )}
      {decoded.error && (
        <div class="notice warn" data-testid="decode-error">
          {label}: {decoded.error}
        </div>
      )}
      {decoded.messages.map((m, i) => (
        <div class="decoded-msg" key={i} data-testid="decoded-message" data-kind={m.kind}>
          <div class="msg-head">
            {m.summary}
            <span class="msg-kind">
              {label} {m.kind}
              {m.id !== undefined ? ` · id ${String(m.id)}` : ''}
            </span>
          </div>
          {m.value !== undefined && <JsonTree value={m.value} />}
        </div>
      ))}
    </div>
  );
}

function TextView({ text, error }: { text: string; error: boolean }) {
  const parsed = useMemo(() => {
    if (error || text.length > MAX_JSON_PARSE) return undefined;
    const t = text.trimStart();
    if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return undefined;
    }
  }, [text, error]);
  const [view, setView] = useState<'json' | 'text'>('json');
  const shown = text.length > MAX_TEXT_SHOWN ? text.slice(0, MAX_TEXT_SHOWN) : text;
  return (
    <div>
      {parsed && (
        <div class="subtabs">
          <button type="button" aria-pressed={view === 'json'} onClick={() => setView('json')}>
            JSON
          </button>
          <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>
            Text
          </button>
        </div>
      )}
      {parsed && view === 'json' ? (
        <JsonTree value={parsed.value} />
      ) : (
        <>
          {shown.length < text.length && (
            <div class="notice" data-testid="truncated">
              Showing the first {formatBytes(MAX_TEXT_SHOWN)} characters of {text.length.toLocaleString()}.
            </div>
          )}
          <pre class={'payload' + (error ? ' error' : '')}>{shown}</pre>
        </>
      )}
    </div>
  );
}

function BinaryView({ bytes }: { bytes: Uint8Array }) {
  const [view, setView] = useState<'hex' | 'utf8' | 'base64'>('hex');
  const body = useMemo(() => {
    if (view === 'hex') return hexDump(bytes);
    const slice = bytes.subarray(0, MAX_TEXT_SHOWN);
    const text = view === 'utf8' ? bytesToUtf8(slice) : bytesToBase64(slice);
    return { lines: [text], truncated: slice.length < bytes.length };
  }, [bytes, view]);
  return (
    <div>
      <div class="subtabs">
        {(['hex', 'utf8', 'base64'] as const).map((v) => (
          <button type="button" key={v} aria-pressed={view === v} data-view={v} onClick={() => setView(v)}>
            {v === 'hex' ? 'Hex' : v === 'utf8' ? 'UTF-8' : 'Base64'}
          </button>
        ))}
      </div>
      {body.truncated && <div class="notice" data-testid="truncated">Showing the first part of {formatBytes(bytes.length)}.</div>}
      <pre class="payload hex" data-testid={`binary-${view}`}>{body.lines.join('\n')}</pre>
    </div>
  );
}
