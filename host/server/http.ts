// The HTTP endpoint: GET /metrics (Prometheus text) and GET /health.

import { createServer, type Server } from 'node:http';

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpHandlers {
  metrics(): string;
  /** { status: 'ok' | 'stopping', ... }; 'ok' answers 200, anything else 503. */
  health(): Record<string, unknown> & { status: string };
}

export async function listenHttp(host: string, port: number, h: HttpHandlers): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(h.metrics());
      } else if (path === '/health' || path === '/health/live' || path === '/health/ready') {
        const body = h.health();
        res.writeHead(body.status === 'ok' || path === '/health/live' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
