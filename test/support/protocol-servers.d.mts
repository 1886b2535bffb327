import type { WebSocketServer } from 'ws';

export function startStomp(opts?: { port?: number; host?: string }): Promise<{
  url: string;
  /** The SockJS endpoint as sockjs-client takes it. */
  sockjsUrl: string;
  /** Plain STOMP over WebSocket. */
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}>;
export function startSignalr(opts?: { port?: number; host?: string; observe?: (wss: WebSocketServer) => void }): Promise<{ url: string; close(): Promise<void> }>;
export function startActionCable(opts?: {
  port?: number;
  host?: string;
  pingMs?: number;
  observe?: (wss: WebSocketServer) => void;
}): Promise<{ wsUrl: string; close(): Promise<void> }>;
