/**
 * Gold on S3 as Parquet (one partition per batch date) and the model version pointer in DynamoDB:
 *   gold/model/dt=D/manifest.json
 *   gold/model/dt=D/head-weights.bin   the dense weights among the head movies (below)
 *   gold/<table>/dt=D/part-0.parquet   each gold table of GOLD_COLUMNS, at its GOLD_LOCATIONS
 * The files of a date are rewritten whole by a re-run; the pointer item says which version serves.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NO_HEAD, type HeadWeights, type Neighbour } from '../core/item-neighbours';
import { GOLD_LOCATIONS } from '../core/lake/lake-layout';
import { GOLD_COLUMNS, type GoldTable } from '../core/lake/lake-tables';
import { versionDate, type Model, type ModelManifest } from '../core/model';
import type { ModelStore } from '../core/ports';
import { readParquet, writeLakeParquet } from './parquet';

/** The key of the pointer item in the model table. */
export const POINTER_KEY = { pk: 'model-pointer' } as const;
const OVERALL = '';

export interface S3DynamoModelStoreOptions {
  s3: S3Client;
  bucket: string;
  /** Key prefix of the lake inside the bucket: '' or ending with '/'. */
  prefix?: string;
  dynamo: DynamoDBDocumentClient;
  /** Table with a string partition key `pk`. */
  table: string;
}

export class S3DynamoModelStore implements ModelStore {
  constructor(private readonly options: S3DynamoModelStoreOptions) {}

  async activeVersion(): Promise<string | undefined> {
    const { Item } = await this.options.dynamo.send(
      new GetCommand({ TableName: this.options.table, Key: POINTER_KEY, ConsistentRead: true }),
    );
    return typeof Item?.version === 'string' ? Item.version : undefined;
  }

  async load(version: string): Promise<Model> {
    const date = versionDate(version);
    const manifest = await this.manifest(version);
    if (!manifest) throw new Error(`model version ${version} does not exist`);
    const [head, movieRows, neighbourRows, popularityRows] = await Promise.all([
      this.readHead(date),
      ...(['gold_movies', 'gold_item_neighbours', 'gold_popularity'] as const).map(async (table) => readParquet(await this.get(this.key(table, date)))),
    ]);
    const movies = movieRows!.map((r) => ({
      movieId: r.movie_id as number,
      title: r.title as string,
      genres: JSON.parse(r.genres as string) as string[],
      ratingCount: r.rating_count as number,
    }));
    const neighbours = new Map<number, Neighbour[]>();
    for (const r of neighbourRows!) {
      const id = r.movie_id as number;
      let list = neighbours.get(id);
      if (!list) neighbours.set(id, (list = []));
      list[r.rank as number] = { movieId: r.neighbour_id as number, score: r.score as number };
    }
    const popular: number[] = [];
    const popularByGenre = new Map<string, number[]>();
    for (const r of popularityRows!) {
      const genre = r.genre as string;
      const list = genre === OVERALL ? popular : (popularByGenre.get(genre) ?? popularByGenre.set(genre, []).get(genre)!);
      list[r.rank as number] = r.movie_id as number;
    }
    return { manifest, movies, head, neighbours, popular, popularByGenre };
  }

