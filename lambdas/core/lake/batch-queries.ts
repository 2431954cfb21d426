/**
 * The daily batch's SQL, each statement in its two dialects side by side: SQLite for the local
 * runtime, Athena (Trino) for AWS. Each is a SELECT of its target's columns for one date; the
 * engine replaces the target's partition with the rows. They compute the online features'
 * definitions (lambdas/core/features.ts), whose constants they take from there.
 *
 * "As of the end of the date" means every event ingested by then: all bronze partitions up to and
 * including the date, from the first date the lake holds (`from`: a lower bound, so that Athena lists
 * only the partitions that can hold data). Bronze partitions are immutable once their day is over,
 * so a re-run of a past date reads the same events and gives the same rows.
 *
 * Latest-wins is a maximum over a total order, so it can be taken in steps: the latest of an earlier
 * date's silver and the bronze since is the latest of all bronze (SILVER_RATINGS_MERGE). The merge
 * reads the base date's own bronze again, which changes nothing already in its silver and takes in
 * what reached that partition after its batch ran (a consumer lagging past midnight).
 */
import { BAYES_PRIOR_WEIGHT, DEFAULT_GLOBAL_MEAN, RECENT_RATINGS } from '../features';
import type { BatchQuery } from '../ports';

/** Latest rating per (user, movie) by event time, then event id, then rating (features.ts `isNewer`). */
export const SILVER_RATINGS: BatchQuery = {
  target: 'silver_ratings',
  sqlite: `
    SELECT user_id, movie_id, rating, event_time, event_id FROM (
      SELECT b.user_id, b.movie_id, b.rating, b.event_time, b.event_id,
             ROW_NUMBER() OVER (PARTITION BY b.user_id, b.movie_id ORDER BY b.event_time DESC, b.event_id DESC, b.rating DESC) AS rn
      FROM bronze_events b JOIN lake_objects o ON o.object_id = b.object_id
      WHERE o.area = 'events' AND o.dt >= :from AND o.dt <= :dt
    ) WHERE rn = 1
    ORDER BY user_id, movie_id`,
  athena: `
    SELECT user_id, movie_id, rating, event_time, event_id FROM (
      SELECT user_id, movie_id, rating, event_time, event_id,
             row_number() OVER (PARTITION BY user_id, movie_id ORDER BY event_time DESC, event_id DESC, rating DESC) AS rn
      FROM bronze_events
      WHERE dt >= '{from}' AND dt <= '{dt}'
    ) WHERE rn = 1
    ORDER BY user_id, movie_id`,
};

/**
 * SILVER_RATINGS, from the silver of an earlier date (`base`) and the bronze of that date on. In
 * SQLite the day's latest ratings are found first, and each side keeps a row unless the other holds
 * a later one for its pair (a tie keeps the base's): the base is read in key order and never sorted,
 * where a window over both would sort every rating (twice as long at 10M). Athena's dialect is the
 * window: it sorts in parallel.
 */
export const SILVER_RATINGS_MERGE: BatchQuery = {
  target: 'silver_ratings',
  sqlite: `
    WITH day AS MATERIALIZED (
      SELECT user_id, movie_id, rating, event_time, event_id FROM (
        SELECT b.user_id, b.movie_id, b.rating, b.event_time, b.event_id,
               ROW_NUMBER() OVER (PARTITION BY b.user_id, b.movie_id ORDER BY b.event_time DESC, b.event_id DESC, b.rating DESC) AS rn
        FROM bronze_events b JOIN lake_objects o ON o.object_id = b.object_id
        WHERE o.area = 'events' AND o.dt >= :base AND o.dt <= :dt
      ) WHERE rn = 1)
    SELECT s.user_id, s.movie_id, s.rating, s.event_time, s.event_id FROM silver_ratings s
    WHERE s.dt = :base AND NOT EXISTS (
      SELECT 1 FROM day d WHERE d.user_id = s.user_id AND d.movie_id = s.movie_id
        AND (d.event_time, d.event_id, d.rating) > (s.event_time, s.event_id, s.rating))
    UNION ALL
    SELECT d.user_id, d.movie_id, d.rating, d.event_time, d.event_id FROM day d
    WHERE NOT EXISTS (
      SELECT 1 FROM silver_ratings s WHERE s.dt = :base AND s.user_id = d.user_id AND s.movie_id = d.movie_id
        AND (s.event_time, s.event_id, s.rating) >= (d.event_time, d.event_id, d.rating))`,
  athena: `
    SELECT user_id, movie_id, rating, event_time, event_id FROM (
      SELECT user_id, movie_id, rating, event_time, event_id,
             row_number() OVER (PARTITION BY user_id, movie_id ORDER BY event_time DESC, event_id DESC, rating DESC) AS rn
      FROM (
        SELECT user_id, movie_id, rating, event_time, event_id FROM silver_ratings WHERE dt = '{base}'
        UNION ALL
        SELECT user_id, movie_id, rating, event_time, event_id FROM bronze_events WHERE dt >= '{base}' AND dt <= '{dt}')
    ) WHERE rn = 1
    ORDER BY user_id, movie_id`,
};

