/**
 * The one AWS endpoint the rehearsed functions talk to (AWS_ENDPOINT_URL). Like AWS, it knows the
 * caller by its credentials (each function, and Athena acting for one, has its own access key) and
 * the service by the request's signing scope; it authorizes every request against the caller's
 * role before serving it, from s3rver and dynalite, or from the emulated Athena. A denied request
 * gets the service's own AccessDenied answer, as the function would get in the account.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaError, notAuthorized, type AthenaEmulator } from './athena-emulator';
import type { Authorizer, Principal } from './authorizer';
import { dynamoAccessRequests, header, s3AccessRequests, type HttpRequest } from './aws-requests';
import type { AccessRequest } from './iam-policy';
import type { DeployedTemplate } from './template';

export interface GatewayOptions {
  template: DeployedTemplate;
  authorizer: Authorizer;
  athena: AthenaEmulator;
  s3Endpoint: string;
  dynamoEndpoint: string;
  /** Told of every request served, with what it cost DynamoDB: a meter of usage (npm run cost). */
  observe?: (request: ObservedRequest) => void;
}

/** A request as a bill counts it. */
export interface ObservedRequest {
  /** The principal that made it (a function's label), and who for it (`Athena`), if anyone. */
  caller: string;
  via?: string;
  service: string;
  /** S3: the IAM action it was authorized as (`s3:GetObject`, `s3:ListBucket`, ...) and its method; otherwise the API operation. */
  operation: string;
  method: string;
  status: number;
  /** S3: the bucket and key (or listed prefix). */
  path: string;
  requestBytes: number;
  responseBytes: number;
  /** DynamoDB: the read or write capacity units it consumed, as DynamoDB counts them. */
  capacityUnits?: number;
}

interface Caller {
  principal: Principal;
  via?: string;
}

export class AwsGateway {
  /** Requests the rehearsal could not serve: a service it does not emulate, an unmapped call. */
  readonly problems: string[] = [];
  readonly requests = new Map<string, number>();
  private readonly callers = new Map<string, Caller>();
  /** Connections to s3rver and dynalite stay open between requests, as the SDK keeps its own. */
  private readonly upstream = new Agent({ keepAlive: true, maxSockets: 64 });
  private server?: Server;

  constructor(private readonly options: GatewayOptions) {}

