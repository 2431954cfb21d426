/**
 * A stand-in for Athena in tests, where no Athena runs: the batch SQL engine port done as the
 * Athena engine does it, each statement by its SQLite twin (rehearsal/sqlite-twin.ts) over what is
 * in S3, its date's partition emptied first and its rows written back as UNLOAD writes them.
 */
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { silverPartitionKey } from '../../lambdas/core/lake-layout';
import type { BatchQuery, BatchSqlEngine } from '../../lambdas/core/ports';
import { keys, unloadByTwin, type LakeLocation } from '../../rehearsal/sqlite-twin';

export { silverParquet } from '../../rehearsal/sqlite-twin';

export class AthenaTwin implements BatchSqlEngine {
  /** Statements run, in order: what Athena would have been asked. */
  readonly runs: { target: BatchQuery['target']; date: string }[] = [];
  private readonly lake: LakeLocation;

  constructor(s3: S3Client, bucket: string, prefix = '') {
    this.lake = { s3, bucket, prefix };
  }

  async run(query: BatchQuery, date: string, from?: string): Promise<number> {
    this.runs.push({ target: query.target, date });
    const destination = `${this.lake.prefix}${silverPartitionKey(query.target, date)}`;
    const old = await keys(this.lake, destination);
    if (old.length > 0) {
      await this.lake.s3.send(new DeleteObjectsCommand({ Bucket: this.lake.bucket, Delete: { Objects: old.map((Key) => ({ Key })) } }));
    }
    return unloadByTwin(this.lake, query, date, destination, from);
  }
}