/**
 * A REAL as JavaScript writes it in JSON: whole numbers without the ".0" SQLite's JSON gives them,
 * so that a SQLite store holds equal features as equal texts, whichever side wrote them.
 */
const jsNumber = (x: string) => `IIF(${x} = CAST(${x} AS INTEGER), CAST(${x} AS INTEGER), ${x})`;

/** A user's latest ratings as JSON, from `rows` (movie_id, rating, event_time), in SQLite. */
const recentJson = (rows: string) => `
  (SELECT json_group_array(json_object('movieId', movie_id, 'rating', ${jsNumber('rating')}, 'eventTime', event_time)
                           ORDER BY event_time DESC, movie_id ASC)
   FROM (SELECT movie_id, rating, event_time FROM ${rows} ORDER BY event_time DESC, movie_id ASC LIMIT ${RECENT_RATINGS}))`;

/** A user's count and sum per genre as JSON, from `sums` (genre, n, s: one row per genre), in SQLite. */
const genresJson = (sums: string) => `
  (SELECT COALESCE(json_group_object(genre, json_object('count', n, 'sum', ${jsNumber('s')}) ORDER BY genre), '{}') FROM (${sums}))`;

/**
 * The pairs a merge onto `:base` took from bronze, in key order (SQLite): looked up in bronze's
 * order, each lookup reads pages of its own (3x as long).
 */
export const MERGED_PAIRS = `
  SELECT b.user_id, b.movie_id FROM bronze_events b JOIN lake_objects l ON l.object_id = b.object_id
  WHERE l.area = 'events' AND l.dt >= :base AND l.dt <= :dt
  GROUP BY b.user_id, b.movie_id ORDER BY b.user_id, b.movie_id`;

/**
 * The pairs a merge onto `:base` changed (SQLite): each with the date's rating and time, and base's
 * rating (null for a pair new since base).
 */
const CHANGED_PAIRS = `
  SELECT s.user_id, s.movie_id, s.rating, s.event_time, o.rating AS old_rating
  FROM (${MERGED_PAIRS}) p
  CROSS JOIN silver_ratings s ON s.dt = :dt AND s.user_id = p.user_id AND s.movie_id = p.movie_id
  LEFT JOIN silver_ratings o ON o.dt = :base AND o.user_id = p.user_id AND o.movie_id = p.movie_id
  WHERE o.user_id IS NULL OR o.rating IS NOT s.rating OR o.event_time IS NOT s.event_time`;

/** The catalog's genres as one text: what a date's user features were computed with (SQLite). */
export const FEATURE_CATALOG = '(SELECT json_group_array(json_array(movie_id, json(genres)) ORDER BY movie_id) FROM movies)';

/**
 * Per user: count, sum, last active, the latest ratings, and count and sum per catalog genre.
 *
 * SQLite, merged onto `base` (BronzeToSilver's) while the catalog is the one base's features were
 * computed with: each feature of a user is base's plus what the pairs changed since base add to it
 * (a changed rating's event time is never earlier than the one it replaces, so the latest ratings
 * are the latest of base's and the changed ones). Users without a changed pair keep base's row.
 * Otherwise, from every rating: each user's latest ratings and genre sums are lookups of their own
 * rows (silver is kept in user order), small sorts per user where a window and a grouping over all
 * users would each sort every rating. Both give the same text.
 */
