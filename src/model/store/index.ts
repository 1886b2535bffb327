// The session store (session-store.ts) and what it exports about its columns (chunk.ts).
export { MAX_CONNECTIONS, SessionStore, type FramePredicate, type StoreStats } from './session-store';
export { DEFAULT_BUDGET_BYTES, DEFAULT_CHUNK_BITS, FRAME_OVERHEAD_BYTES, FrameCursor, OWN_BUFFER_OVERHEAD_BYTES, SEAL_FROM_FRAMES, frameCost } from './chunk';
