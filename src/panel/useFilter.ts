// The filter: the query typed (the last valid one stays applied while the text is invalid) and the connection picked
// in the list, applied to the store. A query with regular expressions is first tried on stored texts (the longest, and
// some spread over the session) in a worker (regexCheck.ts) when any are stored: applied when that passes, refused
// (shown like a syntax error) when a regex does not finish there.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { parseQuery, QueryError, type ParsedQuery, type Predicate } from '../model/query';
import { checkRegexes, samplesFor, warmRegexWorker } from './regexCheck';
import { follow } from './useStore';
import { pairsOf } from '../model/pairs/of-store';
import { onDecodersChanged } from '../model/decode/decoding';
import { queryContextOf } from '../model/query-context';

const CHECKING_NOTE_MS = 150;
/** How often a query over pairing is applied again while pairing changes (an answer makes its request answered). */
const PAIR_REFILTER_MS = 1000;
/** Terms whose match a later frame can change, as the canonical query text writes them. */
const PAIR_TERMS = /(^|[\s(!-])(unanswered|latency[<>]|pair:|exchange:)/;

export interface FilterState {
  filterText: string;
  setFilterText: (text: string) => void;
  /** The connection picked in the list, or null. */
  connFilter: number | null;
  setConnFilter: (id: number | null) => void;
  /** Why the query typed is not applied (invalid, or a regex refused), or null. */
  error: QueryError | null;
  /** The query's regexes are being tried on stored texts. */
  checking: boolean;
}

export function useFilter(store: SessionStore): FilterState {
  const [filterText, setFilterText] = useState('');
  const [connFilter, setConnFilter] = useState<number | null>(null);
  // Parsed and applied in the render the keystroke causes (not in effects a frame apart), so the next paint has rows.
  const query = useMemo<{ parsed: ParsedQuery | null; error: QueryError | null }>(() => {
    try {
      return { parsed: parseQuery(filterText), error: null };
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      return { parsed: null, error: e };
    }
  }, [filterText]);
  // A regex is being typed: the worker that will try it starts now, not when it is complete.
  useEffect(() => {
    if (filterText.includes('/')) warmRegexWorker();
  }, [filterText]);
  const applied = useRef<Predicate | null>(null);
  const appliedText = useRef('');
  /** Queries whose regexes passed (null) or failed the check on this store's texts. */
  const checked = useRef(new Map<string, QueryError | null>());
  useEffect(() => checked.current.clear(), [store]);
  const [checking, setChecking] = useState<string | null>(null);
  // A decoder chosen by the user changes what decoded terms match: apply the filter again.
  const [decoders, setDecoders] = useState(0);
  useEffect(() => onDecodersChanged(() => setDecoders((n) => n + 1)), []);
  const [refused, setRefused] = useState<{ text: string; error: QueryError } | null>(null);
  const applyFilter = (pred: Predicate | null, conn: number | null) => {
    if (!pred && conn === null) return store.setFilter(null);
    const ctx = queryContextOf(store);
    const label = pred ? appliedText.current : '';
    if (conn === null) store.setFilter((f, c) => pred!(f, c, ctx), label);
    else store.setFilter((f, c) => f.conn === conn && (!pred || pred(f, c, ctx)), label);
  };
  useLayoutEffect(() => {
    const parsed = query.parsed;
    const conn = connFilter;
    if (!parsed) return applyFilter(applied.current, conn);
    const samples = samplesFor(store, parsed.regexes);
    // Checked once per query and set of samples (texts stored since are tried again).
    const key = `${samples.map((x) => x.id).join(',')} ${filterText}`;
    const known = samples.length ? checked.current.get(key) : null;
    if (known === undefined) {
      applyFilter(applied.current, conn); // the last valid filter stays while the check runs
      // Said under the box only if the check takes a while: most take a message round trip, and a flash is noise.
      const note = setTimeout(() => setChecking(filterText), CHECKING_NOTE_MS);
      const check = checkRegexes(parsed.regexes, samples);
      let current = true;
      void check.result.then((slow) => {
        if (!current) return;
        const error = slow && new QueryError(slow.message, slow.regex.pos);
        checked.current.set(key, error);
        clearTimeout(note);
        setChecking(null);
        if (error) setRefused({ text: filterText, error });
        else {
          applied.current = parsed.predicate;
          appliedText.current = filterText;
          applyFilter(parsed.predicate, conn);
        }
      });
      return () => {
        current = false;
        clearTimeout(note);
        check.cancel();
        setChecking(null);
      };
    }
    if (known) {
      setRefused({ text: filterText, error: known });
      return applyFilter(applied.current, conn);
    }
    applied.current = parsed.predicate;
    appliedText.current = filterText;
    applyFilter(parsed.predicate, conn);
  }, [query, connFilter, store, decoders]);
  // A frame matched on arrival as a request without an answer gets its answer later: while the applied query reads
  // pairing, it is applied again when pairing changed (no more than every PAIR_REFILTER_MS).
  useEffect(() => {
    const parsed = query.parsed;
    if (!parsed || !PAIR_TERMS.test(parsed.text)) return;
    const sp = pairsOf(store);
    let seen = sp.sync().version;
    return follow(
      store,
      () => {
        const v = sp.sync().version;
        if (v === seen) return;
        seen = v;
        if (applied.current === parsed.predicate) applyFilter(parsed.predicate, connFilter);
      },
      PAIR_REFILTER_MS,
    );
  }, [query, connFilter, store]);
  const error = query.error ?? (refused?.text === filterText ? refused.error : null);
  return { filterText, setFilterText, connFilter, setConnFilter, error, checking: checking === filterText };
}
