/**
 * The read-only commands: `recommend`, `similar`, `movies` and `status`. They ask the same handler
 * the HTTP API runs, so their answers and errors are the API's, and they read the data folder
 * beside a running server. `--json` prints the API's body as it is.
 */
import type { HttpResult } from '../../lambdas/handlers/http-response';
import type { LocalReader } from '../system';

export interface QueryOptions {
  json: boolean;
  limit?: string;
  genre?: string;
  explain?: boolean;
}

interface Item {
  movieId: number;
  title: string;
  genres: string[];
  score: number;
  reason: string;
  explain?: { collaborative: number; genre: number; popularity: number; because: { title: string; rating: number; contribution: number }[] };
}

/** A query's answer: the text to print, and the exit code (1 for an error the API answered). */
export interface QueryAnswer {
  text: string;
  code: number;
}

export async function recommendQuery(reader: LocalReader, userId: string, o: QueryOptions): Promise<QueryAnswer> {
  return ask(reader, `/users/${encodeURIComponent(userId)}/recommendations`, { limit: o.limit, genre: o.genre, explain: o.explain || undefined }, o, (body) => {
    const b = body as { userId: number; coldStart: boolean; modelVersion: string | null; items: Item[] };
    const head = b.coldStart
      ? `User ${b.userId} has no ratings yet (cold start): the popular movies${o.genre ? ` in ${o.genre}` : ''}.`
      : `Recommendations for user ${b.userId}${o.genre ? ` in ${o.genre}` : ''}:`;
    return [head, ...items(b.items, true), model(b.modelVersion)];
  });
}

export async function similarQuery(reader: LocalReader, movieId: string, o: QueryOptions): Promise<QueryAnswer> {
  return ask(reader, `/movies/${encodeURIComponent(movieId)}/similar`, { limit: o.limit }, o, (body) => {
    const b = body as { movieId: number; title: string; modelVersion: string | null; items: Item[] };
    return [`Movies similar to ${b.title} [${b.movieId}], by the score of the model:`, ...items(b.items, false), model(b.modelVersion)];
  });
}

export async function moviesQuery(reader: LocalReader, search: string | undefined, o: QueryOptions): Promise<QueryAnswer> {
  return ask(reader, '/movies', { q: search, genre: o.genre, limit: o.limit }, o, (body) => {
    const b = body as { total: number; modelVersion: string | null; items: (Omit<Item, 'score' | 'reason'> & { ratingCount: number })[] };
    const what = search === undefined ? 'movies' : `movies match ${JSON.stringify(search)}`;
    return [
      `${count(b.total)} ${what}${o.genre ? ` in ${o.genre}` : ''}${b.items.length < b.total ? ` (the first ${b.items.length})` : ''}:`,
      ...b.items.map((m) => `  ${`[${m.movieId}]`.padStart(9)} ${fit(m.title, 50)} ${fit(m.genres.join('|'), 30)} ${count(m.ratingCount).padStart(7)} ratings`),
      model(b.modelVersion),
    ];
  });
}

export async function statusQuery(reader: LocalReader, o: QueryOptions): Promise<QueryAnswer> {
  const s = await reader.reads.status();
  if (o.json) return { text: JSON.stringify({ ...s, sinceStart: null }), code: 0 };
  return {
    code: 0,
    text: [
      `Model serving: ${s.modelVersion ?? 'none yet (run the daily batch)'}`,
      `Catalog: ${count(s.catalog.movies)} movies, ${count(s.catalog.users)} users, ${count(s.catalog.ratings)} ratings`,
      `Lake: ${count(s.lake.bronzeEvents)} events in bronze, ${count(s.lake.quarantined)} quarantined, in ${count(s.lake.objects)} objects`,
      s.lastRuns.length === 0 ? 'Batch runs: none yet' : 'Latest batch runs:',
      ...s.lastRuns.map(
        (r) =>
          `  ${r.date}  ${r.status.padEnd(9)}  recorded ${r.recordedAt}  model ${r.modelVersion ?? '-'}${r.ndcg === null ? '' : `  nDCG@10 ${r.ndcg.toFixed(4)}`}` +
          (r.heldBack ? `\n      not published: ${r.heldBack}` : ''),
      ),
      s.quarantineByReason.length === 0 ? 'Quarantine: empty' : 'Quarantine by reason:',
      ...s.quarantineByReason.map((q) => `  ${count(q.count).padStart(7)}  ${q.reason}`),
    ].join('\n'),
  };
}

async function ask(
  reader: LocalReader,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  o: QueryOptions,
  format: (body: unknown) => string[],
): Promise<QueryAnswer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const res: HttpResult = await reader.recommend({ rawPath: path, rawQueryString: params.toString(), requestContext: { http: { method: 'GET' } } });
  const body = JSON.parse(res.body) as { error?: string; genres?: string[] };
  if (res.statusCode >= 400) {
    const known = body.genres ? ` (genres: ${body.genres.join(', ')})` : '';
    return { text: o.json ? res.body : `error: ${body.error}${known}`, code: 1 };
  }
  return { text: o.json ? res.body : format(body).join('\n'), code: 0 };
}

function items(list: readonly Item[], withReason: boolean): string[] {
  if (list.length === 0) return ['  (none)'];
  return list.flatMap((item, i) => {
    const line = `  ${String(i + 1).padStart(3)}. ${fit(`${item.title} [${item.movieId}]`, 56)} ${item.score.toFixed(4)}${withReason ? `  ${item.reason}` : ''}`;
    const e = item.explain;
    if (!e) return [line];
    const because = e.because.map((b) => `${b.title} (rated ${b.rating}) ${b.contribution.toFixed(4)}`).join('; ');
    return [
      line,
      `       collaborative ${e.collaborative.toFixed(4)} + genre ${e.genre.toFixed(4)} + popularity ${e.popularity.toFixed(4)}` +
        (because ? `; from ${because}` : ''),
    ];
  });
}

function model(version: string | null): string {
  return version ? `(model ${version})` : '(no model yet: run the daily batch)';
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
