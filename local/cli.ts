/**
 * movierec on one machine.
 *
 *   npm run local [-- --port N] [--data-dir DIR] [--no-demo]   serve the system
 *   npm run local -- import --movielens DIR [--data-dir DIR]    import a MovieLens directory
 *   npm run local -- batch [--date YYYY-MM-DD] [--full] [--train] [--data-dir DIR]   run the daily batch
 *   npm run local -- activate --date YYYY-MM-DD [--data-dir DIR] serve an earlier date's model
 *   npm run local -- export --to-s3 s3://bucket/prefix [--endpoint URL]   copy the local lake to S3
 *   npm run local -- import --from-s3 s3://bucket/prefix [--endpoint URL] bring an S3 lake back
 *   npm run local -- replay-failures --queue-url URL --brokers B --function F   replay failed batches on AWS
 *   npm run evaluate -- --movielens DIR [--seed N | --temporal | --holdout 10%] [--params JSON] [--json]   offline evaluation
 *   npm run local -- recommend --user N | similar --movie N | movies --search TEXT | status   queries
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { consoleLogger, parseLogLevel } from './console-logger';
import { S3EventLake } from '../lambdas/aws/s3-event-lake';
import { activateModel } from './commands/activate';
import { runBatch } from './commands/batch';
import { transferLake } from './commands/transfer-lake';
import { parseS3Url, s3Client } from './s3-location';
import { parseHoldout } from '../lambdas/core/holdout';
import { parseModelQuality } from '../lambdas/core/quality-gate';
import { parseTrainEveryDays } from '../lambdas/core/training-schedule';
import { evaluateMovieLens, evaluateSynthetic, formatReport, parseParams, type Protocol } from './commands/evaluate';
import { importMovieLens } from './commands/import-movielens';
import { serve } from './commands/serve';
import { replayFailedBatches } from './commands/replay-failures';
import { moviesQuery, recommendQuery, similarQuery, statusQuery, type QueryAnswer } from './commands/queries';
import { openLocalReader, openLocalSystem, type LocalReader, type LocalSystem } from './system';
import type { CheckPolicy } from './startup-check';
import type { Logger } from '../lambdas/core/ports';

const DEFAULT_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'data');
const DEFAULT_PORT = 3000;
const FORCE_EXIT_AFTER_MS = 1000;

const USAGE = `Usage:
  npm run local [-- options]                          run the system: HTTP API, event source, demo data
  npm run local -- import --movielens DIR [options]   import a MovieLens directory (ratings.csv + movies.csv, or u.data + u.item)
  npm run local -- batch [--date YYYY-MM-DD] [--force] [--full] [--train]
                                                      run the daily batch workflow (default date: yesterday, UTC);
                                                      a date after today needs --force; silver merges the bronze
                                                      since the latest earlier silver onto it, --full rebuilds it
                                                      from all of bronze (the same rows, read the long way);
                                                      the model's item weights are trained on Sundays (see
                                                      MODEL_TRAIN_EVERY_DAYS) and refreshed between, --train trains
  npm run local -- activate --date YYYY-MM-DD         serve the model an earlier batch wrote for that date
                                                      (the way back from a model that should not serve)
  npm run local -- export --to-s3 s3://BUCKET/PREFIX [--endpoint URL]
                                                      copy the local bronze and quarantine objects to an S3 lake
  npm run local -- import --from-s3 s3://BUCKET/PREFIX [--endpoint URL]
                                                      replay an S3 lake's batches through the local consumer
  npm run local -- replay-failures --queue-url URL --brokers HOST:PORT,... --function NAME [--no-iam]
                                                      on AWS: fetch the batches in the consumer's failure queue
                                                      from Kafka again and feed them through the consumer function
  npm run evaluate -- --movielens DIR [--seed N | --temporal | --holdout SHARE|DAYS] [--params JSON] [--json]
  npm run evaluate -- --synthetic RATINGS [same options]
                                                      offline evaluation: the model, popularity and the hybrid blend;
                                                      held out: a random 25% of each user's ratings (from the seed,
                                                      default 42), each user's latest rating (--temporal), or the
                                                      latest events as the batch's quality gate holds them (--holdout 10%);
                                                      --params '{"lambda": 200}' changes the model's parameters

Queries (they read the data folder beside a running server; --json prints the API's answer):
  npm run local -- recommend --user N [--genre G] [--limit N] [--explain]
                                                      a user's recommendations, with the score parts on --explain
  npm run local -- similar --movie N [--limit N]      the movies most similar to one
  npm run local -- movies [--search TEXT] [--genre G] [--limit N]
                                                      search the catalog by title words
  npm run local -- status                             model version, counts, latest batch runs, quarantine by reason

Options:
  --data-dir DIR   where the SQLite database lives (default: ${DEFAULT_DATA_DIR})
  --port N         HTTP port (default: $PORT or ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST      HTTP address (default: 127.0.0.1)
  --no-demo        do not load the demo data into an empty database
  --check          check the database's integrity at this start (PRAGMA quick_check, about 1 s per GB); it
                   runs by itself after an unclean stop, on a database never checked, and weekly
  --no-check       skip the integrity check at start, even when it is due
  -h, --help       show this help

Environment:
  PORT             HTTP port when --port is not given
  KAFKA_BROKERS    comma-separated brokers: consume the user-events topic with kafkajs
  LOG_LEVEL        debug, warn (default), error or silent
  MODEL_HOLDOUT    what the daily batch's measure of each new model holds out: the latest share of the
                   events (default 10%) or days (1d)
  MODEL_GATE_MAX_DROP
                   the quality gate: a new model whose nDCG@10 falls more than this below the serving
                   model's is not published (default 10%; 100% publishes every model)
  MODEL_TRAIN_EVERY_DAYS
                   days from one training of the model's item weights to the next (default 7: Sundays;
                   1: every day); the batches between refresh its popularity and catalog (--train trains)
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  demo: { type: 'boolean', default: true },
  'no-demo': { type: 'boolean' },
  check: { type: 'boolean', default: false },
  'no-check': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  full: { type: 'boolean', default: false },
  train: { type: 'boolean', default: false },
  movielens: { type: 'string' },
  date: { type: 'string' },
  seed: { type: 'string' },
  temporal: { type: 'boolean', default: false },
  holdout: { type: 'string' },
  params: { type: 'string' },
  json: { type: 'boolean', default: false },
  synthetic: { type: 'string' },
  'to-s3': { type: 'string' },
  'from-s3': { type: 'string' },
  endpoint: { type: 'string' },
  'queue-url': { type: 'string' },
  brokers: { type: 'string' },
  function: { type: 'string' },
  'no-iam': { type: 'boolean', default: false },
  'batch-size': { type: 'string', default: '1000' },
  user: { type: 'string' },
  movie: { type: 'string' },
  search: { type: 'string' },
  genre: { type: 'string' },
  limit: { type: 'string' },
  explain: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Each command by name: what it reads of the options, and what it runs (its exit code). */
