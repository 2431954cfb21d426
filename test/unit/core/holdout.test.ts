import { describe, expect, it } from 'vitest';
import { leaveLatestOut, parseHoldout, formatHoldout, splitByTime, splitPerUser, type SilverRatings } from '../../../lambdas/core/holdout';
import { seededRandom } from '../../../lambdas/core/random';

const DAY = 86_400_000;

/** Rows of [user, movie, rating, time]. */
function silver(rows: readonly (readonly [number, number, number, number])[]): SilverRatings {
  return {
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    eventTimes: Float64Array.from(rows, (r) => r[3]),
  };
}

const pairs = (d: SilverRatings) => [...d.userIds].map((u, i) => `${u}:${d.movieIds[i]}`);

describe('parseHoldout', () => {
  it('reads a share of the events or a number of days, and says what it read', () => {
    expect(parseHoldout('10%')).toEqual({ share: 0.1 });
    expect(parseHoldout('2.5%')).toEqual({ share: 0.025 });
    expect(parseHoldout('1d')).toEqual({ days: 1 });
    expect(formatHoldout(parseHoldout('12.5%'))).toBe('12.5%');
    expect(formatHoldout({ days: 7 })).toBe('7d');
  });

  it.each(['', '0%', '51%', '10', '0d', '366d', '1.5d', 'ten percent'])('refuses %j, saying what it takes', (text) => {
    expect(() => parseHoldout(text)).toThrow(/a share of the latest events, from 0% to 50% \(like 10%\), or a number of days from 1 to 365 \(like 1d\)/);
  });
});

describe('splitByTime', () => {
  // Users 1 and 2 rate before and after day 10; user 3 only before, user 4 only after.
  const data = silver([
    [1, 10, 4, 1 * DAY],
    [1, 11, 5, 9 * DAY],
    [1, 12, 3, 10 * DAY],
    [2, 10, 2, 5 * DAY],
    [2, 13, 4, 10.5 * DAY],
    [3, 11, 4, 2 * DAY],
    [4, 14, 4, 10.2 * DAY],
    [2, 14, 1, 3 * DAY],
  ]);

  it('holds out the events of the last days, and trains on nothing after them', () => {
    const split = splitByTime(data, { days: 1 });
    expect(split.cutoff).toBe(9.5 * DAY + 1);
    expect([...split.test]).toEqual([
      [1, new Set([12])],
      [2, new Set([13])],
    ]);
    // User 4 has nothing before the cutoff to be known by: neither measured nor trained on.
    expect(pairs(split.train)).toEqual(['1:10', '1:11', '2:10', '3:11', '2:14']);
    expect(split.train.ratings).toEqual(Float32Array.from([4, 5, 2, 4, 1]));
    expect(split.protocol).toBe('the events of the last 1 day by time');
  });

  it('holds out the latest share of the events', () => {
    // 8 events: the latest 25% are the 7th and 8th by time, from 10.2 days on.
    const split = splitByTime(data, { share: 0.25 });
    expect(split.cutoff).toBe(10.2 * DAY);
    expect([...split.test]).toEqual([[2, new Set([13])]]);
    expect(split.train.userIds).toHaveLength(6);
    expect(split.protocol).toBe('the latest 25% of the events by time');
  });

  it('measures at most the users asked, the same ones on every run, whatever the order of the rows', () => {
    const many = silver(Array.from({ length: 200 }, (_, u) => [[u + 1, 1, 4, DAY] as const, [u + 1, 2, 4, 10 * DAY] as const]).flat());
    const split = splitByTime(many, { days: 1 }, 30);
    expect(split.test.size).toBe(30);
    const reversed = silver(Array.from({ length: 200 }, (_, u) => [[200 - u, 2, 4, 10 * DAY] as const, [200 - u, 1, 4, DAY] as const]).flat());
    expect([...splitByTime(reversed, { days: 1 }, 30).test.keys()].sort()).toEqual([...split.test.keys()].sort());
  });

  it('holds out nothing of an empty lake', () => {
    expect(splitByTime(silver([]), { share: 0.1 }).test.size).toBe(0);
  });
});

describe('leaveLatestOut', () => {
  it("holds out each user's latest rating by time (ties: the higher movie id), of users with two ratings or more", () => {
    const split = leaveLatestOut(
      silver([
        [1, 12, 4, 3],
        [1, 10, 4, 5],
        [1, 11, 4, 5],
        [2, 20, 4, 1],
        [3, 30, 4, 2],
        [3, 31, 4, 1],
      ]),
    );
    expect([...split.test]).toEqual([
      [1, new Set([11])],
      [3, new Set([30])],
    ]);
    expect(pairs(split.train)).toEqual(['1:12', '1:10', '2:20', '3:31']);
  });
});

describe('splitPerUser', () => {
  const rows = (userId: number, n: number) => Array.from({ length: n }, (_, i) => [userId, i + 1, 4, i] as const);
  const all = [...rows(1, 1), ...rows(2, 2), ...rows(3, 4), ...rows(4, 5), ...rows(5, 40)];
  const data = silver(all);

  it("puts round(75%) of each user's ratings in train and the rest in test", () => {
    const { train, test } = splitPerUser(data, seededRandom(42));
    const trainCount = (u: number) => [...train.userIds].filter((x) => x === u).length;
    // round(0.75) = 1, round(1.5) = 2, round(3) = 3, round(3.75) = 4, round(30) = 30.
    expect([1, 2, 3, 4, 5].map(trainCount)).toEqual([1, 2, 3, 4, 30]);
    expect([...test.keys()]).toEqual([3, 4, 5]);
    expect(test.get(5)!.size).toBe(10);
    const trained = new Set(pairs(train));
    for (const [u, items] of test) for (const m of items) expect(trained.has(`${u}:${m}`)).toBe(false);
  });

  it('gives the same split for the same seed, whatever the input order, and another for another seed', () => {
    const a = splitPerUser(data, seededRandom(42));
    const b = splitPerUser(silver([...all].reverse()), seededRandom(42));
    const c = splitPerUser(data, seededRandom(43));
    expect(b).toEqual(a);
    expect(c.test.get(5)).not.toEqual(a.test.get(5));
  });
});
