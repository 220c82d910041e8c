import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer = {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
};

/**
 * A subscriber for broker tests: records every request and answers as the test scripts it,
 * tracking how many requests it is serving at once.
 */
export class RecordingSubscriber {
  readonly received: ReceivedRequest[] = [];
  maxConcurrent = 0;
  private concurrent = 0;
  private server?: http.Server;
  url = '';

  constructor(
    private answer: (request: ReceivedRequest, index: number) => Answer = () => ({ status: 202 }),
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const index = this.received.push(request) - 1;
        this.concurrent += 1;
        this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
        const answer = this.answer(request, index);
        setTimeout(() => {
          this.concurrent -= 1;
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  respondWith(answer: (request: ReceivedRequest, index: number) => Answer): void {
    this.answer = answer;
  }

  ids(): string[] {
    return this.received.map((r) => String(r.headers['ce-id']));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}
