/**
 * The hybrid ranking the API serves. Three signals, each scaled to [0, 1]:
 * - collaborative: neighbours of the movies the user rated, weighted by how much they liked them;
 * - genre affinity: how much of the user's watching, and how well liked, falls in the movie's genres;
 * - popularity: log of the movie's rating count.
 * Their blend shifts towards popularity the fewer ratings a user has. Every item carries the reason
 * of its largest contribution.
 */
import type { RatingEvent } from './event-contract';
import { latestFirst, RATING_MAX, RATING_MIN } from './event-contract';
import type { UserFeatures } from './features';
import type { ModelIndex, ModelMovie } from './model';

export interface Recommendation {
  movieId: number;
  title: string;
  genres: string[];
  score: number;
  reason: string;
  /** With `explain`: the score's parts (they sum to it, to rounding) and the rated movies behind the collaborative one. */
  explain?: ScoreParts;
}

export interface ScoreParts {
  collaborative: number;
  genre: number;
  popularity: number;
  /** The rated movies that contributed most to `collaborative`, largest first. */
  because: { movieId: number; title: string; rating: number; contribution: number }[];
}

export interface UserInput {
  features: UserFeatures;
  /** The user's latest ratings, newest first: CF_SOURCES of them are enough. */
  ratings: readonly RatingEvent[];
}

export interface RecommendOptions {
  limit: number;
  /** Only movies of this genre (a catalog genre, exact spelling). */
  genre?: string;
  /** Movies rated before the latest ratings given, found by lookup: never recommended. */
  exclude?: ReadonlySet<number>;
  /** Add each item's score parts. */
  explain?: boolean;
}

/**
 * Blend weights of the three signals. `cf` and `genre` ramp up with the user's rating count n as
 * n / (n + rampRatings), so that a user's first ratings change their list at once. Weighing
 * popularity more for users with few ratings scores better offline for them (see the README's
 * evaluation) but leaves a new user's list nearly unchanged by their first ratings.
 */
export const BLEND = { cf: 0.6, genre: 0.15, popularity: 0.25, rampRatings: 1 } as const;
/** Popular movies considered as candidates, overall and per favourite genre. */
const POPULAR_CANDIDATES = 200;
const FAVOURITE_GENRES = 3;
/** Rated movies an explanation names, at most. */
const EXPLAINED_SOURCES = 3;
/** Ratings whose neighbours a request visits, at most: bounds a heavy rater's latency. */
export const CF_SOURCES = 500;

type Signal = 'cf' | 'genre' | 'popularity';

/**
 * Scores every candidate with numbers only (typed arrays over the model's slots: a heavy rater's
 * candidates are most of the catalog), keeps the best `limit`, and writes reasons for those alone.
 */
export function recommendForUser(
  model: ModelIndex,
  user: UserInput | undefined,
  options: RecommendOptions,
): Recommendation[] {
  const { state, cf, cfBest, cfSource } = model.scratch;
  // Every slot written below, to zero again at the end.
  const touched: number[] = [];
  try {
    return rank(model, user, options, touched);
  } finally {
    for (const slot of touched) {
      state[slot] = 0;
      cf[slot] = 0;
      cfBest[slot] = 0;
      cfSource[slot] = 0;
    }
  }
}

