/**
 * The recommendation model: catalog entries with popularity, and item-item neighbours. `trainModel`
 * is the one piece of training code; `indexModel` prepares a trained model for serving.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_NEIGHBOUR_PARAMS, itemNeighbours, type Interactions, type Neighbour, type NeighbourParams } from './item-neighbours';
import type { Movie } from './movie';

export interface ModelMovie extends Movie {
  /** Ratings of the movie in the training data: the popularity signal. */
  ratingCount: number;
}

export interface ModelManifest {
  version: string;
  trainedAt: string;
  params: NeighbourParams;
  counts: { ratings: number; users: number; movies: number; moviesWithNeighbours: number };
}

export interface Model {
  manifest: ModelManifest;
  movies: ModelMovie[];
  neighbours: Map<number, Neighbour[]>;
}

export interface TrainingInput {
  interactions: Interactions;
  catalog: readonly Movie[];
  /** Prefix of the version, e.g. the batch date; the rest is a hash of the model's content. */
  label: string;
  trainedAt: Date;
  params?: NeighbourParams;
}

export function trainModel(input: TrainingInput): Model {
  const params = input.params ?? DEFAULT_NEIGHBOUR_PARAMS;
  const counts = new Map<number, number>();
  for (const id of input.interactions.movieIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const movies = [...input.catalog]
    .sort((a, b) => a.movieId - b.movieId)
    .map((m) => ({ ...m, ratingCount: counts.get(m.movieId) ?? 0 }));
  const known = new Set(movies.map((m) => m.movieId));
  const neighbours = itemNeighbours(input.interactions, params);
  // Only catalog movies can be recommended: a neighbour the catalog lacks has no title to show.
  for (const [id, list] of neighbours) {
    if (!known.has(id)) neighbours.delete(id);
    else neighbours.set(id, list.filter((n) => known.has(n.movieId)));
  }

  const hash = createHash('sha256');
  hash.update(JSON.stringify(params));
  for (const m of movies) hash.update(`${m.movieId}\t${m.title}\t${m.genres.join('|')}\t${m.ratingCount}\n`);
  for (const [id, list] of [...neighbours].sort((a, b) => a[0] - b[0])) {
    hash.update(`${id}:${list.map((n) => `${n.movieId}=${n.score}`).join(',')}\n`);
  }
  const version = `${input.label}-${hash.digest('hex').slice(0, 12)}`;

  return {
    manifest: {
      version,
      trainedAt: input.trainedAt.toISOString(),
      params,
      counts: {
        ratings: input.interactions.movieIds.length,
        users: new Set(input.interactions.userIds).size,
        movies: movies.length,
        moviesWithNeighbours: neighbours.size,
      },
    },
    movies,
    neighbours,
  };
}

/** A model arranged for serving: lookups by id and popularity rankings, built once per version. */
export interface ModelIndex {
  version: string;
  movies: ReadonlyMap<number, ModelMovie>;
  neighbours: ReadonlyMap<number, readonly Neighbour[]>;
  /** Movie ids by popularity, most popular first. */
  popular: readonly number[];
  popularByGenre: ReadonlyMap<string, readonly number[]>;
  /** Every genre of the catalog, for validating a genre filter. */
  genres: ReadonlySet<string>;
  /** log(1 + ratings) of the most popular movie: scales popularity to [0, 1]. */
  maxLogCount: number;
}

export function indexModel(model: Model): ModelIndex {
  const popularMovies = model.movies
    .filter((m) => m.ratingCount > 0)
    .sort((a, b) => b.ratingCount - a.ratingCount || a.movieId - b.movieId);
  const popularByGenre = new Map<string, number[]>();
  for (const m of popularMovies) {
    for (const g of m.genres) {
      let list = popularByGenre.get(g);
      if (!list) popularByGenre.set(g, (list = []));
      list.push(m.movieId);
    }
  }
  return {
    version: model.manifest.version,
    movies: new Map(model.movies.map((m) => [m.movieId, m])),
    neighbours: model.neighbours,
    popular: popularMovies.map((m) => m.movieId),
    popularByGenre,
    genres: new Set(model.movies.flatMap((m) => m.genres)),
    maxLogCount: Math.log1p(popularMovies[0]?.ratingCount ?? 0),
  };
}