  /** Gives a principal credentials: requests signed with this access key act as it. */
  register(accessKeyId: string, principal: Principal, via?: string): void {
    this.callers.set(accessKeyId, { principal, ...(via ? { via } : {}) });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.serve(req, res).catch((err: unknown) => {
        this.problems.push(String(err));
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    this.upstream.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: HttpRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://gateway'), headers: req.headers, body: Buffer.concat(chunks) };
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header(request, 'authorization') ?? '');
    const caller = scope ? this.callers.get(scope[1]!) : undefined;
    if (!scope || !caller) {
      this.problems.push(`an unsigned request, or one with unknown credentials: ${request.method} ${request.url.pathname}`);
      return send(res, 403, 'application/json', JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    }
    const service = scope[3]!;
    this.requests.set(service, (this.requests.get(service) ?? 0) + 1);
    if (service === 's3') return this.s3(request, caller, res);
    if (service === 'dynamodb') return this.dynamo(request, caller, res);
    if (service === 'athena') return this.athena(request, caller, res);
    this.problems.push(`${caller.principal.name} called ${service}, which the rehearsal does not emulate`);
    return send(res, 400, 'application/json', JSON.stringify({ __type: 'UnknownOperationException', message: `no ${service} here` }));
  }

  private async s3(request: HttpRequest, caller: Caller, res: ServerResponse): Promise<void> {
    const asks = s3AccessRequests(request, this.options.template.place.partition);
    const observed = (status: number, responseBytes: number) =>
      this.observe(caller, { service: 's3', operation: asks[0]?.action ?? 'unknown', method: request.method, status, path: request.url.pathname, requestBytes: request.body.length, responseBytes });
    const denied = this.deny(caller, asks);
    if (denied) {
      observed(403, 0);
      return send(res, 403, 'application/xml', s3Error('AccessDenied', notAuthorized(caller.principal, denied.action, denied.resource)));
    }
    // s3rver checks the access key only: it knows its own.
    const headers = { ...request.headers, authorization: header(request, 'authorization')!.replace(/Credential=[^/]+\//, 'Credential=S3RVER/') };
    const answer = await forward(this.upstream, this.options.s3Endpoint, request, headers);
    // Without s3:ListBucket on the key, S3 answers a missing object 403, not 404.
    if (answer.status === 404 && asks[0]?.action === 's3:GetObject') {
      const bucketArn = asks[0].resource.slice(0, asks[0].resource.indexOf('/'));
      const key = asks[0].resource.slice(bucketArn.length + 1);
      const list = { action: 's3:ListBucket', resource: bucketArn, context: { 'aws:SecureTransport': 'true', 's3:prefix': key } };
      if (this.deny(caller, [list])) return send(res, 403, 'application/xml', s3Error('AccessDenied', notAuthorized(caller.principal, list.action, list.resource)));
    }
    observed(answer.status, answer.body.length);
    relay(res, answer);
  }

  private async dynamo(request: HttpRequest, caller: Caller, res: ServerResponse): Promise<void> {
    const operation = (header(request, 'x-amz-target') ?? '').split('.')[1] ?? '';
    const input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    const asks = dynamoAccessRequests(operation, input, (name) => this.options.template.arn('dynamodb', `table/${name}`));
    const denied = this.deny(caller, asks);
    if (denied) {
      return send(res, 400, 'application/x-amz-json-1.0', JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: notAuthorized(caller.principal, denied.action, denied.resource) }));
    }
    if (!this.options.observe) return relay(res, await forward(this.upstream, this.options.dynamoEndpoint, request, request.headers));
    // Metered: DynamoDB is asked what each request consumes, and the answer is passed on as asked for.
    const asked = input.ReturnConsumedCapacity !== undefined;
    const metered = asked ? request : { ...request, body: Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' })) };
    const answer = await forward(this.upstream, this.options.dynamoEndpoint, metered, request.headers);
    const body = JSON.parse(answer.body.toString('utf8') || '{}') as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]; __type?: string };
    const consumed = [body.ConsumedCapacity ?? []].flat().reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
    // A write whose condition fails consumes a write unit all the same.
    const capacityUnits = body.__type?.endsWith('ConditionalCheckFailedException') ? 1 : consumed;
    this.observe(caller, { service: 'dynamodb', operation, method: request.method, status: answer.status, path: '', requestBytes: request.body.length, responseBytes: answer.body.length, capacityUnits });
    if (!asked && body.ConsumedCapacity !== undefined) {
      delete body.ConsumedCapacity;
      answer.body = Buffer.from(JSON.stringify(body));
    }
    relay(res, answer);
  }

  private async athena(request: HttpRequest, caller: Caller, res: ServerResponse): Promise<void> {
    const operation = (header(request, 'x-amz-target') ?? '').split('.')[1] ?? '';
    const input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    try {
      const body = await this.options.athena.handle(operation, input, caller.principal);
      this.observe(caller, { service: 'athena', operation, method: request.method, status: 200, path: '', requestBytes: request.body.length, responseBytes: 0 });
      return send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(body));
    } catch (err) {
      if (!(err instanceof AthenaError)) throw err;
      return send(res, 400, 'application/x-amz-json-1.1', JSON.stringify({ __type: err.type, Message: err.message }));
    }
  }

  private observe(caller: Caller, request: Omit<ObservedRequest, 'caller' | 'via'>): void {
    this.options.observe?.({ caller: caller.principal.name, ...(caller.via ? { via: caller.via } : {}), ...request });
  }

  /** The first request the caller's role does not allow, after checking them all. */
  private deny(caller: Caller, asks: AccessRequest[]): AccessRequest | undefined {
    const decisions = asks.map((ask) => this.options.authorizer.check(caller.principal, ask, caller.via));
    return asks.find((_, i) => decisions[i] !== 'allowed');
  }
}

async function forward(
  agent: Agent,
  endpoint: string,
  request: HttpRequest,
  headers: HttpRequest['headers'],
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const target = new URL(endpoint);
  const outgoing: HttpRequest['headers'] = { ...headers, host: target.host, 'content-length': String(request.body.length) };
  delete outgoing.expect;
  delete outgoing['transfer-encoding'];
  const send = () =>
    new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        { hostname: target.hostname, port: target.port, method: request.method, path: `${request.url.pathname}${request.url.search}`, headers: outgoing, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocket() : err));
      req.end(request.body);
    });
  try {
    return await send();
  } catch (err) {
    // A kept-alive connection the server closed as it was reused: the request never reached it.
    if (err instanceof StaleSocket) return send();
    throw err;
  }
}

class StaleSocket extends Error {}

/** A server's answer, passed on whole. */
function relay(res: ServerResponse, answer: { status: number; headers: Record<string, string | string[]>; body: Buffer }): void {
  const headers: Record<string, string | string[]> = { ...answer.headers, 'content-length': String(answer.body.length) };
  delete headers['transfer-encoding'];
  delete headers.connection;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function s3Error(code: string, message: string): string {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escaped}</Message><RequestId>rehearsal</RequestId></Error>`;
}
