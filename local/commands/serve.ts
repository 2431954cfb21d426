/**
 * `npm run local`: the whole system on one machine. Loads the demo into an empty database, runs the
 * daily batch when there is new data or no model yet, serves the HTTP API, and consumes from Kafka
 * when KAFKA_BROKERS is set. SIGINT or SIGTERM stop it after the work under way is done.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lambdas/core/ports';
import { TOPIC } from '../embedded-producer';
import { kafkaConsumer, startKafkaSource } from '../kafka-event-source';
import { createLocalServer } from '../local-server';
import type { LocalSystem } from '../system';
import { loadDemoIfEmpty } from './load-demo';
import { say } from '../output';

export interface ServeOptions {
  host: string;
  port: number;
  demo: boolean;
  kafkaBrokers: string | undefined;
  logger: Logger;
}

export async function serve(system: LocalSystem, options: ServeOptions, signal: AbortSignal): Promise<void> {

  const local = createLocalServer(system, options.logger);
  const { server } = local;

  const demo = options.demo ? await loadDemoIfEmpty(system, signal) : undefined;
  if (signal.aborted) {
    if (demo) say(`Demo load interrupted after ${demo.received} events: the next start finishes it.`);
    return;
  }
  if (demo) say(`Demo data loaded: ${describeCounts(demo)}.`);
  if ((demo || !(await system.models.activeVersion())) && !(await local.runBatch())) {
    say('Serving with the model published before, if any: fix the batch, then run it again.');
  }
  if (signal.aborted) return;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} on ${options.host} is in use: choose another with --port N`)
          : err,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${options.host}:${port}`;

  let stopKafka: (() => Promise<void>) | undefined;
  if (options.kafkaBrokers) {
    stopKafka = await startKafkaSource(kafkaConsumer(options.kafkaBrokers, 'movierec-local'), {
      topic: TOPIC,
      submit: (event) => system.pipeline.submit(event),
    });
    say(`Consuming topic ${TOPIC} from ${options.kafkaBrokers}.`);
  }

  say(`movierec is listening on ${base}`);
  say(`Console: ${base}/   API description: ${base}/docs   Metrics: ${base}/metrics`);
  say('Try:');
  say(`  curl -s ${base}/health`);
  say(`  curl -s '${base}/users/1/recommendations?limit=5'`);
  say(`  curl -s '${base}/users/1/recommendations?limit=5&genre=Comedy'`);
  say(`  curl -s ${base}/movies/1/similar`);
  say(
    `  curl -s -X POST ${base}/events -H 'content-type: application/json' -d ` +
      `'[{"type":"rating","user_id":900001,"movie_id":1,"rating":5,"timestamp":"2026-11-24T13:45:00Z"}]'`,
  );
  say(`  curl -s '${base}/users/900001/recommendations?limit=5'`);
  say('Press Ctrl-C to stop.');

  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  say('Stopping: finishing the requests and batches under way...');
  await Promise.all([
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
    stopKafka?.(),
    local.idle(),
  ]);
}

export function describeCounts(c: { received: number; applied: number; duplicate: number; superseded: number; quarantined: number }): string {
  return (
    `${c.received} events received, ${c.applied} applied, ${c.duplicate} duplicate, ` +
    `${c.superseded} superseded, ${c.quarantined} quarantined`
  );
}
