export interface TestServer {
  port: number;
  origin: string;
  altOrigin: string;
  wsUrl(path: string): string;
  page(path: string, html: string): string;
  connections: Array<{
    path: string;
    query: Record<string, string>;
    received: Array<{ text?: string; binary?: boolean; hex?: string; at: number }>;
    closed: { code: number; reason: string } | null;
  }>;
  close(): Promise<void>;
}
export function startServer(): Promise<TestServer>;
