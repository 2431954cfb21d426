/**
 * The synthesized stack as deployed into an account on this machine: s3rver buckets and dynalite
 * tables named and keyed as the template makes them, the emulated Athena, the one AWS gateway that
 * checks every call against the caller's role, the functions' bundles in their sandboxes, and what
 * AWS services do for the stack (event sources, schedules, API routes). The rehearsal plays a day
 * on it; `npm run cost` meters one.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SILVER_MOVIE_FEATURES, SILVER_RATINGS, SILVER_RATINGS_MERGE, SILVER_USER_FEATURES } from '../lambdas/core/lake/batch-queries';
import { startDynamo, type LocalDynamo } from '../test/helpers/dynalite';
import { startS3, type LocalS3 } from '../test/helpers/s3rver';
import { AthenaEmulator } from './athena-emulator';
import { Authorizer } from './authorizer';
import { AwsGateway, type ObservedRequest } from './aws-gateway';
import { LambdaService } from './lambda-service';
import { httpApiRoutes, kafkaEventSources, stateMachines, type HttpApiRoute, type KafkaEventSource, type StateMachine } from './service-wiring';
import { PROJECT_ROOT, synthesizeStack, type SynthesizedStack } from './synthesize';
import { DeployedTemplate, type CfnTemplate, type Place } from './template';

export interface AccountOptions {
  /** CDK context over cdk.json's: the stage and its settings. */
  context?: Record<string, unknown>;
  /** A stack synthesized already (its assembly is left in place); otherwise one is synthesized, and removed on stop. */
  stack?: SynthesizedStack;
  /** Changes the synthesized template before it is deployed (to show what a missing grant does). */
  alterTemplate?: (template: CfnTemplate) => void;
  /** Told of every request the functions (and Athena for them) make. */
  observe?: (request: ObservedRequest) => void;
  progress?: (line: string) => void;
}

export interface EmulatedAccount {
  stackName: string;
  template: DeployedTemplate;
  place: Place;
  /** The servers behind the gateway, for what an operator puts in place outside the stack. */
  s3: LocalS3;
  dynamo: LocalDynamo;
  authorizer: Authorizer;
  athena: AthenaEmulator;
  gateway: AwsGateway;
  lambda: LambdaService;
  sources: KafkaEventSource[];
  machines: StateMachine[];
  routes: HttpApiRoute[];
  /** What AWS would refuse in the stack as configured. */
  problems: string[];
  stop(): Promise<void>;
}

export async function startEmulatedAccount(options: AccountOptions = {}): Promise<EmulatedAccount> {
  const say = options.progress ?? (() => undefined);
  if (!options.stack) say('synthesizing the stack and building its Lambda bundles');
  const synthesized = options.stack ? { ...options.stack, template: structuredClone(options.stack.template) } : synthesizeStack(options.context);
  options.alterTemplate?.(synthesized.template);
  const place = placeOf(synthesized.template);
  const template = new DeployedTemplate(synthesized.template, synthesized.stackName, place);
  const scratch = mkdtempSync(join(tmpdir(), 'movierec-rehearsal-sandbox-'));
  const problems: string[] = [];

  say('starting s3rver, dynalite, the emulated Athena and the AWS gateway');
  const buckets = template.ofType('AWS::S3::Bucket').map((id) => template.physicalName(id));
  const [s3, dynamo] = await Promise.all([startS3(buckets[0]), startDynamo()]);
  for (const bucket of buckets.slice(1)) await s3.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createTables(template, dynamo);
  const authorizer = new Authorizer(template);
  let gatewayUrl = '';
  const athena = new AthenaEmulator({
    template,
    authorizer,
    queries: [SILVER_RATINGS, SILVER_RATINGS_MERGE, SILVER_USER_FEATURES, SILVER_MOVIE_FEATURES],
    today: () => new Date().toISOString().slice(0, 10),
    s3For: (principal) => {
      const accessKeyId = `ATHENA${principal.roleId.slice(0, 14).toUpperCase()}`;
      gateway.register(accessKeyId, principal, 'Athena');
      return callerS3(gatewayUrl, place.region, accessKeyId);
    },
  });
  const gateway = new AwsGateway({ template, authorizer, athena, s3Endpoint: s3.endpoint, dynamoEndpoint: dynamo.endpoint, ...(options.observe ? { observe: options.observe } : {}) });
  gatewayUrl = await gateway.start();
  const sandboxFile = join(scratch, 'lambda-sandbox.mjs');
  buildSync({ entryPoints: [join(PROJECT_ROOT, 'rehearsal/lambda-sandbox.ts')], outfile: sandboxFile, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  const lambda = new LambdaService({ template, authorizer, gateway, gatewayUrl, assemblyDir: synthesized.outdir, sandboxFile });
  await lambda.start();
  problems.push(...lambda.problems);

  const stop = async () => {
    await lambda.stop();
    await athena.settle();
    await gateway.stop();
    await Promise.all([s3.stop(), dynamo.stop()]);
    rmSync(scratch, { recursive: true, force: true });
    if (!options.stack) rmSync(synthesized.outdir, { recursive: true, force: true });
  };
  try {
    const sources = kafkaEventSources(template, lambda, authorizer, problems);
    const machines = stateMachines(template, authorizer, problems);
    const routes = httpApiRoutes(template, lambda, authorizer, problems);
    return { stackName: synthesized.stackName, template, place, s3, dynamo, authorizer, athena, gateway, lambda, sources, machines, routes, problems, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Where the stack goes: the MSK cluster's region and account (the event source must be in them). */
function placeOf(template: CfnTemplate): Place {
  const esm = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  const arn = typeof esm?.Properties?.EventSourceArn === 'string' ? esm.Properties.EventSourceArn.split(':') : [];
  return { partition: arn[1] ?? 'aws', region: arn[3] ?? 'us-east-1', account: arn[4] ?? '123456789012' };
}

async function createTables(template: DeployedTemplate, dynamo: LocalDynamo): Promise<void> {
  for (const id of [...template.ofType('AWS::DynamoDB::GlobalTable'), ...template.ofType('AWS::DynamoDB::Table')]) {
    const p = template.resolve(template.resource(id).Properties) as { TableName: string; KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]; AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[] };
    await dynamo.createTable({ TableName: template.physicalName(id), KeySchema: p.KeySchema, AttributeDefinitions: p.AttributeDefinitions });
  }
}

function callerS3(endpoint: string, region: string, accessKeyId: string): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: 'rehearsal' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
