/**
 * The catalog's read operations: title search, a movie, a user, a user's ratings. Titles and
 * genres come from the serving model's catalog, counts and means from the online features.
 */
import { searchMovies } from '../core/movie-search';
import type { ModelIndex } from '../core/model';
import type { FeatureStore } from '../core/ports';
import { genreAffinity, round4 } from '../core/recommender';
import type { Params } from './api-router';
import { HttpError, json, type HttpResult } from './http-response';

/** A genre the model's catalog lacks is an error that lists the ones it has. */
export function checkGenre(model: ModelIndex | undefined, genre: string | undefined): void {
  if (genre !== undefined && model && !model.genres.has(genre)) {
    throw new HttpError(400, `unknown genre ${JSON.stringify(genre.slice(0, 80))}`, { genres: [...model.genres].sort() });
  }
}

export function searchCatalog(model: ModelIndex | undefined, params: Params): HttpResult {
  const genre = params.text('genre');
  checkGenre(model, genre);
  const found = model ? searchMovies(model, { query: params.text('q'), genre, limit: params.int('limit') }) : { total: 0, movies: [] };
  return json(200, {
    modelVersion: model?.version ?? null,
    total: found.total,
    items: found.movies.map(({ movieId, title, genres, ratingCount }) => ({ movieId, title, genres, ratingCount })),
    genres: model?.genreNames ?? [],
  });
}

export async function getMovie(features: FeatureStore, model: ModelIndex | undefined, params: Params): Promise<HttpResult> {
  const movieId = params.int('movieId');
  const entry = model?.movies.get(movieId);
  if (!entry) throw new HttpError(404, `movie ${movieId} is not in the catalog`);
  const online = (await features.getMovieFeatures([movieId])).get(movieId);
  const count = online?.ratingCount ?? 0;
  return json(200, {
    movieId,
    title: entry.title,
    genres: entry.genres,
    ratingCount: count,
    meanRating: count > 0 ? round4(online!.ratingSum / count) : null,
    bayesianMean: online ? round4(online.bayesianMean) : null,
    modelRatingCount: entry.ratingCount,
    updatedAt: online && online.updatedAt > 0 ? new Date(online.updatedAt).toISOString() : null,
  });
}

export async function getUser(features: FeatureStore, params: Params): Promise<HttpResult> {
  const userId = params.int('userId');
  const profile = await features.getUserProfile(userId, 0);
  if (!profile || profile.features.ratingCount === 0) throw new HttpError(404, `user ${userId} has no ratings`);
  const f = profile.features;
  const affinity = genreAffinity(f);
  const genres = Object.entries(f.genres)
    .filter(([, g]) => g.count > 0)
    .map(([genre, g]) => ({ genre, count: g.count, meanRating: round4(g.sum / g.count), affinity: round4(affinity.get(genre) ?? 0) }))
    .sort((a, b) => b.affinity - a.affinity || b.count - a.count || a.genre.localeCompare(b.genre));
  return json(200, {
    userId,
    ratingCount: f.ratingCount,
    meanRating: round4(f.ratingSum / f.ratingCount),
    lastActive: f.lastActive > 0 ? new Date(f.lastActive).toISOString() : null,
    updatedAt: new Date(f.updatedAt).toISOString(),
    genres,
  });
}

export async function getUserRatings(features: FeatureStore, model: ModelIndex | undefined, params: Params): Promise<HttpResult> {
  const userId = params.int('userId');
  const profile = await features.getUserProfile(userId, params.int('limit'));
  if (!profile || profile.features.ratingCount === 0) throw new HttpError(404, `user ${userId} has no ratings`);
  return json(200, {
    userId,
    ratingCount: profile.features.ratingCount,
    items: profile.ratings.map((r) => {
      const movie = model?.movies.get(r.movieId);
      return {
        movieId: r.movieId,
        title: movie?.title ?? `movie ${r.movieId}`,
        genres: movie?.genres ?? [],
        rating: r.rating,
        time: new Date(r.eventTime).toISOString(),
        eventId: r.eventId,
      };
    }),
  });
}
