// Copy and export as code: a frame or a JSON value for the clipboard, frames as JSON Lines, the handshake as raw
// heads and curl/websocat commands, and scripts that replay a connection (Node) or mock its server (Playwright).
export { binaryAsUtf8, frameAsBase64, frameAsHex, frameAsPrettyJson, frameAsText, jsonPathText, jsonValueText, type PrettyJson } from './frame-copy';
export { formatJsonPath, JsonPathError, parseJsonPath, valueAtPath, type JsonPath } from './json-path';
export { COPY_LIMIT_BYTES, estimateJsonl, estimateJsonlBytes, jsonlChunks, jsonlText, type JsonlOptions } from './jsonl';
export { hasCredentials, isCredentialHeader, isCredentialParam, REDACTED, redactUrl } from './credentials';
export {
  curlArgv, curlCommand, requestHead, requestTarget, responseHead, websocatArgv, websocatCommand, type CredentialOptions,
} from './handshake';
export { DEFAULT_IDLE_MS, nodeReplayScript, replayableHeaderNames, type NodeReplayOptions } from './node-replay';
export { playwrightMockTest, type PlaywrightMockOptions } from './playwright-mock';
export type { ExportSource } from './script-parts';
