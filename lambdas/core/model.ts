/**
 * The recommendation model (gold): catalog entries with their rating counts, item-item weights
 * (dense among the head movies, neighbour lists for the others), and popularity rankings overall
 * and per genre. `trainModel` is the one piece of training code, used by the daily batch;
 * `indexModel` prepares a trained model for serving.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_NEIGHBOUR_PARAMS,
  itemWeights,
  type HeadWeights,
  type Interactions,
  type Neighbour,
  type NeighbourParams,
} from './item-neighbours';
import { CollaborativeSums } from './collaborative-sums';
import type { ModelMeasure } from './model-measure';
import type { Movie } from './movie';
import { SlotTable } from './slot-table';

export interface ModelMovie extends Movie {
  /** Ratings of the movie in the training data: the popularity signal. */
  ratingCount: number;
}

/** Everything here is a function of the training data: a re-run of a date gives the same bytes. */
export interface ModelManifest {
  /** `<date>-<first 12 hex digits of the content hash>`. */
  version: string;
  /** The batch date of the model: its catalog, rating counts and popularity are of this date's silver. */
  date: string;
  /**
   * The date whose silver trained the item weights: `date` on a training day, the last training
   * day on the days between (training-schedule.ts). Absent from models written before the batch
   * refreshed models between trainings: those were all trained on their date.
   */
  trainedOn?: string;
  /** `ease-head+rp3beta-tail`, or `item-knn-<similarity>` for the walks alone. */
  algorithm: string;
  params: NeighbourParams;
  /** `headMovies` of them have dense EASE weights, the rest of `moviesWithNeighbours` neighbour lists. */
  counts: { ratings: number; users: number; movies: number; headMovies: number; moviesWithNeighbours: number };
  /** The daily batch's measure of the model, on its holdout: what the quality gate compares. */
  evaluation?: ModelMeasure;
}

export interface Model {
  manifest: ModelManifest;
  movies: ModelMovie[];
  /** Dense weights among the head movies of the catalog. */
  head: HeadWeights;
  /** Neighbour lists of the other movies, strongest first. */
  neighbours: Map<number, Neighbour[]>;
  /** Rated movie ids by rating count, most popular first (ties by id). */
  popular: number[];
  popularByGenre: Map<string, number[]>;
}

/** The batch date a version was trained for (versions are `<date>-<hash>`). */
export function versionDate(version: string): string {
  return version.slice(0, 10);
}

export interface TrainingInput {
  interactions: Interactions;
  catalog: readonly Movie[];
  date: string;
  params?: NeighbourParams;
}

export function trainModel(input: TrainingInput): Model {
  const params = input.params ?? DEFAULT_NEIGHBOUR_PARAMS;
  const ratingCounts = new Map<number, number>();
  for (const id of input.interactions.movieIds) ratingCounts.set(id, (ratingCounts.get(id) ?? 0) + 1);
  return assembleModel({
    date: input.date,
    trainedOn: input.date,
    params,
    weights: itemWeights(input.interactions, params),
    catalog: input.catalog,
    ratingCounts,
    users: new Set(input.interactions.userIds).size,
  });
}

/** The date whose silver trained a model's item weights. */
export function trainedOn(manifest: ModelManifest): string {
  return manifest.trainedOn ?? manifest.date;
}

/** A day's catalog and silver rating counts, for a model that takes its weights from an earlier training. */
export interface RefreshInput {
  catalog: readonly Movie[];
  /** Ratings per movie in the date's silver, any movie rated (the silver movie features' counts). */
  ratingCounts: ReadonlyMap<number, number>;
  /** Users with ratings in the date's silver. */
  users: number;
  date: string;
}

/**
 * The model of a day between trainings: the item weights of `trained` (and its measure, which
 * judged them), with the day's catalog, rating counts and popularity. A movie new to the catalog
 * since the training has no weights yet, but popularity ranks it.
 */
export function refreshModel(trained: Model, input: RefreshInput): Model {
  const model = assembleModel({
    date: input.date,
    trainedOn: trainedOn(trained.manifest),
    params: trained.manifest.params,
    weights: { head: trained.head, neighbours: new Map(trained.neighbours) },
    catalog: input.catalog,
    ratingCounts: input.ratingCounts,
    users: input.users,
  });
  const { evaluation } = trained.manifest;
  return evaluation ? { ...model, manifest: { ...model.manifest, evaluation } } : model;
}

