/** The state the daily batch workflow carries from step to step (see daily-batch-workflow.ts). */
import type { HoldoutMetrics } from '../../core/holdout-evaluation';
import type { ModelManifest } from '../../core/model';

export interface DateInput {
  date: string;
}

export interface BatchState extends DateInput {
  asOf: number;
  silver?: { ratings: number };
  features?: { users: number; movies: number };
  /** `evaluation`: the model's measure on held-out latest ratings; absent when no user has enough ratings. */
  gold?: { version: string; trainingSeconds: number; counts: ModelManifest['counts']; evaluation?: HoldoutMetrics };
  /** `movies`: catalog entries published to the online store; `replaced`/`kept`: online features. */
  publish?: { version: string; activated: boolean; reason: string; movies: number; replaced: number; kept: number };
  /** Set by a Catch: the error of the step that failed. */
  failure?: { Error: string; Cause: string };
}
