// HAR of WebSocket sessions: export (export.ts), import (import.ts) and the HAR shape both share (types.ts).
export { buildHar, DEFAULT_STRIPPED, harChunks, harFileName, type HarExportOptions, type HarSource } from './export';
export { HarError, parseHar, type HarImport } from './import';
export { HAR_VERSION } from './types';
export type { HarWebSocketDocument, HarWebSocketEntry, HarWebSocketMessage } from './types';