interface ModelParts {
  date: string;
  trainedOn: string;
  params: NeighbourParams;
  /** Taken over: the neighbour map is changed in place. */
  weights: { head: HeadWeights; neighbours: Map<number, Neighbour[]> };
  catalog: readonly Movie[];
  ratingCounts: ReadonlyMap<number, number>;
  users: number;
}

function assembleModel(parts: ModelParts): Model {
  const { params, weights } = parts;
  const movies = [...parts.catalog]
    .sort((a, b) => a.movieId - b.movieId)
    .map((m) => ({ ...m, ratingCount: parts.ratingCounts.get(m.movieId) ?? 0 }));
  const known = new Set(movies.map((m) => m.movieId));
  // Only catalog movies can be recommended: a neighbour the catalog lacks has no title to show.
  const head = catalogHead(weights.head, known);
  const { neighbours } = weights;
  for (const [id, list] of neighbours) {
    const kept = known.has(id) ? list.filter((n) => known.has(n.movieId)) : [];
    if (kept.length === 0) neighbours.delete(id);
    else if (kept.length !== list.length) neighbours.set(id, kept);
  }
  const { popular, popularByGenre } = popularity(movies);
  let ratings = 0;
  for (const n of parts.ratingCounts.values()) ratings += n;

  const hash = createHash('sha256');
  hash.update(JSON.stringify(params));
  for (const m of movies) hash.update(`${m.movieId}\t${m.title}\t${m.genres.join('|')}\t${m.ratingCount}\n`);
  hash.update(new Uint8Array(head.movieIds.buffer, head.movieIds.byteOffset, head.movieIds.byteLength));
  hash.update(new Uint8Array(head.weights.buffer, head.weights.byteOffset, head.weights.byteLength));
  for (const [id, list] of [...neighbours].sort((a, b) => a[0] - b[0])) {
    hash.update(`${id}:${list.map((n) => `${n.movieId}=${n.score}`).join(',')}\n`);
  }

  return {
    manifest: {
      version: `${parts.date}-${hash.digest('hex').slice(0, 12)}`,
      date: parts.date,
      trainedOn: parts.trainedOn,
      algorithm: params.similarity === 'ease' ? 'ease-head+rp3beta-tail' : `item-knn-${params.similarity}`,
      params,
      counts: {
        ratings,
        users: parts.users,
        movies: movies.length,
        headMovies: head.movieIds.length,
        moviesWithNeighbours: head.movieIds.length + neighbours.size,
      },
    },
    movies,
    head,
    neighbours,
    popular,
    popularByGenre,
  };
}

/** The head without the movies the catalog lacks: their rows and columns taken out. */
function catalogHead(head: HeadWeights, known: ReadonlySet<number>): HeadWeights {
  const n = head.movieIds.length;
  const kept = [...head.movieIds.keys()].filter((h) => known.has(head.movieIds[h]!));
  if (kept.length === n) return head;
  const m = kept.length;
  const weights = new Float32Array(m * m);
  kept.forEach((s, a) => kept.forEach((t, b) => (weights[a * m + b] = head.weights[s * n + t]!)));
  return { movieIds: Int32Array.from(kept, (h) => head.movieIds[h]!), weights };
}

function popularity(movies: readonly ModelMovie[]): { popular: number[]; popularByGenre: Map<string, number[]> } {
  const ranked = movies
    .filter((m) => m.ratingCount > 0)
    .sort((a, b) => b.ratingCount - a.ratingCount || a.movieId - b.movieId);
  const popularByGenre = new Map<string, number[]>();
  for (const m of ranked) {
    for (const g of m.genres) {
      let list = popularByGenre.get(g);
      if (!list) popularByGenre.set(g, (list = []));
      list.push(m.movieId);
    }
  }
  return { popular: ranked.map((m) => m.movieId), popularByGenre };
}

