/**
 * The CDK app. The stacks (lake, feature store, ingest, batch, API) are added here as they land;
 * each reads its settings from the `context` of cdk.json.
 */
import { App } from 'aws-cdk-lib';

const app = new App();
app.synth();
