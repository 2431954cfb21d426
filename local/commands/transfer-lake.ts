/** `export --to-s3` and `import --from-s3`: the local lake to S3 and back (see lake-transfer.ts). */
import type { S3EventLake } from '../../lambdas/aws/s3-event-lake';
import { exportLake, importLake } from '../lake-transfer';
import type { LocalSystem } from '../system';
import { runBatch, today } from './batch';
import { refuseDemoFolder } from './load-demo';
import { describeCounts } from './serve';
import { say } from '../output';
import { progress, type Progress } from '../progress';

export async function transferLake(system: LocalSystem, direction: 'import' | 'export', lake: S3EventLake, signal: AbortSignal): Promise<void> {
  if (direction === 'export') {
    let writing: Progress | undefined;
    const { objects, total, records, movies } = await exportLake(system.lake, await system.batchLake.readCatalog(), lake, {
      onObjects: (done, of) => (writing ??= progress('Exporting the lake', of, 'objects')).update(done),
      signal,
    });
    writing?.stop();
    if (objects < total) {
      say(`Interrupted: ${objects} of ${total} lake objects are exported; run the same export again to finish (it writes the same keys).`);
      return;
    }
    say(`Exported ${objects} lake objects (${records} records) and a catalog of ${movies} movies.`);
    return;
  }
  refuseDemoFolder(system);
  let reading: Progress | undefined;
  let applying: Progress | undefined;
  const counts = await importLake(lake, { features: system.features, bulk: system.bulkImport() }, system.producer, {
    onObjects: (done, total) => (reading ??= progress('Reading the lake', total, 'objects')).update(done),
    onApplied: (done, total) => {
      if (!applying) {
        reading?.stop();
        applying = progress('Applying ratings', total, 'events');
      }
      applying.update(done);
    },
    signal,
  });
  reading?.stop();
  applying?.stop();
  say(`Imported a catalog of ${counts.movies} movies and ${counts.batches} Kafka batches: ${describeCounts(counts)}.`);
  if (signal.aborted) {
    say('Interrupted: the batches read so far are imported; run the same import again to finish (those count as duplicates).');
    return;
  }
  // The imported objects keep their dates, which may lie before silver the folder already holds.
  const result = await runBatch(system, today(), { full: true });
  if (result.status === 'failed') throw new Error('the daily batch failed: see above');
}
