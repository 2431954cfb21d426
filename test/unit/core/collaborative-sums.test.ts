import { describe, expect, it } from 'vitest';
import { CollaborativeSums } from '../../../lambdas/core/collaborative-sums';
import { seededRandom } from '../../../lambdas/core/random';

describe('CollaborativeSums', () => {
  it.each([
    [1, 1],
    [7, 5],
    [64, 64],
    [101, 37],
  ])('adds the weighted rows of a %i-movie head (%i rows, in fours and one by one) as a plain sum does', (n, count) => {
    const rnd = seededRandom(n);
    const weights = Float32Array.from({ length: n * n }, () => rnd.float() - 0.5);
    const slots = n + 3;
    const sums = new CollaborativeSums(weights, n, slots, 0);
    expect([...sums.weights]).toEqual([...weights]);
    const rows = Array.from({ length: count }, () => rnd.int(0, n - 1));
    const likings = Array.from({ length: count }, () => rnd.float());
    sums.sums.fill(0.25);
    sums.addHead(rows, likings, count);
    for (let t = 0; t < n; t++) {
      let sum = 0.25;
      for (let k = 0; k < count; k++) sum += likings[k]! * weights[rows[k]! * n + t]!;
      expect(sums.sums[t]).toBeCloseTo(sum, 12);
    }
    // The slots outside the head are the caller's: untouched.
    expect([...sums.sums.subarray(n)]).toEqual([0.25, 0.25, 0.25]);
  });

  it.each([
    [0, 12, 3],
    [5, 40, 17],
    [20, 300, 120],
  ])('adds the lists of a %i-movie head’s other movies (%i slots, %i sources) in the order a loop does, and finds the free slots as first reached', (n, slots, count) => {
    const rnd = seededRandom(slots);
    const lengths = Array.from({ length: slots }, (_, s) => (s < n ? 0 : rnd.int(0, 9)));
    const total = lengths.reduce((a, b) => a + b, 0);
    const sums = new CollaborativeSums(new Float32Array(n * n), n, slots, total);
    for (let s = 0, j = 0; s < slots; s++) {
      sums.listStart[s] = j;
      for (let e = 0; e < lengths[s]!; e++, j++) {
        sums.listSlots[j] = rnd.int(0, slots - 1);
        sums.listScores[j] = rnd.float() - 0.3;
      }
      sums.listStart[s + 1] = j;
    }
    const sources = Array.from({ length: count }, () => rnd.int(n, slots - 1));
    const likings = Array.from({ length: count }, () => rnd.float());
    // Some slots already taken by the request (rated, say): never found again.
    const taken = new Set(Array.from({ length: Math.ceil(slots / 5) }, () => rnd.int(0, slots - 1)));
    for (const slot of taken) sums.state[slot] = 2;
    const start = Float64Array.from({ length: slots }, () => rnd.float());
    sums.sums.set(start);

    const expected = Float64Array.from(start);
    const firstReached: number[] = [];
    const marked = new Set(taken);
    for (let k = 0; k < count; k++) {
      const s = sources[k]!;
      for (let j = sums.listStart[s]!; j < sums.listStart[s + 1]!; j++) {
        const t = sums.listSlots[j]!;
        if (t >= n && !marked.has(t)) {
          marked.add(t);
          firstReached.push(t);
        }
        expected[t] = expected[t]! + likings[k]! * sums.listScores[j]!;
      }
    }
    const found = sums.addLists(sources, likings, count, 1);

    expect([...found]).toEqual(firstReached);
    // The same additions in the same order: the same doubles, bit for bit.
    expect([...sums.sums]).toEqual([...expected]);
    for (let t = 0; t < slots; t++) expect(sums.state[t]).toBe(taken.has(t) ? 2 : firstReached.includes(t) ? 1 : 0);
  });

  it.each([
    [12, 3, 2],
    [40, 17, 15],
    [300, 120, 10],
  ])('finds where the lists reach the slots with a place (%i slots, %i sources, %i places), in order, whatever the batches', (slots, count, places) => {
    const rnd = seededRandom(slots + places);
    const sums = new CollaborativeSums(new Float32Array(0), 0, slots, slots * 9);
    for (let s = 0, j = 0; s < slots; s++) {
      sums.listStart[s] = j;
      // Distinct slots in a list, as the model index makes them.
      const list = [...new Set(Array.from({ length: rnd.int(0, 9) }, () => rnd.int(0, slots - 1)))];
      for (const t of list) {
        sums.listSlots[j] = t;
        sums.listScores[j++] = rnd.float() - 0.3;
      }
      sums.listStart[s + 1] = j;
    }
    const placed = [...new Set(Array.from({ length: places * 3 }, () => rnd.int(0, slots - 1)))].slice(0, places);
    placed.forEach((slot, i) => (sums.place[slot] = i));
    const sources = Array.from({ length: count }, () => rnd.int(0, slots - 1));
    const likings = Array.from({ length: count }, () => rnd.float());

    const expected: [number, number, number][] = [];
    for (let k = 0; k < count; k++) {
      for (let j = sums.listStart[sources[k]!]!; j < sums.listStart[sources[k]! + 1]!; j++) {
        const i = placed.indexOf(sums.listSlots[j]!);
        if (i >= 0) expected.push([k, i, likings[k]! * sums.listScores[j]!]);
      }
    }
    const hits: [number, number, number][] = [];
    sums.listHits(sources, likings, count, placed.length, (k, i, value) => hits.push([k, i, value]));

    expect(expected.length).toBeGreaterThan(0);
    expect(hits).toEqual(expected);
  });
});
