/**
 * The API's OpenAPI 3.1 description: the one source of its routes and their parameters. The
 * handlers validate requests by it (`api-router.ts`), `GET /openapi.json` serves it, and the tests
 * send every request its `x-requests` list and check each answer against the response's schema.
 *
 * `x-served-by` says where an operation is answered: `aws` by the recommend function behind API
 * Gateway, `local` by the local server.
 */
import { MAX_ID } from '../core/event-contract';
import { SCHEMAS } from './api-schemas';

export type ParameterSchema =
  | { type: 'integer'; minimum: number; maximum: number; default?: number }
  | { type: 'string'; minLength: number; maxLength: number; default?: undefined }
  | { type: 'boolean'; default: boolean };

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description: string;
  schema: ParameterSchema;
}

/** A request the demo data answers with the response it is listed under: a path, or a path and a body. */
export type ExampleRequest = string | { path: string; body: string };

export interface ApiResponse {
  description: string;
  content: Record<string, { schema: Record<string, unknown> }>;
  'x-requests'?: ExampleRequest[];
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  'x-served-by': ('aws' | 'local')[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, ApiResponse>;
}

export type Method = 'get' | 'post';

export interface ApiDescription {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

export const MAX_LIMIT = 100;
const MAX_QUERY_LENGTH = 100;

const pathId = (name: string, what: string): Parameter => ({
  name,
  in: 'path',
  required: true,
  description: `The ${what}'s id.`,
  schema: { type: 'integer', minimum: 1, maximum: MAX_ID },
});
const limit = (fallback: number, max = MAX_LIMIT): Parameter => ({
  name: 'limit',
  in: 'query',
  description: 'How many items at most.',
  schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
});
const genre: Parameter = {
  name: 'genre',
  in: 'query',
  description: 'Only movies of this genre: a catalog genre, spelt exactly ("Comedy", "Sci-Fi").',
  schema: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH },
};

const JSON_TYPE = 'application/json';
const body = (schema: string) => ({ [JSON_TYPE]: { schema: { $ref: `#/components/schemas/${schema}` } } });
const ok = (description: string, schema: string, requests: ExampleRequest[]): ApiResponse => ({
  description,
  content: body(schema),
  'x-requests': requests,
});
const error = (description: string, requests: ExampleRequest[] = []): ApiResponse => ({
  description,
  content: body('Error'),
  ...(requests.length > 0 ? { 'x-requests': requests } : {}),
});
const text = (type: string, description: string, requests: ExampleRequest[]): ApiResponse => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
  'x-requests': requests,
});
const unavailable = error('A store or the model could not be read: retry after a moment.');

