/**
 * The event lake on S3: each batch's bronze (and quarantine) records as one gzip JSON Lines object
 * under the lake layout's key, so a retried batch overwrites the same object. The bytes are a
 * function of the records alone (gzip without a timestamp), so a retry writes the same bytes too.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  bronzeLine,
  lakeObjectKey,
  parseLakeObjectKey,
  quarantineLine,
  type BronzeLine,
  type LakeArea,
  type QuarantineLine,
} from '../core/lake-layout';
import type { BronzeRecord, EventLake, LakeObjectId, QuarantineRecord } from '../core/ports';

export class S3Lake implements EventLake {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
    private readonly prefix = '',
  ) {}

  async writeBronze(id: LakeObjectId, records: readonly BronzeRecord[]): Promise<void> {
    await this.put('events', id, records.map(bronzeLine));
  }

  async writeQuarantine(id: LakeObjectId, records: readonly QuarantineRecord[]): Promise<void> {
    await this.put('quarantine', id, records.map(quarantineLine));
  }

  /** Every bronze and quarantine object under the prefix, with its lines, in key order. */
  async *objects(): AsyncGenerator<
    { area: 'events'; id: LakeObjectId; lines: BronzeLine[] } | { area: 'quarantine'; id: LakeObjectId; lines: QuarantineLine[] }
  > {
    let token: string | undefined;
    do {
      const listed = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}bronze/`, ContinuationToken: token }),
      );
      for (const { Key } of listed.Contents ?? []) {
        const parsed = Key === undefined ? undefined : parseLakeObjectKey(Key.slice(this.prefix.length));
        if (!parsed) continue;
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        const text = gunzipSync(await object.Body!.transformToByteArray()).toString('utf8');
        const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as never);
        yield parsed.area === 'events' ? { area: 'events', id: parsed.id, lines } : { area: 'quarantine', id: parsed.id, lines };
      }
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
  }

  private async put(area: LakeArea, id: LakeObjectId, lines: readonly object[]): Promise<void> {
    const body = gzipSync(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.prefix}${lakeObjectKey(area, id)}`,
        Body: body,
        ContentType: 'application/x-ndjson',
        ContentLength: body.length,
      }),
    );
  }
}