const COMMANDS: Record<string, (values: Values) => Promise<number>> = {
  serve: (values) =>
    withSystem(values, true, async (system, { logger, signal }) => {
      await serve(
        system,
        {
          host: values.host,
          port: parsePort(values.port ?? process.env.PORT),
          demo: values.demo && !values['no-demo'],
          kafkaBrokers: process.env.KAFKA_BROKERS || undefined,
          logger,
        },
        signal,
      );
      return 0;
    }).then((code) => {
      process.stdout.write('Stopped.\n');
      return code;
    }),
  import: (values) => {
    const from = values['from-s3'];
    if (!values.movielens === !from) throw new UsageError('import needs --movielens DIR or --from-s3 s3://BUCKET/PREFIX');
    const lake = from === undefined ? undefined : s3Lake(from, values.endpoint);
    return withSystem(values, true, async (system, { signal }) => {
      if (lake) await transferLake(system, 'import', lake, signal);
      else await importMovieLens(system, resolve(values.movielens!), signal);
      return 0;
    });
  },
  export: (values) => {
    const to = values['to-s3'];
    if (!to) throw new UsageError('export needs --to-s3 s3://BUCKET/PREFIX');
    const lake = s3Lake(to, values.endpoint);
    return withSystem(values, false, async (system, { signal }) => {
      await transferLake(system, 'export', lake, signal);
      return 0;
    });
  },
  batch: (values) =>
    withSystem(values, false, async (system) =>
      (await runBatch(system, values.date, { force: values.force, full: values.full, train: values.train })).status === 'succeeded' ? 0 : 1,
    ),
  activate: (values) => {
    if (!values.date) throw new UsageError('activate needs --date YYYY-MM-DD');
    const date = values.date;
    return withSystem(values, false, async (system) => {
      await activateModel(system, date);
      return 0;
    });
  },
  evaluate: async (values) => {
    if (!values.movielens === !values.synthetic) throw new UsageError('evaluate needs --movielens DIR or --synthetic RATINGS');
    if ([values.seed !== undefined, values.temporal, values.holdout !== undefined].filter(Boolean).length > 1) {
      throw new UsageError('evaluate takes one split: --seed N (random), --temporal or --holdout');
    }
    const protocol: Protocol = values.temporal
      ? { split: 'temporal' }
      : values.holdout !== undefined
        ? { split: 'holdout', holdout: usage(() => parseHoldout(values.holdout!)) }
        : { split: 'random', seed: parseCount(values.seed ?? '42', 'seed') };
    const params = values.params === undefined ? undefined : usage(() => parseParams(values.params!));
    const report = values.movielens
      ? await evaluateMovieLens(resolve(values.movielens), protocol, params)
      : evaluateSynthetic(parseCount(values.synthetic, 'synthetic'), protocol, params);
    process.stdout.write(`${values.json ? JSON.stringify(report) : formatReport(report)}\n`);
    return 0;
  },
  'replay-failures': async (values) => {
    const [queueUrl, brokers, functionName] = [values['queue-url'], values.brokers, values.function];
    if (!queueUrl || !brokers || !functionName) {
      throw new UsageError('replay-failures needs --queue-url (the stack output ConsumerFailureQueue), --brokers and --function (ConsumerFunction)');
    }
    const batchSize = parseCount(values['batch-size'], 'batch-size');
    if (batchSize < 1 || batchSize > 10_000) throw new UsageError(`batch-size must be from 1 to 10000 (got ${batchSize})`);
    const summary = await replayFailedBatches({ queueUrl, brokers, functionName, iam: !values['no-iam'], batchSize });
    return summary.kept === 0 ? 0 : 1;
  },
  recommend: (values) => {
    if (values.user === undefined) throw new UsageError('recommend needs --user N');
    const user = values.user;
    return withReader(values, (reader) => recommendQuery(reader, user, queryOptions(values)));
  },
  similar: (values) => {
    if (values.movie === undefined) throw new UsageError('similar needs --movie N');
    const movie = values.movie;
    return withReader(values, (reader) => similarQuery(reader, movie, queryOptions(values)));
  },
  movies: (values) => withReader(values, (reader) => moviesQuery(reader, values.search, queryOptions(values))),
  status: (values) => withReader(values, (reader) => statusQuery(reader, queryOptions(values))),
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const name = positionals[0] ?? 'serve';
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (positionals.length > 1 || !command) throw new UsageError(`unknown command ${JSON.stringify(positionals.join(' '))}`);
  return command(values);
}

