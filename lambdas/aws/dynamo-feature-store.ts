/**
 * Online features and the catalog in DynamoDB (on-demand tables):
 *   users    pk userId, sk movieId      the current rating of each (user, movie), and at movieId 0
 *                                       the user's features: one Query reads a whole profile
 *   movies   pk movieId                 catalog entry and features; movieId 0 holds the global stats
 * A rating is put only if it is newer than the one stored (a condition, not a transaction: they
 * cost double and dynalite has none). A user's features item keeps its latest ratings and genres as
 * lists, not maps that repeat their attribute names: a write unit covers 1 KB, and that keeps the
 * item within one. Users are whole states, written in batches: one consumer at
 * a time owns a user's partition. Movies and the global stats take increments (ADD), which
 * concurrent consumers add without losing each other's.
 * A batch is many calls, and any may fail. So users, movies and the global stats are written
 * first, each with the Kafka offsets it now reflects (an attribute per partition, its increment
 * conditional on the offset read), and the ratings last: a retry finds the ratings still to write,
 * and the offsets tell it what each item already holds, so that nothing is added twice or lost.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pMap from 'p-map';
import { latestFirst, type RatingEvent } from '../core/event-contract';
import {
  ratingKey,
  sameMovieFeatures,
  sameUserFeatures,
  type CountSum,
  type FeatureChanges,
  type FeatureSnapshot,
  type GlobalStats,
  type MovieFeatures,
  type RecentRating,
  type UserFeatures,
} from '../core/features';
import type { Offsets, OffsetsUpdate } from '../core/kafka-offsets';
import { sameCatalogEntry, type Movie } from '../core/movie';
import type { FeatureKeys, FeatureStore, SilverFeatures, UserProfile } from '../core/ports';
import type { UserInput } from '../core/recommender';
import { batchGet, batchPut, type RetryOptions } from './dynamo-batch';

export interface DynamoTables {
  /** Users' ratings and features. */
  users: string;
  movies: string;
}

/** Movie ids start at 1: 0 marks the user's features among their ratings, and the global stats. */
const FEATURES_ITEM = 0;
export const GLOBAL_STATS_KEY = { movieId: FEATURES_ITEM } as const;
/** Calls under way at once for the writes DynamoDB has no batch form of. */
const CONCURRENCY = 16;
/** Item attributes `offset:<topic>:<partition>` hold an item's Offsets. */
const OFFSET_PREFIX = 'offset:';

