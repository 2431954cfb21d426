/** The CDK app: `cdk synth` and `cdk deploy` run this, with the settings of cdk.json and `-c`. */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ConfigError } from '../lib/config';

const app = new App();
try {
  buildApp(app);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`movierec: ${err.message}\nSee "Deploying to AWS" in the README for the settings.\n`);
  process.exit(1);
}
app.synth();
