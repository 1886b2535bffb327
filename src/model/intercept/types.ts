// Intercept rules: what the user writes (a query + an action), what the page runs (the query compiled to a small
// match tree both page hooks can evaluate without the panel), and what the page reports back (hits). Pure types.

/** What a rule does to a frame it matches. */
export type RuleAction =
  /** The frame never reaches the server (sent) or the app (received). */
  | { kind: 'block' }
  /** The frame is changed before it goes on. */
  | { kind: 'rewrite'; rewrite: Rewrite }
  /** The frame goes on `ms` later; the frames after it on the same socket and direction wait behind it (order kept). */
  | { kind: 'delay'; ms: number }
  /** A sent frame that matches is answered to the app as if the server had sent `reply`; `forward`: the server gets
   *  the original too. Received frames are not matched by a respond rule. */
  | { kind: 'respond'; reply: Payload; forward: boolean }
  /** The socket is closed by the page with this code and reason; the matching frame is not delivered. */
  | { kind: 'close'; code: number; reason: string }
  /** A message breakpoint: the page's JavaScript pauses in DevTools' debugger (a sent frame: in `send`, the app's caller
   *  on the stack; a received one: just before the app's listeners run), then the frame goes on unchanged. */
  | { kind: 'break' }
  /** Manual intercept: the frame is held in the page (not sent / not delivered) until the host releases it — forwarded,
   *  edited or dropped — or, at the latest, `maxMs` after it was held or when the lease ends: then it goes on unchanged.
   *  The frames after it on the same socket and direction wait behind it (order kept). */
  | { kind: 'hold'; maxMs: number };

export type Rewrite =
  /** The whole payload replaced (text, or bytes for a binary frame). */
  | { op: 'replace'; payload: Payload }
  /** A regular expression replaced over the text (`$1`… as in String.prototype.replace). */
  | { op: 'regex'; source: string; flags: string; replacement: string }
  /** A JSON path set to a JSON value (text frames holding JSON; others go on unchanged). */
  | { op: 'json-set'; path: PathStep[]; value: string }
  /** A JSON path deleted. */
  | { op: 'json-delete'; path: PathStep[] };

/** A JSON path as steps: property names and array indexes (`$.a.b[0]` → ['a', 'b', 0]). */
export type PathStep = string | number;

/** A payload a rule delivers: text, or bytes written as hex (the user may space the bytes; the page gets pairs of
 *  lower-case digits without spaces, see rules.ts toPageRules). */
export type Payload = { text: string } | { hex: string };

export type RuleDirection = 'sent' | 'received' | 'both';

/** A rule as the user keeps it (per origin). */
export interface InterceptRule {
  id: string;
  /** The match, in the query language (see README's query syntax; terms the page cannot evaluate are refused). */
  query: string;
  action: RuleAction;
  enabled: boolean;
}

/** The export/import document of rules (rules.ts rulesJson, parseRulesJson). */
export interface RulesFile {
  frameline: 'rules';
  version: 1;
  rules: InterceptRule[];
}

/**
 * The match of a rule as the page evaluates it: the subset of the query language that needs only the frame itself
 * (direction, socket URL, text, regex, size, type, JSON paths). Texts are compared case-insensitively, as the
 * query does.
 */
export type PageMatch =
  | { k: 'all' }
  | { k: 'and'; of: PageMatch[] }
  | { k: 'or'; of: PageMatch[] }
  | { k: 'not'; of: PageMatch }
  | { k: 'dir'; dir: 'sent' | 'received' }
  /** A fragment of the socket's URL (lower case). */
  | { k: 'url'; frag: string }
  /** A substring of the text (lower case), or of a binary frame's hex (lower case, spaced as the preview). */
  | { k: 'text'; s: string }
  | { k: 're'; source: string; flags: string }
  | { k: 'op'; op: 'text' | 'binary' }
  | { k: 'size'; cmp: Cmp; n: number }
  /** A JSON path compared with a JSON value (or a regex for `~`), or `exists`. */
  | { k: 'json'; path: PathStep[]; cmp: Cmp | '~' | 'exists'; value?: string | number | boolean | null; source?: string; flags?: string };

export type Cmp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A rule as sent into the page: enabled rules only, in order; the first that matches acts. */
export interface PageRule {
  id: string;
  match: PageMatch;
  action: RuleAction;
}

