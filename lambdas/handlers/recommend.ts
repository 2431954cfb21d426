/**
 * The API's read operations, behind an API Gateway HTTP API (payload format 2.0) and in the local
 * server: recommendations, similar movies and the catalog reads. Each answers where the description
 * (`api-description.ts`) serves it: a user's features and ratings only locally, as the API on AWS is
 * public. Requests are validated by the description; bad input gets a 4xx with a JSON error body.
 * The model is loaded once per version and swapped when the store's version pointer moves.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { indexModel, type ModelIndex } from '../core/model';
import type { FeatureStore, Logger, ModelStore } from '../core/ports';
import { DEFAULT_RANKER, recommendForUser, similarMovies, UserRanking, type RankerConfig, type Recommendation, type RecommendOptions, type UserInput } from '../core/recommender';
import { API } from './api-description';
import { createRouter, truncate, type Params } from './api-router';
import { checkGenre, getMovie, getUser, getUserRatings, searchCatalog } from './catalog-reads';
import { HttpError, json, type HttpResult } from './http-response';

/**
 * For a heavy rater, each ranking is this many times the asked length, and its movies are looked
 * up at once: the model ranks highly what a user has watched, so many of the first are rated.
 */
const UNRATED_WIDTH = 4;
/** Rankings and lookups of a heavy rater's request, at most. */
const UNRATED_ROUNDS = 3;

export interface RecommendDeps {
  features: FeatureStore;
  models: ModelStore;
  logger: Logger;
  /** Where it runs, which decides the operations it answers (`x-served-by`); default `aws`. */
  servedBy?: 'aws' | 'local';
  /** The ranker's parameters; default DEFAULT_RANKER. */
  ranker?: RankerConfig;
}

export type HttpEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'rawQueryString'> & {
  requestContext: { http: { method: string } };
};

/** The operations this handler implements; it answers those the description serves where it runs. */
export const RECOMMEND_OPERATIONS = ['health', 'recommend', 'similar', 'searchMovies', 'getMovie', 'getUser', 'getUserRatings'] as const;
type OperationId = (typeof RECOMMEND_OPERATIONS)[number];
const implemented = new Set<string>(RECOMMEND_OPERATIONS);

export function createRecommendHandler(deps: RecommendDeps): (event: HttpEvent) => Promise<HttpResult> {
  const ranker = deps.ranker ?? DEFAULT_RANKER;
  let current: Promise<ModelIndex | undefined> | undefined;
  let currentVersion: string | undefined;

  const model = async (): Promise<ModelIndex | undefined> => {
    const version = await deps.models.activeVersion();
    if (version !== currentVersion || !current) {
      currentVersion = version;
      current = version === undefined ? Promise.resolve(undefined) : deps.models.load(version).then(indexModel);
      current.catch(() => {
        if (currentVersion === version) current = undefined;
      });
    }
    return current;
  };

  const where = deps.servedBy ?? 'aws';
  const routes = createRouter(API, (op) => implemented.has(op.operationId) && op['x-served-by'].includes(where));
  const operations: Record<OperationId, (params: Params) => Promise<HttpResult>> = {
    health: async () => json(200, { status: 'ok', modelVersion: (await model())?.version ?? null }),
    similar: async (params) => {
      const movieId = params.int('movieId');
      const m = await model();
      const items = m ? similarMovies(m, movieId, params.int('limit')) : undefined;
      if (!items) throw new HttpError(404, `movie ${movieId} is not in the catalog`);
      return json(200, { movieId, title: m!.movies.get(movieId)!.title, modelVersion: m!.version, items });
    },
    recommend: async (params) => {
      const userId = params.int('userId');
      const [m, profile] = await Promise.all([model(), deps.features.getRankingProfile(userId, ranker.cfSources)]);
      const genre = params.text('genre');
      checkGenre(m, genre);
      const options: RecommendOptions = { limit: params.int('limit'), explain: params.flag('explain'), ...(genre === undefined ? {} : { genre }) };
      const items = m ? await recommendUnrated(deps.features, m, profile, options, ranker) : [];
      return json(200, {
        userId,
        coldStart: !profile || profile.features.ratingCount === 0,
        modelVersion: m?.version ?? null,
        items,
      });
    },
    searchMovies: async (params) => searchCatalog(await model(), params),
    getMovie: async (params) => getMovie(deps.features, await model(), params),
    getUser: (params) => getUser(deps.features, params),
    getUserRatings: async (params) => getUserRatings(deps.features, await model(), params),
  };

  return async (event) => {
    try {
      const { operation, params } = routes.match(event.requestContext.http.method, event.rawPath, event.rawQueryString);
      return await operations[operation.operationId as OperationId](params);
    } catch (err) {
      if (err instanceof HttpError) return err.toResult();
      deps.logger.error('request failed', { path: truncate(event.rawPath), error: String(err) });
      return json(503, { error: 'the service is temporarily unavailable; retry later' });
    }
  };
}

/**
 * A heavy rater's profile holds only their latest ratings: movies rated before those are found by
 * lookup among a longer ranking, excluded, and the rest ranked again if too few were left. A
 * request so costs one profile read of `cfSources` ratings, one sum of their weights, and at most
 * UNRATED_ROUNDS rankings and lookups of UNRATED_WIDTH × `limit` movies.
 */
async function recommendUnrated(
  features: FeatureStore,
  model: ModelIndex,
  profile: UserInput | undefined,
  options: RecommendOptions,
  ranker: RankerConfig,
): Promise<Recommendation[]> {
  if (!profile || profile.features.ratingCount <= profile.ratings.length) return recommendForUser(model, profile, options, ranker);
  const ranking = new UserRanking(model, profile, options.genre, ranker);
  const width = options.limit * UNRATED_WIDTH;
  for (let round = 1; ; round++) {
    const page = ranking.top(width);
    const rated = await features.ratedAmong(profile.features.userId, page.movieIds);
    const unrated = page.movieIds.filter((id) => !rated.has(id));
    if (unrated.length >= options.limit || page.movieIds.length < width || round === UNRATED_ROUNDS) {
      return page.recommend(unrated.slice(0, options.limit), options.explain ?? false);
    }
    ranking.exclude(rated);
  }
}
