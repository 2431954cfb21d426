/** A seeded random source: the same seed gives the same sequence on every machine. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Random {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  const float = () => uniformFloat64(rng);
  return {
    float,
    int: (from, to) => uniformInt(rng, from, to),
    normal: () => Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float()),
    pick: (items) => items[uniformInt(rng, 0, items.length - 1)]!,
  };
}

/** Draws one of `items` with probability proportional to `weightOf(item)`, from a uniform number in [0, 1). */
export function weightedSampler<T>(items: readonly T[], weightOf: (item: T) => number): (u: number) => T | undefined {
  const cumulative = new Float64Array(items.length);
  let total = 0;
  items.forEach((item, i) => (cumulative[i] = total += weightOf(item)));
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
}
