// A RecordSink that keeps what a capture source writes as record objects, for tests that read them one by one.
import type { RecordSink } from '../../../src/model/batch';
import type { CaptureRecord } from '../../../src/model/types';

export function collectInto(records: CaptureRecord[]): RecordSink {
  return {
    frame(id, conn, dir, opcode, ts, size, payload, binary, mark) {
      const frame: Extract<CaptureRecord, { t: 'frame' }>['frame'] = { id, conn, dir, opcode, ts, size };
      if (payload !== undefined) {
        if (binary) frame.b64 = payload;
        else frame.text = payload;
      }
      if (mark) frame.mark = mark;
      records.push({ t: 'frame', frame });
    },
    record(r) {
      records.push(r);
    },
  };
}
