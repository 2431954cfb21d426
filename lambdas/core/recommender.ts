/**
 * The hybrid ranking the API serves. Three signals:
 * - collaborative: the model's weights from the movies the user rated towards each candidate,
 *   each rated movie counted by how much they liked it; scaled so that the best candidate scores
 *   1, and negative where the user's ratings speak against a movie;
 * - genre affinity: how much of the user's watching, and how well liked, falls in the movie's
 *   genres, from 0 to 1;
 * - popularity: log of the movie's rating count, from 0 to 1.
 * Their blend shifts towards popularity the fewer ratings a user has. Every item carries the reason
 * of its largest part, naming a rated movie only when that movie brings a real share of the score.
 */
import type { RatingEvent } from './event-contract';
import { RATING_MAX, RATING_MIN } from './event-contract';
import type { RankingFeatures } from './features';
import type { ModelIndex, ModelMovie } from './model';
import { TopN } from './top-n';

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

/** A rating as ranking reads it: which movie, and how well liked. */
export type SourceRating = Pick<RatingEvent, 'movieId' | 'rating'>;

export interface UserInput {
  features: RankingFeatures;
  /**
   * The user's latest ratings, newest first (`latestFirst`): the config's `cfSources` first ones
   * are the collaborative sources, so a store need read no more.
   */
  ratings: readonly SourceRating[];
}

export interface RecommendOptions {
  limit: number;
  /** Only movies of this genre (a catalog genre, exact spelling). */
  genre?: string;
  /** Add each item's score parts. */
  explain?: boolean;
}

/** The ranker's parameters, passed in with each request (DEFAULT_RANKER unless a caller tunes them). */
export interface RankerConfig {
  /**
   * Blend weights of the three signals. `cf` and `genre` ramp up with the user's rating count n as
   * n / (n + rampRatings), so that a user's first ratings change their list at once.
   */
  blend: { cf: number; genre: number; popularity: number; rampRatings: number };
  /**
   * How much a rated movie's weights count, from its rating: 1 - liking + liking * l, with l from 0
   * (the lowest rating) to 1 (the highest).
   */
  liking: number;
  /** Ratings whose weights a request adds, at most: bounds a heavy rater's latency. */
  cfSources: number;
  /** A reason names the rated movie that contributed most only when it brings this share of the score. */
  namedSourceShare: number;
  /** Popular movies considered as candidates, overall and per favourite genre. */
  popularCandidates: number;
  favouriteGenres: number;
  /** Rated movies an explanation names, at most. */
  explainedSources: number;
}

/**
 * Weighing popularity more for users with few ratings scores better offline for them (see the
 * README's evaluation) but leaves a new user's list nearly unchanged by their first ratings. A
 * rating is a sign of interest whatever its value (the model learns who watches what), and a better
 * liked movie a stronger one: hence a liking of 0.75, not 1.
 */
export const DEFAULT_RANKER: RankerConfig = {
  blend: { cf: 0.8, genre: 0.1, popularity: 0.1, rampRatings: 1 },
  liking: 0.75,
  cfSources: 1000,
  namedSourceShare: 0.25,
  popularCandidates: 200,
  favouriteGenres: 3,
  explainedSources: 3,
};

/** What a slot is to the request under way (model.scratch.state). */
const SlotState = {
  free: 0,
  candidate: 1,
  /** Rated, or outside the asked genre: never recommended. */
  excluded: 2,
} as const;

type Signal = 'cf' | 'genre' | 'popularity';

/**
 * Scores every candidate with numbers only (typed arrays: a heavy rater's candidates are most of
 * the catalog), keeps the best `limit`, and writes reasons for those alone.
 */
export function recommendForUser(
  model: ModelIndex,
  user: UserInput | undefined,
  options: RecommendOptions,
  config: RankerConfig = DEFAULT_RANKER,
): Recommendation[] {
  const page = new UserRanking(model, user, options.genre, config).top(options.limit);
  return page.recommend(page.movieIds, options.explain ?? false);
}