export const API: ApiDescription = {
  openapi: '3.1.0',
  info: {
    title: 'movierec',
    version: '1.0.0',
    description:
      'Real-time hybrid movie recommendations. Every answer is JSON unless said otherwise; every error is `{ "error": "..." }` with a 4xx, ' +
      'or a 503 that is worth a retry. Ids are integers from 1 to 2147483647.',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'recommendations', description: 'Served locally and by the HTTP API on AWS.' },
    {
      name: 'catalog',
      description:
        "Movies and users as the model and the online features hold them. Movies are served locally and on AWS; a user's features and ratings " +
        'locally only, since the API on AWS is public: put an authorizer in front of it before serving them there.',
    },
    { name: 'operations', description: 'Events, batch runs, quarantine, status and metrics: the local server only (on AWS, the MSK topic, the Step Functions console, the lake and CloudWatch).' },
    { name: 'console', description: 'Pages for people: the local server only.' },
  ],
  paths: {
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Whether the service answers, and the model version it serves',
        tags: ['recommendations'],
        'x-served-by': ['aws', 'local'],
        responses: { '200': ok('The service is up.', 'Health', ['/health']), '503': unavailable },
      },
    },
    '/users/{userId}/recommendations': {
      get: {
        operationId: 'recommend',
        summary: "A user's recommendations, each with its reason",
        description:
          "Collaborative filtering from the user's latest ratings, blended with genre affinity and popularity; a user without ratings gets the " +
          'popular movies (cold start). Movies the user rated are never recommended.',
        tags: ['recommendations'],
        'x-served-by': ['aws', 'local'],
        parameters: [
          pathId('userId', 'user'),
          limit(10),
          genre,
          { name: 'explain', in: 'query', description: 'Add each item\'s score parts and the rated movies behind it.', schema: { type: 'boolean', default: false } },
        ],
        responses: {
          '200': ok('The list, best first.', 'Recommendations', [
            '/users/1/recommendations',
            '/users/1/recommendations?limit=5&genre=Comedy',
            '/users/1/recommendations?explain=true',
            '/users/2000000/recommendations?limit=3',
          ]),
          '400': error('A parameter is not valid, or the genre is not in the catalog (the body lists the genres).', [
            '/users/0/recommendations',
            '/users/abc/recommendations',
            '/users/1/recommendations?limit=101',
            '/users/1/recommendations?genre=Nope',
            '/users/1/recommendations?explain=maybe',
            '/users/1/recommendations?limt=5',
          ]),
          '503': unavailable,
        },
      },
    },
    '/movies/{movieId}/similar': {
      get: {
        operationId: 'similar',
        summary: 'The movies most similar to one, by what users rated together',
        description:
          "The movies that rating this one raises most in the serving model (its EASE weights for the most rated movies, its neighbour list for the others), " +
          "positive weights only; the score is each one's weight relative to the closest movie's, which scores 1.",
        tags: ['recommendations'],
        'x-served-by': ['aws', 'local'],
        parameters: [pathId('movieId', 'movie'), limit(10)],
        responses: {
          '200': ok('The similar movies, most similar first.', 'SimilarMovies', ['/movies/1/similar', '/movies/1/similar?limit=3']),
          '400': error('A parameter is not valid.', ['/movies/x/similar', '/movies/1/similar?genre=Comedy']),
          '404': error('The movie is not in the catalog of the serving model.', ['/movies/2000000/similar']),
          '503': unavailable,
        },
      },
    },
    '/movies': {
      get: {
        operationId: 'searchMovies',
        summary: 'Search the catalog by title, and by genre',
        description: 'Every word of `q` must start a word of the title (case and accents aside). Titles that start with `q` come first, then the most rated.',
        tags: ['catalog'],
        'x-served-by': ['aws', 'local'],
        parameters: [
          { name: 'q', in: 'query', description: 'Words of the title.', schema: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH } },
          genre,
          limit(20),
        ],
        responses: {
          '200': ok('The movies found, and how many matched in all.', 'MovieSearch', ['/movies?limit=5', '/movies?q=the&limit=3', '/movies?genre=Horror&limit=2', '/movies?q=zzzzzz']),
          '400': error('A parameter is not valid, or the genre is not in the catalog.', ['/movies?q=', '/movies?genre=Nope', '/movies?limit=0']),
          '503': unavailable,
        },
      },
    },
    '/movies/{movieId}': {
      get: {
        operationId: 'getMovie',
        summary: 'A catalog entry and its online features',
        tags: ['catalog'],
        'x-served-by': ['aws', 'local'],
        parameters: [pathId('movieId', 'movie')],
        responses: {
          '200': ok('The movie.', 'MovieDetails', ['/movies/1']),
          '400': error('The id is not valid.', ['/movies/0']),
          '404': error('Neither the model nor the online features know the movie.', ['/movies/2000000']),
          '503': unavailable,
        },
      },
    },
    '/users/{userId}': {
      get: {
        operationId: 'getUser',
        summary: "A user's online features",
        tags: ['catalog'],
        'x-served-by': ['local'],
        parameters: [pathId('userId', 'user')],
        responses: {
          '200': ok('The user.', 'User', ['/users/1']),
          '400': error('The id is not valid.', ['/users/-1']),
          '404': error('The user has never rated a movie.', ['/users/2000000']),
          '503': unavailable,
        },
      },
    },
    '/users/{userId}/ratings': {
      get: {
        operationId: 'getUserRatings',
        summary: "A user's ratings, latest first",
        tags: ['catalog'],
        'x-served-by': ['local'],
        parameters: [pathId('userId', 'user'), limit(20)],
        responses: {
          '200': ok('The latest ratings, and how many the user has in all.', 'UserRatings', ['/users/1/ratings?limit=5']),
          '400': error('A parameter is not valid.', ['/users/1/ratings?limit=1000']),
          '404': error('The user has never rated a movie.', ['/users/2000000/ratings']),
          '503': unavailable,
        },
      },
    },
    '/events': {
      post: {
        operationId: 'postEvents',
        summary: 'Send rating events, as a producer on the Kafka topic would',
        description:
          'The events go through the same consumer as the topic\'s: applied at once, or quarantined with a reason (listed by their index in the body). ' +
          'At most 10,000 events and 1 MiB per request; 429 with Retry-After when 50,000 events are waiting.',
        tags: ['operations'],
        'x-served-by': ['local'],
        requestBody: {
          required: true,
          content: { [JSON_TYPE]: { schema: { oneOf: [{ $ref: '#/components/schemas/RatingEvent' }, { type: 'array', items: { $ref: '#/components/schemas/RatingEvent' }, minItems: 1, maxItems: 10_000 }] } } },
        },
        responses: {
          '200': ok('What the consumer did with them.', 'ConsumeResult', [
            { path: '/events', body: '{"type":"rating","event_id":"doc-1","user_id":700001,"movie_id":1,"rating":4.5,"timestamp":"2026-11-24T13:45:00Z"}' },
            { path: '/events', body: '[{"type":"rating","user_id":700001,"movie_id":2,"rating":7,"timestamp":"2026-11-24T13:46:00Z"}]' },
          ]),
          '400': error('The body is not JSON, not an event or a list of them, or nests too deep.', [
            { path: '/events', body: '{"type":' },
            { path: '/events', body: '[]' },
            { path: '/events', body: '42' },
          ]),
          '408': error('The body did not arrive in time.'),
          '413': error('More than 10,000 events, or more than 1 MiB.'),
          '429': error('Too many events are waiting: retry after the Retry-After seconds.'),
        },
      },
    },
    '/runs': {
      get: {
        operationId: 'listRuns',
        summary: 'The daily batch runs, latest first: steps, durations, model versions and figures',
        tags: ['operations'],
        'x-served-by': ['local'],
        parameters: [limit(30)],
        responses: {
          '200': ok('The runs.', 'BatchRuns', ['/runs', '/runs?limit=1']),
          '400': error('A parameter is not valid.', ['/runs?limit=x']),
        },
      },
      post: {
        operationId: 'startRun',
        summary: 'Run the daily batch for today now (it runs in the background: follow it on GET /runs)',
        tags: ['operations'],
        'x-served-by': ['local'],
        responses: {
          '202': ok('The batch started.', 'BatchStarted', []),
          '409': error('A batch is running already.'),
        },
      },
    },
    '/quarantine': {
      get: {
        operationId: 'listQuarantine',
        summary: 'Quarantined records, latest first, and their counts by reason',
        tags: ['operations'],
        'x-served-by': ['local'],
        parameters: [limit(50, 1000)],
        responses: {
          '200': ok('The records.', 'Quarantine', ['/quarantine', '/quarantine?limit=2']),
          '400': error('A parameter is not valid.', ['/quarantine?limit=1001']),
        },
      },
    },
    '/status': {
      get: {
        operationId: 'status',
        summary: 'Model version, counts, latest runs, quarantine by reason and the events since start',
        tags: ['operations'],
        'x-served-by': ['local'],
        responses: { '200': ok('The status.', 'Status', ['/status']) },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics: requests by route and status, latencies, events by outcome, batch durations, the model version',
        tags: ['operations'],
        'x-served-by': ['local'],
        responses: { '200': text('text/plain', 'The Prometheus text exposition format, version 0.0.4.', ['/metrics']) },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This description',
        tags: ['console'],
        'x-served-by': ['local'],
        responses: { '200': { description: 'OpenAPI 3.1', content: { [JSON_TYPE]: { schema: { type: 'object' } } }, 'x-requests': ['/openapi.json'] } },
      },
    },
    '/docs': {
      get: {
        operationId: 'docs',
        summary: 'This description, rendered (Swagger UI, served from the package: no network needed)',
        tags: ['console'],
        'x-served-by': ['local'],
        responses: { '200': text('text/html', 'The page.', ['/docs']) },
      },
    },
    '/': {
      get: {
        operationId: 'console',
        summary: 'The web console: movies, users and their recommendations, batch runs, quarantine and live counters',
        tags: ['console'],
        'x-served-by': ['local'],
        responses: { '200': text('text/html', 'The page.', ['/']) },
      },
    },
    '/assets/{file}': {
      get: {
        operationId: 'asset',
        summary: "The console's and the docs page's scripts and styles",
        tags: ['console'],
        'x-served-by': ['local'],
        parameters: [{ name: 'file', in: 'path', required: true, description: 'A file name.', schema: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH } }],
        responses: {
          '200': text('text/javascript', 'The file (JavaScript or CSS, by its name).', ['/assets/console.js', '/assets/swagger-ui.css']),
          '404': error('No such file.', ['/assets/nothing.js']),
        },
      },
    },
  },
  components: { schemas: SCHEMAS },
};
