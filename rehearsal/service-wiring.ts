/**
 * What AWS services do for the stack with its roles, and whether the roles let them: the MSK event
 * source mapping polling the cluster and sending failures to its destination (with the function's
 * role), EventBridge starting the state machine (with the rule's role), Step Functions running it
 * and invoking each Task's function, API Gateway invoking the recommend function (with the
 * function's resource policy) with its events. Each check is counted with the rest; a configuration
 * AWS would refuse is a problem of the rehearsal.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { runWorkflow, type BatchResult } from '../local/batch-runner';
import type { Authorizer, Principal } from './authorizer';
import { evaluate, type PolicyStatement } from './iam-policy';
import type { DeployedFunction, LambdaService } from './lambda-service';
import type { DeployedTemplate } from './template';

export interface KafkaEventSource {
  fn: DeployedFunction;
  clusterArn: string;
  topic: string;
  batchSize: number;
  /** How long the pollers gather records before invoking the function, seconds. */
  batchingWindowSeconds: number;
  onFailure?: string;
  /** How its pollers reach Lambda, STS and SQS from the cluster's subnets. */
  network: string;
}

/** The MSK event source mappings, after checking what their pollers do with each function's role. */
export function kafkaEventSources(template: DeployedTemplate, lambda: LambdaService, authorizer: Authorizer, problems: string[]): KafkaEventSource[] {
  return template.ofType('AWS::Lambda::EventSourceMapping').map((id) => {
    const p = template.resolve(template.resource(id).Properties) as Record<string, unknown>;
    const fn = lambda.functions.find((f) => f.name === p.FunctionName || f.arn === p.FunctionName);
    if (!fn) throw new Error(`${id}: the function ${String(p.FunctionName)} is not in the template`);
    const clusterArn = String(p.EventSourceArn);
    const [topic] = p.Topics as [string];
    const group = (p.AmazonManagedKafkaEventSourceConfig as { ConsumerGroupId?: string } | undefined)?.ConsumerGroupId;
    const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;
    const provisioned = p.ProvisionedPollerConfig !== undefined;
    // AWS documents retry limits, bisection, record age and partial batch responses for Kafka
    // event sources in provisioned mode only.
    for (const setting of ['MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'MaximumRecordAgeInSeconds', 'FunctionResponseTypes']) {
      if (p[setting] !== undefined && !provisioned) problems.push(`${id}: ${setting} on a Kafka event source needs provisioned mode (ProvisionedPollerConfig)`);
    }
    if (!group) problems.push(`${id}: no ConsumerGroupId: the role cannot be scoped to a consumer group`);
    const { name, uuid } = clusterParts(clusterArn);
    const kafka = (kind: string, resource: string) => clusterArn.replace(/:cluster\/.*$/, `:${kind}/${name}/${uuid}/${resource}`);
    const asks = [
      ...['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers', 'kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'].map((action) => ({ action, resource: clusterArn })),
      ...['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'].map((action) => ({ action, resource: kafka('topic', topic) })),
      ...(group ? ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'].map((action) => ({ action, resource: kafka('group', group) })) : []),
      // The pollers' network interfaces in the cluster's subnets.
      ...['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'].map(
        (action) => ({ action, resource: '*' }),
      ),
      ...(onFailure?.includes(':sqs:') ? [{ action: 'sqs:SendMessage', resource: onFailure }] : []),
    ];
    for (const ask of asks) authorizer.check(fn.principal, ask, 'event source mapping');
    const endpoints = template.ofType('AWS::EC2::VPCEndpoint').map((e) => template.property<string>(e, 'ServiceName').split('.').pop()!);
    const needed = [...(provisioned ? [] : ['lambda', 'sts']), ...(onFailure?.includes(':sqs:') ? ['sqs'] : [])];
    const missing = needed.filter((s) => !endpoints.includes(s));
    const mode = provisioned ? 'provisioned pollers' : 'on-demand pollers';
    const network =
      missing.length === 0
        ? `${mode}, with interface endpoints for ${endpoints.sort().join(', ')} in the cluster's subnets`
        : `${mode}, through the VPC's own route to ${missing.join(', ')} (a NAT gateway or endpoints of its own)`;
    return {
      fn,
      clusterArn,
      topic,
      batchSize: Number(p.BatchSize ?? 100),
      // Kafka event sources wait half a second by default.
      batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0.5),
      ...(onFailure ? { onFailure } : {}),
      network,
    };
  });
}

export interface StateMachine {
  arn: string;
  principal: Principal;
  definition: Record<string, unknown>;
  /** The scheduled input, and whether its rule's role may start the execution. */
  scheduledInput: Record<string, unknown>;
}

export function stateMachines(template: DeployedTemplate, authorizer: Authorizer, problems: string[]): StateMachine[] {
  return template.ofType('AWS::StepFunctions::StateMachine').map((id) => {
    const arn = template.resolve({ Ref: id }) as string;
    const substitutions = template.property<Record<string, string> | undefined>(id, 'DefinitionSubstitutions') ?? {};
    const text = Object.entries(substitutions).reduce((t, [name, value]) => t.replaceAll(`\${${name}}`, value), template.property<string>(id, 'DefinitionString'));
    const roleArn = template.property<string>(id, 'RoleArn');
    const roleId = template.ofType('AWS::IAM::Role').find((r) => template.resolve({ 'Fn::GetAtt': [r, 'Arn'] }) === roleArn)!;
    let scheduledInput: Record<string, unknown> = {};
    const rules = template.ofType('AWS::Events::Rule').filter((r) => template.property<{ Arn: string }[]>(r, 'Targets').some((t) => t.Arn === arn));
    if (rules.length === 0) problems.push(`${id}: no schedule starts it`);
    for (const rule of rules) {
      const target = template.property<{ Arn: string; Input?: string; RoleArn?: string }[]>(rule, 'Targets').find((t) => t.Arn === arn)!;
      const ruleRole = template.ofType('AWS::IAM::Role').find((r) => template.resolve({ 'Fn::GetAtt': [r, 'Arn'] }) === target.RoleArn);
      if (!ruleRole) problems.push(`${rule}: its target has no role to start ${id}`);
      else authorizer.check(authorizer.principal(ruleRole, 'schedule'), { action: 'states:StartExecution', resource: arn }, 'EventBridge');
      scheduledInput = JSON.parse(target.Input ?? '{}') as Record<string, unknown>;
    }
    return { arn, principal: authorizer.principal(roleId, 'state machine'), definition: JSON.parse(text) as Record<string, unknown>, scheduledInput };
  });
}

export interface HttpApiRoute {
  fn: DeployedFunction;
  apiId: string;
  payloadFormat: string;
}

/** The HTTP API's Lambda integrations, after checking that each function lets API Gateway invoke it. */
export function httpApiRoutes(template: DeployedTemplate, lambda: LambdaService, authorizer: Authorizer, problems: string[]): HttpApiRoute[] {
  return template.ofType('AWS::ApiGatewayV2::Integration').map((id) => {
    const uri = template.property<string>(id, 'IntegrationUri');
    const fn = lambda.byArn(uri);
    if (!fn) throw new Error(`${id}: the integration's function ${uri} is not in the template`);
    const apiId = template.property<string>(id, 'ApiId');
    // API Gateway's invocation, as the function's resource policy sees it: route $default, stage $default.
    const sourceArn = template.arn('execute-api', `${apiId}/$default/$default`);
    const statements: PolicyStatement[] = template.ofType('AWS::Lambda::Permission').flatMap((p) => {
      const props = template.resolve(template.resource(p).Properties) as { Action: string; FunctionName: string; Principal: string; SourceArn?: string };
      if (lambda.byArn(props.FunctionName) !== fn && props.FunctionName !== fn.name) return [];
      if (props.Principal !== 'apigateway.amazonaws.com') return [];
      const statement: PolicyStatement = { Effect: 'Allow', Action: props.Action, Resource: fn.arn };
      if (props.SourceArn) statement.Condition = { ArnLike: { 'aws:SourceArn': props.SourceArn } };
      return [statement];
    });
    authorizer.checks.set('lambda', (authorizer.checks.get('lambda') ?? 0) + 1);
    if (evaluate({ action: 'lambda:InvokeFunction', resource: fn.arn, context: { 'aws:SourceArn': sourceArn } }, statements) !== 'allowed') {
      problems.push(`${id}: API Gateway may not invoke ${fn.principal.name} (no lambda:InvokeFunction permission for ${sourceArn})`);
    }
    return { fn, apiId, payloadFormat: template.property<string>(id, 'PayloadFormatVersion') };
  });
}

/** Runs the deployed document; a function error other than `expectedError` is a problem. */
export async function runStateMachine(
  machine: StateMachine,
  input: Record<string, unknown>,
  lambda: LambdaService,
  authorizer: Authorizer,
  problems: string[],
  expectedError?: string,
): Promise<BatchResult> {
  const states = machine.definition.States as Record<string, { Type: string; Resource?: string }>;
  const handlers = Object.fromEntries(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name, s]) => {
        const fn = lambda.byArn(s.Resource ?? '');
        if (!fn) {
          problems.push(`state ${name}: the rehearsal does not run the Task resource ${s.Resource}`);
          return [name, () => Promise.reject(new Error(`unknown resource ${s.Resource}`))];
        }
        return [
          name,
          async (input: unknown) => {
            if (authorizer.check(machine.principal, { action: 'lambda:InvokeFunction', resource: s.Resource! }) !== 'allowed') {
              throw namedError('Lambda.AWSLambdaException', `the state machine's role may not invoke ${fn.name}`);
            }
            const result = await lambda.invoke(fn, input);
            if (!result.ok) {
              if (result.error.errorType !== expectedError) problems.push(`${name} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
              throw namedError(result.error.errorType, JSON.stringify(result.error));
            }
            return result.value;
          },
        ];
      }),
  );
  const result = await runWorkflow(machine.definition as unknown as StateMachineDefinition, handlers, input, { retryIntervalMs: 0 });
  if (result.status !== 'succeeded' && expectedError === undefined) problems.push(`the daily batch failed: ${result.error}: ${result.cause}`);
  return result;
}

function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** An HTTP API (payload format 2.0) event, as API Gateway sends it for the $default route. */
export function apiEvent(route: HttpApiRoute, method: string, pathAndQuery: string): APIGatewayProxyEventV2 {
  const url = new URL(pathAndQuery, 'https://api.example');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  return {
    version: route.payloadFormat,
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: { accept: 'application/json', 'user-agent': 'movierec-rehearsal' },
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: route.apiId,
      domainName: `${route.apiId}.execute-api.amazonaws.com`,
      domainPrefix: route.apiId,
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'movierec-rehearsal' },
      requestId: `${now.getTime()}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}


function clusterParts(arn: string): { name: string; uuid: string } {
  const [, name = '', uuid = ''] = arn.split(':').slice(5).join(':').split('/');
  return { name, uuid };
}