/** A model arranged for serving: lookups by id, built once per version. */
export interface ModelIndex {
  version: string;
  movies: ReadonlyMap<number, ModelMovie>;
  /**
   * Every catalog movie has a dense slot: the movie in slot s is `slotMovies[s]`. The head movies
   * hold the first `headSize` slots, in head order, so that a head movie's weights towards the
   * others are the contiguous row `collaborative.weights[s * headSize, (s + 1) * headSize)`. The other
   * movies' neighbours, by slot, are at [neighbourStart[s], neighbourStart[s + 1]) of
   * `neighbourSlots` and `neighbourScores` (an empty range for a head movie).
   */
  slots: SlotTable;
  slotMovies: readonly ModelMovie[];
  headSize: number;
  /**
   * Holds the head's weights and the other movies' lists, and adds a request's sources into
   * `scratch.cf`: the neighbour arrays below, and the scratch's `state` and `cf`, are views of its memory.
   */
  collaborative: CollaborativeSums;
  neighbourStart: Int32Array;
  neighbourSlots: Int32Array;
  neighbourScores: Float64Array;
  /** Popularity of the movie in each slot, scaled to [0, 1]. */
  slotPopularity: Float64Array;
  /** The catalog's genres by number, and each slot's genre numbers at [slotGenreStart[s], slotGenreStart[s + 1]). */
  genreNames: readonly string[];
  slotGenreStart: Int32Array;
  slotGenres: Int32Array;
  /**
   * Per-slot working memory of a recommendation, zero between calls: requests are synchronous,
   * so one set serves them all and a request allocates nothing in proportion to the catalog.
   */
  scratch: {
    state: Uint8Array;
    cf: Float64Array;
    place: Int32Array;
    /** The request's candidates so far, and the slots outside the head whose state or sum it set: written from the start by each request. */
    list: Int32Array;
    touched: Int32Array;
  };
  popular: readonly number[];
  popularByGenre: ReadonlyMap<string, readonly number[]>;
  /** The same rankings as slots (movies without one left out): a request takes candidates from them without a lookup each. */
  popularSlots: Int32Array;
  popularSlotsByGenre: ReadonlyMap<string, Int32Array>;
  /** Every genre of the catalog, for validating a genre filter. */
  genres: ReadonlySet<string>;
}

export function indexModel(model: Model): ModelIndex {
  const movies = new Map(model.movies.map((m) => [m.movieId, m]));
  const top = model.popular[0];
  const inHead = new Set(model.head.movieIds);
  const slotMovies = [...Array.from(model.head.movieIds, (id) => movies.get(id)!), ...model.movies.filter((m) => !inHead.has(m.movieId))];
  const slots = new SlotTable(slotMovies.map((m) => m.movieId));
  // Each list's neighbours in the catalog, each once: the kernels bound a list's hits by it.
  const lastList = new Int32Array(slotMovies.length).fill(-1);
  const lists = slotMovies.map((m, i) =>
    (model.neighbours.get(m.movieId) ?? []).filter((n) => {
      const slot = slots.get(n.movieId);
      if (slot < 0 || lastList[slot] === i) return false;
      lastList[slot] = i;
      return true;
    }),
  );
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  const collaborative = new CollaborativeSums(model.head.weights, model.head.movieIds.length, slotMovies.length, total);
  const { listStart, listSlots, listScores } = collaborative;
  let entry = 0;
  lists.forEach((list, i) => {
    listStart[i] = entry;
    for (const n of list) {
      listSlots[entry] = slots.get(n.movieId);
      listScores[entry++] = n.score;
    }
  });
  listStart[slotMovies.length] = entry;
  const maxLogCount = Math.log1p(top === undefined ? 0 : (movies.get(top)?.ratingCount ?? 0));
  const genreNames = [...new Set(slotMovies.flatMap((m) => m.genres))].sort();
  const genreNumber = new Map(genreNames.map((g, i) => [g, i]));
  const slotGenreStart = new Int32Array(slotMovies.length + 1);
  slotMovies.forEach((m, i) => (slotGenreStart[i + 1] = slotGenreStart[i]! + m.genres.length));
  const slotGenres = Int32Array.from(slotMovies.flatMap((m) => m.genres.map((g) => genreNumber.get(g)!)));
  return {
    version: model.manifest.version,
    movies,
    slots,
    slotMovies,
    headSize: model.head.movieIds.length,
    collaborative,
    neighbourStart: listStart,
    neighbourSlots: listSlots,
    neighbourScores: listScores,
    genreNames,
    slotGenreStart,
    slotGenres,
    slotPopularity: Float64Array.from(slotMovies, (m) => (maxLogCount > 0 ? Math.log1p(m.ratingCount) / maxLogCount : 0)),
    scratch: {
      state: collaborative.state,
      cf: collaborative.sums,
      place: collaborative.place,
      list: new Int32Array(slotMovies.length),
      touched: new Int32Array(slotMovies.length),
    },
    popular: model.popular,
    popularByGenre: model.popularByGenre,
    popularSlots: slotsOf(model.popular),
    popularSlotsByGenre: new Map([...model.popularByGenre].map(([genre, ids]) => [genre, slotsOf(ids)])),
    genres: new Set(genreNames),
  };

  function slotsOf(ids: readonly number[]): Int32Array {
    return Int32Array.from(ids.map((id) => slots.get(id)).filter((slot) => slot >= 0));
  }
}
