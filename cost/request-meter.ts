/**
 * Counts the AWS requests of a metered day as a bill counts them: S3 requests by price class, with
 * the server access log record S3 writes for each request to the lake bucket; DynamoDB's read and
 * write capacity units as DynamoDB reported them; Athena's API calls. Each is kept by who made it:
 * a function, or Athena for one.
 */
import type { ObservedRequest } from '../rehearsal/aws-gateway';

export type S3PriceClass = 'writes' | 'reads' | 'deletes';

export interface CallerUsage {
  s3: Record<S3PriceClass, number>;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoRequests: number;
  athenaRequests: number;
}

const DYNAMO_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

export class RequestMeter {
  counting = false;
  readonly byCaller = new Map<string, CallerUsage>();
  /** Server access log records S3 delivered for the lake bucket, and their bytes. */
  accessLogRecords = 0;
  accessLogBytes = 0;

  constructor(private readonly loggedBucket: string) {}

  readonly observe = (r: ObservedRequest): void => {
    if (!this.counting) return;
    const usage = this.of(r.via ? `${r.caller} (${r.via})` : r.caller);
    if (r.service === 's3') {
      usage.s3[s3PriceClass(r)]++;
      if (r.path.startsWith(`/${this.loggedBucket}/`) || r.path === `/${this.loggedBucket}`) {
        this.accessLogRecords++;
        this.accessLogBytes += accessLogRecordBytes(r);
      }
    } else if (r.service === 'dynamodb') {
      usage.dynamoRequests++;
      if (DYNAMO_READS.has(r.operation)) usage.dynamoReadUnits += r.capacityUnits ?? 0;
      else usage.dynamoWriteUnits += r.capacityUnits ?? 0;
    } else if (r.service === 'athena') usage.athenaRequests++;
  };

  private of(caller: string): CallerUsage {
    let usage = this.byCaller.get(caller);
    if (!usage) {
      usage = { s3: { writes: 0, reads: 0, deletes: 0 }, dynamoReadUnits: 0, dynamoWriteUnits: 0, dynamoRequests: 0, athenaRequests: 0 };
      this.byCaller.set(caller, usage);
    }
    return usage;
  }
}

/** PUT, COPY, POST and LIST are one price; GET and HEAD another; DELETE (a multi-object delete too) is free. */
export function s3PriceClass(r: Pick<ObservedRequest, 'operation' | 'method'>): S3PriceClass {
  if (r.operation === 's3:DeleteObject' || r.operation === 's3:AbortMultipartUpload') return 'deletes';
  if (r.operation === 's3:ListBucket' || r.operation === 's3:ListMultipartUploadParts' || r.method === 'PUT' || r.method === 'POST') return 'writes';
  return 'reads';
}

/**
 * The size of the record S3's server access logging writes for a request, in its documented
 * format: owner, bucket, time, remote IP, requester, request id, operation, key, request line,
 * status, error, bytes, sizes, times, referrer, user agent, version, host id, signature version,
 * cipher, authentication type, host, TLS version, access point and ACL fields.
 */
export function accessLogRecordBytes(r: Pick<ObservedRequest, 'caller' | 'method' | 'operation' | 'path' | 'status' | 'responseBytes'>): number {
  const [, bucket = '', ...key] = r.path.split('/');
  const object = key.join('/') || '-';
  const fields = [
    'f'.repeat(64),
    bucket,
    '[03/Dec/2026:07:30:00 +0000]',
    '10.0.12.34',
    `arn:aws:sts::123456789012:assumed-role/movierec-stage-${r.caller}-ServiceRole/${r.caller}`,
    '3E57427F3EXAMPLE',
    `REST.${r.method}.${r.operation.replace('s3:', '').toUpperCase()}`,
    object,
    `"${r.method} ${r.path} HTTP/1.1"`,
    String(r.status),
    '-',
    String(r.responseBytes),
    String(r.responseBytes),
    '12',
    '11',
    '"-"',
    '"aws-sdk-js/3.900.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#24.0.0 api/s3#3.900.0 m/E,N,e"',
    '-',
    'h'.repeat(76),
    'SigV4',
    'TLS_AES_128_GCM_SHA256',
    'AuthHeader',
    `${bucket}.s3.us-east-1.amazonaws.com`,
    'TLSv1.3',
    '-',
    '-',
  ];
  return Buffer.byteLength(fields.join(' ')) + 1;
}
