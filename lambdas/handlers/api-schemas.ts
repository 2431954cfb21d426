/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of every body the API answers with. They
 * are the contract the tests check each answer against, so every object closes its properties.
 */
import { MAX_ID, RATING_MAX, RATING_MIN } from '../core/event-contract';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const id: Schema = { type: 'integer', minimum: 1, maximum: MAX_ID };
const rating: Schema = { type: 'number', minimum: RATING_MIN, maximum: RATING_MAX, multipleOf: 0.5 };
const version: Schema = { type: ['string', 'null'], description: 'The model version serving, `<date>-<hash>`; null before the first batch.' };
const time: Schema = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
const list = (items: Schema): Schema => ({ type: 'array', items });
const orNull = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const counts = (keys: readonly string[]): Schema => object(Object.fromEntries(keys.map((k) => [k, { type: 'integer', minimum: 0 }])));
const CONSUME_COUNTS = ['received', 'applied', 'duplicate', 'superseded', 'quarantined'] as const;

export const SCHEMAS: Record<string, Schema> = {
  Error: {
    type: 'object',
    description: 'Every error: a message a person can act on, and for some errors the values allowed.',
    properties: {
      error: { type: 'string' },
      allowed: list({ type: 'string' }),
      genres: list({ type: 'string' }),
    },
    required: ['error'],
    additionalProperties: false,
  },
  Health: object({ status: { const: 'ok' }, modelVersion: version }),
  Movie: object({
    movieId: id,
    title: { type: 'string' },
    genres: list({ type: 'string' }),
    ratingCount: { type: 'integer', minimum: 0, description: "Ratings in the serving model's training data." },
  }),
  ScoreParts: object(
    {
      collaborative: { type: 'number', description: "The part of the score from the model's weights from the user's rated movies; negative when they speak against it." },
      genre: { type: 'number', description: "The part from the user's affinity to the movie's genres." },
      popularity: { type: 'number', description: "The part from the movie's rating count." },
      because: {
        description: 'The rated movies that raised the collaborative part most, largest first (at most 3).',
        ...list(object({ movieId: id, title: { type: 'string' }, rating, contribution: { type: 'number' } })),
      },
    },
  ),
  Recommendation: object(
    {
      movieId: id,
      title: { type: 'string' },
      genres: list({ type: 'string' }),
      score: {
        type: 'number',
        description:
          'Recommendations: the blend of the three parts, at most 1; below 0 when the user\'s ratings speak against the movie. ' +
          "Similar movies: the model's weight from the movie asked about, relative to its closest movie's (1), above 0.",
      },
      reason: {
        type: 'string',
        description:
          'The largest part of the score, in words: "similar to X" (X brings at least a quarter of the score), "similar to N movies you rated" ' +
          '(none of them does), "because you like G", "popular in G", "popular overall".',
      },
      explain: ref('ScoreParts'),
    },
    ['explain'],
  ),
  Recommendations: object({
    userId: id,
    coldStart: { type: 'boolean', description: 'True when the user has no ratings yet: the list is popularity alone.' },
    modelVersion: version,
    items: list(ref('Recommendation')),
  }),
  SimilarMovies: object({ movieId: id, title: { type: 'string' }, modelVersion: version, items: list(ref('Recommendation')) }),
  MovieSearch: object({
    modelVersion: version,
    total: { type: 'integer', minimum: 0 },
    items: list(ref('Movie')),
    genres: { description: "Every genre of the model's catalog, for a genre filter.", ...list({ type: 'string' }) },
  }),
  MovieDetails: object(
    {
      movieId: id,
      title: { type: 'string' },
      genres: list({ type: 'string' }),
      ratingCount: { type: 'integer', minimum: 0, description: 'Ratings the online features hold now.' },
      meanRating: { type: ['number', 'null'] },
      bayesianMean: { type: ['number', 'null'], description: 'The mean pulled towards the global mean by 10 ratings.' },
      modelRatingCount: { type: 'integer', minimum: 0, description: "Ratings in the serving model's training data." },
      updatedAt: orNull(time),
    },
  ),
  UserGenre: object({ genre: { type: 'string' }, count: { type: 'integer', minimum: 1 }, meanRating: { type: 'number' }, affinity: { type: 'number' } }),
  User: object({
    userId: id,
    ratingCount: { type: 'integer', minimum: 0 },
    meanRating: { type: ['number', 'null'] },
    lastActive: orNull(time),
    updatedAt: time,
    genres: { description: 'Genres of the rated movies, best liked first.', ...list(ref('UserGenre')) },
  }),
  UserRating: object({ movieId: id, title: { type: 'string' }, genres: list({ type: 'string' }), rating, time, eventId: { type: 'string' } }),
  UserRatings: object({ userId: id, ratingCount: { type: 'integer', minimum: 0 }, items: list(ref('UserRating')) }),
  RatingEvent: {
    type: 'object',
    description:
      'One rating (see docs/event-contract.md). An event that breaks a rule is not refused: it is quarantined with its reason, as on the Kafka topic.',
    properties: {
      type: { const: 'rating' },
      event_id: { type: 'string', maxLength: 128 },
      user_id: id,
      movie_id: id,
      rating,
      timestamp: { oneOf: [time, { type: 'integer', description: 'Epoch milliseconds.' }] },
    },
    required: ['type', 'user_id', 'movie_id', 'rating', 'timestamp'],
  },
  ConsumeResult: object({
    ...(counts(CONSUME_COUNTS).properties as Record<string, Schema>),
    quarantine: list(object({ index: { type: 'integer', minimum: 0 }, reason: { type: 'string' } })),
  }),
  BatchStep: object(
    { state: { type: 'string' }, status: { enum: ['succeeded', 'failed', 'retried', 'caught'] }, seconds: { type: 'number' }, error: { type: 'string' } },
    ['error'],
  ),
  BatchRun: object(
    {
      runId: { type: 'integer' },
      date: { type: 'string', format: 'date' },
      status: { enum: ['succeeded', 'failed'] },
      recordedAt: time,
      modelVersion: { type: ['string', 'null'] },
      activated: { type: 'boolean', description: 'Whether the run moved the serving model to its version.' },
      error: { type: ['string', 'null'] },
      cause: { type: ['string', 'null'] },
      steps: { description: "Each state's outcome and duration, in order; empty for a run recorded before steps were kept.", ...list(ref('BatchStep')) },
      model: {
        description: "The model's figures: the ratings in its date's silver, its weights' training date, and how long training took (0 for a refreshed model).",
        ...orNull(
          object({
            ratings: { type: 'integer' },
            users: { type: 'integer' },
            movies: { type: 'integer' },
            headMovies: { type: 'integer', description: 'Movies with dense EASE weights among each other.' },
            moviesWithNeighbours: { type: 'integer', description: 'Movies with weights towards others: the head, and the tail movies with neighbour lists.' },
            trainedOn: { type: 'string', description: "The date whose silver trained the item weights: the run's own on a training day, the last training day's on the days between." },
            trainingSeconds: { type: 'number' },
            measureSeconds: { type: 'number', description: "The measure's own training and ranking." },
          }),
        ),
      },
      evaluation: {
        description:
          "The model's measure on the batch's holdout, as `npm run evaluate -- --holdout` takes it: a model trained on the events before the " +
          'holdout, ranking for each measured user what they rated after it (metrics at k). Null when nobody could be measured.',
        ...orNull(ref('ModelMeasure')),
      },
      modelWritten: { type: 'boolean', description: "Whether gold holds the run's model: not when the gate refused a model of the serving model's own date, which it would have replaced." },
      gate: {
        description: "The quality gate's verdict: whether the model may serve, against the serving model's nDCG@10. Null for runs before the gate.",
        ...orNull(ref('GateVerdict')),
      },
      outputs: { type: 'object', description: "The workflow's state at the end: every step's output." },
    },
  ),
  RankerScores: object({
    precision: { type: 'number' },
    recall: { type: 'number' },
    ndcg: { type: 'number' },
    map: { type: 'number' },
    coverage: { type: 'number', description: 'Share of the training catalog recommended to anyone.' },
  }),
  ModelMeasure: object({
    protocol: { type: 'string', description: 'What was held out, in words.' },
    users: { type: 'integer', minimum: 0 },
    trainRatings: { type: 'integer', minimum: 0 },
    testRatings: { type: 'integer', minimum: 0 },
    k: { type: 'integer' },
    model: { description: 'The collaborative sum alone.', ...ref('RankerScores') },
    hybrid: { description: 'The blend the API serves: what the quality gate compares.', ...ref('RankerScores') },
    popularity: { description: 'The most rated movies: the bar a model must clear.', ...ref('RankerScores') },
  }),
  GateVerdict: object({
    passed: { type: 'boolean' },
    reason: { type: 'string' },
    candidate: { type: ['number', 'null'], description: "The new model's nDCG@10 (served blend)." },
    serving: { type: ['number', 'null'], description: "The serving model's, as measured when it was trained." },
    servingVersion: { type: ['string', 'null'] },
    maxDrop: { type: 'number', description: 'The drop allowed, as a share of the serving nDCG@10.' },
  }),
  BatchRuns: object({ modelVersion: version, running: { type: 'boolean' }, items: list(ref('BatchRun')) }),
  BatchStarted: object({ date: { type: 'string', format: 'date' }, status: { const: 'started' } }),
  QuarantineRecord: object({
    objectKey: { type: 'string' },
    offset: { type: 'integer' },
    time,
    reason: { type: 'string' },
    value: { type: ['string', 'null'], description: 'The record value as received, decoded as UTF-8 where it is text (first 2,000 characters).' },
  }),
  Quarantine: object({
    total: { type: 'integer', minimum: 0 },
    byReason: list(object({ reason: { type: 'string' }, count: { type: 'integer', minimum: 1 } })),
    items: list(ref('QuarantineRecord')),
  }),
  Status: object({
    modelVersion: version,
    catalog: object({ movies: { type: 'integer' }, users: { type: 'integer' }, ratings: { type: 'integer' } }),
    lake: object({ bronzeEvents: { type: 'integer' }, quarantined: { type: 'integer' }, objects: { type: 'integer' } }),
    sinceStart: {
      description: 'Events through this server since it started, by outcome (null when not served by a running server).',
      ...orNull(counts(CONSUME_COUNTS)),
    },
    lastRuns: list(
      object({
        date: { type: 'string' },
        status: { type: 'string' },
        recordedAt: time,
        modelVersion: { type: ['string', 'null'] },
        ndcg: { type: ['number', 'null'], description: "The served blend's nDCG@10 on the run's holdout." },
        heldBack: { type: ['string', 'null'], description: 'Why the quality gate kept the run\'s model from serving; null when it did not.' },
      }),
    ),
    quarantineByReason: list(object({ reason: { type: 'string' }, count: { type: 'integer', minimum: 1 } })),
  }),
};
