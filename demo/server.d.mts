export function startDemo(opts?: { port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
