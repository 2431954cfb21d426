/**
 * The local HTTP API on node:http. The operations the API description shares with AWS become API
 * Gateway payload 2.0 events for the very recommend handler that runs in Lambda; the local ones
 * (events, batch runs, quarantine, status, metrics, the description, the console) are answered here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseRecordValue } from '../lambdas/core/event-contract';
import { API } from '../lambdas/handlers/api-description';
import { createRouter } from '../lambdas/handlers/api-router';
import { HttpError, json, type HttpResult } from '../lambdas/handlers/http-response';
import { RECOMMEND_OPERATIONS, type HttpEvent } from '../lambdas/handlers/recommend';
import type { ConsumeCounts } from '../lambdas/handlers/consume';
import { ArrivalOrder } from './arrival-order';
import type { ConsoleAssets } from './console/assets';
import { messageFor, TOPIC } from './embedded-producer';
import type { ServerMetrics } from './metrics';
import type { QuarantineListing, RunSummary, SystemStatus } from './sqlite/sqlite-operations-reads';

/** Largest POST /events body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Most events accepted in one POST /events. */
export const MAX_EVENTS_PER_REQUEST = 10_000;
/** Deepest nesting of arrays and objects in a body: an event is two levels inside an array. */
export const MAX_BODY_DEPTH = 32;
/** Events accepted and not yet consumed, over all requests: beyond, a POST is answered 429. */
export const MAX_EVENTS_IN_FLIGHT = 50_000;
/** POST bodies being read at once (each up to MAX_BODY_BYTES): beyond, 429. */
export const MAX_POSTS_IN_FLIGHT = 16;
/** Open connections at most: beyond, new ones are closed at once, so idle sockets cannot use up file descriptors. */
export const MAX_CONNECTIONS = 1024;
/** A request's headers must arrive within this, and the whole request within REQUEST_TIMEOUT_MS: else 408. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** What a 429 asks the client to wait, in seconds. */
const RETRY_AFTER_S = 1;

/** The operations answered here; the recommend handler answers the others. */
const LOCAL_ROUTES = createRouter(API, (op) => !(RECOMMEND_OPERATIONS as readonly string[]).includes(op.operationId));
/** Every route, for the metrics' labels. */
const ALL_ROUTES = createRouter(API, () => true);

/** What the local operations read and start. */
export interface LocalOperations {
  runs(limit: number): Promise<{ modelVersion: string | null; running: boolean; items: RunSummary[] }>;
  /** Starts the daily batch for today; undefined when one is running. */
  startRun(): { date: string } | undefined;
  quarantine(limit: number): QuarantineListing;
  status(): Promise<SystemStatus & { sinceStart: ConsumeCounts | null }>;
}

