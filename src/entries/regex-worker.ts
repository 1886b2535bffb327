// Worker: tries a query's regular expressions on sample payloads (src/model/regex-probe.ts). Wiring only.
import { runProbe, type ProbeRequest } from '../model/regex-probe';

self.onmessage = (e: MessageEvent<ProbeRequest>) => runProbe(e.data, (m) => self.postMessage(m));
