import { afterAll, beforeAll, describe } from 'vitest';
import { S3DynamoModelStore } from '../../../lambdas/aws/s3-dynamo-model-store';
import { createTables, startDynamo, type LocalDynamo } from '../../helpers/dynalite';
import { describeModelStoreContract } from '../../helpers/model-store-contract';
import { startS3, type LocalS3 } from '../../helpers/s3rver';

describe('S3DynamoModelStore against s3rver and dynalite', () => {
  let s3: LocalS3;
  let dynamo: LocalDynamo;
  let n = 0;
  beforeAll(async () => {
    [s3, dynamo] = await Promise.all([startS3(), startDynamo()]);
  });
  afterAll(async () => {
    await Promise.all([s3.stop(), dynamo.stop()]);
  });

  // Each store gets its own pointer table and its own prefix in the bucket.
  describeModelStoreContract('S3DynamoModelStore (Parquet on S3, pointer in DynamoDB)', async () => {
    const name = `models-${++n}`;
    await createTables(dynamo, { models: name });
    return new S3DynamoModelStore({ s3: s3.s3, bucket: s3.bucket, prefix: `${name}/`, dynamo: dynamo.doc, table: name });
  });
});
