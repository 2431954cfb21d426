import { describe, expect, it } from 'vitest';
import { splitByTime, type SilverRatings } from '../../../lambdas/core/holdout';
import { measureModel } from '../../../lambdas/core/model-measure';

const DAY = 86_400_000;
/** Three tastes of ten movies each: enough movies that a top 10 must choose. */
const TASTES = [0, 1, 2].map((t) => Array.from({ length: 10 }, (_, i) => t * 10 + i + 1));
const catalog = TASTES.flat().map((movieId) => ({ movieId, title: `Movie ${movieId}`, genres: [`Taste ${Math.floor((movieId - 1) / 10)}`] }));

/**
 * 90 users, each of one taste: they rate 8 of its 10 movies over the first days (each user
 * another 8), then, on the last day, `latest(user)`: by default one of the two they had not rated.
 */
function ratings(latest: (user: number, taste: number[]) => number = (u, taste) => taste[(8 + u) % 10]!): SilverRatings {
  const rows: [number, number, number, number][] = [];
  for (let u = 1; u <= 90; u++) {
    const taste = TASTES[u % 3]!;
    for (let i = 0; i < 8; i++) rows.push([u, taste[(i + u) % 10]!, 3 + (i % 3), (i + 1) * DAY]);
    rows.push([u, latest(u, taste), 5, 20 * DAY]);
  }
  return {
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    eventTimes: Float64Array.from(rows, (r) => r[3]),
  };
}

describe('measureModel', () => {
  it('trains before the holdout and ranks what came after it: the model finds a clear taste, the most rated movies cannot', () => {
    const m = measureModel(splitByTime(ratings(), { days: 1 }), catalog)!;
    expect(m).toMatchObject({ protocol: 'the events of the last 1 day by time', users: 90, trainRatings: 720, testRatings: 90, k: 10 });
    expect(m.model.recall).toBe(1);
    expect(m.hybrid.recall).toBe(1);
    expect(m.model.ndcg).toBeGreaterThan(0.5);
    expect(m.hybrid.ndcg).toBeGreaterThan(0.5);
    // Every movie is as popular as another of its taste: popularity cannot tell the tastes apart.
    expect(m.popularity.ndcg).toBeLessThan(m.model.ndcg / 2);
    expect(m.model.precision).toBeCloseTo(0.1, 4);
  });

  it('scores lower when the held-out movies are of another taste', () => {
    const other = ratings((u) => TASTES[(u + 1) % 3]![u % 10]!);
    const m = measureModel(splitByTime(other, { days: 1 }), catalog)!;
    const clear = measureModel(splitByTime(ratings(), { days: 1 }), catalog)!;
    expect(m.hybrid.ndcg).toBeLessThan(clear.hybrid.ndcg / 2);
    expect(m.model.ndcg).toBeLessThan(clear.model.ndcg / 2);
  });

  it('gives the same figures on every run, and nothing when nobody can be measured', () => {
    const a = measureModel(splitByTime(ratings(), { share: 0.1 }), catalog)!;
    const b = measureModel(splitByTime(ratings(), { share: 0.1 }), catalog)!;
    expect(a).toEqual(b);
    const onlyBefore = ratings();
    onlyBefore.eventTimes.fill(DAY);
    expect(measureModel(splitByTime(onlyBefore, { days: 1 }), catalog)).toBeUndefined();
  });
});
