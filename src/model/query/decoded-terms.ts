// Terms over what decoders read: proto:socketio, event:chat, method:subscribe, dest:/topic/x, topic:prices/# (MQTT
// wildcards). Each asks the query context for the frame's decode; without one, nothing is decoded and none matches.
import type { Decoded, NameField } from '../decode/types';
import type { Node } from './ast';
import { QueryError, type Predicate } from './types';
import { namesReader } from './raw-json';

export const DECODED_FIELDS = ['proto', 'event', 'method', 'dest', 'topic'];
const RAW = 'raw';

export { mqttTopicMatches as topicMatches } from '../decode/mqtt';
import { mqttTopicMatches as topicMatches } from '../decode/mqtt';

/** `name` matched case-insensitively; `*` stands for any run of characters. */
export function nameMatcher(value: string): (name: string) => boolean {
  const v = value.toLowerCase();
  if (!v.includes('*')) return (n) => n.length === v.length && n.toLowerCase() === v;
  const parts = v.split('*');
  return (n) => {
    const s = n.toLowerCase();
    if (!s.startsWith(parts[0])) return false;
    let at = parts[0].length;
    for (let i = 1; i < parts.length - 1; i++) {
      const k = s.indexOf(parts[i], at);
      if (k < 0) return false;
      at = k + parts[i].length;
    }
    const end = parts[parts.length - 1];
    return s.length - at >= end.length && s.endsWith(end);
  };
}

function anyName(d: Decoded | null, field: NameField, test: (n: string) => boolean): boolean {
  if (!d) return false;
  for (const m of d.messages) {
    const n = m.names?.[field];
    if (n !== undefined && test(n)) return true;
  }
  return false;
}

export function decodedTerm(field: string, value: string, sep: string, valuePos: number): Node {
  if (sep !== ':' || !value) throw new QueryError(`${field}: takes a name: ${field}:${EXAMPLES[field]}`, valuePos);
  if (field === 'proto') {
    const want = value.toLowerCase();
    const match: Predicate = (f, _c, ctx) => (ctx.protoOf ? ctx.protoOf(f.conn) : RAW) === want;
    return { t: 'leaf', text: `proto:${want}`, match };
  }
  const test = field === 'topic' ? (n: string) => topicMatches(value, n) : nameMatcher(value);
  const name = field as NameField;
  const raw = namesReader();
  const match: Predicate = (f, _c, ctx) =>
    ctx.hasName ? ctx.hasName(f, name, test, raw) : !!ctx.decode && anyName(ctx.decode(f), name, test);
  return { t: 'leaf', text: `${field}:${field === 'topic' ? value : value.toLowerCase()}`, match, cost: 3 };
}

const EXAMPLES: Record<string, string> = { proto: 'socketio', event: 'chat', method: 'subscribe', dest: '/topic/prices', topic: 'prices/#' };
