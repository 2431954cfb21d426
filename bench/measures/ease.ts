/**
 * EASE's cost: the inverse of a generated Gram matrix at several sizes, in-process; and training the
 * whole model on the full-scale silver ratings with larger heads, each in a process of its own
 * (train-child.ts), for its time and peak memory: the head a GoldModel Lambda can afford.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SymmetricSweep } from '../../lambdas/core/ease';
import { seededRandom } from '../../lambdas/core/random';

/** Seconds to invert XᵀX + λI for n items, X a long-tailed sample of 3n users with 40 ratings each. */
export function measureInversion(n: number, seed: number): number {
  const rnd = seededRandom(seed);
  const sweep = new SymmetricSweep(n);
  const g = sweep.matrix;
  for (let u = 0; u < n * 3; u++) {
    const items = [...new Set(Array.from({ length: 40 }, () => Math.floor(rnd.float() ** 2 * n)))].sort((a, b) => a - b);
    for (let a = 0; a < items.length; a++) for (let b = a; b < items.length; b++) g[items[a]! * n + items[b]!]! += 1;
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += 250;
  const started = performance.now();
  sweep.invert();
  return (performance.now() - started) / 1000;
}

export interface TrainingRun {
  seconds: number;
  peak_rss_mb: number;
}

/** The model trained on the date's silver ratings with `headItems` movies in the head, in a process of its own. */
export function trainInChild(dataDir: string, date: string, headItems: number): TrainingRun {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'train-child.ts'), dataDir, date, String(headItems)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`training with a head of ${headItems} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as TrainingRun;
}
