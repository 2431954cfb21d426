import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalProcesses } from '../helpers/local-process';
import { writeMovieLens } from '../helpers/movielens-fixture';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { useTempDir } from '../helpers/temp-dir';

describe('npm run local -- export --to-s3 / import --from-s3 (e2e, s3rver)', () => {
  const tempDir = useTempDir();
  const run = useLocalProcesses();
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('moves a local lake to S3 and into another data folder', async () => {
    const source = writeMovieLens(
      tempDir(),
      'csv',
      [
        { id: 1, title: 'One (2001)', genres: ['Drama'] },
        { id: 2, title: 'Two (2002)', genres: ['Comedy'] },
      ],
      [
        [1, 1, 4, 964982703],
        [1, 2, 5, 964982704],
        [2, 1, 3, 964982705],
        [3, 2, 9, 964982706],
      ],
    );
    const first = tempDir();
    expect((await run(['import', '--movielens', source, '--data-dir', first]).exited).code).toBe(0);

    const url = `s3://${s3.bucket}/moved`;
    // s3rver's own credentials.
    const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const exported = run(['export', '--to-s3', url, '--endpoint', s3.endpoint, '--data-dir', first], credentials);
    expect((await exported.exited).code).toBe(0);
    expect(exported.output()).toMatch(/Exported \d+ lake objects \(4 records\) and a catalog of 2 movies\./);

    const imported = run(['import', '--from-s3', url, '--endpoint', s3.endpoint, '--data-dir', tempDir()], credentials);
    expect((await imported.exited).code).toBe(0);
    expect(imported.output()).toMatch(
      /Imported a catalog of 2 movies and \d+ Kafka batches: 4 events received, 3 applied, 0 duplicate, 0 superseded, 1 quarantined\./,
    );
    expect(imported.output()).toMatch(/Batch \d{4}-\d{2}-\d{2} succeeded/);

    const bad = run(['export', '--to-s3', 'https://example.org/x', '--data-dir', first]);
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toContain('is not an S3 location like s3://bucket/prefix');
  });
});
