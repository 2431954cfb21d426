import { describe, expect, it } from 'vitest';
import { API, MAX_LIMIT } from '../../../lambdas/handlers/api-description';
import { createRouter } from '../../../lambdas/handlers/api-router';
import { HttpError } from '../../../lambdas/handlers/http-response';

const all = createRouter(API, () => true);
const shared = createRouter(API, (op) => op['x-served-by'].includes('aws'));

function refusal(method: string, path: string, query = ''): HttpError {
  try {
    all.match(method, path, query);
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error(`${method} ${path}?${query} was accepted`);
}

describe('the router built from the API description', () => {
  it('types path and query parameters and fills in the defaults', () => {
    const m = all.match('GET', '/users/42/recommendations', 'genre=Sci-Fi&explain=true');
    expect(m.operation.operationId).toBe('recommend');
    expect(m.template).toBe('/users/{userId}/recommendations');
    expect([m.params.int('userId'), m.params.int('limit'), m.params.text('genre'), m.params.flag('explain')]).toEqual([42, 10, 'Sci-Fi', true]);
    expect(all.match('GET', '/movies', '').params.int('limit')).toBe(20);
    expect(all.match('HEAD', '/movies/7/similar/', 'limit=3').params.int('limit')).toBe(3);
  });

  it('tells the operations apart by method and by path', () => {
    expect(all.match('GET', '/runs', '').operation.operationId).toBe('listRuns');
    expect(all.match('POST', '/runs', '').operation.operationId).toBe('startRun');
    expect(all.match('GET', '/users/1', '').operation.operationId).toBe('getUser');
    expect(all.match('GET', '/users/1/ratings', '').operation.operationId).toBe('getUserRatings');
    expect(all.match('GET', '/', '').operation.operationId).toBe('console');
  });

  it.each([
    ['GET', '/users/0/recommendations', '', 400, 'userId must be an integer from 1 to 2147483647'],
    ['GET', '/users/007/recommendations', '', 400, 'userId must be an integer from 1 to 2147483647'],
    ['GET', '/users/1/recommendations', `limit=${MAX_LIMIT + 1}`, 400, `limit must be an integer from 1 to ${MAX_LIMIT}`],
    ['GET', '/users/1/recommendations', 'explain=yes', 400, 'explain must be true or false'],
    ['GET', '/movies', 'q=', 400, 'q must be from 1 to 100 characters long'],
    ['GET', '/movies', `q=${'x'.repeat(101)}`, 400, 'q must be from 1 to 100 characters long'],
    ['GET', '/quarantine', 'limit=1001', 400, 'limit must be an integer from 1 to 1000'],
    ['GET', '/movies/%E0%A4%A', '', 400, 'path is not valid percent-encoding'],
    ['DELETE', '/runs', '', 405, 'method DELETE is not allowed'],
    ['GET', '/events', '', 405, 'method GET is not allowed'],
    ['GET', '/users/1/friends', '', 404, 'no route for /users/1/friends'],
  ])('%s %s?%s is refused with %i: %s', (method, path, query, status, message) => {
    const err = refusal(method, path, query);
    expect([err.statusCode, err.message]).toEqual([status, message]);
  });

  it('names the allowed methods of a path it refuses a method on', () => {
    expect(refusal('PUT', '/runs').headers).toEqual({ allow: 'GET, HEAD, POST' });
    expect(refusal('PUT', '/runs').details).toEqual({ allowed: ['GET', 'POST'] });
    expect(refusal('GET', '/events').headers).toEqual({ allow: 'POST' });
  });

  it('lists the parameters an operation takes when it is given another', () => {
    expect(refusal('GET', '/movies/1/similar', 'genre=Comedy').details).toEqual({ allowed: ['limit'] });
  });

  it('keeps to the operations it is built for', () => {
    expect(shared.templateOf('/movies/1')).toBe('/movies/{movieId}');
    expect(shared.templateOf('/users/1/ratings')).toBeUndefined();
    expect(shared.templateOf('/runs')).toBeUndefined();
    expect(shared.templateOf('/')).toBeUndefined();
    expect(() => shared.match('GET', '/metrics', '')).toThrow('no route for /metrics');
  });
});
