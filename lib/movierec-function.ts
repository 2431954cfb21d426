/**
 * A movierec Lambda function: its entry bundled by esbuild, Node.js 24 on arm64, X-Ray tracing,
 * JSON logs in a log group of its own with the stage's retention, and its settings in environment
 * variables (see lambdas/entry/adapters.ts). Its role starts empty but for writing its own logs;
 * each construct grants what the function uses.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type CfnLogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionEnvironment, FunctionName } from '../lambdas/entry/environment';
import { bundledCode } from './lambda-bundles';

export interface MovierecFunctionProps<F extends FunctionName> {
  /** Which entry file of lib/lambda-bundles.ts. */
  entry: F;
  description: string;
  /** MB; CPU grows with it. */
  memorySize: number;
  timeout: Duration;
  /** The settings its entry reads (lambdas/entry/environment.ts), each by name. */
  environment: FunctionEnvironment<F>;
  /** CloudWatch namespace of the function's metrics. */
  metricsNamespace: string;
  logRetention: RetentionDays;
}

export class MovierecFunction<F extends FunctionName = FunctionName> extends LambdaFunction {
  constructor(scope: Construct, id: string, props: MovierecFunctionProps<F>) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      code: bundledCode(props.entry),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    const logGroupRef = `<${Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnLogGroup)}.Arn>`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${logGroupRef}:*]`,
      reason: "The log streams of the function's own log group, whose names Lambda makes at run time.",
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    });
  }
}

