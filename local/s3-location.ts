/** `s3://bucket/prefix` locations and S3 clients for the lake transfer commands. */
import { S3Client } from '@aws-sdk/client-s3';

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`${JSON.stringify(url)} is not an S3 location like s3://bucket/prefix`);
  const prefix = m[2] ?? '';
  return { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/**
 * A client for AWS, or for an S3-compatible server at `endpoint` (path-style addressing, checksums
 * only where required). Credentials come from the usual AWS settings, AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY among them.
 */
export function s3Client(endpoint: string | undefined): S3Client {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  if (!endpoint) return new S3Client({ region });
  return new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
