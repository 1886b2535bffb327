import type { Server } from 'socket.io';
import type { Aedes } from 'aedes';

export function startSocketIo(opts?: { port?: number; host?: string }): Promise<{ url: string; io: Server; close(): Promise<void> }>;
export function startMqtt(opts?: { port?: number; host?: string; feedMs?: number }): Promise<{ wsUrl: string; broker: Aedes; close(): Promise<void> }>;
export function startGraphql(opts?: { port?: number; host?: string; tickMs?: number }): Promise<{ wsUrl: string; close(): Promise<void> }>;
export function startJsonRpc(opts?: { port?: number; host?: string; slowMs?: number; tickMs?: number }): Promise<{ wsUrl: string; close(): Promise<void> }>;
