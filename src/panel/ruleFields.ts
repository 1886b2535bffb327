// The rule editor's fields and the rule they make: a form holds strings, a rule holds typed actions. The rule made is
// judged by validateRule, so the editor refuses exactly what the page would.
import { formatPath, parsePath, validateRule } from '../model/intercept/rules';
import type { InterceptRule, Payload, RuleAction } from '../model/intercept/types';
import { QueryError } from '../model/query/types';

export type ActionKind = RuleAction['kind'];
export type RewriteOp = 'replace' | 'regex' | 'json-set' | 'json-delete';

export interface RuleFields {
  query: string;
  action: ActionKind;
  rewriteOp: RewriteOp;
  /** rewrite: the replacement (text or hex) or JSON value; delay: ms; respond: the reply; close: the code. */
  value: string;
  /** json-set / json-delete: the JSON path; regex: the source, or `/source/flags`. */
  path: string;
  forward: boolean;
  reason: string;
  /** The value is hex (replace, respond). */
  binary: boolean;
}

export const EMPTY_FIELDS: RuleFields = { query: '', action: 'block', rewriteOp: 'replace', value: '', path: '', forward: false, reason: '', binary: false };

/** The actions in the editor's order, with what their value field is. */
export const ACTION_KINDS: ActionKind[] = ['block', 'rewrite', 'delay', 'respond', 'close', 'break'];
export const REWRITE_OPS: RewriteOp[] = ['replace', 'regex', 'json-set', 'json-delete'];

/** Which of the optional fields an action shows. */
export function fieldsShown(f: Pick<RuleFields, 'action' | 'rewriteOp'>): { value: boolean; path: boolean; binary: boolean; forward: boolean; reason: boolean } {
  const rw = f.action === 'rewrite';
  return {
    value: f.action !== 'block' && f.action !== 'break' && !(rw && f.rewriteOp === 'json-delete'),
    path: rw && f.rewriteOp !== 'replace',
    binary: f.action === 'respond' || (rw && f.rewriteOp === 'replace'),
    forward: f.action === 'respond',
    reason: f.action === 'close',
  };
}

/** `/source/flags` as typed, or the whole text as the source with no flags. */
function regexOf(text: string): { source: string; flags: string } {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  return m ? { source: m[1], flags: m[2] } : { source: text, flags: '' };
}

const payloadOf = (f: RuleFields): Payload => (f.binary ? { hex: f.value } : { text: f.value });

function actionOf(f: RuleFields): RuleAction | { error: string } {
  switch (f.action) {
    case 'block':
      return { kind: 'block' };
    case 'break':
      return { kind: 'break' };
    case 'delay': {
      const t = f.value.trim();
      if (!/^\d+$/.test(t)) return { error: 'A delay is a whole number of milliseconds, like 500' };
      return { kind: 'delay', ms: Number(t) };
    }
    case 'hold': {
      // Not offered by the editor (ACTION_KINDS): the panel's Intercept switch makes hold rules.
      const t = f.value.trim();
      if (!/^\d+$/.test(t)) return { error: 'A hold waits a whole number of milliseconds, like 30000' };
      return { kind: 'hold', maxMs: Number(t) };
    }
    case 'close': {
      const t = f.value.trim() || '1000';
      if (!/^\d+$/.test(t)) return { error: 'A close code is a number: 1000, or from 3000 to 4999' };
      return { kind: 'close', code: Number(t), reason: f.reason };
    }
    case 'respond':
      return { kind: 'respond', reply: payloadOf(f), forward: f.forward };
    case 'rewrite':
      switch (f.rewriteOp) {
        case 'replace':
          return { kind: 'rewrite', rewrite: { op: 'replace', payload: payloadOf(f) } };
        case 'regex':
          return { kind: 'rewrite', rewrite: { op: 'regex', ...regexOf(f.path), replacement: f.value } };
        case 'json-set':
        case 'json-delete': {
          let path;
          try {
            path = parsePath(f.path);
          } catch (e) {
            const at = e instanceof QueryError ? ` (at ${e.position + 1})` : '';
            return { error: `JSON path: ${e instanceof Error ? e.message : String(e)}${at}` };
          }
          return f.rewriteOp === 'json-set'
            ? { kind: 'rewrite', rewrite: { op: 'json-set', path, value: f.value } }
            : { kind: 'rewrite', rewrite: { op: 'json-delete', path } };
        }
      }
  }
}

/** The rule the fields make (with this id and enabled state), or what is wrong with it, in words. */
export function ruleFromFields(f: RuleFields, id: string, enabled: boolean): { rule: InterceptRule } | { error: string } {
  const action = actionOf(f);
  if ('error' in action) return action;
  const rule: InterceptRule = { id, query: f.query.trim(), action, enabled };
  const error = validateRule(rule);
  return error ? { error } : { rule };
}

/** The fields that show a rule, for editing it (ruleFromFields makes the same rule back). */
export function fieldsOf(rule: InterceptRule): RuleFields {
  const f: RuleFields = { ...EMPTY_FIELDS, query: rule.query, action: rule.action.kind };
  const payload = (p: Payload) => ('hex' in p ? { value: p.hex, binary: true } : { value: p.text, binary: false });
  const a = rule.action;
  switch (a.kind) {
    case 'block':
    case 'break':
      return f;
    case 'delay':
      return { ...f, value: String(a.ms) };
    case 'hold':
      return { ...f, value: String(a.maxMs) };
    case 'close':
      return { ...f, value: String(a.code), reason: a.reason };
    case 'respond':
      return { ...f, ...payload(a.reply), forward: a.forward };
    case 'rewrite': {
      const r = a.rewrite;
      switch (r.op) {
        case 'replace':
          return { ...f, rewriteOp: 'replace', ...payload(r.payload) };
        case 'regex':
          return { ...f, rewriteOp: 'regex', path: r.flags || r.source.startsWith('/') ? `/${r.source}/${r.flags}` : r.source, value: r.replacement };
        case 'json-set':
          return { ...f, rewriteOp: 'json-set', path: formatPath(r.path), value: r.value };
        case 'json-delete':
          return { ...f, rewriteOp: 'json-delete', path: formatPath(r.path) };
      }
    }
  }
}
