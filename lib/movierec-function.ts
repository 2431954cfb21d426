/**
 * A movierec Lambda function: its entry bundled by esbuild, Node.js 24 on arm64, JSON logs at the
 * levels given in a log group of its own with the stage's retention, X-Ray tracing if asked, and its
 * settings in environment variables (see lambdas/entry/stores-from-environment.ts). Its role starts empty but for
 * writing its own logs; each construct grants what the function uses.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, Function as LambdaFunction, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type CfnLogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionEnvironment, FunctionName } from '../lambdas/entry/environment';
import type { ApplicationLogLevelName, SystemLogLevelName } from './config';
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
  /** CloudWatch namespace of the function's metrics, for a function that publishes any. */
  metricsNamespace?: string;
  logRetention: RetentionDays;
  /** Whether X-Ray traces the function (Lambda samples: the first request each second, 5% of the others). */
  tracing: boolean;
  /** What Lambda keeps of the function's own log lines, and of its start and report lines. */
  logLevels: { application: ApplicationLogLevelName; system: SystemLogLevelName };
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
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[props.logLevels.application],
      systemLogLevelV2: SystemLogLevel[props.logLevels.system],
      logGroup,
      environment: {
        ...props.environment,
        ...(props.metricsNamespace ? { POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace } : {}),
        // Without a trace segment from Lambda, the tracer has nothing to add to.
        ...(props.tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    const logGroupRef = `<${Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnLogGroup)}.Arn>`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${logGroupRef}:*]`,
      reason: "The log streams of the function's own log group, whose names Lambda makes at run time.",
    });
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      });
    }
  }
}

