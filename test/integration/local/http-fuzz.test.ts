/**
 * The local HTTP API under generated requests: odd methods, paths, query strings, headers and
 * bodies, and bytes that are not HTTP at all. Every answer must be a 2xx or a 4xx with a JSON body,
 * but for the pages and metrics.
 */
import fc from 'fast-check';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../../local/demo-data';
import { startInProcessServer, type InProcessServer } from '../../helpers/in-process-server';
import { runDailyBatch } from '../../../local/batch-runner';

const REQUESTS = 3000;
/** The answers that are pages or text, not JSON. */
const PAGES = /^\/(docs\/?|metrics\/?|assets\/[^/]+)?$/;

const segment = fc.oneof(
  fc.constantFrom('users', 'movies', 'health', 'events', 'recommendations', 'similar', 'ratings', 'runs', 'status', 'quarantine', 'docs', '1', '42', '0', '-1', '1e3', '..', '.', '%00', '%ff', '%2F'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);
const path = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => `/${s.join('/')}`),
  fc.tuple(segment, fc.constantFrom('recommendations', 'recommendations/', 'similar')).map(([id, tail]) => `/${tail === 'similar' ? 'movies' : 'users'}/${id}/${tail}`),
  fc.constantFrom('/', '//', '/users//recommendations', '/health?', `/${'a'.repeat(5000)}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('limit', 'genre', 'q', 'explain', 'x', '', 'LIMIT', 'limit[]'),
        fc.oneof(fc.constantFrom('10', '0', '-5', '101', '1.5', 'abc', 'Comedy', 'Sci-Fi', 'true', '', '%', '%zz'), fc.string({ maxLength: 10 }).map(encodeURIComponent)),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
);
const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND');
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '[]', '[{}]', 'null', '"x"', '{"type":"rating","user_id":1,"movie_id":1,"rating":4,"timestamp":"2026-11-24T10:00:00Z"}'),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);
const headers = fc.dictionary(
  fc.constantFrom('content-type', 'accept', 'x-forwarded-for', 'user-agent', 'origin', 'authorization', 'x-anything'),
  fc.oneof(fc.constantFrom('application/json', 'text/plain', '*/*', ''), fc.stringMatching(/^[ -~]{0,40}$/)),
  { maxKeys: 4 },
);

describe('local HTTP API fuzz', () => {
  let server: InProcessServer;
  let port: number;

  beforeAll(async () => {
    server = await startInProcessServer(async (system) => {
      const demo = generateDemoData({ users: 40, movies: 30, seed: 9 });
      await system.features.upsertMovies(demo.movies);
      await system.pipeline.publish(demo.events);
      const result = await runDailyBatch(system.batch, { date: '2026-11-24' });
      if (result.status !== 'succeeded') throw new Error(`batch failed: ${result.error}`);
    });
    port = server.port;
  }, 60_000);

  afterAll(() => server.close());

  const send = (m: string, p: string, h: Record<string, string>, b: string | Buffer | undefined) =>
    new Promise<{ status: number; type: string | undefined; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: m, path: p, headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(b);
    });

  it(`answers ${REQUESTS} generated requests with a 2xx or a 4xx and a JSON body`, async () => {
    const cases = fc.sample(fc.tuple(method, path, query, headers, body), { numRuns: REQUESTS, seed: 5 });
    const statuses = new Map<number, number>();
    for (const [m, p, q, h, b] of cases) {
      const res = await send(m, `${p}${q}`, h, m === 'GET' || m === 'HEAD' ? undefined : b);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status >= 200 && res.status < 500, `${m} ${p}${q} -> ${res.status}`).toBe(true);
      expect(res.status < 300 || res.status >= 400).toBe(true);
      if (m !== 'HEAD') {
        // The server reads the path as a URL does: "/.." is "/".
        const page = res.status === 200 && PAGES.test(new URL(`http://localhost${p}`).pathname);
        expect(res.type, `${m} ${p}${q}`).toMatch(page ? /^text\// : /^application\/json/);
        if (!page) expect(() => JSON.parse(res.text) as unknown, `${m} ${p}${q}: ${res.text.slice(0, 80)}`).not.toThrow();
      }
    }
    // The fuzz reaches the real answers too, not only refusals.
    expect(statuses.get(200)).toBeGreaterThan(30);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(2);
  }, 120_000);

  it('answers bytes that are not HTTP with a JSON 400', async () => {
    for (const raw of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', '\x00\x01\x02\r\n\r\n']) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(raw));
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('close', () => resolve(text));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'malformed HTTP request' });
    }
  });
});
