/**
 * The ports: what the handlers need from storage. `lambdas/aws` implements them with S3 and
 * DynamoDB, `local/sqlite` with SQLite. Every method may throw on an infrastructure failure; the
 * handlers let that fail the invocation so that it is retried.
 */
import type { RatingEvent } from './event-contract';
import type { FeatureChanges, FeatureSnapshot, UserFeatures } from './features';
import type { Model } from './model';
import type { Movie } from './movie';

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
  /** All of the user's current ratings. */
  ratings: RatingEvent[];
}

export interface FeatureStore {
  /** Reads the state a batch of events needs, catalog genres included. */
  readSnapshot(keys: FeatureKeys): Promise<FeatureSnapshot>;
  /** Writes a batch's changes as one unit; a rating is only replaced by a newer one. */
  writeChanges(changes: FeatureChanges): Promise<void>;
  getUserProfile(userId: number): Promise<UserProfile | undefined>;
  /** Adds or updates catalog entries. */
  upsertMovies(movies: readonly Movie[]): Promise<void>;
}

export interface ModelStore {
  /** The version readers should use, or undefined before the first publish. */
  activeVersion(): Promise<string | undefined>;
  load(version: string): Promise<Model>;
  /** Writes the model, then moves the version pointer to it: readers never see half a model. */
  publish(model: Model): Promise<void>;
}

/** Structured log lines; the AWS entry files pass Powertools' logger, the local runtime a console one. */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}
