import { StateMachine } from 'aws-local-stepfunctions';
import 'core-js/actual/promise/with-resolvers.js';
import { describe, expect, it } from 'vitest';
import {
  BATCH_TASKS,
  DAILY_BATCH_WORKFLOW,
  substituteResources,
  substitutionName,
} from '../../../../lambdas/core/lake/daily-batch-workflow';
import { TRANSIENT_ERROR } from '../../../../lambdas/core/transient-error';

type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[]; IntervalSeconds: number; BackoffRate: number; MaxAttempts: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath: string }[];
};
const states = DAILY_BATCH_WORKFLOW.States as Record<string, State>;

describe('the daily batch workflow', () => {
  it('runs the steps in order, from ResolveDate to Publish', () => {
    const order: string[] = [];
    for (let name: string | undefined = DAILY_BATCH_WORKFLOW.StartAt; name; name = states[name]!.Next) order.push(name);
    expect(order).toEqual(['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']);
    expect(states.Publish!.End).toBe(true);
  });

  it('retries every step on transient errors with exponential backoff, and catches all else into RecordFailure', () => {
    for (const name of BATCH_TASKS.filter((t) => t !== 'RecordFailure')) {
      const s = states[name]!;
      expect(s.Resource).toBe(`\${${substitutionName(name)}}`);
      expect(s.Retry?.[0]).toMatchObject({ ErrorEquals: expect.arrayContaining([TRANSIENT_ERROR]), BackoffRate: 2 });
      expect(s.Retry![0]!.MaxAttempts).toBeGreaterThan(1);
      expect(s.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }]);
    }
    expect(states.RecordFailure!.Next).toBe('Failed');
    expect(states.Failed!.Type).toBe('Fail');
  });

  it('takes one ARN per Task state and is then a valid state machine', () => {
    const definition = substituteResources((t) => `arn:aws:lambda:eu-west-1:123456789012:function:movierec-${t}`);
    expect(JSON.stringify(definition)).not.toContain('${');
    expect((definition.States as Record<string, State>).GoldModel!.Resource).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:movierec-GoldModel',
    );
    expect(() => new StateMachine(definition)).not.toThrow();
  });
});