function rank(model: ModelIndex, user: UserInput | undefined, options: RecommendOptions, touched: number[]): Recommendation[] {
  const ratings = user?.ratings ?? [];
  // state: 0 not a candidate, 1 candidate, 2 excluded (rated, or not of the asked genre).
  const { state, cf, cfBest, cfSource } = model.scratch;
  const markRated = (movieId: number) => {
    const slot = model.slots.get(movieId);
    if (slot !== undefined && state[slot] !== 2) {
      state[slot] = 2;
      touched.push(slot);
    }
  };
  for (const r of ratings) markRated(r.movieId);
  for (const movieId of options.exclude ?? []) markRated(movieId);
  const { genre } = options;
  const excluded = (slot: number): boolean => {
    if (state[slot] === 2) return true;
    if (genre !== undefined && state[slot] === 0 && !model.slotMovies[slot]!.genres.includes(genre)) {
      state[slot] = 2;
      touched.push(slot);
      return true;
    }
    return false;
  };

  const candidates: number[] = [];
  const { neighbourStart, neighbourSlots, neighbourScores } = model;
  for (const r of cfSources(ratings)) {
    const liking = (r.rating - RATING_MIN) / (RATING_MAX - RATING_MIN);
    if (liking <= 0) continue;
    const from = model.slots.get(r.movieId);
    if (from === undefined) continue;
    for (let j = neighbourStart[from]!, end = neighbourStart[from + 1]!; j < end; j++) {
      const t = neighbourSlots[j]!;
      if (state[t] === 2 || (genre !== undefined && excluded(t))) continue;
      const contribution = liking * neighbourScores[j]!;
      if (state[t] === 0) {
        state[t] = 1;
        touched.push(t);
        candidates.push(t);
      }
      cf[t]! += contribution;
      // The reason names the rated movie that contributed most (ties: the lower id), whatever the ratings' order.
      if (contribution > cfBest[t]! || (contribution === cfBest[t] && r.movieId < cfSource[t]!)) {
        cfBest[t] = contribution;
        cfSource[t] = r.movieId;
      }
    }
  }

  const affinity = user ? genreAffinity(user.features) : new Map<string, number>();
  const favourites = [...affinity.entries()].sort((a, b) => b[1] - a[1]).slice(0, FAVOURITE_GENRES);
  const popularLists = options.genre
    ? [model.popularByGenre.get(options.genre) ?? []]
    : [model.popular, ...favourites.map(([g]) => model.popularByGenre.get(g) ?? [])];
  for (const list of popularLists) {
    let taken = 0;
    for (const id of list) {
      if (taken >= POPULAR_CANDIDATES) break;
      const slot = model.slots.get(id);
      if (slot === undefined || excluded(slot)) continue;
      taken++;
      if (state[slot] === 0) {
        state[slot] = 1;
        touched.push(slot);
        candidates.push(slot);
      }
    }
  }

  let maxCf = 0;
  for (const t of candidates) if (cf[t]! > maxCf) maxCf = cf[t]!;
  const count = user?.features.ratingCount ?? 0;
  const ramp = count / (count + BLEND.rampRatings);
  const weights: Record<Signal, number> = {
    cf: maxCf > 0 ? BLEND.cf * ramp : 0,
    genre: affinity.size > 0 ? BLEND.genre * ramp : 0,
    popularity: BLEND.popularity,
  };
  // Affinity by genre number: no lookups by name per candidate.
  const affinityOf = Float64Array.from(model.genreNames, (g) => affinity.get(g) ?? 0);
  const { slotGenreStart, slotGenres } = model;
  /** The number of the slot's best-liked genre, -1 when the user likes none of its genres. */
  const bestGenre = (slot: number): number => {
    let best = -1;
    for (let k = slotGenreStart[slot]!, end = slotGenreStart[slot + 1]!; k < end; k++) {
      const g = slotGenres[k]!;
      if (affinityOf[g]! > (best < 0 ? 0 : affinityOf[best]!)) best = g;
    }
    return best;
  };
  const cfPart = (slot: number) => (maxCf > 0 ? (weights.cf * cf[slot]!) / maxCf : 0);
  const genrePart = (slot: number) => {
    const g = bestGenre(slot);
    return g < 0 ? 0 : weights.genre * affinityOf[g]!;
  };
  const popularityPart = (slot: number) => weights.popularity * model.slotPopularity[slot]!;

  // The best `limit`, best first; ties by movie id.
  const bestSlots: number[] = [];
  const bestScores: number[] = [];
  const before = (score: number, slot: number, i: number) =>
    score > bestScores[i]! || (score === bestScores[i] && model.slotMovies[slot]!.movieId < model.slotMovies[bestSlots[i]!]!.movieId);
  for (const slot of candidates) {
    const score = cfPart(slot) + genrePart(slot) + popularityPart(slot);
    const last = bestSlots.length - 1;
    if (bestSlots.length === options.limit && !before(score, slot, last)) continue;
    let i = bestSlots.length;
    while (i > 0 && before(score, slot, i - 1)) i--;
    bestSlots.splice(i, 0, slot);
    bestScores.splice(i, 0, score);
    if (bestSlots.length > options.limit) {
      bestSlots.pop();
      bestScores.pop();
    }
  }

  const because = options.explain ? contributors(model, ratings, bestSlots, maxCf > 0 ? weights.cf / maxCf : 0) : undefined;
  return bestSlots.map((slot, i) => {
    const p: Record<Signal, number> = { cf: cfPart(slot), genre: genrePart(slot), popularity: popularityPart(slot) };
    const g = bestGenre(slot);
    const genre = g < 0 ? undefined : model.genreNames[g];
    const top = (Object.keys(p) as Signal[]).reduce((a, b) => (p[b] > p[a] ? b : a));
    const reason =
      top === 'cf'
        ? `similar to ${titleOf(model, cfSource[slot]!)}`
        : top === 'genre'
          ? `because you like ${genre}`
          : options.genre
            ? `popular in ${options.genre}`
            : genre
              ? `popular in ${genre}`
              : 'popular overall';
    const recommendation = item(model.slotMovies[slot]!, bestScores[i]!, reason);
    if (!because) return recommendation;
    return {
      ...recommendation,
      explain: { collaborative: round4(p.cf), genre: round4(p.genre), popularity: round4(p.popularity), because: because[i]! },
    };
  });
}

