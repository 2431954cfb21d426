/** The state the daily batch workflow carries from step to step (see daily-batch-workflow.ts). */
import type { ModelManifest } from '../../core/model';

export interface DateInput {
  date: string;
}

export interface BatchState extends DateInput {
  asOf: number;
  silver?: { ratings: number };
  features?: { users: number; movies: number };
  gold?: { version: string; trainingSeconds: number; counts: ModelManifest['counts'] };
  /** `movies`: catalog entries published to the online store; `replaced`/`kept`: online features. */
  publish?: { version: string; activated: boolean; reason: string; movies: number; replaced: number; kept: number };
  /** Set by a Catch: the error of the step that failed. */
  failure?: { Error: string; Cause: string };
}
