/**
 * `npm run local -- batch [--date YYYY-MM-DD] [--full] [--train]`: runs the daily batch workflow, printing each state
 * with its duration. The local runtime also runs it for today after loading data, so that the
 * model covers everything loaded so far.
 */
import type { BatchState } from '../../lambdas/handlers/batch/batch-state';
import { FAIL_STATE } from '../../lambdas/core/lake/daily-batch-workflow';
import { runDailyBatch, type BatchResult } from '../batch-runner';
import type { LocalSystem } from '../system';
import { say } from '../output';

/** Today's date (UTC): the batch date that covers every event ingested so far. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export interface BatchOptions {
  /** Runs a date after today, whose model then serves until `activate` moves it back. */
  force?: boolean;
  /** Rebuilds silver from all of bronze, not from the latest earlier date's silver. */
  full?: boolean;
  /** Trains the model's item weights on a day the schedule would refresh them. */
  train?: boolean;
}

export async function runBatch(system: LocalSystem, date: string | undefined, options: BatchOptions = {}): Promise<BatchResult> {
  const asked = [...(options.full ? ['silver rebuilt from all of bronze'] : []), ...(options.train ? ['the model trained'] : [])];
  say(`Daily batch for ${date ?? 'yesterday (UTC)'}${asked.map((a) => `, ${a}`).join('')}:`);
  const input = {
    ...(date === undefined ? {} : { date }),
    ...(options.force ? { force: true } : {}),
    ...(options.full ? { full: true } : {}),
    ...(options.train ? { train: true } : {}),
  };
  const before = system.runs.latestRunId();
  const result = await runDailyBatch(system.batch, input, {
    onStep: (s) => {
      if (s.status === 'succeeded') say(`  ${s.state.padEnd(15)} ${s.seconds.toFixed(2).padStart(7)} s`);
      else if (s.status === 'retried') say(`  ${s.state.padEnd(15)} retrying after a transient error`);
      // The Fail state repeats the failed step's error, already shown.
      else if (s.status === 'failed' && s.state !== FAIL_STATE) say(`  ${s.state.padEnd(15)} failed: ${s.error}`);
    },
  });
  system.runs.attachSteps(before, result.steps);
  if (result.status === 'succeeded') {
    const { date: day, publish, gold, silver } = result.output as BatchState & Required<Pick<BatchState, 'publish' | 'gold' | 'silver'>>;
    say(
      silver.base === undefined
        ? `Silver: ${silver.ratings} ratings, from all of bronze since ${silver.from}.`
        : `Silver: ${silver.ratings} ratings, the bronze since ${silver.base} merged onto that date's silver.`,
    );
    say(
      gold.trainedOn === day
        ? `Model trained on ${gold.counts.ratings} ratings; the next training is on ${gold.nextTraining}.`
        : `Model refreshed: the item weights trained on ${gold.trainedOn}, with this date's popularity and catalog; the next training is on ${gold.nextTraining} (--train trains now).`,
    );
    if (gold.evaluation) {
      const { hybrid, model, popularity, users, protocol } = gold.evaluation;
      const measured = gold.trainedOn === day ? 'Model measured' : `The measure of its weights, from ${gold.trainedOn},`;
      say(`${measured} on ${protocol} (${users} users): nDCG@10 ${hybrid.ndcg.toFixed(4)} served, ${model.ndcg.toFixed(4)} model alone, ${popularity.ndcg.toFixed(4)} most rated.`);
    }
    const outcome = publish.activated ? 'published' : `${gold.written ? 'written, not published' : 'not published nor written'} (${publish.reason})`;
    say(`Batch ${day} succeeded: model ${publish.version} ${outcome}; ${publish.replaced} online features corrected, ${publish.unchanged} already equal to silver, ${publish.kept} newer ones kept.`);
  } else {
    const failed = result.steps.find((s) => s.status === 'failed');
    say(`Batch failed${failed ? ` in ${failed.state}: ${failed.error}` : `: ${result.error}: ${result.cause}`}`);
  }
  return result;
}