export const SILVER_USER_FEATURES: BatchQuery = {
  target: 'silver_user_features',
  sqlite: `
    WITH merged AS MATERIALIZED (
      SELECT (SELECT genres FROM silver_feature_catalogs WHERE dt = :base) IS ${FEATURE_CATALOG} AS onto_base),
    changed AS MATERIALIZED (SELECT * FROM (${CHANGED_PAIRS}) WHERE (SELECT onto_base FROM merged)),
    changed_by_user AS MATERIALIZED (
      SELECT user_id, SUM(old_rating IS NULL) AS added, SUM(rating - COALESCE(old_rating, 0)) AS delta,
             MAX(event_time) AS last_active, json_group_array(json_array(movie_id, rating, event_time)) AS ratings
      FROM changed GROUP BY user_id),
    changed_genres AS MATERIALIZED (
      SELECT user_id, json_group_object(genre, json_array(n, s)) AS genres FROM (
        SELECT c.user_id, g.value AS genre, SUM(c.old_rating IS NULL) AS n, SUM(c.rating - COALESCE(c.old_rating, 0)) AS s
        FROM changed c JOIN movies m ON m.movie_id = c.movie_id, json_each(m.genres) g GROUP BY c.user_id, g.value)
      GROUP BY user_id),
    totals AS (
      SELECT user_id, COUNT(*) AS rating_count, SUM(rating) AS rating_sum, MAX(event_time) AS last_active
      FROM silver_ratings WHERE dt = :dt AND NOT (SELECT onto_base FROM merged) GROUP BY user_id)
    SELECT f.user_id, f.rating_count, f.rating_sum, f.last_active, f.recent, f.genres
    FROM silver_user_features f
    WHERE (SELECT onto_base FROM merged) AND f.dt = :base AND f.user_id NOT IN (SELECT user_id FROM changed_by_user)
    UNION ALL
    SELECT u.user_id, COALESCE(f.rating_count, 0) + u.added, COALESCE(f.rating_sum, 0) + u.delta,
           MAX(COALESCE(f.last_active, 0), u.last_active),
           ${recentJson(`(
             SELECT j.value ->> 'movieId' AS movie_id, j.value ->> 'rating' AS rating, j.value ->> 'eventTime' AS event_time
             FROM json_each(f.recent) j WHERE j.value ->> 'movieId' NOT IN (SELECT c.value ->> 0 FROM json_each(u.ratings) c)
             UNION ALL
             SELECT c.value ->> 0, c.value ->> 1, c.value ->> 2 FROM json_each(u.ratings) c)`)},
           ${genresJson(`
             SELECT genre, SUM(n) AS n, SUM(s) AS s FROM (
               SELECT j.key AS genre, j.value ->> 'count' AS n, j.value ->> 'sum' AS s FROM json_each(f.genres) j
               UNION ALL
               SELECT d.key, d.value ->> 0, d.value ->> 1 FROM json_each(g.genres) d)
             GROUP BY genre`)}
    FROM changed_by_user u LEFT JOIN changed_genres g ON g.user_id = u.user_id
    LEFT JOIN silver_user_features f ON f.dt = :base AND f.user_id = u.user_id
    UNION ALL
    SELECT t.user_id, t.rating_count, t.rating_sum, t.last_active,
           ${recentJson('silver_ratings s WHERE s.dt = :dt AND s.user_id = t.user_id')},
           ${genresJson(`
             SELECT g.value AS genre, COUNT(*) AS n, SUM(s.rating) AS s
             FROM silver_ratings s JOIN movies m ON m.movie_id = s.movie_id, json_each(m.genres) g
             WHERE s.dt = :dt AND s.user_id = t.user_id GROUP BY g.value`)}
    FROM totals t`,
  // Athena builds the JSON text itself, with fixed key names: casting a ROW to JSON would depend on
  // how the engine version names (and cases) ROW fields. A double cast to varchar reads "4.5E0",
  // which is valid JSON for 4.5.
  athena: `
    WITH r AS (SELECT user_id, movie_id, rating, event_time FROM silver_ratings WHERE dt = '{dt}'),
    totals AS (
      SELECT user_id, count(*) AS rating_count, sum(rating) AS rating_sum, max(event_time) AS last_active
      FROM r GROUP BY user_id),
    recent AS (
      SELECT user_id,
             '[' || array_join(slice(array_agg(
               '{"movieId":' || CAST(movie_id AS varchar) || ',"rating":' || CAST(rating AS varchar) ||
               ',"eventTime":' || CAST(event_time AS varchar) || '}'
               ORDER BY event_time DESC, movie_id ASC), 1, ${RECENT_RATINGS}), ',') || ']' AS recent
      FROM r GROUP BY user_id),
    per_genre AS (
      SELECT r.user_id, genre, count(*) AS n, sum(r.rating) AS s
      FROM r JOIN catalog_movies m ON m.movie_id = r.movie_id CROSS JOIN UNNEST(m.genres) AS t (genre)
      GROUP BY r.user_id, genre),
    genres AS (
      SELECT user_id,
             '{' || array_join(array_agg(
               json_format(CAST(genre AS JSON)) || ':{"count":' || CAST(n AS varchar) || ',"sum":' || CAST(s AS varchar) || '}'
               ORDER BY genre), ',') || '}' AS genres
      FROM per_genre GROUP BY user_id)
    SELECT t.user_id, t.rating_count, t.rating_sum, t.last_active, rc.recent, coalesce(g.genres, '{}') AS genres
    FROM totals t JOIN recent rc ON rc.user_id = t.user_id LEFT JOIN genres g ON g.user_id = t.user_id
    ORDER BY t.user_id`,
};

