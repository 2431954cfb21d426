import { describe, expect, it } from 'vitest';
import { API } from '../../../lambdas/handlers/api-description';
import { schemaErrors } from '../../helpers/api-contract';

const response = (path: string, status: string) => API.paths[path]!.get!.responses[status]!;

describe('the documented schemas', () => {
  it('refuse a body that is missing a field, has one more, or has one of the wrong type', () => {
    const health = response('/health', '200');
    expect(schemaErrors(health, { status: 'ok', modelVersion: null })).toEqual([]);
    expect(schemaErrors(health, { status: 'ok' })).not.toEqual([]);
    expect(schemaErrors(health, { status: 'ok', modelVersion: null, extra: 1 })).not.toEqual([]);
    expect(schemaErrors(health, { status: 'ok', modelVersion: 3 })).not.toEqual([]);
  });

  it('check nested items through their references, formats included', () => {
    const ratings = response('/users/{userId}/ratings', '200');
    const item = { movieId: 1, title: 'x', genres: [], rating: 4.5, time: '2026-11-24T10:00:00.000Z', eventId: 'e' };
    expect(schemaErrors(ratings, { userId: 1, ratingCount: 1, items: [item] })).toEqual([]);
    expect(schemaErrors(ratings, { userId: 1, ratingCount: 1, items: [{ ...item, rating: 4.2 }] })).not.toEqual([]);
    expect(schemaErrors(ratings, { userId: 1, ratingCount: 1, items: [{ ...item, time: 'yesterday' }] })).not.toEqual([]);
  });
});