  async write(model: Model): Promise<void> {
    const date = model.manifest.date;
    const rows = [...model.neighbours].flatMap(([movieId, list]) => list.map((n, rank) => ({ movieId, rank, n })));
    const popularity = [
      ...model.popular.map((movieId, rank) => ({ genre: OVERALL, rank, movieId })),
      ...[...model.popularByGenre].flatMap(([genre, list]) => list.map((movieId, rank) => ({ genre, rank, movieId }))),
    ];
    await Promise.all([
      this.put(this.headKey(date), encodeHead(model.head)),
      this.put(
        this.key('gold_movies', date),
        writeLakeParquet(GOLD_COLUMNS.gold_movies, {
          movie_id: model.movies.map((m) => m.movieId),
          title: model.movies.map((m) => m.title),
          genres: model.movies.map((m) => JSON.stringify(m.genres)),
          rating_count: model.movies.map((m) => m.ratingCount),
        }),
      ),
      this.put(
        this.key('gold_item_neighbours', date),
        writeLakeParquet(GOLD_COLUMNS.gold_item_neighbours, {
          movie_id: rows.map((r) => r.movieId),
          rank: rows.map((r) => r.rank),
          neighbour_id: rows.map((r) => r.n.movieId),
          score: rows.map((r) => r.n.score),
        }),
      ),
      this.put(
        this.key('gold_popularity', date),
        writeLakeParquet(GOLD_COLUMNS.gold_popularity, {
          genre: popularity.map((p) => p.genre),
          rank: popularity.map((p) => p.rank),
          movie_id: popularity.map((p) => p.movieId),
        }),
      ),
    ]);
    // The manifest goes last: a reader that finds it finds the whole date.
    await this.put(this.manifestKey(date), new TextEncoder().encode(JSON.stringify(model.manifest)));
    // Re-running the active model's date with new data replaced that model's files: follow it.
    const active = await this.activeVersion();
    if (active !== undefined && active !== model.manifest.version && versionDate(active) === date) {
      await this.activate(model.manifest.version);
    }
  }

  async manifest(version: string): Promise<ModelManifest | undefined> {
    const manifest = await this.manifestOfDate(versionDate(version));
    return manifest?.version === version ? manifest : undefined;
  }

  async activate(version: string): Promise<void> {
    if (!(await this.manifest(version))) throw new Error(`model version ${version} does not exist`);
    await this.options.dynamo.send(new PutCommand({ TableName: this.options.table, Item: { ...POINTER_KEY, version } }));
  }

  async manifestOfDate(date: string): Promise<ModelManifest | undefined> {
    try {
      return JSON.parse(new TextDecoder().decode(await this.get(this.manifestKey(date)))) as ModelManifest;
    } catch (err) {
      if (err instanceof NoSuchKey) return undefined;
      throw err;
    }
  }

  private key(table: GoldTable, date: string): string {
    return `${this.options.prefix ?? ''}${GOLD_LOCATIONS[table]}/dt=${date}/part-0.parquet`;
  }

  /** A model written before the head's weights were kept has neighbour lists only. */
  private async readHead(date: string): Promise<HeadWeights> {
    try {
      return decodeHead(await this.get(this.headKey(date)));
    } catch (err) {
      if (err instanceof NoSuchKey) return NO_HEAD;
      throw err;
    }
  }

  private headKey(date: string): string {
    return `${this.options.prefix ?? ''}gold/model/dt=${date}/head-weights.bin`;
  }

  private manifestKey(date: string): string {
    return `${this.options.prefix ?? ''}gold/model/dt=${date}/manifest.json`;
  }

  private async get(key: string): Promise<Uint8Array> {
    const object = await this.options.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    return object.Body!.transformToByteArray();
  }

  private async put(key: string, body: Uint8Array): Promise<void> {
    await this.options.s3.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentLength: body.length }),
    );
  }
}

/** head-weights.bin: n (32-bit integer), the n movie ids (32-bit integers), the n × n weights row by row (32-bit floats); little-endian. */
function encodeHead(head: HeadWeights): Uint8Array {
  const n = head.movieIds.length;
  const bytes = new Uint8Array(4 + 4 * n + 4 * n * n);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, n, true);
  head.movieIds.forEach((id, i) => view.setInt32(4 + 4 * i, id, true));
  head.weights.forEach((w, i) => view.setFloat32(4 + 4 * n + 4 * i, w, true));
  return bytes;
}

function decodeHead(bytes: Uint8Array): HeadWeights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getInt32(0, true);
  if (bytes.byteLength !== 4 + 4 * n + 4 * n * n) throw new Error(`head-weights.bin holds ${bytes.byteLength} bytes, not those of ${n} movies`);
  const movieIds = new Int32Array(n);
  const weights = new Float32Array(n * n);
  for (let i = 0; i < n; i++) movieIds[i] = view.getInt32(4 + 4 * i, true);
  for (let i = 0; i < n * n; i++) weights[i] = view.getFloat32(4 + 4 * n + 4 * i, true);
  return { movieIds, weights };
}