/**
 * Per movie: count, sum, and the Bayesian mean towards the global mean of the same ratings. The
 * global mean is taken from the movies' sums, not from a second pass over every rating: sums of
 * half stars are exact, so both give the same value.
 *
 * SQLite, merged onto `base` while base's movie features exist (the engine removes them whenever
 * base's ratings are replaced, so those that exist were computed from base's current ratings): a
 * movie's count and sum are base's plus what the pairs changed since base add to them, exact as
 * sums of half stars are, where a grouping of every rating by movie sorts them all.
 */
export const SILVER_MOVIE_FEATURES: BatchQuery = {
  target: 'silver_movie_features',
  sqlite: `
    WITH merged AS MATERIALIZED (
      SELECT EXISTS (SELECT 1 FROM silver_movie_features WHERE dt = :base) AS onto_base),
    changed AS MATERIALIZED (
      SELECT movie_id, SUM(old_rating IS NULL) AS added, SUM(rating - COALESCE(old_rating, 0)) AS delta
      FROM (${CHANGED_PAIRS}) WHERE (SELECT onto_base FROM merged) GROUP BY movie_id),
    m AS MATERIALIZED (
      SELECT movie_id, SUM(rating_count) AS rating_count, SUM(rating_sum) AS rating_sum FROM (
        SELECT movie_id, rating_count, rating_sum FROM silver_movie_features WHERE (SELECT onto_base FROM merged) AND dt = :base
        UNION ALL
        SELECT movie_id, added, delta FROM changed)
      GROUP BY movie_id
      UNION ALL
      SELECT movie_id, COUNT(*) AS rating_count, SUM(rating) AS rating_sum
      FROM silver_ratings WHERE dt = :dt AND NOT (SELECT onto_base FROM merged) GROUP BY movie_id),
    g AS (SELECT COALESCE(SUM(rating_sum) / SUM(rating_count), ${DEFAULT_GLOBAL_MEAN}) AS mean FROM m)
    SELECT movie_id, rating_count, rating_sum,
           (${BAYES_PRIOR_WEIGHT} * g.mean + rating_sum) / (${BAYES_PRIOR_WEIGHT} + rating_count) AS bayesian_mean
    FROM m CROSS JOIN g
    ORDER BY movie_id`,
  athena: `
    WITH m AS (
      SELECT movie_id, count(*) AS rating_count, sum(rating) AS rating_sum
      FROM silver_ratings WHERE dt = '{dt}' GROUP BY movie_id),
    g AS (SELECT coalesce(sum(rating_sum) / sum(rating_count), ${DEFAULT_GLOBAL_MEAN}) AS mean FROM m)
    SELECT movie_id, rating_count, rating_sum,
           (${BAYES_PRIOR_WEIGHT} * g.mean + rating_sum) / (${BAYES_PRIOR_WEIGHT} + rating_count) AS bayesian_mean
    FROM m CROSS JOIN g
    ORDER BY movie_id`,
};
