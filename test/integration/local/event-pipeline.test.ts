import { describe, expect, it } from 'vitest';
import { createConsumeHandler, type ConsumeEvent } from '../../../lambdas/handlers/consume';
import { EmbeddedProducer } from '../../../local/embedded-producer';
import { EventPipeline } from '../../../local/event-pipeline';
import { rating } from '../../helpers/msk';
import { recordingLogger, sqliteStores } from '../../helpers/local-stores';
import { useTempDir } from '../../helpers/temp-dir';

describe('EventPipeline', () => {
  const tempDir = useTempDir();

  it('consumes one batch at a time, whatever submits at once', async () => {
    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    let running = 0;
    let maxRunning = 0;
    const pipeline = new EventPipeline(async (e: ConsumeEvent) => {
      maxRunning = Math.max(maxRunning, ++running);
      try {
        return await consume(e);
      } finally {
        running--;
      }
    }, new EmbeddedProducer(stores.db));

    // The same user and movie from many concurrent requests: a lost update would show in the counts.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pipeline.publish([rating(1, 1, 0.5 + (i % 10) / 2, Date.UTC(2026, 0, 1, 0, i), `e${i}`)])),
    );
    await pipeline.drain();
    expect(maxRunning).toBe(1);
    expect(results.reduce((n, c) => n + c.applied + c.superseded, 0)).toBe(20);
    const profile = await stores.features.getUserProfile(1);
    expect(profile?.features).toMatchObject({ ratingCount: 1, ratingSum: 5 });
    stores.db.close();
  });

  it('keeps going after a failed batch', async () => {
    const stores = sqliteStores(tempDir());
    const consume = createConsumeHandler({ lake: stores.lake, features: stores.features, logger: recordingLogger() });
    let fail = true;
    const pipeline = new EventPipeline(async (e: ConsumeEvent) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      return consume(e);
    }, new EmbeddedProducer(stores.db));
    await expect(pipeline.publish([rating(1, 1, 4, Date.UTC(2026, 0, 1), 'a')])).rejects.toThrow('disk full');
    expect(await pipeline.publish([rating(1, 1, 4, Date.UTC(2026, 0, 1), 'a')])).toMatchObject({ applied: 1 });
    stores.db.close();
  });
});
