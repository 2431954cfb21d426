/**
 * The offline measure of a model, as `npm run evaluate` and the daily batch take it: a model trained
 * on a split's train ratings, each measured user known by their train ratings as the consumer would
 * have them, and three rankers scored on the movies held out: the model alone (its collaborative
 * sum), the hybrid blend the API serves, and the most rated movies. Metrics at 10.
 */
import { latestFirst, type RatingEvent } from './event-contract';
import { evaluate, type EvaluationResult } from './evaluation';
import { applyRatings } from './features';
import type { NeighbourParams } from './item-neighbours';
import { heldOutRatings, type Split, type SilverRatings } from './holdout';
import { indexModel, trainModel, type ModelIndex, type ModelManifest } from './model';
import type { Movie } from './movie';
import { rankByCollaborative, rankByPopularity, recommendForUser, round4, type UserInput } from './recommender';

export const MEASURE_K = 10;

export interface RankerScores {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Share of the training catalog recommended to anyone. */
  coverage: number;
}

export type Ranker = 'model' | 'hybrid' | 'popularity';

export interface ModelMeasure {
  /** What was held out, in words. */
  protocol: string;
  /** Users whose held-out movies were ranked. */
  users: number;
  trainRatings: number;
  testRatings: number;
  k: number;
  model: RankerScores;
  hybrid: RankerScores;
  popularity: RankerScores;
}

/** A model trained on a split, with what the measure needs to score more subsets of its users. */
export interface TrainedOnSplit {
  manifest: ModelManifest;
  index: ModelIndex;
  /** The measured users as the recommender knows them: features and ratings from their train ratings. */
  profiles: Map<number, UserInput>;
  /** The catalog's genres by movie id, as profiles are built with them. */
  genres: ReadonlyMap<number, readonly string[]>;
  catalogSize: number;
  trainSeconds: number;
}

export function trainOnSplit(split: Split, catalog: readonly Movie[], params?: NeighbourParams): TrainedOnSplit {
  const started = performance.now();
  const model = trainModel({ interactions: split.train, catalog, date: 'measure', ...(params ? { params } : {}) });
  const trainSeconds = (performance.now() - started) / 1000;
  const genres = new Map(catalog.map((m) => [m.movieId, m.genres]));
  return {
    manifest: model.manifest,
    index: indexModel(model),
    profiles: userProfiles(ratingsOf(split.train, new Set(split.test.keys())), genres),
    genres,
    catalogSize: new Set(split.train.movieIds).size,
    trainSeconds,
  };
}

/** The three rankers' metrics over the split's users (or those `users` keeps), each known by `profiles`. */
export function scoreRankers(
  trained: TrainedOnSplit,
  test: ReadonlyMap<number, ReadonlySet<number>>,
  profiles: ReadonlyMap<number, UserInput> = trained.profiles,
  users?: (userId: number) => boolean,
): Record<Ranker, EvaluationResult> {
  const { index } = trained;
  const ratings = (userId: number) => profiles.get(userId)?.ratings ?? [];
  const rankers: Record<Ranker, (userId: number) => number[]> = {
    model: (userId) => rankByCollaborative(index, ratings(userId), MEASURE_K),
    hybrid: (userId) => recommendForUser(index, profiles.get(userId), { limit: MEASURE_K }).map((r) => r.movieId),
    popularity: (userId) => rankByPopularity(index, new Set(ratings(userId).map((r) => r.movieId)), MEASURE_K),
  };
  const options = { k: MEASURE_K, catalogSize: trained.catalogSize, ...(users ? { users } : {}) };
  return {
    model: evaluate(test, rankers.model, options),
    hybrid: evaluate(test, rankers.hybrid, options),
    popularity: evaluate(test, rankers.popularity, options),
  };
}

/**
 * The measure of the model the batch trains, on a split of its silver ratings; undefined when
 * nobody can be measured. A function of the split alone: a re-run gives the same figures.
 */
export function measureModel(split: Split, catalog: readonly Movie[], params?: NeighbourParams): ModelMeasure | undefined {
  if (split.test.size === 0) return undefined;
  const trained = trainOnSplit(split, catalog, params);
  const results = scoreRankers(trained, split.test);
  return {
    protocol: split.protocol,
    users: results.model.users,
    trainRatings: split.train.userIds.length,
    testRatings: heldOutRatings(split),
    k: MEASURE_K,
    model: rounded(results.model),
    hybrid: rounded(results.hybrid),
    popularity: rounded(results.popularity),
  };
}

export function rounded(r: EvaluationResult): RankerScores {
  return { precision: round4(r.precision), recall: round4(r.recall), ndcg: round4(r.ndcg), map: round4(r.map), coverage: round4(r.coverage) };
}

/** The train ratings of the given users, as events. */
export function ratingsOf(data: SilverRatings, users: ReadonlySet<number>): RatingEvent[] {
  const out: RatingEvent[] = [];
  for (let i = 0; i < data.userIds.length; i++) {
    const userId = data.userIds[i]!;
    if (!users.has(userId)) continue;
    out.push({ eventId: `measure-${userId}-${data.movieIds[i]}`, userId, movieId: data.movieIds[i]!, rating: data.ratings[i]!, eventTime: data.eventTimes[i]! });
  }
  return out;
}

/** The online features each user would have from these ratings, as the consumer computes them, with their ratings newest first. */
export function userProfiles(events: readonly RatingEvent[], genres: ReadonlyMap<number, readonly string[]>): Map<number, UserInput> {
  const { changes } = applyRatings({ users: new Map(), ratings: new Map(), genres, global: { ratingCount: 0, ratingSum: 0 } }, events, 0);
  const ratings = new Map<number, RatingEvent[]>(changes.users.map((u) => [u.userId, []]));
  for (const r of changes.ratings) ratings.get(r.userId)!.push(r);
  for (const list of ratings.values()) list.sort(latestFirst);
  return new Map(changes.users.map((u) => [u.userId, { features: u, ratings: ratings.get(u.userId)! }]));
}
