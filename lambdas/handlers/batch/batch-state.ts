/** The state the daily batch workflow carries from step to step (see daily-batch-workflow.ts). */
import type { ModelManifest } from '../../core/model';
import type { ModelMeasure } from '../../core/model-measure';
import type { GateVerdict } from '../../core/quality-gate';

export interface DateInput {
  date: string;
}

export interface SilverInput extends DateInput {
  /** Rebuild from all of bronze, not from an earlier date's silver. */
  full?: boolean;
}

export interface FeaturesInput extends DateInput {
  /** BronzeToSilver's output: the user features of a merged date start from those of its base. */
  silver?: { base?: string };
}

export interface GoldInput extends DateInput {
  /** Train the item weights whatever the schedule says. */
  train: boolean;
  /** Users with ratings in the date's silver (SilverFeatures' count): a refreshed model's count. */
  users: number;
}

export interface BatchState extends DateInput {
  asOf: number;
  full: boolean;
  train: boolean;
  /**
   * `base`: the earlier date whose silver the run merged the bronze since onto; `from`: the first
   * bronze date a full rebuild read.
   */
  silver?: { ratings: number; base?: string; from?: string };
  features?: { users: number; movies: number };
  /**
   * `trainedOn`: the date whose silver trained the model's item weights (the run's own date, or
   * the last training day's for a refreshed model); `nextTraining`: the next training day.
   * `evaluation`: the measure of those weights on their date's holdout (absent when nobody could be
   * measured); `gate`: its verdict against the serving model; `written`: whether gold holds it (a
   * refused model of the serving model's own date is not written).
   */
  gold?: {
    version: string;
    trainedOn: string;
    nextTraining: string;
    /** 0 for a refreshed model, as is measureSeconds. */
    trainingSeconds: number;
    /** The measure's own training and ranking. */
    measureSeconds: number;
    counts: ModelManifest['counts'];
    evaluation?: ModelMeasure;
    gate: GateVerdict;
    written: boolean;
  };
  /**
   * `movies`: catalog entries published to the online store; online features `replaced` (they
   * differed from silver), `kept` (a consumer changed them after the run's as-of time) and
   * `unchanged` (equal to silver, not written).
   */
  publish?: { version: string; activated: boolean; reason: string; movies: number; replaced: number; kept: number; unchanged: number };
  /** Set by a Catch: the error of the step that failed. */
  failure?: { Error: string; Cause: string };
}
