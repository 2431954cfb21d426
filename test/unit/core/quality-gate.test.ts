import { describe, expect, it } from 'vitest';
import type { ModelMeasure } from '../../../lambdas/core/model-measure';
import { DEFAULT_GATE, DEFAULT_MODEL_QUALITY, judgeModel, parseMaxDrop, parseModelQuality } from '../../../lambdas/core/quality-gate';

const scores = (ndcg: number) => ({ precision: 0.1, recall: 0.2, ndcg, map: 0.1, coverage: 0.3 });
const measure = (hybrid: number): ModelMeasure => ({
  protocol: 'the latest 10% of the events by time',
  users: 100,
  trainRatings: 1000,
  testRatings: 120,
  k: 10,
  model: scores(hybrid - 0.01),
  hybrid: scores(hybrid),
  popularity: scores(0.05),
});
const NEW = '2026-11-24-0123456789ab';
const candidate = (ndcg: number) => ({ version: NEW, evaluation: measure(ndcg) });
const serving = (ndcg?: number) => ({ version: '2026-11-23-abcdef012345', ...(ndcg === undefined ? {} : { evaluation: measure(ndcg) }) });

describe('judgeModel', () => {
  it("passes a model within the allowed drop of the serving model's nDCG@10, or above it", () => {
    expect(judgeModel(candidate(0.3), serving(0.32), DEFAULT_GATE)).toEqual({
      passed: true,
      reason: 'nDCG@10 0.3000 against 0.3200 for the serving model 2026-11-23-abcdef012345, within the 10% allowed',
      candidate: 0.3,
      serving: 0.32,
      servingVersion: '2026-11-23-abcdef012345',
      maxDrop: 0.1,
    });
    expect(judgeModel(candidate(0.4), serving(0.32), DEFAULT_GATE).passed).toBe(true);
    expect(judgeModel(candidate(0.288), serving(0.32), DEFAULT_GATE).passed).toBe(true);
  });

  it('refuses a model that falls further, saying by how much', () => {
    const verdict = judgeModel(candidate(0.25), serving(0.32), DEFAULT_GATE);
    expect(verdict).toMatchObject({ passed: false, candidate: 0.25, serving: 0.32 });
    expect(verdict.reason).toBe(
      'quality gate: nDCG@10 0.2500 against 0.3200 for the serving model 2026-11-23-abcdef012345, 21.9% lower, more than the 10% allowed',
    );
    expect(judgeModel(candidate(0.25), serving(0.32), { maxDrop: 0.25 }).passed).toBe(true);
    expect(judgeModel(candidate(0), serving(0.32), { maxDrop: 1 }).passed).toBe(true);
  });

  it('passes the very model that serves, whatever the figures', () => {
    expect(judgeModel({ version: '2026-11-23-abcdef012345', evaluation: measure(0.1) }, serving(0.32), DEFAULT_GATE)).toMatchObject({
      passed: true,
      reason: 'the same model serves already',
    });
  });

  it('passes when there is nothing to compare, and says why', () => {
    expect(judgeModel(candidate(0.1), undefined, DEFAULT_GATE)).toMatchObject({ passed: true, reason: 'no model serves yet', serving: null });
    expect(judgeModel(candidate(0.1), serving(), DEFAULT_GATE)).toMatchObject({ passed: true, reason: 'the serving model 2026-11-23-abcdef012345 was not measured' });
    expect(judgeModel({ version: NEW }, serving(0.3), DEFAULT_GATE)).toMatchObject({ passed: true, candidate: null, reason: expect.stringMatching(/could not be measured/) });
  });
});

describe('parseMaxDrop', () => {
  it('reads a percentage, and refuses anything else', () => {
    expect(parseMaxDrop('10%')).toBe(0.1);
    expect(parseMaxDrop('0%')).toBe(0);
    expect(parseMaxDrop('100%')).toBe(1);
    for (const bad of ['0.1', '101%', '-5%', '']) expect(() => parseMaxDrop(bad)).toThrow(/a share from 0% to 100%, like 10%/);
  });
});

describe('parseModelQuality', () => {
  it('reads both settings, takes the defaults for absent or empty ones, and names a bad value', () => {
    expect(parseModelQuality({ holdout: '2d', maxDrop: '25%' })).toEqual({ holdout: { days: 2 }, gate: { maxDrop: 0.25 } });
    expect(parseModelQuality({ holdout: '', maxDrop: undefined })).toEqual(DEFAULT_MODEL_QUALITY);
    expect(() => parseModelQuality({ holdout: '10%', maxDrop: 'ten' })).toThrow(/"ten"/);
  });
});
