/** `export --to-s3` and `import --from-s3`: the local lake to S3 and back (see lake-transfer.ts). */
import type { S3Lake } from '../../lambdas/aws/s3-lake';
import { exportLake, importLake } from '../lake-transfer';
import type { LocalSystem } from '../system';
import { runBatch, today } from './batch';
import { refuseDemoFolder } from './load-demo';
import { describeCounts } from './serve';

export async function transferLake(system: LocalSystem, direction: 'import' | 'export', lake: S3Lake): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (direction === 'export') {
    const { objects, records } = await exportLake(system.lake, lake);
    say(`Exported ${objects} lake objects (${records} records).`);
    return;
  }
  refuseDemoFolder(system);
  const counts = await importLake(lake, (event) => system.pipeline.submit(event), system.producer);
  say(`Imported ${counts.batches} Kafka batches: ${describeCounts(counts)}.`);
  const result = await runBatch(system, today());
  if (result.status === 'failed') throw new Error('the daily batch failed: see above');
}
