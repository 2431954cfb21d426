/**
 * The CDK app's contents: one stack for the stage the context names (lib/config.ts), checked by
 * cdk-nag's AwsSolutions rules (a finding that is not acknowledged with a reason fails synth). The
 * CDK entry (bin/), the tests and the rehearsal build the app the same way.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from './config';
import { MovierecStack } from './movierec-stack';

export function buildApp(app: App): MovierecStack {
  const config = readStageConfig((key) => app.node.tryGetContext(key));
  const stack = new MovierecStack(app, `movierec-${config.stage}`, {
    config,
    description: `movierec (${config.stage}): real-time movie recommendations`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
