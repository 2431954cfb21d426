/**
 * Online features and the catalog in SQLite. A batch's changes are written in one transaction,
 * and the ratings upsert itself refuses to replace a newer rating, so even a writer that read a
 * stale snapshot cannot break the latest-wins rule.
 *
 * Parsed user features, movie features and catalog genres are kept in memory between batches:
 * decoding a user's JSON columns costs more than the rest of their event. The cached values are
 * the committed ones; a commit by any other connection (PRAGMA data_version moves) empties them.
 */
import { MERGED_PAIRS } from '../../lambdas/core/lake/batch-queries';
import type { RatingEvent } from '../../lambdas/core/event-contract';
import type { FeatureChanges, FeatureSnapshot, GlobalStats, MovieFeatures, RankingFeatures, UserFeatures } from '../../lambdas/core/features';
import { addToMovie, ratingKey, sameUserFeatures } from '../../lambdas/core/features';
import type { Movie } from '../../lambdas/core/movie';
import type { FeatureKeys, FeatureStore, SilverFeatures, UserProfile } from '../../lambdas/core/ports';
import type { SourceRating, UserInput } from '../../lambdas/core/recommender';
import { getMeta, setMeta, writeTransaction, type Db } from './database';
import { toMovieFeatures, toRankingFeatures, toUser, type MovieFeatureRow, type RankingUserRow, type UserRow } from '../../lambdas/core/lake/feature-rows';

interface RatingRow {
  user_id: number;
  movie_id: number;
  rating: number;
  event_time: number;
  event_id: string;
}
/** A silver user's row, and the online row when there is one (its columns null when not). */
interface DifferingUserRow extends Omit<UserRow, 'updated_at'> {
  online_id: number | null;
  online_count: number | null;
  online_sum: number | null;
  online_last_active: number | null;
  online_recent: string | null;
  online_genres: string | null;
}
interface MovieRow {
  movie_id: number;
  title: string;
  genres: string;
}

/** The latest-wins rule of `ratings`, as an upsert's end: the later event, then the larger id and rating. */
export const KEEP_LATEST_RATING = `ON CONFLICT (user_id, movie_id) DO UPDATE SET
  rating = excluded.rating, event_time = excluded.event_time, event_id = excluded.event_id
  WHERE excluded.event_time > ratings.event_time
    OR (excluded.event_time = ratings.event_time AND excluded.event_id > ratings.event_id)
    OR (excluded.event_time = ratings.event_time AND excluded.event_id = ratings.event_id AND excluded.rating > ratings.rating)`;

/** A user's latest ratings, by the ratings_latest index: a request reads only the rows it takes. */
const latestRatingsOf = (columns: string) => `SELECT ${columns} FROM ratings WHERE user_id = ? ORDER BY event_time DESC, movie_id LIMIT ?`;
/** With their event ids, which the index does not hold: each row is looked up in the table. */
export const LATEST_RATINGS = latestRatingsOf('movie_id, rating, event_time, event_id');
/**
 * Only what ranking reads, from the index alone, each rating as one number: movie id × 16 + rating
 * × 2 (a multiple of 0.5 from 0.5 to 5, so 1 to 10). better-sqlite3 turns a row into a JavaScript
 * array at about three times the cost of a single value, and a request reads up to 1,000 rows.
 */
const RATING_PACK = 16;
export const LATEST_RANKING_RATINGS = latestRatingsOf(`movie_id * ${RATING_PACK} + CAST(rating * 2 AS INTEGER)`);

/** The latest silver date whose every rating `ratings` holds (or a newer one). */
export const RESTORED_SILVER_DATE = 'restored_silver_date';

/** Users kept in the cache: those active lately, a few kilobytes each. */
export const USER_CACHE_ENTRIES = 50_000;
/**
 * Movies kept in the caches: a whole catalog of the size MovieLens has (62,000 in ml-25m), about
 * a hundred bytes each. A smaller cache than the catalog is emptied and filled again by every
 * import group and consumer batch that touches most movies.
 */
export const MOVIE_CACHE_ENTRIES = 250_000;