export class DynamoFeatureStore implements FeatureStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: DynamoTables,
    private readonly retry: RetryOptions = {},
  ) {}

  async readSnapshot(keys: FeatureKeys): Promise<FeatureSnapshot> {
    const { users, movies } = this.tables;
    const got = await batchGet(
      this.doc,
      {
        [users]: [
          ...keys.userIds.map((userId) => ({ userId, movieId: FEATURES_ITEM })),
          ...keys.pairs.map(({ userId, movieId }) => ({ userId, movieId })),
        ],
        [movies]: [GLOBAL_STATS_KEY, ...keys.movieIds.map((movieId) => ({ movieId }))],
      },
      this.retry,
    );
    const genres = new Map<number, readonly string[]>();
    const movieTotals = new Map<number, GlobalStats>();
    let global: GlobalStats = { ratingCount: 0, ratingSum: 0 };
    const applied = { users: new Map<number, Offsets>(), movies: new Map<number, Offsets>(), global: {} as Offsets };
    for (const item of got[movies]!) {
      if (item.movieId === FEATURES_ITEM) {
        global = { ratingCount: num(item.ratingCount), ratingSum: num(item.ratingSum) };
        applied.global = toOffsets(item);
        continue;
      }
      if (Array.isArray(item.genres)) genres.set(item.movieId as number, item.genres as string[]);
      movieTotals.set(item.movieId as number, { ratingCount: num(item.ratingCount), ratingSum: num(item.ratingSum) });
      applied.movies.set(item.movieId as number, toOffsets(item));
    }
    const features = new Map<number, UserFeatures>();
    const ratings = new Map<string, RatingEvent>();
    for (const item of got[users]!) {
      if (item.movieId === FEATURES_ITEM) {
        features.set(item.userId as number, toUser(item));
        applied.users.set(item.userId as number, toOffsets(item));
      } else ratings.set(ratingKey(item.userId as number, item.movieId as number), toRating(item));
    }
    return { users: features, ratings, genres, global, applied, movies: movieTotals };
  }

  async writeChanges(changes: FeatureChanges): Promise<void> {
    const offsets = changes.offsets;
    await batchPut(
      this.doc,
      this.tables.users,
      changes.users.map((u) => ({ ...userItem(u), ...offsetAttributes(offsets?.users.get(u.userId)?.next) })),
      this.retry,
    );
    // One request a movie: the mean the batch worked out from the movie as it read it (readSnapshot gives the counts).
    await pMap(
      changes.movies,
      (delta) => this.increment({ movieId: delta.movieId }, delta, offsets?.movies.get(delta.movieId), { updatedAt: changes.batchTime, bayesianMean: delta.bayesianMean! }),
      { concurrency: CONCURRENCY },
    );
    await this.increment(GLOBAL_STATS_KEY, changes.global, offsets?.global);
    await pMap(changes.ratings, (r) => this.putRatingIfNewer(r), { concurrency: CONCURRENCY });
  }

  /**
   * One Query: the user's features item and all their ratings share the partition. Its sort key is
   * the movie id, so every rating is read, then sorted, and the latest kept.
   */
  async getUserProfile(userId: number, latest?: number): Promise<UserProfile | undefined> {
    let features: UserFeatures | undefined;
    const ratings: RatingEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.users,
          KeyConditionExpression: 'userId = :user',
          ExpressionAttributeValues: { ':user': userId },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.movieId === FEATURES_ITEM) features = toUser(item);
        else ratings.push(toRating(item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    ratings.sort(latestFirst);
    return features ? { features, ratings: latest === undefined ? ratings : ratings.slice(0, latest) } : undefined;
  }

  /** The whole profile: a Query reads every attribute of an item it returns, so leaving some out saves nothing. */
  async getRankingProfile(userId: number, latest: number): Promise<UserInput | undefined> {
    return this.getUserProfile(userId, latest);
  }

  async ratedAmong(userId: number, movieIds: readonly number[]): Promise<Set<number>> {
    const keys = [...new Set(movieIds)].filter((movieId) => movieId !== FEATURES_ITEM).map((movieId) => ({ userId, movieId }));
    const got = await batchGet(this.doc, { [this.tables.users]: keys }, this.retry);
    return new Set(got[this.tables.users]!.map((item) => item.movieId as number));
  }

  async getMovieFeatures(movieIds: readonly number[]): Promise<Map<number, MovieFeatures>> {
    const got = await batchGet(this.doc, { [this.tables.movies]: movieIds.map((movieId) => ({ movieId })) }, this.retry);
    const out = new Map<number, MovieFeatures>();
    for (const item of got[this.tables.movies]!) {
      if (item.ratingCount !== undefined) out.set(item.movieId as number, toMovie(item));
    }
    return out;
  }

  /** Entries that already read the same are read, not written (the daily batch publishes the whole catalog). */
  async upsertMovies(movies: readonly Movie[]): Promise<void> {
    const got = await batchGet(this.doc, { [this.tables.movies]: movies.map((m) => ({ movieId: m.movieId })) }, this.retry);
    const online = new Map(got[this.tables.movies]!.map((item) => [item.movieId as number, toCatalogEntry(item)]));
    await pMap(
      movies.filter((m) => !sameCatalogEntry(m, online.get(m.movieId))),
      (m) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tables.movies,
            Key: { movieId: m.movieId },
            UpdateExpression: 'SET title = :title, genres = :genres',
            ExpressionAttributeValues: { ':title': m.title, ':genres': m.genres },
          }),
        ),
      { concurrency: CONCURRENCY },
    );
  }

  async reconcile(silver: SilverFeatures, asOf: number): Promise<{ replaced: number; kept: number; unchanged: number }> {
    const [users, movies] = await Promise.all([silver.users(), silver.movies()]);
    // Reading an item costs a tenth of writing it or less (half a read unit per 4 KB, a read unit
    // at a fifth of a write unit's price, one write unit per 1 KB): features already equal to the
    // batch's, as the consumers keep them, are read, not written.
    const got = await batchGet(
      this.doc,
      {
        [this.tables.users]: users.map((u) => ({ userId: u.userId, movieId: FEATURES_ITEM })),
        [this.tables.movies]: movies.map((m) => ({ movieId: m.movieId })),
      },
      this.retry,
    );
    const onlineUsers = new Map(got[this.tables.users]!.map((item) => [item.userId as number, toUser(item)]));
    const onlineMovies = new Map(got[this.tables.movies]!.filter((item) => item.ratingCount !== undefined).map((item) => [item.movieId as number, toMovie(item)]));
    const changedUsers = users.filter((u) => !sameUserFeatures(u, onlineUsers.get(u.userId)));
    const changedMovies = movies.filter((m) => !sameMovieFeatures(m, onlineMovies.get(m.movieId)));
    const olderThanRun = 'attribute_not_exists(updatedAt) OR updatedAt <= :asOf';
    // Commands, not sends: pMap starts each in turn, so a failure leaves no request in flight unawaited.
    const updates = [
      // Updates, not puts: a user's offsets stay, for the consumer's next retry to read.
      ...changedUsers.map(
        (u) =>
          new UpdateCommand({
            TableName: this.tables.users,
            Key: { userId: u.userId, movieId: FEATURES_ITEM },
            UpdateExpression:
              'SET ratingCount = :count, ratingSum = :sum, lastActive = :last, recent = :recent, genres = :genres, updatedAt = :asOf',
            ConditionExpression: olderThanRun,
            ExpressionAttributeValues: {
              ':count': u.ratingCount,
              ':sum': u.ratingSum,
              ':last': u.lastActive,
              ':recent': compactRecent(u.recent),
              ':genres': compactGenres(u.genres),
              ':asOf': asOf,
            },
          }),
      ),
      ...changedMovies.map(
        (m) =>
          new UpdateCommand({
            TableName: this.tables.movies,
            Key: { movieId: m.movieId },
            UpdateExpression: 'SET ratingCount = :count, ratingSum = :sum, bayesianMean = :mean, updatedAt = :asOf',
            ConditionExpression: olderThanRun,
            ExpressionAttributeValues: { ':count': m.ratingCount, ':sum': m.ratingSum, ':mean': m.bayesianMean, ':asOf': asOf },
          }),
      ),
    ];
    const results = await pMap(updates, (update) => conditional(this.doc.send(update)), { concurrency: CONCURRENCY });
    const replaced = results.filter(Boolean).length;
    return { replaced, kept: results.length - replaced, unchanged: users.length + movies.length - results.length };
  }

  /**
   * Adds a count and sum to a movie (or the global stats) and moves its offsets, if they are still
   * those the snapshot read: a failed condition fails the batch, which is then read again.
   */
  private async increment(
    key: Record<string, number>,
    add: GlobalStats,
    offsets: OffsetsUpdate | undefined,
    movie?: { updatedAt: number; bayesianMean: number },
  ): Promise<void> {
    const sets: string[] = [];
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':count': add.ratingCount, ':sum': add.ratingSum };
    if (movie) {
      sets.push('updatedAt = :time', 'bayesianMean = :mean');
      values[':time'] = movie.updatedAt;
      values[':mean'] = movie.bayesianMean;
    }
    const moved = Object.entries(offsets?.next ?? {}).filter(([source, offset]) => offsets?.read[source] !== offset);
    moved.forEach(([source, offset], i) => {
      names[`#o${i}`] = OFFSET_PREFIX + source;
      values[`:o${i}`] = offset;
      sets.push(`#o${i} = :o${i}`);
      const read = offsets?.read[source];
      if (read === undefined) conditions.push(`attribute_not_exists(#o${i})`);
      else {
        values[`:r${i}`] = read;
        conditions.push(`#o${i} = :r${i}`);
      }
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.movies,
        Key: key,
        UpdateExpression: `ADD ratingCount :count, ratingSum :sum${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
        ConditionExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: moved.length > 0 ? names : undefined,
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async putRatingIfNewer(r: RatingEvent): Promise<void> {
    await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.tables.users,
          Item: { userId: r.userId, movieId: r.movieId, rating: r.rating, eventTime: r.eventTime, eventId: r.eventId },
          ConditionExpression:
            'attribute_not_exists(userId) OR eventTime < :time OR (eventTime = :time AND eventId < :id) OR (eventTime = :time AND eventId = :id AND rating < :rating)',
          ExpressionAttributeValues: { ':time': r.eventTime, ':id': r.eventId, ':rating': r.rating },
        }),
      ),
    );
  }
}

/** Whether a conditional write was made: false when its condition failed. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function userItem(u: UserFeatures): Record<string, unknown> {
  return { ...u, recent: compactRecent(u.recent), genres: compactGenres(u.genres), movieId: FEATURES_ITEM };
}

/** [movieId, rating, eventTime] per rating, latest first. */
function compactRecent(recent: UserFeatures['recent']): number[][] {
  return recent.map((r) => [r.movieId, r.rating, r.eventTime]);
}

/** [count, sum] per genre. */
function compactGenres(genres: UserFeatures['genres']): Record<string, number[]> {
  return Object.fromEntries(Object.entries(genres).map(([g, s]) => [g, [s.count, s.sum]]));
}

function offsetAttributes(offsets: Offsets | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(offsets ?? {}).map(([source, offset]) => [OFFSET_PREFIX + source, offset]));
}

function toOffsets(item: Record<string, unknown>): Offsets {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(OFFSET_PREFIX) && typeof value === 'number') out[name.slice(OFFSET_PREFIX.length)] = value;
  }
  return out;
}

function toUser(item: Record<string, unknown>): UserFeatures {
  return {
    userId: item.userId as number,
    ratingCount: num(item.ratingCount),
    ratingSum: num(item.ratingSum),
    lastActive: num(item.lastActive),
    // Items written before the lists read as well: as maps with their attribute names.
    recent: ((item.recent ?? []) as (number[] | RecentRating)[]).map((r) => (Array.isArray(r) ? { movieId: r[0]!, rating: r[1]!, eventTime: r[2]! } : r)),
    genres: Object.fromEntries(
      Object.entries((item.genres ?? {}) as Record<string, number[] | CountSum>).map(([g, s]) => [g, Array.isArray(s) ? { count: s[0]!, sum: s[1]! } : s]),
    ),
    updatedAt: num(item.updatedAt),
  };
}

/** The catalog entry a movie's item holds, if it holds one (a consumer may have written its features first). */
function toCatalogEntry(item: Record<string, unknown>): Movie | undefined {
  if (typeof item.title !== 'string' || !Array.isArray(item.genres)) return undefined;
  return { movieId: item.movieId as number, title: item.title, genres: item.genres as string[] };
}

function toMovie(item: Record<string, unknown>): MovieFeatures {
  return {
    movieId: item.movieId as number,
    ratingCount: num(item.ratingCount),
    ratingSum: num(item.ratingSum),
    bayesianMean: num(item.bayesianMean),
    updatedAt: num(item.updatedAt),
  };
}

function toRating(item: Record<string, unknown>): RatingEvent {
  return {
    userId: item.userId as number,
    movieId: item.movieId as number,
    rating: item.rating as number,
    eventTime: item.eventTime as number,
    eventId: item.eventId as string,
  };
}
