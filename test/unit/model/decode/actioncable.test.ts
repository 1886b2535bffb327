import { describe, expect, it } from 'vitest';
import { actioncableDecoder as d } from '../../../../src/model/decode/actioncable';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { checkHostile, ctx, expectWellFormed, fixtureFrames, text } from './rpc-support';

const frames = fixtureFrames('actioncable');
const decode = (t: string) => d.decode(text(t), ctx('actioncable-v1-json'));

describe('ActionCable decoder', () => {
  it('decodes frames made by @rails/actioncable against a cable answering as Rails does', () => {
    const out = frames.map((f) => d.decode(f, ctx('actioncable-v1-json')));
    for (const o of out) {
      expectWellFormed(o, 'actioncable');
      expect(o.error).toBeUndefined();
    }
    expect(out.map((o) => o.messages[0].summary)).toEqual([
      'welcome',
      'subscribe ChatChannel',
      'confirm ChatChannel',
      'subscribe SecretChannel',
      'reject SecretChannel',
      'message ChatChannel speak',
      'broadcast ChatChannel {"user":"ada","body":"hello","action":"speak"}',
      'message ChatChannel',
      'broadcast ChatChannel {"user":"ada","body":"no action"}',
      'ping',
      'ping',
      'unsubscribe ChatChannel',
      'subscribe NotesChannel',
      'confirm NotesChannel',
      'ping',
      'message NotesChannel leave',
      'broadcast NotesChannel {"user":"ada","action":"leave"}',
      'disconnect unauthorized',
    ]);
    const identifier = '{"channel":"ChatChannel","room":"lobby"}';
    expect(out[1].messages[0]).toMatchObject({
      kind: 'subscribe', names: { event: 'ChatChannel' }, id: identifier,
      value: { command: 'subscribe', identifier: { channel: 'ChatChannel', room: 'lobby' } },
    });
    expect(out[2].messages[0]).toMatchObject({ kind: 'confirm_subscription', id: identifier, names: { event: 'ChatChannel' } });
    expect(out[5].messages[0]).toMatchObject({
      kind: 'message',
      names: { event: 'ChatChannel', method: 'speak' },
      value: { identifier: { channel: 'ChatChannel', room: 'lobby' }, data: { message: 'hello', action: 'speak' } },
    });
    expect(out[5].messages[0].id).toBeUndefined();
    expect(out[6].messages[0]).toMatchObject({ kind: 'broadcast', names: { event: 'ChatChannel' }, value: { message: { body: 'hello' } } });
    expect(out[9].messages[0]).toEqual({ summary: 'ping', kind: 'ping', value: { type: 'ping', message: 1700000000 } });
    expect(out[17].messages[0].value).toEqual({ type: 'disconnect', reason: 'unauthorized', reconnect: false });
  });

  it('keeps an identifier or data that is not JSON as sent', () => {
    const m = decode('{"command":"message","identifier":"ChatChannel","data":"plain"}').messages[0];
    expect(m).toMatchObject({ summary: 'message ChatChannel', names: { event: 'ChatChannel' }, value: { identifier: 'ChatChannel', data: 'plain' } });
    expect(decode('{"type":"ping","message":1700000000,"extra":1}').messages[0]).toMatchObject({ summary: 'ping', kind: 'ping' });
    expect(decode('{"hello":1}').error).toMatch(/not an ActionCable message/);
    expect(decode('{"type":"welcome","sid":"abc"}').messages[0]).toMatchObject({ summary: 'welcome', value: { sid: 'abc' } });
  });

  it('reads the head of a frame past DECODE_LIMIT', () => {
    const big = 'x'.repeat(DECODE_LIMIT);
    const ident = JSON.stringify(JSON.stringify({ channel: 'ChatChannel' }));
    const cmd = decode(`{"command":"message","identifier":${ident},"data":"{\\"action\\":\\"speak\\",\\"body\\":\\"${big}\\"}"}`);
    expect(cmd.truncated).toBeDefined();
    expect(cmd.messages[0]).toMatchObject({ summary: 'message ChatChannel', kind: 'message', names: { event: 'ChatChannel' } });
    const cast = decode(`{"identifier":${ident},"message":{"body":"${big}"}}`);
    expect(cast.messages[0]).toMatchObject({ kind: 'broadcast', names: { event: 'ChatChannel' } });
  });

  it('sniffs what only ActionCable says', () => {
    for (const i of [0, 1, 2, 5, 6, 9]) expect(d.sniff!(frames[i], '')).toBe(true);
    expect(d.sniff!(text('{"type":"ping"}'), '')).toBe(false);
    expect(d.sniff!(text('{"type":"connection_init"}'), '')).toBe(false);
    expect(d.sniff!(text('{"type":6}\x1e'), '')).toBe(false);
    // Another protocol's welcome (the demo's chat): keys ActionCable never sends.
    expect(d.sniff!(text('{"type":"welcome","room":"lobby","users":1,"at":1}'), '')).toBe(false);
    expect(d.sniff!(text('{"jsonrpc":"2.0","method":"subscribe","id":1}'), '')).toBe(false);
    expect(d.sniff!(text('{"command":"subscribe","identifier":"x"}'), '')).toBe(false);
    expect(d.sniff!(text('2probe'), '')).toBe(false);
  });

  it('survives hostile input', () => {
    checkHostile(d, frames);
  });
});
