/**
 * The local HTTP API on node:http: requests become API Gateway payload 2.0 events for the very
 * recommend handler that runs in Lambda, and `POST /events` feeds the consumer path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { json, type HttpResult } from '../lambdas/handlers/http-response';
import type { HttpEvent } from '../lambdas/handlers/recommend';
import type { ConsumeCounts } from '../lambdas/handlers/consume';

/** Largest POST /events body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Most events accepted in one POST /events. */
export const MAX_EVENTS_PER_REQUEST = 10_000;

export interface HttpServerDeps {
  recommend: (event: HttpEvent) => Promise<HttpResult>;
  publish: (events: readonly unknown[]) => Promise<ConsumeCounts>;
  onError: (err: unknown) => void;
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const server = createServer((req, res) => {
    handle(req, deps)
      .catch((err: unknown) => {
        deps.onError(err);
        return json(503, { error: 'the service is temporarily unavailable; retry later' });
      })
      .then((result) => send(res, result));
  });
  server.keepAliveTimeout = 5_000;
  // A request Node's parser refuses still gets a JSON answer, not a bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error: status === 431 ? 'request headers are too large' : 'malformed HTTP request' });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

async function handle(req: IncomingMessage, deps: HttpServerDeps): Promise<HttpResult> {
  const url = requestUrl(req.url);
  if (!url) {
    req.resume();
    return json(400, { error: 'the request target must be a path, like /users/1/recommendations' });
  }
  const method = req.method ?? 'GET';
  if (url.pathname === '/events' || url.pathname === '/events/') {
    if (method !== 'POST') return json(405, { error: `method ${method} is not allowed`, allowed: ['POST'] }, { allow: 'POST' });
    const body = await readBody(req);
    if (typeof body !== 'string') return body;
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
    return json(200, await deps.publish(events));
  }
  req.resume();
  const query = url.search.startsWith('?') ? url.search.slice(1) : '';
  return deps.recommend({ rawPath: url.pathname, rawQueryString: query, requestContext: { http: { method } } });
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
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return json(413, { error: `body is larger than ${MAX_BODY_BYTES} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, result: HttpResult): void {
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.body);
}
