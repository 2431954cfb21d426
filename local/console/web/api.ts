/**
 * The console's calls to the local API. The types are the server's own, so that a change of a
 * body's shape fails the console's type check.
 */
import type { Recommendation } from '../../../lambdas/core/recommender';
import type { ConsumeCounts } from '../../../lambdas/handlers/consume';
import type { QuarantineListing, RunSummary, SystemStatus } from '../../sqlite/sqlite-operations-reads';

export type { Recommendation };

export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
  ratingCount: number;
}
export interface MovieSearch {
  modelVersion: string | null;
  total: number;
  items: Movie[];
  genres: string[];
}
export interface MovieDetails {
  movieId: number;
  title: string;
  genres: string[];
  ratingCount: number;
  meanRating: number | null;
  bayesianMean: number | null;
  modelRatingCount: number;
  updatedAt: string | null;
}
export interface Similar {
  movieId: number;
  title: string;
  modelVersion: string | null;
  items: Recommendation[];
}
export interface Recommendations {
  userId: number;
  coldStart: boolean;
  modelVersion: string | null;
  items: Recommendation[];
}
export interface User {
  userId: number;
  ratingCount: number;
  meanRating: number | null;
  lastActive: string | null;
  updatedAt: string;
  genres: { genre: string; count: number; meanRating: number; affinity: number }[];
}
export interface UserRatings {
  userId: number;
  ratingCount: number;
  items: { movieId: number; title: string; genres: string[]; rating: number; time: string; eventId: string }[];
}
export interface Runs {
  modelVersion: string | null;
  running: boolean;
  items: RunSummary[];
}
export type Status = SystemStatus & { sinceStart: ConsumeCounts | null };
export type Quarantine = QuarantineListing;
export type PostResult = ConsumeCounts & { quarantine: { index: number; reason: string }[] };

/** An answer of the API that is an error: its status and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  return body;
}

export const api = {
  health: () => call<{ status: string; modelVersion: string | null }>('/health'),
  searchMovies: (q: string, genre: string, limit = 20) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (q.trim()) params.set('q', q.trim());
    if (genre) params.set('genre', genre);
    return call<MovieSearch>(`/movies?${params}`);
  },
  movie: (id: number) => call<MovieDetails>(`/movies/${id}`),
  similar: (id: number, limit = 10) => call<Similar>(`/movies/${id}/similar?limit=${limit}`),
  user: (id: number) => call<User>(`/users/${id}`),
  ratings: (id: number, limit = 20) => call<UserRatings>(`/users/${id}/ratings?limit=${limit}`),
  recommendations: (id: number, genre: string, limit = 10) =>
    call<Recommendations>(`/users/${id}/recommendations?limit=${limit}&explain=true${genre ? `&genre=${encodeURIComponent(genre)}` : ''}`),
  rate: (userId: number, movieId: number, rating: number) =>
    call<PostResult>('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'rating',
        event_id: `console-${userId}-${movieId}-${Date.now()}`,
        user_id: userId,
        movie_id: movieId,
        rating,
        timestamp: new Date().toISOString(),
      }),
    }),
  runs: (limit = 30) => call<Runs>(`/runs?limit=${limit}`),
  startRun: () => call<{ date: string; status: string }>('/runs', { method: 'POST' }),
  quarantine: (limit = 50) => call<Quarantine>(`/quarantine?limit=${limit}`),
  status: () => call<Status>('/status'),
};
