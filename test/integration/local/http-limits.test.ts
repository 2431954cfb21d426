/**
 * The local HTTP API under hostile load: deep nesting, slow clients, CONNECT, too many events in
 * flight. Each gets a JSON 4xx, never a 5xx or a lost request, and the server keeps answering.
 */
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumeCounts } from '../../../lambdas/handlers/consume';
import { json } from '../../../lambdas/handlers/http-response';
import { consoleAssets } from '../../../local/console/assets';
import { createHttpServer, MAX_BODY_DEPTH, MAX_EVENTS_IN_FLIGHT, MAX_EVENTS_PER_REQUEST, nestingDepth, type LocalOperations } from '../../../local/http-server';
import { ServerMetrics } from '../../../local/metrics';

const counts = (n: number): ConsumeCounts => ({ received: n, applied: n, duplicate: 0, superseded: 0, quarantined: 0 });

/** These tests send events alone: the other operations fail the test if they are reached. */
const unused: LocalOperations = new Proxy({} as LocalOperations, {
  get: (_, name) => () => expect.unreachable(`operation ${String(name)} called`),
});

describe('local HTTP API limits', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy());
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  });

  async function start(
    publish: (events: readonly unknown[]) => Promise<ConsumeCounts>,
    timeouts?: { headersMs: number; requestMs: number },
    recommend = async () => json(200, { ok: true }),
  ) {
    const server = createHttpServer({
      recommend,
      publish,
      operations: unused,
      metrics: new ServerMetrics({ events: () => counts(0), modelVersion: async () => undefined }),
      assets: consoleAssets(),
      onError: () => {},
      ...(timeouts ? { timeouts } : {}),
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Writes raw bytes, then collects the whole answer until the server closes the connection. */
  function raw(host: string, text: string): Promise<string> {
    const [address, port] = host.split(':');
    return new Promise((resolve) => {
      const socket = connect(Number(port), address!);
      sockets.push(socket);
      let out = '';
      socket.on('data', (d) => (out += d.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', () => resolve(out));
      socket.write(text);
    });
  }

  it('measures nesting without parsing, strings skipped', () => {
    expect(nestingDepth('[{"a":[1,{"b":"[[[{{"}]}]')).toBe(4);
    expect(nestingDepth('"\\\\"[')).toBe(1);
  });

  it('refuses a deeply nested body with a 400 before parsing it', async () => {
    const host = await start(async (e) => counts(e.length));
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await fetch(`http://${host}/events`, { method: 'POST', body: deep });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: `body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels` });
    expect((await fetch(`http://${host}/events`, { method: 'POST', body: '[{"a":1}]' })).status).toBe(200);
  });

  it('answers each quarantined event with its index and reason', async () => {
    const host = await start(async (e) => ({ ...counts(e.length), applied: 1, quarantined: 2 }));
    const body = [
      { type: 'rating', user_id: 1, movie_id: 1, rating: 4, timestamp: '2026-11-24T00:00:00Z' },
      { type: 'rating', user_id: 1, movie_id: 2, rating: 7, timestamp: '2026-11-24T00:00:00Z' },
      { type: 'click' },
    ];
    const res = await fetch(`http://${host}/events`, { method: 'POST', body: JSON.stringify(body) });
    const answer = (await res.json()) as { quarantine: { index: number; reason: string }[] };
    expect(answer.quarantine.map((q) => q.index)).toEqual([1, 2]);
    expect(answer.quarantine[0]!.reason).toBe('rating 7 is outside 0.5-5');
  });

  it('answers 429 with Retry-After beyond the events in flight, and takes events again once they are consumed', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const host = await start(async (e) => {
      await held;
      return counts(e.length);
    });
    const full = JSON.stringify(Array.from({ length: MAX_EVENTS_PER_REQUEST }, () => ({ type: 'rating' })));
    const waiting = Array.from({ length: MAX_EVENTS_IN_FLIGHT / MAX_EVENTS_PER_REQUEST }, () =>
      fetch(`http://${host}/events`, { method: 'POST', body: full }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const refused = await fetch(`http://${host}/events`, { method: 'POST', body: '[{"type":"rating"}]' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: string }).error).toMatch(/^too many events in flight/);
    release();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(waiting.map(() => 200));
    expect((await fetch(`http://${host}/events`, { method: 'POST', body: '[{"type":"rating"}]' })).status).toBe(200);
  });

  it('answers a body that does not arrive in time with 408, and headers that do not with 408 too', async () => {
    const host = await start(async (e) => counts(e.length), { headersMs: 500, requestMs: 1000 });
    const slowBody = await raw(host, 'POST /events HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n[{"type"');
    expect(slowBody).toMatch(/^HTTP\/1\.1 408 /);
    expect(slowBody).toContain('"error":');
    const slowHeaders = await raw(host, 'GET /health HTTP/1.1\r\nhost: x\r\n');
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('sends an answer whole with its length in bytes, not in chunks', async () => {
    const host = await start(async (e) => counts(e.length), undefined, async () => json(200, { title: 'Amélie (2001) — 天使' }));
    const answer = Buffer.from(await raw(host, 'GET /users/1/recommendations HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
    const split = answer.indexOf('\r\n\r\n');
    const head = answer.subarray(0, split).toString();
    const body = answer.subarray(split + 4);
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).toMatch(new RegExp(`\r\ncontent-length: ${body.length}\r\n`, 'i'));
    expect(JSON.parse(body.toString())).toEqual({ title: 'Amélie (2001) — 天使' });
  });

  it('answers CONNECT with a JSON 405', async () => {
    const host = await start(async (e) => counts(e.length));
    const answer = await raw(host, 'CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toContain('{"error":"method CONNECT is not allowed"}');
  });
});