/**
 * Opens the data folder for `work` (`create`: serving and imports may start a new folder; the other
 * commands need one that holds a database), with the settings and the signal of a stop asked for,
 * and closes it after.
 */
async function withSystem(
  values: Values,
  create: boolean,
  work: (system: LocalSystem, context: { logger: Logger; signal: AbortSignal }) => Promise<number>,
): Promise<number> {
  const logger = consoleLogger(parseLogLevel(process.env.LOG_LEVEL, 'warn'));
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const controller = new AbortController();
  // One Ctrl-C can arrive more than once (the terminal signals the whole process group, and npm
  // forwards it too): only a second press, a moment later, forces an exit.
  let firstSignalAt: number | undefined;
  const onSignal = () => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      controller.abort();
    } else if (Date.now() - firstSignalAt > FORCE_EXIT_AFTER_MS) {
      process.stderr.write('Forced to stop.\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const quality = usage(() => parseModelQuality({ holdout: process.env.MODEL_HOLDOUT, maxDrop: process.env.MODEL_GATE_MAX_DROP }));
  const trainEveryDays = usage(() => parseTrainEveryDays(process.env.MODEL_TRAIN_EVERY_DAYS));
  const system = openLocalSystem(dataDir, logger, { create, check: checkPolicy(values), say: (line) => process.stderr.write(`${line}\n`), quality, trainEveryDays });
  if (system.created) process.stdout.write(`Created the data folder ${dataDir}.\n`);
  try {
    return await work(system, { logger, signal: controller.signal });
  } finally {
    await system.close();
  }
}

function checkPolicy(values: Values): CheckPolicy {
  if (values.check && values['no-check']) throw new UsageError('--check and --no-check cannot be given together');
  return values.check ? 'always' : values['no-check'] ? 'never' : 'due';
}

/** Runs a query on the data folder, read beside any server that holds it, and prints its answer. */
async function withReader(values: Values, query: (reader: LocalReader) => Promise<QueryAnswer>): Promise<number> {
  const reader = openLocalReader(resolve(values['data-dir'] ?? DEFAULT_DATA_DIR), consoleLogger(parseLogLevel(process.env.LOG_LEVEL, 'warn')));
  try {
    const answer = await query(reader);
    process.stdout.write(`${answer.text}\n`);
    return answer.code;
  } finally {
    reader.close();
  }
}

function queryOptions(values: Values) {
  return { json: values.json, limit: values.limit, genre: values.genre, explain: values.explain };
}

function s3Lake(url: string, endpoint: string | undefined): S3EventLake {
  const location = parseS3Url(url);
  return new S3EventLake(s3Client(endpoint), location.bucket, location.prefix);
}

class UsageError extends Error {}

/** The value `parse` returns, its error a usage error. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseCount(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,9}$/.test(value)) {
    throw new UsageError(`${name} must be a non-negative integer (got ${JSON.stringify(value)})`);
  }
  return Number(value);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`port must be an integer from 0 to 65535 (got ${JSON.stringify(value)})`);
  return port;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    const usage = err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    if (usage) process.stderr.write(`\n${USAGE}`);
    process.exit(usage ? 2 : 1);
  },
);
