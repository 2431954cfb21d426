/**
 * What IAM is asked for each S3 and DynamoDB API request: the actions and resource ARNs that S3
 * and DynamoDB authorize, with the condition keys they set, read from the HTTP request as the SDK
 * sends it (S3 path-style REST, DynamoDB JSON). A request the rehearsal cannot map fails, so that
 * no call passes unchecked.
 */
import type { AccessRequest } from './iam-policy';
import { RehearsalError } from './template';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Requests to AWS arrive over TLS in the account: `aws:SecureTransport` holds. */
const TRANSPORT = { 'aws:SecureTransport': 'true' };

export function s3AccessRequests(request: HttpRequest, partition: string): AccessRequest[] {
  const [bucket = '', ...rest] = request.url.pathname.slice(1).split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = request.url.searchParams;
  const bucketArn = `arn:${partition}:s3:::${decodeURIComponent(bucket)}`;
  const object = (k: string, action: string): AccessRequest => ({ action, resource: `${bucketArn}/${k}`, context: TRANSPORT });
  const method = request.method.toUpperCase();
  if (key === '') {
    if (method === 'GET' && q.has('location')) return [{ action: 's3:GetBucketLocation', resource: bucketArn, context: TRANSPORT }];
    if (method === 'GET' && q.has('uploads')) return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn, context: TRANSPORT }];
    if (method === 'GET' && q.has('versions')) return [{ action: 's3:ListBucketVersions', resource: bucketArn, context: TRANSPORT }];
    if ((method === 'GET' && [...q.keys()].every((k) => LIST_PARAMETERS.has(k))) || method === 'HEAD') {
      const context: Record<string, string> = { ...TRANSPORT, 's3:prefix': q.get('prefix') ?? '' };
      if (q.has('delimiter')) context['s3:delimiter'] = q.get('delimiter')!;
      if (q.has('max-keys')) context['s3:max-keys'] = q.get('max-keys')!;
      return [{ action: 's3:ListBucket', resource: bucketArn, context }];
    }
    if (method === 'POST' && q.has('delete')) {
      const keys = [...request.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
      return keys.map((k) => object(k, 's3:DeleteObject'));
    }
  } else {
    if (method === 'GET' && q.has('uploadId')) return [object(key, 's3:ListMultipartUploadParts')];
    if ((method === 'GET' || method === 'HEAD') && !q.has('tagging') && !q.has('acl')) return [object(key, q.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject')];
    if (method === 'PUT' && !q.has('tagging') && !q.has('acl')) {
      const source = header(request, 'x-amz-copy-source');
      if (source === undefined) return [object(key, 's3:PutObject')];
      const from = decodeURIComponent(source.replace(/^\//, ''));
      return [object(key, 's3:PutObject'), { action: 's3:GetObject', resource: `arn:${partition}:s3:::${from}`, context: TRANSPORT }];
    }
    if (method === 'POST' && (q.has('uploads') || q.has('uploadId'))) return [object(key, 's3:PutObject')];
    if (method === 'DELETE') return [object(key, q.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject')];
  }
  throw new RehearsalError(`the rehearsal does not map the S3 request ${method} ${request.url.pathname}${request.url.search}`);
}

const LIST_PARAMETERS = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'marker', 'encoding-type', 'fetch-owner', 'x-id']);

/** A DynamoDB request on each table it names (batch requests name several). */
export function dynamoAccessRequests(operation: string, input: Record<string, unknown>, tableArn: (name: string) => string): AccessRequest[] {
  const action = `dynamodb:${operation}`;
  const on = (table: string, index?: unknown) => ({ action, resource: `${tableArn(table)}${typeof index === 'string' ? `/index/${index}` : ''}`, context: TRANSPORT });
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') return Object.keys((input.RequestItems as object | undefined) ?? {}).map((t) => on(t));
  if (operation === 'TransactGetItems' || operation === 'TransactWriteItems') {
    const items = (input.TransactItems as Record<string, { TableName: string }>[] | undefined) ?? [];
    return items.flatMap((item) => Object.entries(item).map(([kind, v]) => ({ ...on(v.TableName), action: `dynamodb:${kind === 'Get' ? 'GetItem' : kind === 'Put' ? 'PutItem' : kind === 'Delete' ? 'DeleteItem' : kind === 'Update' ? 'UpdateItem' : 'ConditionCheckItem'}` })));
  }
  if (typeof input.TableName === 'string') return [on(input.TableName, input.IndexName)];
  throw new RehearsalError(`the rehearsal does not map the DynamoDB request ${operation}`);
}

export function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
