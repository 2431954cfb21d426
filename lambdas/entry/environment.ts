/**
 * The settings of the Lambda functions, read from their environment: one list of variable names,
 * and which of them each function reads. The CDK stack (lib/) gives each function exactly its own
 * (its props are typed from this list, so a missing or extra variable does not compile), and the
 * entry files read them only through `readEnvironment`, so neither side can name a variable the
 * other does not know.
 */
import type { BatchTask } from '../core/lake/daily-batch-workflow';

/** Every setting, with what it names. */
export const SETTINGS = {
  LAKE_BUCKET: 'the data lake bucket',
  USERS_TABLE: 'the users table (ratings and user features)',
  MOVIES_TABLE: 'the movies table (catalog, movie features, global statistics)',
  MODELS_TABLE: 'the model version pointer table',
  RUNS_TABLE: 'the batch run log table',
  ATHENA_WORKGROUP: "the Athena workgroup of the batch's SQL",
  ATHENA_DATABASE: "the Glue database of the lake's tables",
  LAKE_START_DATE: "the first date of the lake tables' partition projection (YYYY-MM-DD)",
  MODEL_HOLDOUT: "the events the batch's measure of its model holds out: the latest share (10%) or days (1d)",
  MODEL_GATE_MAX_DROP: "the drop in nDCG@10 from the serving model's that the quality gate allows (10%)",
  MODEL_TRAIN_EVERY_DAYS: "days from one training of the model's item weights to the next (7: Sundays); the days between refresh them",
} as const;
export type SettingName = keyof typeof SETTINGS;

/** Optional everywhere: a key prefix of the lake inside its bucket ('' when unset), to share a bucket. */
export const LAKE_PREFIX = 'LAKE_PREFIX';

/** The required settings of each function. */
export const FUNCTION_SETTINGS = {
  consume: ['LAKE_BUCKET', 'USERS_TABLE', 'MOVIES_TABLE'],
  recommend: ['LAKE_BUCKET', 'USERS_TABLE', 'MOVIES_TABLE', 'MODELS_TABLE'],
  ResolveDate: [],
  BronzeToSilver: ['LAKE_BUCKET', 'ATHENA_WORKGROUP', 'ATHENA_DATABASE', 'LAKE_START_DATE'],
  SilverFeatures: ['LAKE_BUCKET', 'ATHENA_WORKGROUP', 'ATHENA_DATABASE'],
  GoldModel: ['LAKE_BUCKET', 'MODELS_TABLE', 'MODEL_HOLDOUT', 'MODEL_GATE_MAX_DROP', 'MODEL_TRAIN_EVERY_DAYS'],
  Publish: ['LAKE_BUCKET', 'USERS_TABLE', 'MOVIES_TABLE', 'MODELS_TABLE', 'RUNS_TABLE'],
  RecordFailure: ['RUNS_TABLE'],
} as const satisfies Record<'consume' | 'recommend' | BatchTask, readonly SettingName[]>;

/** A Lambda function of the system, by the name of its entry. */
export type FunctionName = keyof typeof FUNCTION_SETTINGS;

/** The environment a function needs: each of its settings, by name. */
export type FunctionEnvironment<F extends FunctionName> = Record<(typeof FUNCTION_SETTINGS)[F][number], string>;

/** What an entry file reads: its own settings and the lake prefix ('' or ending with '/'). */
export type Settings<F extends FunctionName> = FunctionEnvironment<F> & { lakePrefix: string };

/** Reads a function's settings, failing with the name of the first one missing. */
export function readEnvironment<F extends FunctionName>(fn: F, env: NodeJS.ProcessEnv = process.env): Settings<F> {
  const values: Record<string, string> = {};
  for (const name of FUNCTION_SETTINGS[fn] as readonly SettingName[]) {
    const value = env[name];
    if (!value) throw new Error(`the environment variable ${name} (${SETTINGS[name]}) is required`);
    values[name] = value;
  }
  const prefix = env[LAKE_PREFIX] ?? '';
  return { ...(values as FunctionEnvironment<F>), lakePrefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