export interface HttpServerDeps {
  recommend: (event: HttpEvent) => Promise<HttpResult>;
  publish: (events: readonly unknown[]) => Promise<ConsumeCounts>;
  operations: LocalOperations;
  metrics: ServerMetrics;
  assets: ConsoleAssets;
  onError: (err: unknown) => void;
  /** Overrides HEADERS_TIMEOUT_MS and REQUEST_TIMEOUT_MS (tests). */
  timeouts?: { headersMs: number; requestMs: number };
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const load = { events: 0, posts: 0 };
  const arrivals = new ArrivalOrder();
  const { headersMs, requestMs } = deps.timeouts ?? { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS };
  const server = createServer(
    // Timeouts are checked every second, not every 30 s, so a slow client is answered when its time is up.
    { headersTimeout: headersMs, requestTimeout: requestMs, connectionsCheckingInterval: Math.min(1000, headersMs) },
    (req, res) => {
      const started = performance.now();
      arrivals.enqueue(() => {
        const url = requestUrl(req.url);
        handle(req, url, deps, load)
          .catch((err: unknown) => {
            if (err instanceof HttpError) return err.toResult();
            deps.onError(err);
            return json(503, { error: 'the service is temporarily unavailable; retry later' }, { 'retry-after': String(RETRY_AFTER_S) });
          })
          .then((result) => {
            send(res, result);
            const route = (url && ALL_ROUTES.templateOf(url.pathname)) ?? 'unmatched';
            deps.metrics.request(route, req.method ?? 'GET', result.statusCode, (performance.now() - started) / 1000);
          });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = MAX_CONNECTIONS;
  // A request Node's parser refuses, or one too slow, still gets a JSON answer.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return rawAnswer(socket, 408, 'Request Timeout', `the request did not arrive within ${requestMs / 1000} s`);
    if (err.code === 'HPE_HEADER_OVERFLOW') return rawAnswer(socket, 431, 'Request Header Fields Too Large', 'request headers are too large');
    rawAnswer(socket, 400, 'Bad Request', 'malformed HTTP request');
  });
  // CONNECT is not a request Node hands to the listener: it is answered here, as any unknown method.
  server.on('connect', (req: IncomingMessage, socket: Duplex) =>
    rawAnswer(socket, 405, 'Method Not Allowed', `method ${req.method ?? 'CONNECT'} is not allowed`),
  );
  return server;
}

function rawAnswer(socket: Duplex, status: number, text: string, error: string): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

async function handle(
  req: IncomingMessage,
  url: URL | undefined,
  deps: HttpServerDeps,
  load: { events: number; posts: number },
): Promise<HttpResult> {
  if (!url) {
    req.resume();
    return json(400, { error: 'the request target must be a path, like /users/1/recommendations' });
  }
  const method = req.method ?? 'GET';
  const query = url.search.startsWith('?') ? url.search.slice(1) : '';
  if (LOCAL_ROUTES.templateOf(url.pathname) === undefined) {
    req.resume();
    return deps.recommend({ rawPath: url.pathname, rawQueryString: query, requestContext: { http: { method } } });
  }
  let match;
  try {
    match = LOCAL_ROUTES.match(method, url.pathname, query);
  } catch (err) {
    req.resume();
    throw err;
  }
  const { params } = match;
  if (match.operation.operationId !== 'postEvents') req.resume();
  switch (match.operation.operationId) {
    case 'postEvents':
      return postEvents(req, deps, load);
    case 'listRuns':
      return json(200, await deps.operations.runs(params.int('limit')));
    case 'startRun': {
      const started = deps.operations.startRun();
      return started ? json(202, { ...started, status: 'started' }) : json(409, { error: 'a batch is running: follow it on GET /runs' });
    }
    case 'listQuarantine':
      return json(200, deps.operations.quarantine(params.int('limit')));
    case 'status':
      return json(200, await deps.operations.status());
    case 'metrics':
      return { statusCode: 200, headers: { 'content-type': deps.metrics.registry.contentType }, body: await deps.metrics.registry.metrics() };
    case 'openapi':
      return json(200, API, { 'cache-control': 'no-cache' });
    case 'docs':
    case 'console':
      return text('text/html; charset=utf-8', deps.assets.page(match.operation.operationId));
    case 'asset': {
      const asset = await deps.assets.file(params.text('file')!);
      if (!asset) throw new HttpError(404, `no asset ${JSON.stringify(params.text('file'))}`);
      return text(asset.type, asset.body);
    }
    default:
      throw new Error(`operation ${match.operation.operationId} has no local implementation`);
  }
}

/** A page or a file: revalidated on each load, so a restarted server's console is never stale. */
function text(type: string, body: string): HttpResult {
  return { statusCode: 200, headers: { 'content-type': type, 'cache-control': 'no-cache' }, body };
}

async function postEvents(req: IncomingMessage, deps: HttpServerDeps, load: { events: number; posts: number }): Promise<HttpResult> {
  if (load.posts >= MAX_POSTS_IN_FLIGHT) return busy(req, `${MAX_POSTS_IN_FLIGHT} requests are being read`);
  load.posts++;
  let body: string | HttpResult;
  try {
    body = await readBody(req);
  } finally {
    load.posts--;
  }
  if (typeof body !== 'string') return body;
  if (nestingDepth(body) > MAX_BODY_DEPTH) return json(400, { error: `body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return json(400, { error: 'body is not valid JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return json(400, { error: 'body must be one event object or an array of them' });
  }
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0) return json(400, { error: 'body is an empty array' });
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    return json(413, { error: `at most ${MAX_EVENTS_PER_REQUEST} events per request` });
  }
  if (load.events + events.length > MAX_EVENTS_IN_FLIGHT) return busy(req, `${load.events} events are waiting to be consumed`);
  load.events += events.length;
  try {
    const counts = await deps.publish(events);
    return json(200, { ...counts, quarantine: quarantineReasons(events) });
  } finally {
    load.events -= events.length;
  }
}

/** The request's path and query; undefined for a target that is not a path ("*", "http://..."). */
function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    // Prefixed, not resolved against a base: "//x" is a path here, not a host.
    return new URL(`http://localhost${target}`);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string | HttpResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return json(413, { error: `body is larger than ${MAX_BODY_BYTES} bytes` });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.resume();
        return json(413, { error: `body is larger than ${MAX_BODY_BYTES} bytes` });
      }
      chunks.push(chunk);
    }
  } catch {
    // The client went away, or its time ran out (answered 408 by clientError): nothing was consumed.
    return json(408, { error: 'the request body did not arrive in time' });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function busy(req: IncomingMessage, why: string): HttpResult {
  req.resume();
  return json(429, { error: `too many events in flight (${why}): retry after ${RETRY_AFTER_S} s` }, { 'retry-after': String(RETRY_AFTER_S) });
}

/** The deepest nesting of arrays and objects, strings skipped: measured before JSON.parse, which recurses. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Each quarantined event's place in the body and its reason, as the consumer's own check gives it. */
function quarantineReasons(events: readonly unknown[]): { index: number; reason: string }[] {
  const origin = { topic: TOPIC, partition: 0, offset: 0, timestamp: 0 };
  const out: { index: number; reason: string }[] = [];
  events.forEach((event, index) => {
    const result = parseRecordValue(messageFor(event).value.toString('base64'), origin);
    if (!result.ok) out.push({ index, reason: result.reason });
  });
  return out;
}

function send(res: ServerResponse, result: HttpResult): void {
  if (res.destroyed || res.headersSent) return;
  // With its length given, Node writes the head and body in one piece: without it, chunked encoding.
  res.writeHead(result.statusCode, { ...result.headers, 'content-length': Buffer.byteLength(result.body) });
  res.end(result.body);
}
