import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  s3: S3Client;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** s3rver in this process on a free loopback port, with a fresh bucket, and a client for it. */
export async function startS3(bucket = 'movierec-test'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'movierec-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = s3rverClient(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    s3,
    endpoint,
    bucket,
    stop: async () => {
      s3.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A client for s3rver at `endpoint`: its credentials, path-style addressing, checksums only when required. */
export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver corrupts streamed uploads that carry checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
