/**
 * The HTTP API: every route to the recommend function, which answers 404 and 405 itself; stage
 * throttling, CORS for the configured origins, and JSON access logs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DataLake } from './data-lake';
import type { FeatureStore } from './feature-store';
import type { FunctionName } from '../lambdas/entry/environment';
import { MovierecFunction, type MovierecFunctionProps } from './movierec-function';

export interface ApiProps {
  namePrefix: string;
  lake: DataLake;
  features: FeatureStore;
  rateLimit: number;
  burstLimit: number;
  /** Browser origins allowed by CORS; empty: none. */
  corsOrigins: string[];
  logRetention: RetentionDays;
  /** Whether X-Ray traces the function. */
  tracing: boolean;
  /** The function's application and system log levels. */
  logLevels: MovierecFunctionProps<FunctionName>['logLevels'];
}

/** The access log line: enough to follow a request and its latency, no body, no query string. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  time: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
});

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: MovierecFunction;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { users, movies, models } = props.features.tables;
    this.handler = new MovierecFunction(this, 'Recommend', {
      entry: 'recommend',
      description: 'Recommendations, similar movies and catalog reads over HTTP',
      memorySize: 1769, // one full vCPU
      timeout: Duration.seconds(10),
      environment: {
        LAKE_BUCKET: props.lake.bucket.bucketName,
        USERS_TABLE: users.tableName,
        MOVIES_TABLE: movies.tableName,
        MODELS_TABLE: models.tableName,
      },
      logRetention: props.logRetention,
      tracing: props.tracing,
      logLevels: props.logLevels,
    });
    props.lake.grantObjects(this.handler, ['s3:GetObject'], ['gold/']);
    // Query reads a profile; BatchGetItem looks up rated movies (users) and a movie's features (movies).
    users.grant(this.handler, 'dynamodb:Query', 'dynamodb:BatchGetItem');
    movies.grant(this.handler, 'dynamodb:BatchGetItem');
    models.grant(this.handler, 'dynamodb:GetItem');

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${props.namePrefix}-api`,
      description: 'movierec recommendations',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Recommend', this.handler),
      corsPreflight:
        props.corsOrigins.length === 0
          ? undefined
          : { allowOrigins: props.corsOrigins, allowMethods: [CorsHttpMethod.GET], allowHeaders: ['content-type'], maxAge: Duration.hours(1) },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(ACCESS_LOG_FORMAT) },
    });
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Recommendations are public reads of non-personal data by user id; throttling bounds abuse. Add an authorizer (JWT or IAM) to restrict callers.',
    });
  }
}