/**
 * The model alone: movies ranked by their collaborative score, the same sum the blend scales
 * (rated movies excluded). Offline evaluation scores this as "model".
 */
export function rankByCollaborative(model: ModelIndex, ratings: readonly SourceRating[], limit: number, config: RankerConfig = DEFAULT_RANKER): number[] {
  const { slots, cf } = new Candidates(model, config, ratings, undefined, []);
  return Array.from(slots.keys())
    .sort((a, b) => cf[b]! - cf[a]! || model.slotMovies[slots[a]!]!.movieId - model.slotMovies[slots[b]!]!.movieId)
    .slice(0, limit)
    .map((i) => model.slotMovies[slots[i]!]!.movieId);
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

/**
 * One user's ranking, whose collaborative sums are added once: a heavy rater's request ranks again
 * after each lookup of movies rated before their latest ratings, and explains only the items it
 * returns. It owns its numbers, so it may be held across those lookups while other requests use
 * the model's scratch memory.
 */
export class UserRanking {
  private readonly candidates: Candidates;
  private readonly affinity: ReadonlyMap<string, number>;

  constructor(
    private readonly model: ModelIndex,
    private readonly user: UserInput | undefined,
    private readonly genre: string | undefined,
    private readonly config: RankerConfig = DEFAULT_RANKER,
  ) {
    this.affinity = user ? genreAffinity(user.features) : new Map<string, number>();
    const popular = popularLists(model, config, this.affinity, genre);
    this.candidates = new Candidates(model, config, user?.ratings ?? [], genre, popular);
  }

  /** The best `limit` candidates not excluded, best first; ties by movie id. */
  top(limit: number): RankedPage {
    const { model, candidates } = this;
    const split = new ScoreSplit(model, this.config, candidates, this.user, this.affinity);
    const best = new TopN(limit);
    const { slots, dropped } = candidates;
    let floor = best.floor;
    for (let i = 0; i < slots.length; i++) {
      // Most candidates cannot reach the page even with the best genre part: their genres go unread.
      if (dropped[i] || split.bound(i) < floor) continue;
      best.offer(i, split.score(i), model.slotMovies[slots[i]!]!.movieId);
      floor = best.floor;
    }
    return new RankedPage(model, this.config, this.genre, candidates, split, best.items);
  }

  /** Movies never to rank again: found rated after all. */
  exclude(movieIds: Iterable<number>): void {
    this.candidates.drop(movieIds);
  }
}

/** One ranking's best candidates, scored on the scale of the candidates it ranked. */
class RankedPage {
  readonly movieIds: readonly number[];
  /** Each movie's candidate number. */
  private readonly chosen: Map<number, number>;

  constructor(
    private readonly model: ModelIndex,
    private readonly config: RankerConfig,
    private readonly genre: string | undefined,
    private readonly candidates: Candidates,
    private readonly split: ScoreSplit,
    best: readonly number[],
  ) {
    this.chosen = new Map(best.map((i) => [model.slotMovies[candidates.slots[i]!]!.movieId, i]));
    this.movieIds = [...this.chosen.keys()];
  }

  /** The items for `movieIds`, this page's in its order or a part of them, each with its reason. */
  recommend(movieIds: readonly number[], explain: boolean): Recommendation[] {
    const { model, config, split, candidates } = this;
    const at = movieIds.map((id) => {
      const i = this.chosen.get(id);
      if (i === undefined) throw new Error(`movie ${id} is not on this page`);
      return i;
    });
    // A reason names one source at most: only an explanation lists more.
    const named = explain ? config.explainedSources : 1;
    const sources = contributions(candidates, named, at.map((i) => candidates.slots[i]!), split.cfScale);
    return at.map((i, n) => {
      const p = split.of(i);
      const score = p.cf + p.genre + p.popularity;
      const slot = candidates.slots[i]!;
      const why = reason(model, config, p, sources[n]!, score, this.genre, split.bestGenre(slot));
      const recommendation = item(model.slotMovies[slot]!, score, why);
      if (!explain) return recommendation;
      return {
        ...recommendation,
        explain: {
          collaborative: round4(p.cf),
          genre: round4(p.genre),
          popularity: round4(p.popularity),
          because: sources[n]!.top.map((c) => ({ ...c, contribution: round4(c.contribution) })),
        },
      };
    });
  }
}

/**
 * The popular movies offered as candidates besides the collaborative ones: overall and in the
 * user's favourite genres, or in the genre asked for.
 */
function popularLists(model: ModelIndex, config: RankerConfig, affinity: ReadonlyMap<string, number>, askedGenre: string | undefined): Int32Array[] {
  const none = new Int32Array(0);
  if (askedGenre) return [model.popularSlotsByGenre.get(askedGenre) ?? none];
  const favourites = [...affinity.entries()].sort((a, b) => b[1] - a[1]).slice(0, config.favouriteGenres);
  return [model.popularSlots, ...favourites.map(([g]) => model.popularSlotsByGenre.get(g) ?? none)];
}

/**
 * A user's candidates and their collaborative sums: every slot the sums reach and no exclusion
 * keeps out (the whole head, and the lists' movies), and the popular ones. Added up in the model's
 * scratch memory, then copied out, leaving the scratch zero for the next request.
 */
class Candidates {
  /** The sources' slots and liking weights, for those in the catalog. */
  readonly sourceSlots: Int32Array;
  readonly sourceRatings: readonly SourceRating[];
  readonly sourceWeights: Float64Array;
  /** The candidates' slots and collaborative sums, and those found rated since (1): no longer ranked. */
  readonly slots: Int32Array;
  readonly cf: Float64Array;
  readonly dropped: Uint8Array;
  /** How many slots scratch.list and scratch.touched hold. */
  private listed = 0;
  private touched = 0;

  constructor(
    readonly model: ModelIndex,
    config: RankerConfig,
    ratings: readonly SourceRating[],
    private readonly genre: string | undefined,
    popular: readonly Int32Array[],
  ) {
    const { state, cf, list } = model.scratch;
    const sourceCount = Math.min(ratings.length, config.cfSources);
    const sources: SourceRating[] = [];
    const sourceSlots = new Int32Array(sourceCount);
    const sourceWeights = new Float64Array(sourceCount);
    try {
      // One lookup per rating: every rated movie is excluded, the latest ones are the sources.
      for (let k = 0; k < ratings.length; k++) {
        const r = ratings[k]!;
        const slot = model.slots.get(r.movieId);
        if (slot < 0) continue;
        if (k < sourceCount) {
          sourceSlots[sources.length] = slot;
          sourceWeights[sources.length] = liking(r.rating, config.liking);
          sources.push(r);
        }
        // Exclusions come first: a slot is free here unless rated twice.
        if (state[slot] === SlotState.free) this.mark(slot, SlotState.excluded);
      }
      this.sourceRatings = sources;
      this.sourceSlots = sourceSlots.subarray(0, sources.length);
      this.sourceWeights = sourceWeights.subarray(0, sources.length);
      this.addCollaborative();
      for (const slots of popular) {
        let taken = 0;
        for (let i = 0; i < slots.length && taken < config.popularCandidates; i++) if (this.consider(slots[i]!)) taken++;
      }
      const n = this.listed;
      this.dropped = new Uint8Array(n);
      this.slots = list.slice(0, n);
      this.cf = new Float64Array(n);
      for (let i = 0; i < n; i++) this.cf[i] = cf[list[i]!]!;
    } finally {
      this.release();
    }
  }

  get hasSources(): boolean {
    return this.sourceSlots.length > 0;
  }

  /** Ranks these movies no more. */
  drop(movieIds: Iterable<number>): void {
    const gone = new Set<number>();
    for (const id of movieIds) {
      const slot = this.model.slots.get(id);
      if (slot >= 0) gone.add(slot);
    }
    for (let i = 0; i < this.slots.length; i++) if (gone.has(this.slots[i]!)) this.dropped[i] = 1;
  }

  /** Adds `slot` to the candidates unless excluded or already there; whether it is one now. */
  private consider(slot: number): boolean {
    const state = this.model.scratch.state[slot];
    if (state !== SlotState.free) return state === SlotState.candidate;
    return this.admit(slot);
  }

  /** Makes a slot this request had not marked a candidate, or excluded when outside the asked genre; whether it is a candidate. */
  private admit(slot: number): boolean {
    const excluded = this.genre !== undefined && !this.model.slotMovies[slot]!.genres.includes(this.genre);
    this.mark(slot, excluded ? SlotState.excluded : SlotState.candidate);
    return !excluded;
  }

  /**
   * Records a free slot's state for this request. Only the slots outside the head are remembered to
   * be freed: the head's states and sums are cleared whole.
   */
  private mark(slot: number, state: number): void {
    const { scratch, headSize } = this.model;
    if (slot >= headSize) scratch.touched[this.touched++] = slot;
    scratch.state[slot] = state;
    if (state === SlotState.candidate) scratch.list[this.listed++] = slot;
  }

  private release(): void {
    const { scratch, headSize } = this.model;
    const { state, cf, touched } = scratch;
    cf.fill(0, 0, headSize);
    state.fill(SlotState.free, 0, headSize);
    for (let i = 0; i < this.touched; i++) {
      const slot = touched[i]!;
      state[slot] = SlotState.free;
      cf[slot] = 0;
    }
  }

  /**
   * Each source's weights, by its liking, into cf: a head movie's dense row, another's list, whose
   * movies become candidates (every slot outside the head with a sum is so in `touched`).
   */
  private addCollaborative(): void {
    const { headSize, collaborative, scratch } = this.model;
    const { state } = scratch;
    const { sourceSlots, sourceWeights } = this;
    const rows: number[] = [];
    const rowLikings: number[] = [];
    const lists: number[] = [];
    const listLikings: number[] = [];
    for (let k = 0; k < sourceSlots.length; k++) {
      const s = sourceSlots[k]!;
      if (s < headSize) {
        rows.push(s);
        rowLikings.push(sourceWeights[k]!);
      } else {
        lists.push(s);
        listLikings.push(sourceWeights[k]!);
      }
    }
    // The lists' movies outside the head, as they come; the head's slots are all considered below.
    for (const slot of collaborative.addLists(lists, listLikings, lists.length, SlotState.candidate)) this.admit(slot);
    collaborative.addHead(rows, rowLikings, rows.length);
    if (this.hasSources) for (let t = 0; t < headSize; t++) if (state[t] === SlotState.free) this.consider(t);
  }
}

/** The three parts of a candidate's score, with the request's blend weights; candidates by their number. */
class ScoreSplit {
  /** Turns a collaborative sum into its part of the score. */
  readonly cfScale: number;
  private readonly weights: Record<Signal, number>;
  private readonly affinityOf: Float64Array;
  private readonly maxGenrePart: number;

  constructor(
    private readonly model: ModelIndex,
    config: RankerConfig,
    private readonly candidates: Candidates,
    user: UserInput | undefined,
    affinity: ReadonlyMap<string, number>,
  ) {
    const { cf, dropped } = candidates;
    let maxCf = 0;
    for (let i = 0; i < cf.length; i++) if (!dropped[i] && cf[i]! > maxCf) maxCf = cf[i]!;
    const { blend } = config;
    const ratingCount = user?.features.ratingCount ?? 0;
    const ramp = ratingCount / (ratingCount + blend.rampRatings);
    this.weights = {
      cf: maxCf > 0 && candidates.hasSources ? blend.cf * ramp : 0,
      genre: affinity.size > 0 ? blend.genre * ramp : 0,
      popularity: blend.popularity,
    };
    this.cfScale = maxCf > 0 ? this.weights.cf / maxCf : 0;
    // Affinity by genre number: no lookups by name per candidate.
    this.affinityOf = Float64Array.from(model.genreNames, (g) => affinity.get(g) ?? 0);
    this.maxGenrePart = this.weights.genre * Math.max(0, ...this.affinityOf);
  }

  /** The sum of `of`, without building it. */
  score(i: number): number {
    const slot = this.candidates.slots[i]!;
    const g = this.bestGenre(slot);
    return this.cfPart(i) + (g < 0 ? 0 : this.weights.genre * this.affinityOf[g]!) + this.weights.popularity * this.model.slotPopularity[slot]!;
  }

  /**
   * At least `score(i)`, without reading the candidate's genres: the same sum with the largest
   * genre part any movie could have (floating-point addition keeps the order of its terms' sizes).
   */
  bound(i: number): number {
    return this.cfPart(i) + this.maxGenrePart + this.weights.popularity * this.model.slotPopularity[this.candidates.slots[i]!]!;
  }

  of(i: number): Record<Signal, number> {
    const slot = this.candidates.slots[i]!;
    const g = this.bestGenre(slot);
    return {
      cf: this.cfPart(i),
      genre: g < 0 ? 0 : this.weights.genre * this.affinityOf[g]!,
      popularity: this.weights.popularity * this.model.slotPopularity[slot]!,
    };
  }

  /** At most the weight itself either way: a sum far below zero does not outweigh the rest. */
  private cfPart(i: number): number {
    return Math.max(-this.weights.cf, this.cfScale * this.candidates.cf[i]!);
  }

  /** The number of the slot's best-liked genre, -1 when the user likes none of its genres. */
  bestGenre(slot: number): number {
    const { slotGenreStart, slotGenres } = this.model;
    let best = -1;
    for (let k = slotGenreStart[slot]!, end = slotGenreStart[slot + 1]!; k < end; k++) {
      const g = slotGenres[k]!;
      if (this.affinityOf[g]! > (best < 0 ? 0 : this.affinityOf[best]!)) best = g;
    }
    return best;
  }
}

type Contribution = ScoreParts['because'][number];

/** The rated movies behind a chosen slot's collaborative part: how many raised it, and the largest of them. */
interface Sources {
  raised: number;
  /** At most `named`, largest first (ties: the lower id, whatever the ratings' order). */
  top: Contribution[];
}

/**
 * For each chosen slot, the rated movies that raised its collaborative part, by their share of it
 * (`scale` turns a sum into that part). One more pass over the sources, for the chosen slots only,
 * keeping numbers and the few largest of each.
 */
function contributions(candidates: Candidates, named: number, chosen: readonly number[], scale: number): Sources[] {
  const { model, sourceSlots, sourceWeights, sourceRatings } = candidates;
  const raised = new Int32Array(chosen.length);
  // Per chosen slot, the largest few: source numbers by contribution.
  const best = chosen.map(() => new TopN(named));
  const add = (i: number, k: number, contribution: number) => {
    if (!(contribution > 0)) return;
    raised[i]!++;
    best[i]!.offer(k, contribution, sourceRatings[k]!.movieId);
  };
  if (scale > 0) {
    const { headSize, collaborative } = model;
    const headWeights = collaborative.weights;
    // The chosen slots' places, for the lists' hits; -1 again afterwards.
    const { place } = model.scratch;
    chosen.forEach((slot, i) => (place[slot] = i));
    try {
      // A chosen slot's sources are kept by contribution and movie id alone: the lists' hits may come after the head's.
      const lists: number[] = [];
      const listSources: number[] = [];
      const listLikings: number[] = [];
      for (let k = 0; k < sourceSlots.length; k++) {
        const s = sourceSlots[k]!;
        const liked = scale * sourceWeights[k]!;
        if (s < headSize) {
          for (let i = 0; i < chosen.length; i++) if (chosen[i]! < headSize) add(i, k, liked * headWeights[s * headSize + chosen[i]!]!);
        } else {
          lists.push(s);
          listSources.push(k);
          listLikings.push(liked);
        }
      }
      collaborative.listHits(lists, listLikings, lists.length, chosen.length, (n, i, contribution) => add(i, listSources[n]!, contribution));
    } finally {
      for (const slot of chosen) place[slot] = -1;
    }
  }
  return best.map((b, i) => ({
    raised: raised[i]!,
    top: b.items.map((k, n) => {
      const r = sourceRatings[k]!;
      return { movieId: r.movieId, title: titleOf(model, r.movieId), rating: r.rating, contribution: b.scores[n]! };
    }),
  }));
}

/**
 * The largest part in words. The collaborative one names its main source only if that carries a
 * real share of the score; else it says how many rated movies raised it, none of them decisive.
 */
function reason(
  model: ModelIndex,
  config: RankerConfig,
  p: Record<Signal, number>,
  sources: Sources,
  score: number,
  askedGenre: string | undefined,
  bestGenre: number,
): string {
  const genre = bestGenre < 0 ? undefined : model.genreNames[bestGenre];
  switch (largestPart(p)) {
    case 'cf': {
      const main = sources.top[0];
      if (main && main.contribution >= config.namedSourceShare * score) return `similar to ${main.title}`;
      return `similar to ${sources.raised} movie${sources.raised === 1 ? '' : 's'} you rated`;
    }
    case 'genre':
      return `because you like ${genre}`;
    case 'popularity':
      if (askedGenre) return `popular in ${askedGenre}`;
      return genre ? `popular in ${genre}` : 'popular overall';
  }
}

/** The signal with the largest part; a tie goes to the later of cf, genre, popularity. */
function largestPart(p: Record<Signal, number>): Signal {
  if (p.cf > p.genre && p.cf > p.popularity) return 'cf';
  return p.genre > p.popularity ? 'genre' : 'popularity';
}

/** How much a rated movie's weights count (see RankerConfig.liking). */
function liking(rating: number, weight: number): number {
  return 1 - weight + (weight * (rating - RATING_MIN)) / (RATING_MAX - RATING_MIN);
}

/**
 * The movies most similar to one, by the model's weights from it (positive ones), on a scale where
 * its closest movie scores 1; undefined when the movie is not in the catalog.
 */
export function similarMovies(model: ModelIndex, movieId: number, limit: number): Recommendation[] | undefined {
  const source = model.movies.get(movieId);
  if (!source) return undefined;
  const s = model.slots.get(movieId);
  const { headSize, collaborative, neighbourStart, neighbourSlots, neighbourScores } = model;
  const headWeights = collaborative.weights;
  const scored: { slot: number; weight: number }[] = [];
  if (s < headSize) {
    for (let t = 0; t < headSize; t++) if (t !== s && headWeights[s * headSize + t]! > 0) scored.push({ slot: t, weight: headWeights[s * headSize + t]! });
  } else {
    for (let j = neighbourStart[s]!, end = neighbourStart[s + 1]!; j < end; j++) {
      if (neighbourScores[j]! > 0) scored.push({ slot: neighbourSlots[j]!, weight: neighbourScores[j]! });
    }
  }
  const movieOf = (slot: number) => model.slotMovies[slot]!;
  const best = scored.sort((a, b) => b.weight - a.weight || movieOf(a.slot).movieId - movieOf(b.slot).movieId).slice(0, limit);
  const closest = best[0]?.weight ?? 1;
  return best.map(({ slot, weight }) => item(movieOf(slot), weight / closest, `similar to ${source.title}`));
}

/**
 * Per genre: the share of the user's ratings in it times how well they liked it, scaled so that
 * the favourite genre scores 1.
 */
export function genreAffinity(features: RankingFeatures): Map<string, number> {
  const raw = new Map<string, number>();
  if (features.ratingCount === 0) return raw;
  for (const [genre, { count, sum }] of Object.entries(features.genres)) {
    if (count <= 0) continue;
    const liked = (sum / count - RATING_MIN) / (RATING_MAX - RATING_MIN);
    const value = (count / features.ratingCount) * liked;
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
