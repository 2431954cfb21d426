/**
 * The ports: what the handlers need from storage. `lambdas/aws` implements them with S3 and
 * DynamoDB, `local/sqlite` with SQLite. Every method may throw on an infrastructure failure; the
 * handlers let that fail the invocation so that it is retried.
 */
import type { RatingEvent } from './event-contract';
import type { FeatureChanges, FeatureSnapshot, MovieFeatures, UserFeatures } from './features';
import type { SilverRatings } from './holdout';
import type { Model, ModelManifest } from './model';
import type { Movie } from './movie';
import type { UserInput } from './recommender';

/** The Kafka coordinates of one bronze or quarantine object: one per topic-partition per batch. */
export interface LakeObjectId {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  /** Kafka timestamp of the batch's first record: picks the dt/hour partition, stable across retries. */
  timestamp: number;
}

export interface BronzeRecord {
  offset: number;
  event: RatingEvent;
}

export interface QuarantineRecord {
  offset: number;
  timestamp: number;
  reason: string;
  /** The record value exactly as received (base64), so that nothing is lost. */
  value: string | null;
  key: string | null;
}

export interface EventLake {
  /** Writes (or rewrites, on a retry) the bronze object of one topic-partition batch. */
  writeBronze(id: LakeObjectId, records: readonly BronzeRecord[]): Promise<void>;
  /** Writes (or rewrites) the quarantine object of one topic-partition batch. */
  writeQuarantine(id: LakeObjectId, records: readonly QuarantineRecord[]): Promise<void>;
}

export interface FeatureKeys {
  userIds: readonly number[];
  movieIds: readonly number[];
  /** The (user, movie) pairs whose current rating is needed. */
  pairs: readonly { userId: number; movieId: number }[];
}

export interface UserProfile {
  features: UserFeatures;
  /** The user's current ratings, latest first (event time, then movie id): all, or the latest asked for. */
  ratings: RatingEvent[];
}

export interface FeatureStore {
  /** Reads the state a batch of events needs: users, current ratings, catalog genres, global stats. */
  readSnapshot(keys: FeatureKeys): Promise<FeatureSnapshot>;
  /**
   * Writes a batch's changes: users and ratings as given (a rating only ever replaced by a newer
   * one), movie and global counts and sums incremented, each movie as `addToMovie` computes it.
   * All at once; or, where the store cannot, the ratings last and the items with `changes.offsets`,
   * which `readSnapshot` then returns as `applied`, so that a retry completes a half-written batch.
   */
  writeChanges(changes: FeatureChanges): Promise<void>;
  /** The user's features and their `latest` newest ratings (all when not given). */
  getUserProfile(userId: number, latest?: number): Promise<UserProfile | undefined>;
  /** As `getUserProfile`, with only what ranking reads of each rating: a store may skip the rest. */
  getRankingProfile(userId: number, latest: number): Promise<UserInput | undefined>;
  /** Which of `movieIds` the user has rated: a lookup per movie, whatever the user's rating count. */
  ratedAmong(userId: number, movieIds: readonly number[]): Promise<Set<number>>;
  getMovieFeatures(movieIds: readonly number[]): Promise<Map<number, MovieFeatures>>;
  /** Adds or updates catalog entries. */
  upsertMovies(movies: readonly Movie[]): Promise<void>;
  /**
   * Replaces online features with the silver partition's where they differ, except where a
   * consumer batch changed them after `asOf` (those already hold newer data); features equal to the
   * batch's are not written. Returns how many were replaced, kept and unchanged.
   * A store kept beside silver (SQLite) reads the partition in place, and also restores from it any
   * rating a consumer batch never applied, and recounts the global statistics. DynamoDB reads it
   * through `silver`'s readers, and leaves ratings to the consumer: its retries and the
   * failure-queue replay complete every batch that reached bronze.
   */
  reconcile(silver: SilverFeatures, asOf: number): Promise<{ replaced: number; kept: number; unchanged: number }>;
}

/** The silver partition a publish reconciles with: its date, the earlier date a merge built it on, and its features. */
export interface SilverFeatures {
  date: string;
  /** Set when the run merged the bronze since this date onto its silver (BronzeToSilver's `base`). */
  base?: string;
  users(): Promise<readonly UserFeatures[]>;
  movies(): Promise<readonly MovieFeatures[]>;
}

export interface ModelStore {
  /** The version readers should use, or undefined before the first publish. */
  activeVersion(): Promise<string | undefined>;
  load(version: string): Promise<Model>;
  /** A version's manifest alone, or undefined when it was never written. */
  manifest(version: string): Promise<ModelManifest | undefined>;
  /** The manifest of the model gold holds for a date (one per date), or undefined. */
  manifestOfDate(date: string): Promise<ModelManifest | undefined>;
  /** Writes the gold outputs of the model's date, replacing those of an earlier run of that date. */
  write(model: Model): Promise<void>;
  /** Moves the version pointer: the last step of a publish, so readers never see half a model. */
  activate(version: string): Promise<void>;
}

/** A SQL statement of the daily batch, in both dialects: a SELECT of its target's columns. */
export interface BatchQuery {
  /** The silver table the SELECT fills for one date. */
  target: 'silver_ratings' | 'silver_user_features' | 'silver_movie_features';
  /**
   * SQLite: the date as the named parameter `:dt`, and those of BatchParams the statement reads as
   * `:from` and `:base`.
   */
  sqlite: string;
  /** Athena (Trino): the same as the placeholders `{dt}`, `{from}` and `{base}`, substituted by the engine. */
  athena: string;
}

/** The dates a statement reads besides its own. */
export interface BatchParams {
  /** The first bronze date to read (Athena lists no partition before it). Default: ALL_BRONZE. */
  from?: string;
  /** The earlier date whose silver a merge starts from. */
  base?: string;
}

/** The `from` of a statement that reads every bronze date up to its own. */
export const ALL_BRONZE = '1970-01-01';

/** Runs the batch's SQL where the lake lives: SQLite here, Athena in AWS. */
export interface BatchSqlEngine {
  /**
   * Replaces the target's partition for `date` with the query's rows, then records the partition as
   * whole (see BatchLake.latestSilverDate); returns the row count.
   */
  run(query: BatchQuery, date: string, params?: BatchParams): Promise<number>;
}

/** The lake as the batch's code steps read it: silver tables and the catalog. */
export interface BatchLake {
  /** The first date that bronze holds events of, or undefined when it holds none. */
  earliestBronzeDate(): Promise<string | undefined>;
  /**
   * The latest date before `before` whose silver ratings partition is whole (its statement ran to
   * the end), or undefined when there is none: the base an incremental run merges onto.
   */
  latestSilverDate(before: string): Promise<string | undefined>;
  readInteractions(date: string): Promise<SilverRatings>;
  readCatalog(): Promise<Movie[]>;
  /** Silver features; their `updatedAt` is 0 until the publish step stamps them with its as-of time. */
  readUserFeatures(date: string): Promise<UserFeatures[]>;
  readMovieFeatures(date: string): Promise<MovieFeatures[]>;
}

export interface BatchRun {
  date: string;
  status: 'succeeded' | 'failed';
  /** For a failure: the error name and its cause, as Step Functions reports them. */
  error?: string;
  cause?: string;
  details?: Record<string, unknown>;
}

/** Where the outcome of every batch run is kept. */
export interface BatchRunLog {
  record(run: BatchRun, at: Date): Promise<void>;
}

/** Structured log lines; the AWS entry files pass Powertools' logger, the local runtime a console one. */
export interface Logger {
  /** What one wants to see only while looking into something: below the default level everywhere. */
  debug(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}
