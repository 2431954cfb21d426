/**
 * The built-in demo: a made-up catalog and a year of rating events, generated from a fixed seed so
 * every fresh install sees the same data. Each user has two favourite genres, which nine in ten of their
 * ratings come from and which they rate higher; movies have a quality and a popularity with a long
 * tail. So recommendations have structure to find. A few
 * malformed events are mixed in to show the quarantine at work.
 */
import type { Movie } from '../lambdas/core/movie';
import { seededRandom, weightedSampler } from '../lambdas/core/random';

export const DEMO_SEED = 20261125;
export const DEMO_GENRES = [
  'Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
] as const;

const ADJECTIVES = [
  'Silent', 'Crimson', 'Last', 'Hidden', 'Broken', 'Golden', 'Midnight', 'Wild', 'Frozen', 'Electric',
  'Distant', 'Lost', 'Burning', 'Quiet', 'Iron', 'Velvet', 'Paper', 'Hollow', 'Northern', 'Secret',
];
const NOUNS = [
  'Harbor', 'Garden', 'Empire', 'Signal', 'River', 'Mirror', 'Station', 'Kingdom', 'Orchard', 'Frontier',
  'Lantern', 'Voyage', 'Circus', 'Labyrinth', 'Tide', 'Citadel', 'Canyon', 'Parade', 'Comet', 'Island',
];

export interface DemoData {
  movies: Movie[];
  /** Event objects as producers put them on the topic (some deliberately malformed). */
  events: Record<string, unknown>[];
}

export function generateDemoData(options: { users?: number; movies?: number; seed?: number } = {}): DemoData {
  const rnd = seededRandom(options.seed ?? DEMO_SEED);
  const nUsers = options.users ?? 600;
  const nMovies = options.movies ?? 400;

  const titles = new Set<string>();
  const movies: (Movie & { quality: number; weight: number })[] = [];
  for (let id = 1; id <= nMovies; id++) {
    let title: string;
    do {
      title = `The ${rnd.pick(ADJECTIVES)} ${rnd.pick(NOUNS)} (${rnd.int(1960, 2025)})`;
    } while (titles.has(title));
    titles.add(title);
    const genres = new Set<string>([rnd.pick(DEMO_GENRES)]);
    while (genres.size < 3 && rnd.float() < 0.45) genres.add(rnd.pick(DEMO_GENRES));
    movies.push({
      movieId: id,
      title,
      genres: [...genres].sort(),
      quality: rnd.normal() * 0.6,
      weight: 1 / Math.pow(rnd.int(1, nMovies), 0.6),
    });
  }

  const start = Date.UTC(2026, 0, 1);
  const span = Date.UTC(2026, 10, 20) - start;
  const everyone = weightedSampler(movies, (m) => m.weight);
  const byGenre = new Map(DEMO_GENRES.map((g) => [g, weightedSampler(movies.filter((m) => m.genres.includes(g)), (m) => m.weight)]));
  const events: Record<string, unknown>[] = [];
  for (let userId = 1; userId <= nUsers; userId++) {
    const first = rnd.pick(DEMO_GENRES);
    let second: string = first;
    while (second === first) second = rnd.pick(DEMO_GENRES);
    const favourites = [first, second];
    // Heavy users are few: counts from about 10 to 150.
    const count = Math.round(10 + 140 * Math.pow(rnd.float(), 2.5));
    const seen = new Set<number>();
    for (let attempt = 0; seen.size < count && attempt < count * 20; attempt++) {
      const pool = rnd.float() < 0.9 ? byGenre.get(rnd.pick(favourites) as (typeof DEMO_GENRES)[number])! : everyone;
      const m = pool(rnd.float());
      if (!m || seen.has(m.movieId)) continue;
      seen.add(m.movieId);
      const liked = m.genres.some((g) => favourites.includes(g)) ? 0.7 : -0.5;
      const raw = 3 + m.quality + liked + rnd.normal() * 0.6;
      events.push({
        event_id: `demo-${userId}-${m.movieId}`,
        type: 'rating',
        user_id: userId,
        movie_id: m.movieId,
        rating: Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2)),
        timestamp: new Date(start + Math.floor(rnd.float() * span)).toISOString(),
      });
    }
  }
  events.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));

  const malformed: Record<string, unknown>[] = [
    { type: 'rating', user_id: 1, movie_id: 1, rating: 7, timestamp: '2026-06-01T12:00:00Z' },
    { type: 'rating', user_id: -3, movie_id: 2, rating: 4, timestamp: '2026-06-01T12:00:00Z' },
    { type: 'rating', user_id: 5, movie_id: 3, rating: 3.7, timestamp: '2026-06-01T12:00:00Z' },
    { type: 'click', user_id: 5, movie_id: 3, timestamp: '2026-06-01T12:00:00Z' },
    { type: 'rating', user_id: 9, movie_id: 4, rating: 4 },
  ];
  malformed.forEach((e, i) => events.splice(Math.floor(((i + 1) * events.length) / (malformed.length + 1)), 0, e));

  return { movies: movies.map(({ movieId, title, genres }) => ({ movieId, title, genres })), events };
}
