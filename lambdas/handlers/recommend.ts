/**
 * The recommendation API behind an API Gateway HTTP API (payload format 2.0):
 *   GET /users/{userId}/recommendations?limit=&genre=
 *   GET /movies/{movieId}/similar?limit=
 *   GET /health
 * Bad input gets a 4xx with a JSON error body. The model is loaded once per version and swapped
 * when the store's version pointer moves.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MAX_ID } from '../core/event-contract';
import { indexModel, type ModelIndex } from '../core/model';
import type { FeatureStore, Logger, ModelStore, UserProfile } from '../core/ports';
import { CF_SOURCES, recommendForUser, similarMovies, type Recommendation, type RecommendOptions } from '../core/recommender';
import { json, type HttpResult } from './http-response';

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Rankings again after a lookup of rated movies, at most; a request makes one lookup more, each of `limit` movies. */
const UNRATED_ROUNDS = 3;

export interface RecommendDeps {
  features: FeatureStore;
  models: ModelStore;
  logger: Logger;
}

export type HttpEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'rawQueryString'> & {
  requestContext: { http: { method: string } };
};

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const ROUTES: { pattern: RegExp; name: 'recommendations' | 'similar' | 'health'; params: readonly string[] }[] = [
  { pattern: /^\/users\/([^/]+)\/recommendations\/?$/, name: 'recommendations', params: ['limit', 'genre'] },
  { pattern: /^\/movies\/([^/]+)\/similar\/?$/, name: 'similar', params: ['limit'] },
  { pattern: /^\/health\/?$/, name: 'health', params: [] },
];

export function createRecommendHandler(deps: RecommendDeps): (event: HttpEvent) => Promise<HttpResult> {
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

  return async (event) => {
    try {
      const method = event.requestContext.http.method.toUpperCase();
      const path = event.rawPath;
      const route = ROUTES.find((r) => r.pattern.test(path));
      if (!route) throw new HttpError(404, `no route for ${truncate(path)}`);
      if (method !== 'GET' && method !== 'HEAD') {
        return json(405, { error: `method ${truncate(method)} is not allowed`, allowed: ['GET'] }, { allow: 'GET, HEAD' });
      }
      const query = parseQuery(event.rawQueryString, route.params);
      const segment = decodeSegment(route.pattern.exec(path)?.[1]);

      if (route.name === 'health') {
        const m = await model();
        return json(200, { status: 'ok', modelVersion: m?.version ?? null });
      }

      const limit = parseLimit(query.get('limit'));
      if (route.name === 'similar') {
        const movieId = parseId(segment, 'movieId');
        const m = await model();
        const items = m ? similarMovies(m, movieId, limit) : undefined;
        if (!items) throw new HttpError(404, `movie ${movieId} is not in the catalog`);
        return json(200, { movieId, title: m!.movies.get(movieId)!.title, modelVersion: m!.version, items });
      }

      const userId = parseId(segment, 'userId');
      const [m, profile] = await Promise.all([model(), deps.features.getUserProfile(userId, CF_SOURCES)]);
      const genre = query.get('genre');
      if (genre !== undefined && m && !m.genres.has(genre)) {
        throw new HttpError(400, `unknown genre ${truncate(JSON.stringify(genre))}`, { genres: [...m.genres].sort() });
      }
      const items = m ? await recommendUnrated(deps.features, m, profile, genre === undefined ? { limit } : { limit, genre }) : [];
      return json(200, {
        userId,
        coldStart: !profile || profile.features.ratingCount === 0,
        modelVersion: m?.version ?? null,
        items,
      });
    } catch (err) {
      if (err instanceof HttpError) return json(err.statusCode, { error: err.message, ...err.details });
      deps.logger.error('request failed', { path: truncate(event.rawPath), error: String(err) });
      return json(503, { error: 'the service is temporarily unavailable; retry later' });
    }
  };
}

/**
 * A heavy rater's profile holds only their latest ratings: movies rated before those are found by
 * lookup among the chosen items, excluded, and the list ranked again. A request so costs one
 * profile read of CF_SOURCES ratings and at most UNRATED_ROUNDS + 1 lookups of `limit` movies.
 */
async function recommendUnrated(
  features: FeatureStore,
  model: ModelIndex,
  profile: UserProfile | undefined,
  options: RecommendOptions,
): Promise<Recommendation[]> {
  let items = recommendForUser(model, profile, options);
  if (!profile || profile.features.ratingCount <= profile.ratings.length) return items;
  const exclude = new Set<number>();
  for (let round = 0; ; round++) {
    const rated = await features.ratedAmong(profile.features.userId, items.map((i) => i.movieId));
    if (rated.size === 0) return items;
    if (round === UNRATED_ROUNDS) return items.filter((i) => !rated.has(i.movieId));
    for (const id of rated) exclude.add(id);
    items = recommendForUser(model, profile, { ...options, exclude });
  }
}

function parseQuery(raw: string | undefined, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw ?? '');
  } catch {
    throw new HttpError(400, 'query string is malformed');
  }
  for (const [name, value] of params) {
    if (!allowed.includes(name)) {
      throw new HttpError(400, `unknown query parameter ${truncate(JSON.stringify(name))}`, { allowed });
    }
    if (out.has(name)) throw new HttpError(400, `query parameter ${name} is given more than once`);
    out.set(name, value);
  }
  return out;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

function parseId(value: string, name: string): number {
  const n = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_ID)) throw new HttpError(400, `${name} must be an integer from 1 to ${MAX_ID}`);
  return n;
}

function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new HttpError(400, 'path is not valid percent-encoding');
  }
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
