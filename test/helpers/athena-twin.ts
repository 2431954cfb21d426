/**
 * A stand-in for Athena in tests, where no Athena runs: the batch SQL engine port done as the
 * Athena engine does it, each statement by its SQLite twin (rehearsal/sqlite-twin.ts) over what is
 * in S3, its date's partition and receipt removed first, its rows written back as UNLOAD writes them,
 * then its receipt.
 */
import { DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { silverPartitionKey, silverReceiptKey } from '../../lambdas/core/lake/lake-layout';
import type { BatchParams, BatchQuery, BatchSqlEngine } from '../../lambdas/core/ports';
import { keys, unloadByTwin, type LakeLocation } from '../../rehearsal/sqlite-twin';

export { silverParquet } from '../../rehearsal/sqlite-twin';

export class AthenaTwin implements BatchSqlEngine {
  /** Statements run, in order: what Athena would have been asked. */
  readonly runs: { target: BatchQuery['target']; date: string; params: BatchParams }[] = [];
  private readonly lake: LakeLocation;

  constructor(s3: S3Client, bucket: string, prefix = '') {
    this.lake = { s3, bucket, prefix };
  }

  async run(query: BatchQuery, date: string, params: BatchParams = {}): Promise<number> {
    this.runs.push({ target: query.target, date, params });
    const { s3, bucket, prefix } = this.lake;
    const destination = `${prefix}${silverPartitionKey(query.target, date)}`;
    const receipt = `${prefix}${silverReceiptKey(query.target, date)}`;
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: receipt }));
    const old = await keys(this.lake, destination);
    if (old.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: old.map((Key) => ({ Key })) } }));
    const rows = await unloadByTwin(this.lake, query, date, destination, params);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: receipt, Body: JSON.stringify({ rows }) }));
    return rows;
  }
}
