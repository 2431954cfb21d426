/**
 * The CDK app: one stack per stage, configured from the context (lib/config.ts), checked by cdk-nag's
 * AwsSolutions rules (a finding that is not acknowledged with a reason fails synth).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, readStageConfig } from '../lib/config';
import { MovierecStack } from '../lib/movierec-stack';

const app = new App();
try {
  const config = readStageConfig((key) => app.node.tryGetContext(key));
  new MovierecStack(app, `movierec-${config.stage}`, {
    config,
    description: `movierec (${config.stage}): real-time movie recommendations`,
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`movierec: ${err.message}\nSee "Deploying to AWS" in the README for the settings.\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
