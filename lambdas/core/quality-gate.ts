/**
 * The daily batch's quality gate: a new model does not serve when the nDCG@10 of the blend it
 * would serve, on the batch's holdout, falls below the serving model's by more than the allowed
 * share. Where either side was not measured, there is nothing to compare, and the model passes.
 */
import { DEFAULT_HOLDOUT, formatShare, parseHoldout, type Holdout } from './holdout';
import type { ModelMeasure } from './model-measure';

export interface QualityGate {
  /** The drop from the serving model's nDCG@10 allowed, as a share of it (0.1: 10%). */
  maxDrop: number;
}

export const DEFAULT_GATE: QualityGate = { maxDrop: 0.1 };

/** How the daily batch judges each new model: what its measure holds out, and the gate. */
export interface ModelQuality {
  holdout: Holdout;
  gate: QualityGate;
}

export const DEFAULT_MODEL_QUALITY: ModelQuality = { holdout: DEFAULT_HOLDOUT, gate: DEFAULT_GATE };

/** The gate's verdict, kept with the run. */
export interface GateVerdict {
  passed: boolean;
  /** In words: why it passed or not, with the figures. */
  reason: string;
  /** nDCG@10 of the served blend, new and serving, where measured. */
  candidate: number | null;
  serving: number | null;
  servingVersion: string | null;
  maxDrop: number;
}

/** `10%`: a share from 0% to 100% (100% lets every model through). */
export function parseMaxDrop(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (!m || Number(m[1]) > 100) throw new RangeError(`the quality gate's allowed drop is a share from 0% to 100%, like 10%; got ${JSON.stringify(text)}`);
  return Number(m[1]) / 100;
}

/** The batch's measure and gate from their settings (MODEL_HOLDOUT, MODEL_GATE_MAX_DROP); an absent or empty one takes its default. */
export function parseModelQuality(settings: { holdout?: string | undefined; maxDrop?: string | undefined }): ModelQuality {
  return {
    holdout: settings.holdout ? parseHoldout(settings.holdout) : DEFAULT_MODEL_QUALITY.holdout,
    gate: { maxDrop: settings.maxDrop ? parseMaxDrop(settings.maxDrop) : DEFAULT_MODEL_QUALITY.gate.maxDrop },
  };
}

/** A model's version and its measure (undefined when nobody could be measured). */
export interface MeasuredModel {
  version: string;
  evaluation?: ModelMeasure | undefined;
}

export function judgeModel(model: MeasuredModel, serving: MeasuredModel | undefined, gate: QualityGate): GateVerdict {
  const candidate = model.evaluation;
  const base = { candidate: candidate?.hybrid.ndcg ?? null, serving: serving?.evaluation?.hybrid.ndcg ?? null, servingVersion: serving?.version ?? null, maxDrop: gate.maxDrop };
  if (!serving) return { ...base, passed: true, reason: 'no model serves yet' };
  if (serving.version === model.version) return { ...base, passed: true, reason: 'the same model serves already' };
  if (!serving.evaluation) return { ...base, passed: true, reason: `the serving model ${serving.version} was not measured` };
  if (!candidate) return { ...base, passed: true, reason: 'the new model could not be measured: no user has ratings on both sides of the holdout' };
  // The figures have 4 decimals: a model exactly at the floor passes, whatever the floating point.
  const floor = serving.evaluation.hybrid.ndcg * (1 - gate.maxDrop) - 1e-9;
  const figures = `nDCG@10 ${candidate.hybrid.ndcg.toFixed(4)} against ${serving.evaluation.hybrid.ndcg.toFixed(4)} for the serving model ${serving.version}`;
  const allowed = formatShare(gate.maxDrop);
  if (candidate.hybrid.ndcg >= floor) return { ...base, passed: true, reason: `${figures}, within the ${allowed} allowed` };
  const drop = Math.round((1 - candidate.hybrid.ndcg / serving.evaluation.hybrid.ndcg) * 1000) / 10;
  return { ...base, passed: false, reason: `quality gate: ${figures}, ${drop}% lower, more than the ${allowed} allowed` };
}
