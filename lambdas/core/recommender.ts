/**
 * The hybrid ranking the API serves. Three signals, each scaled to [0, 1]:
 * - collaborative: neighbours of the movies the user rated, weighted by how much they liked them;
 * - genre affinity: how much of the user's watching, and how well liked, falls in the movie's genres;
 * - popularity: log of the movie's rating count.
 * Their blend shifts towards popularity the fewer ratings a user has. Every item carries the reason
 * of its largest contribution.
 */
import type { RatingEvent } from './event-contract';
import { RATING_MAX, RATING_MIN } from './event-contract';
import type { UserFeatures } from './features';
import type { ModelIndex, ModelMovie } from './model';

export interface Recommendation {
  movieId: number;
  title: string;
  genres: string[];
  score: number;
  reason: string;
}

export interface UserInput {
  features: UserFeatures;
  ratings: readonly RatingEvent[];
}

export interface RecommendOptions {
  limit: number;
  /** Only movies of this genre (a catalog genre, exact spelling). */
  genre?: string;
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

type Signal = 'cf' | 'genre' | 'popularity';

interface Candidate {
  cf: number;
  cfSource: number;
}

export function recommendForUser(
  model: ModelIndex,
  user: UserInput | undefined,
  options: RecommendOptions,
): Recommendation[] {
  const ratings = user?.ratings ?? [];
  const rated = new Set(ratings.map((r) => r.movieId));
  const eligible = (id: number): boolean => {
    if (rated.has(id)) return false;
    const movie = model.movies.get(id);
    return movie !== undefined && (options.genre === undefined || movie.genres.includes(options.genre));
  };

  const candidates = new Map<number, Candidate>();
  for (const r of ratings) {
    const liking = (r.rating - RATING_MIN) / (RATING_MAX - RATING_MIN);
    if (liking <= 0) continue;
    for (const n of model.neighbours.get(r.movieId) ?? []) {
      if (!eligible(n.movieId)) continue;
      const contribution = liking * n.score;
      const c = candidates.get(n.movieId);
      if (!c) candidates.set(n.movieId, { cf: contribution, cfSource: r.movieId });
      else {
        if (contribution > c.cf) c.cfSource = r.movieId;
        c.cf += contribution;
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
      if (!eligible(id)) continue;
      taken++;
      if (!candidates.has(id)) candidates.set(id, { cf: 0, cfSource: 0 });
    }
  }

  const maxCf = Math.max(0, ...[...candidates.values()].map((c) => c.cf));
  const ramp = ratings.length / (ratings.length + BLEND.rampRatings);
  const weights: Record<Signal, number> = {
    cf: maxCf > 0 ? BLEND.cf * ramp : 0,
    genre: affinity.size > 0 ? BLEND.genre * ramp : 0,
    popularity: BLEND.popularity,
  };

  const scored = [...candidates.entries()].map(([id, c]) => {
    const movie = model.movies.get(id)!;
    const [genre, genreScore] = bestGenre(movie, affinity);
    const parts: Record<Signal, number> = {
      cf: maxCf > 0 ? (weights.cf * c.cf) / maxCf : 0,
      genre: weights.genre * genreScore,
      popularity: weights.popularity * popularity(model, movie),
    };
    const top = (Object.keys(parts) as Signal[]).reduce((a, b) => (parts[b] > parts[a] ? b : a));
    const reason =
      top === 'cf'
        ? `similar to ${titleOf(model, c.cfSource)}`
        : top === 'genre'
          ? `because you like ${genre}`
          : options.genre
            ? `popular in ${options.genre}`
            : genre && genreScore > 0
              ? `popular in ${genre}`
              : 'popular overall';
    return { movie, score: parts.cf + parts.genre + parts.popularity, reason };
  });

  scored.sort((a, b) => b.score - a.score || a.movie.movieId - b.movie.movieId);
  return scored.slice(0, options.limit).map(({ movie, score, reason }) => item(movie, score, reason));
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

function bestGenre(movie: ModelMovie, affinity: ReadonlyMap<string, number>): [string | undefined, number] {
  let best: string | undefined;
  let score = 0;
  for (const g of movie.genres) {
    const a = affinity.get(g) ?? 0;
    if (a > score) [best, score] = [g, a];
  }
  return [best, score];
}

function popularity(model: ModelIndex, movie: ModelMovie): number {
  return model.maxLogCount > 0 ? Math.log1p(movie.ratingCount) / model.maxLogCount : 0;
}

function titleOf(model: ModelIndex, movieId: number): string {
  return model.movies.get(movieId)?.title ?? `movie ${movieId}`;
}

function item(movie: ModelMovie, score: number, reason: string): Recommendation {
  return { movieId: movie.movieId, title: movie.title, genres: movie.genres, score: Math.round(score * 1e4) / 1e4, reason };
}