/** What the page reports of a frame a rule acted on (drained by the host). */
export interface RuleHit {
  rule: string;
  /** A held frame ends as `released` (forwarded unchanged), `rewritten` (forwarded edited) or `blocked` (dropped). */
  action: 'blocked' | 'rewritten' | 'delayed' | 'mocked' | 'closed' | 'paused' | 'released';
  dir: 'sent' | 'received';
  /** The socket's URL and its creation time (wall-clock ms; null for a socket the hook did not see being made). */
  url: string;
  created: number | null;
  /** Wall-clock ms when the rule acted. */
  t: number;
  /** The frame as the app sent it or the network delivered it. */
  original: WirePayload;
  /** What went on instead (to the server or the app); absent when nothing did (blocked, closed). For `mocked`, the
   *  reply delivered to the app; `forwarded` says whether the original also went to the server. */
  delivered?: WirePayload;
  forwarded?: boolean;
  /** For `delayed`, and for a held frame: how long the frame waited, ms. */
  waited?: number;
  /** A held frame: its id in the registry's `held` (so the host can match the outcome to its queue entry). */
  held?: number;
  /** A held frame the page forwarded unchanged on its own: its `maxMs` passed, or the lease ended. */
  reason?: 'timeout' | 'lease';
}

/** A payload as it crosses into and out of the page: text, or bytes as base64. */
export type WirePayload = { text: string } | { b64: string };

/** A hit as the page records it: a delayed or held sent frame whose socket was no longer open when due was dropped
 *  (`delivered` absent). */
export interface PageRuleHit extends RuleHit {
  dropped?: 'not-open';
}

/** A frame a hold rule keeps in the page, waiting for the host's decision (InterceptRegistry.release). */
export interface PageHeld {
  /** Unique per registry (never reused). */
  id: number;
  rule: string;
  dir: 'sent' | 'received';
  url: string;
  created: number | null;
  /** Wall-clock ms when it was held, and when the page forwards it unchanged unless released before (t + maxMs). */
  t: number;
  due: number;
  original: WirePayload;
}

/** A held frame as the panel lists it: what the page reported (checked field by field), named by the host's `key`
 *  (which context and which held id). `original` is null while the host has not had the payload. */
export type HeldFrame = Omit<PageHeld, 'id' | 'original'> & { key: string; original: WirePayload | null };

/** What the host decides for a held frame: forwarded (as it was, or `payload` instead), or dropped. */
export type HoldDecision = { forward: true; payload?: WirePayload } | { forward: false };

/**
 * The fields of the page hook's registry that intercept rules use (see installIntercept). The host writes `rules`
 * and `until`, and drains `hits`; installIntercept adds `intercept`, `created`, `held`, `heldOverflow` and `release`.
 */
export interface InterceptRegistry {
  /** Enabled rules in order; the first that matches acts. */
  rules: PageRule[];
  /** Lease, wall-clock ms: rules act only while Date.now() < until (a closed DevTools stops refreshing it). */
  until: number;
  /** At most 5000 waiting; the ones past that are counted in `hitsLost`. */
  hits: PageRuleHit[];
  hitsLost: number;
  /** Set by installIntercept: the hook calls it on each socket right after construction, before the page holds it. */
  intercept?: (ws: WebSocket) => void;
  /** Set by installIntercept: creation time (wall-clock ms) of each socket `intercept` saw. */
  created?: WeakMap<WebSocket, number>;
  /** Optional, from the hook: a socket's creation time; preferred over `created` when present. */
  createdOf?: (ws: WebSocket) => number | null;
  /** Set by installIntercept: the frames held now, in the order they were held; the engine keeps it up to date, the
   *  host only reads it. At most 1000: a frame matching a hold rule past that goes on, counted in `heldOverflow`. */
  held?: PageHeld[];
  heldOverflow?: number;
  /** Set by installIntercept: decides a held frame (it then goes on in its socket's order, and a hit records what
   *  happened). False if `id` is not held now, or the decision is malformed (the frame stays held). */
  release?: (id: number, decision: HoldDecision) => boolean;
  /** Wall-clock ms: until then (unless `ungate` is called first) the context's frames wait, in order, for its first
   *  rules — a document that starts while its tab's rules are in force but before they reach it (Firefox). */
  gate?: number;
  /** Set by installIntercept: lets what waits at the gate go through the rules in force now. */
  ungate?: () => void;
}