/**
 * For each chosen slot, the rated movies whose neighbour lists hold it, by their share of the
 * collaborative part (`scale` turns a raw sum into that part). One more pass over the sources'
 * lists, made only when an explanation is asked for.
 */
function contributors(model: ModelIndex, ratings: readonly RatingEvent[], chosen: readonly number[], scale: number): ScoreParts['because'][] {
  const place = new Map(chosen.map((slot, i) => [slot, i]));
  const found: ScoreParts['because'][] = chosen.map(() => []);
  if (scale === 0) return found;
  const { neighbourStart, neighbourSlots, neighbourScores } = model;
  for (const r of cfSources(ratings)) {
    const liking = (r.rating - RATING_MIN) / (RATING_MAX - RATING_MIN);
    const from = model.slots.get(r.movieId);
    if (liking <= 0 || from === undefined) continue;
    for (let j = neighbourStart[from]!, end = neighbourStart[from + 1]!; j < end; j++) {
      const i = place.get(neighbourSlots[j]!);
      if (i === undefined) continue;
      found[i]!.push({ movieId: r.movieId, title: titleOf(model, r.movieId), rating: r.rating, contribution: scale * liking * neighbourScores[j]! });
    }
  }
  return found.map((list) =>
    list
      .sort((a, b) => b.contribution - a.contribution || a.movieId - b.movieId)
      .slice(0, EXPLAINED_SOURCES)
      .map((c) => ({ ...c, contribution: round4(c.contribution) })),
  );
}

/** The ratings whose neighbours are candidates: a heavy rater's latest CF_SOURCES. */
function cfSources(ratings: readonly RatingEvent[]): readonly RatingEvent[] {
  if (ratings.length <= CF_SOURCES) return ratings;
  // A store that reads them latest first spares the sort.
  const sorted = ratings.every((r, i) => i === 0 || latestFirst(ratings[i - 1]!, r) <= 0);
  return (sorted ? ratings : [...ratings].sort(latestFirst)).slice(0, CF_SOURCES);
}

/**
 * The model alone: movies ranked by the sum of their similarities to the movies a user rated
 * (every rating counts as a signal of interest), rated ones excluded. Offline evaluation scores this.
 */
export function rankByNeighbours(model: ModelIndex, rated: ReadonlySet<number>, limit: number): number[] {
  const scores = new Map<number, number>();
  for (const id of rated) {
    for (const n of model.neighbours.get(id) ?? []) {
      if (!rated.has(n.movieId)) scores.set(n.movieId, (scores.get(n.movieId) ?? 0) + n.score);
    }
  }
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit)
    .map(([id]) => id);
}

/** The most rated movies the user has not rated: the baseline the model is measured against. */
export function rankByPopularity(model: ModelIndex, rated: ReadonlySet<number>, limit: number): number[] {
  const out: number[] = [];
  for (const id of model.popular) {
    if (out.length === limit) break;
    if (!rated.has(id)) out.push(id);
  }
  return out;
}

/** Neighbours of a movie; undefined when the movie is not in the catalog. */
export function similarMovies(model: ModelIndex, movieId: number, limit: number): Recommendation[] | undefined {
  const source = model.movies.get(movieId);
  if (!source) return undefined;
  const items: Recommendation[] = [];
  for (const n of model.neighbours.get(movieId) ?? []) {
    const movie = model.movies.get(n.movieId);
    if (!movie) continue;
    items.push(item(movie, n.score, `similar to ${source.title}`));
    if (items.length === limit) break;
  }
  return items;
}

/**
 * Per genre: the share of the user's ratings in it times how well they liked it, scaled so that
 * the favourite genre scores 1.
 */
export function genreAffinity(features: UserFeatures): Map<string, number> {
  const raw = new Map<string, number>();
  if (features.ratingCount === 0) return raw;
  for (const [genre, { count, sum }] of Object.entries(features.genres)) {
    if (count <= 0) continue;
    const liking = (sum / count - RATING_MIN) / (RATING_MAX - RATING_MIN);
    const value = (count / features.ratingCount) * liking;
    if (value > 0) raw.set(genre, value);
  }
  const max = Math.max(0, ...raw.values());
  for (const [g, v] of raw) raw.set(g, v / max);
  return raw;
}

function titleOf(model: ModelIndex, movieId: number): string {
  return model.movies.get(movieId)?.title ?? `movie ${movieId}`;
}

function item(movie: ModelMovie, score: number, reason: string): Recommendation {
  return { movieId: movie.movieId, title: movie.title, genres: movie.genres, score: round4(score), reason };
}

/** Scores and metrics as the API shows them: 4 decimals. */
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