export class SqliteFeatureStore implements FeatureStore {
  private readonly stmt;
  private readonly users = new BoundedCache<number, UserFeatures | null>(USER_CACHE_ENTRIES);
  private readonly movieFeatures = new BoundedCache<number, MovieFeatures | null>(MOVIE_CACHE_ENTRIES);
  private readonly genres = new BoundedCache<number, readonly string[] | null>(MOVIE_CACHE_ENTRIES);
  private dataVersion = -1;
  /** Runs `work` in one transaction: made once, as better-sqlite3 builds each transaction function's wrappers anew (5 us). */
  private readonly inTransaction: <T>(work: () => T) => T;

  constructor(private readonly db: Db) {
    const transaction = db.transaction((work: () => unknown) => work());
    this.inTransaction = <T>(work: () => T): T => transaction(work) as T;
    this.stmt = {
      // Prepared once: db.pragma() compiles its statement on every call, and this one runs on every read.
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      user: db.prepare<[number], UserRow>('SELECT * FROM user_features WHERE user_id = ?'),
      rankingUser: db.prepare<[number], RankingUserRow>('SELECT user_id, rating_count, genres FROM user_features WHERE user_id = ?'),
      movieFeatures: db.prepare<[number], MovieFeatureRow>('SELECT * FROM movie_features WHERE movie_id = ?'),
      movie: db.prepare<[number], MovieRow>('SELECT * FROM movies WHERE movie_id = ?'),
      rating: db.prepare<[number, number], RatingRow>('SELECT * FROM ratings WHERE user_id = ? AND movie_id = ?'),
      rated: db.prepare<[number, number], number>('SELECT 1 FROM ratings WHERE user_id = ? AND movie_id = ?').pluck(),
      ratingsOf: db.prepare<[number], RatingRow>('SELECT * FROM ratings WHERE user_id = ?'),
      // Latest first, the order in which recommendations take a heavy rater's ratings.
      userRatings: db.prepare<[number, number], [number, number, number, string]>(LATEST_RATINGS),
      rankingRatings: db.prepare<[number, number], number>(LATEST_RANKING_RATINGS).pluck(),
      global: db.prepare<[], { rating_count: number; rating_sum: number }>(
        'SELECT rating_count, rating_sum FROM global_stats WHERE id = 1',
      ),
      upsertRating: db.prepare(
        `INSERT INTO ratings (user_id, movie_id, rating, event_time, event_id) VALUES (?, ?, ?, ?, ?) ${KEEP_LATEST_RATING}`,
      ),
      upsertUser: db.prepare(
        `INSERT OR REPLACE INTO user_features (user_id, rating_count, rating_sum, last_active, recent, genres, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertMovieFeatures: db.prepare(
        `INSERT OR REPLACE INTO movie_features (movie_id, rating_count, rating_sum, bayesian_mean, updated_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      reconcileUser: db.prepare(
        `INSERT INTO user_features (user_id, rating_count, rating_sum, last_active, recent, genres, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET
           rating_count = excluded.rating_count, rating_sum = excluded.rating_sum, last_active = excluded.last_active,
           recent = excluded.recent, genres = excluded.genres, updated_at = excluded.updated_at
         WHERE user_features.updated_at <= excluded.updated_at`,
      ),
      reconcileMovie: db.prepare(
        `INSERT INTO movie_features (movie_id, rating_count, rating_sum, bayesian_mean, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (movie_id) DO UPDATE SET
           rating_count = excluded.rating_count, rating_sum = excluded.rating_sum,
           bayesian_mean = excluded.bayesian_mean, updated_at = excluded.updated_at
         WHERE movie_features.updated_at <= excluded.updated_at`,
      ),
      // Texts are compared before they are parsed: equal texts hold equal features, and silver's
      // text is written as userColumns writes it, so that most users are never parsed.
      differingUsers: db.prepare<[string], DifferingUserRow>(
        `SELECT s.user_id, s.rating_count, s.rating_sum, s.last_active, s.recent, s.genres,
                o.user_id AS online_id, o.rating_count AS online_count, o.rating_sum AS online_sum,
                o.last_active AS online_last_active, o.recent AS online_recent, o.genres AS online_genres
         FROM silver_user_features s LEFT JOIN user_features o ON o.user_id = s.user_id
         WHERE s.dt = ? AND (o.user_id IS NULL OR o.rating_count IS NOT s.rating_count OR o.rating_sum IS NOT s.rating_sum
           OR o.last_active IS NOT s.last_active OR o.recent IS NOT s.recent OR o.genres IS NOT s.genres)`,
      ),
      silverUsers: db.prepare<[string], number>('SELECT COUNT(*) FROM silver_user_features WHERE dt = ?').pluck(),
      // Movie features are numbers alone: SQL compares them as sameMovieFeatures does.
      differingMovies: db.prepare<[string], MovieFeatureRow>(
        `SELECT s.movie_id, s.rating_count, s.rating_sum, s.bayesian_mean, 0 AS updated_at
         FROM silver_movie_features s LEFT JOIN movie_features o ON o.movie_id = s.movie_id
         WHERE s.dt = ? AND (o.movie_id IS NULL OR o.rating_count IS NOT s.rating_count OR o.rating_sum IS NOT s.rating_sum
           OR o.bayesian_mean IS NOT s.bayesian_mean)`,
      ),
      silverMovies: db.prepare<[string], number>('SELECT COUNT(*) FROM silver_movie_features WHERE dt = ?').pluck(),
      // Silver holds the latest rating of every pair up to its date: an online rating that is older,
      // or missing, is one a consumer batch never applied.
      restoreRatings: db.prepare(
        `INSERT INTO ratings (user_id, movie_id, rating, event_time, event_id)
         SELECT user_id, movie_id, rating, event_time, event_id FROM silver_ratings WHERE dt = ? ${KEEP_LATEST_RATING}`,
      ),
      // A merged partition differs from its base only in the pairs it took from the bronze since.
      restoreMerged: db.prepare(
        `INSERT INTO ratings (user_id, movie_id, rating, event_time, event_id)
         SELECT s.user_id, s.movie_id, s.rating, s.event_time, s.event_id
         FROM (${MERGED_PAIRS}) p
         CROSS JOIN silver_ratings s
         WHERE s.dt = :dt AND s.user_id = p.user_id AND s.movie_id = p.movie_id ${KEEP_LATEST_RATING}`,
      ),
      recountGlobal: db.prepare(
        `UPDATE global_stats SET (rating_count, rating_sum) = (SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM ratings)
         WHERE id = 1`,
      ),
      addToGlobal: db.prepare(
        'UPDATE global_stats SET rating_count = rating_count + ?, rating_sum = rating_sum + ? WHERE id = 1',
      ),
      upsertMovie: db.prepare('INSERT OR REPLACE INTO movies (movie_id, title, genres) VALUES (?, ?, ?)'),
    };
  }

  async readSnapshot(keys: FeatureKeys): Promise<FeatureSnapshot> {
    return this.snapshot(keys.userIds, keys.movieIds, (ratings) => {
      for (const { userId, movieId } of keys.pairs) {
        const row = this.stmt.rating.get(userId, movieId);
        if (row) ratings.set(ratingKey(userId, movieId), toRating(row));
      }
    });
  }

  /**
   * A snapshot with every rating the users hold, one range read each: for a bulk import, whose
   * users' pairs are too many to look up one by one, and most of them new.
   */
  readUsersSnapshot(userIds: readonly number[], movieIds: readonly number[]): FeatureSnapshot {
    return this.snapshot(userIds, movieIds, (ratings) => {
      for (const userId of userIds) {
        for (const row of this.stmt.ratingsOf.all(userId)) ratings.set(ratingKey(userId, row.movie_id), toRating(row));
      }
    });
  }

  private snapshot(userIds: readonly number[], movieIds: readonly number[], readRatings: (into: Map<string, RatingEvent>) => void): FeatureSnapshot {
    return this.db.transaction((): FeatureSnapshot => {
      this.dropIfChangedElsewhere();
      const users = new Map<number, UserFeatures>();
      for (const id of userIds) {
        const user = this.cachedUser(id);
        if (user) users.set(id, user);
      }
      const genres = new Map<number, readonly string[]>();
      for (const id of movieIds) {
        const list = this.genres.getOrLoad(id, () => {
          const m = this.stmt.movie.get(id);
          return m ? (JSON.parse(m.genres) as string[]) : null;
        });
        if (list) genres.set(id, list);
      }
      const ratings = new Map<string, RatingEvent>();
      readRatings(ratings);
      return { users, ratings, genres, global: this.global() };
    })();
  }

  async writeChanges(changes: FeatureChanges): Promise<void> {
    const movies = writeTransaction(this.db, (): MovieFeatures[] => {
      this.dropIfChangedElsewhere();
      for (const r of changes.ratings) {
        this.stmt.upsertRating.run(r.userId, r.movieId, r.rating, r.eventTime, r.eventId);
      }
      for (const u of changes.users) this.stmt.upsertUser.run(...userColumns(u));
      const written = changes.movies.map((delta) => {
        const stored = this.movieFeatures.getOrLoad(delta.movieId, () => {
          const row = this.stmt.movieFeatures.get(delta.movieId);
          return row ? toMovieFeatures(row) : null;
        });
        const movie = addToMovie(stored ?? undefined, delta, changes.batchTime, changes.priorMean);
        this.stmt.upsertMovieFeatures.run(...movieColumns(movie));
        return movie;
      });
      this.stmt.addToGlobal.run(changes.global.ratingCount, changes.global.ratingSum);
      return written;
    });
    // Committed, or part of a transaction whose rollback empties the caches: the cache follows.
    for (const u of changes.users) this.users.set(u.userId, u);
    for (const m of movies) this.movieFeatures.set(m.movieId, m);
  }

  async getMovieFeatures(movieIds: readonly number[]): Promise<Map<number, MovieFeatures>> {
    const out = new Map<number, MovieFeatures>();
    for (const id of movieIds) {
      const row = this.stmt.movieFeatures.get(id);
      if (row) out.set(id, toMovieFeatures(row));
    }
    return out;
  }

  async getUserProfile(userId: number, latest = -1): Promise<UserProfile | undefined> {
    // LIMIT -1: every row.
    return this.profile(
      () => this.cachedUser(userId),
      () =>
        (this.stmt.userRatings.raw().all(userId, latest) as [number, number, number, string][]).map(
          ([movieId, rating, eventTime, eventId]): RatingEvent => ({ userId, movieId, rating, eventTime, eventId }),
        ),
    );
  }

  /**
   * Takes the user's cached features, but does not cache what it reads: under requests for many
   * users, each parsed user kept would outlive the young generation, and copying them was most of
   * each scavenge's pause (9 to 10 ms at the median against 3 to 5 at 10M ratings), which every
   * request in flight waits for. Ranking reads 3 of the row's 7 columns, without the recent
   * ratings' JSON.
   */
  async getRankingProfile(userId: number, latest: number): Promise<UserInput | undefined> {
    return this.profile(
      (): RankingFeatures | null => {
        const cached = this.users.peek(userId);
        if (cached !== undefined) return cached;
        const row = this.stmt.rankingUser.get(userId);
        return row ? toRankingFeatures(row) : null;
      },
      () =>
        this.stmt.rankingRatings.all(userId, latest).map(
          (packed): SourceRating => ({ movieId: Math.floor(packed / RATING_PACK), rating: (packed % RATING_PACK) / 2 }),
        ),
    );
  }

  /** A user's features and ratings read in one transaction, after the caches were checked against other connections' commits. */
  private profile<F, R>(readFeatures: () => F | null, readRatings: () => R[]): { features: F; ratings: R[] } | undefined {
    return this.inTransaction(() => {
      this.dropIfChangedElsewhere();
      const features = readFeatures();
      return features ? { features, ratings: readRatings() } : undefined;
    });
  }

  /** The cached features, parsed once while no other connection commits; null for a user without any. */
  private cachedUser(userId: number): UserFeatures | null {
    return this.users.getOrLoad(userId, () => {
      const row = this.stmt.user.get(userId);
      return row ? toUser(row) : null;
    });
  }

  async ratedAmong(userId: number, movieIds: readonly number[]): Promise<Set<number>> {
    // One read transaction for all the lookups: each statement outside one starts its own, which costs more than the lookup.
    return this.inTransaction(() => new Set(movieIds.filter((movieId) => this.stmt.rated.get(userId, movieId) !== undefined)));
  }

  async upsertMovies(movies: readonly Movie[]): Promise<void> {
    this.db.transaction(() => {
      for (const m of movies) this.stmt.upsertMovie.run(m.movieId, m.title, JSON.stringify(m.genres));
    }).immediate();
    for (const m of movies) this.genres.set(m.movieId, m.genres);
  }

  /**
   * Reads the silver partition in place (it shares the database), not through `silver`'s readers.
   * Also restores `ratings` from the partition, and recounts `global_stats`. Once ratings hold
   * every rating of the base a partition was merged on, they lack at most the pairs the merge took
   * from bronze: those alone are restored. Otherwise, as after a full rebuild, a missed day or a
   * re-run, every pair of the partition is.
   */
  async reconcile(silver: SilverFeatures, asOf: number): Promise<{ replaced: number; kept: number; unchanged: number }> {
    const result = this.db.transaction(() => {
      const total = this.stmt.silverUsers.get(silver.date)! + this.stmt.silverMovies.get(silver.date)!;
      const users = this.stmt.differingUsers.all(silver.date);
      const movies = this.stmt.differingMovies.all(silver.date);
      let replaced = 0;
      let unchanged = total - users.length - movies.length;
      for (const row of users) {
        const u = toUser({ ...row, updated_at: asOf });
        if (row.online_id !== null && sameUserFeatures(u, toUser(onlineUser(row)))) unchanged++;
        else replaced += this.stmt.reconcileUser.run(...userColumns(u)).changes;
      }
      for (const row of movies) replaced += this.stmt.reconcileMovie.run(...movieColumns(toMovieFeatures({ ...row, updated_at: asOf }))).changes;
      const restored = getMeta(this.db, RESTORED_SILVER_DATE);
      if (silver.base !== undefined && silver.base === restored) this.stmt.restoreMerged.run({ dt: silver.date, base: silver.base });
      else this.stmt.restoreRatings.run(silver.date);
      // Restoring an earlier date's partition takes nothing from a later one that ratings already hold.
      if (restored === undefined || silver.date > restored) setMeta(this.db, RESTORED_SILVER_DATE, silver.date);
      this.stmt.recountGlobal.run();
      return { replaced, kept: total - replaced - unchanged, unchanged };
    }).immediate();
    // Which rows the conditions kept is known to SQLite alone: read them afresh.
    this.forgetCached();
    return result;
  }

  /** Empties the caches: after a rollback, or a commit they cannot follow. */
  forgetCached(): void {
    this.users.clear();
    this.movieFeatures.clear();
    this.genres.clear();
  }

  /** Another connection committed (a second process on the same data folder): the caches may be stale. */
  private dropIfChangedElsewhere(): void {
    const version = this.stmt.dataVersion.get()!;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.forgetCached();
  }

  private global(): GlobalStats {
    const row = this.stmt.global.get()!;
    return { ratingCount: row.rating_count, ratingSum: row.rating_sum };
  }
}

/** Genres in key order, as silver writes them, so that equal features are stored as equal texts. */
function userColumns(u: UserFeatures) {
  // Most users' genres are in key order already (a row's parsed text is, and a batch adds a genre
  // out of order only when it is new to the user): sorting those took a quarter of this function's time.
  const genres = inKeyOrder(u.genres) ? u.genres : Object.fromEntries(Object.entries(u.genres).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [u.userId, u.ratingCount, u.ratingSum, u.lastActive, JSON.stringify(u.recent), JSON.stringify(genres), u.updatedAt] as const;
}

function inKeyOrder(record: Record<string, unknown>): boolean {
  let previous = '';
  for (const key in record) {
    if (key < previous) return false;
    previous = key;
  }
  return true;
}

/** The online row beside a silver row that differs from it. */
function onlineUser(row: DifferingUserRow): UserRow {
  return {
    user_id: row.user_id,
    rating_count: row.online_count!,
    rating_sum: row.online_sum!,
    last_active: row.online_last_active!,
    recent: row.online_recent!,
    genres: row.online_genres!,
    updated_at: 0,
  };
}

function movieColumns(m: MovieFeatures) {
  return [m.movieId, m.ratingCount, m.ratingSum, m.bayesianMean, m.updatedAt] as const;
}

function toRating(row: RatingRow): RatingEvent {
  return {
    userId: row.user_id,
    movieId: row.movie_id,
    rating: row.rating,
    eventTime: row.event_time,
    eventId: row.event_id,
  };
}

/** A map that forgets its oldest entries beyond `capacity`. */
class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  /** The cached value, or undefined when there is none; the order of eviction unchanged. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  getOrLoad(key: K, load: () => V): V {
    if (this.map.has(key)) return this.map.get(key) as V;
    const value = load();
    this.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
  }
}
