/**
 * Who may do what, read from the template: each role's policies (its own and the AWS-managed ones
 * the rehearsal knows), and the bucket and queue policies. Every check is counted by service, and
 * every denial kept with the principal, action and resource, for the report.
 */
import { evaluate, statementsOf, type AccessRequest, type Decision, type PolicyDocument, type PolicyStatement } from './iam-policy';
import type { DeployedTemplate } from './template';

/** A role as the code running under it: a function, the state machine, or an event source. */
export interface Principal {
  /** What the report calls it: `Publish`, `state machine`, ... */
  name: string;
  roleId: string;
  roleArn: string;
}

export interface Check {
  principal: string;
  action: string;
  resource: string;
  decision: Decision;
  /** Who made the call for the principal, when not its own code: `Athena`, `event source mapping`, ... */
  via?: string;
}

/** The AWS-managed policies this stack attaches, as AWS defines them. */
const MANAGED_POLICIES: Record<string, PolicyStatement[]> = {
  'service-role/AWSLambdaMSKExecutionRole': [
    {
      Effect: 'Allow',
      Action: [
        'kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers',
        'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface',
        'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents',
      ],
      Resource: '*',
    },
  ],
};

export class Authorizer {
  readonly checks = new Map<string, number>();
  readonly denials: Check[] = [];
  /** The actions each role was allowed, by role id. */
  private readonly used = new Map<string, Set<string>>();
  private readonly identity = new Map<string, PolicyStatement[]>();
  private readonly resourcePolicies = new Map<string, PolicyStatement[]>();

  constructor(private readonly template: DeployedTemplate) {
    for (const id of template.ofType('AWS::S3::BucketPolicy')) {
      this.resourcePolicies.set(`s3:${template.property<string>(id, 'Bucket')}`, statementsOf(template.property<PolicyDocument>(id, 'PolicyDocument')));
    }
    for (const id of template.ofType('AWS::SQS::QueuePolicy')) {
      for (const url of template.property<string[]>(id, 'Queues')) {
        this.resourcePolicies.set(`sqs:${url.split('/').pop()!}`, statementsOf(template.property<PolicyDocument>(id, 'PolicyDocument')));
      }
    }
  }

  principal(roleId: string, name: string): Principal {
    return { name, roleId, roleArn: this.template.resolve({ 'Fn::GetAtt': [roleId, 'Arn'] }) as string };
  }

  /** Checks and records one request; returns the decision. */
  check(principal: Principal, request: AccessRequest, via?: string): Decision {
    const service = request.action.split(':')[0]!;
    this.checks.set(service, (this.checks.get(service) ?? 0) + 1);
    const decision = evaluate(request, this.statements(principal.roleId), this.resourcePolicy(request.resource), principal.roleArn);
    if (decision === 'allowed') {
      let used = this.used.get(principal.roleId);
      if (!used) this.used.set(principal.roleId, (used = new Set()));
      used.add(request.action.toLowerCase());
    } else {
      this.denials.push({ principal: principal.name, action: request.action, resource: request.resource, decision, ...(via ? { via } : {}) });
    }
    return decision;
  }

  /**
   * The actions a role's own policies allow that no check needed: candidates for removal, or paths
   * the rehearsal did not take. Logging and tracing, which no call here reaches, are left out.
   */
  unusedActions(roleId: string): string[] {
    const used = this.used.get(roleId) ?? new Set<string>();
    const granted = this.statements(roleId)
      .filter((s) => s.Effect === 'Allow' && s.Action !== undefined)
      .flatMap((s) => ([] as string[]).concat(s.Action!))
      .filter((a) => !/^(logs|xray|ec2):/.test(a) && !a.includes('*'));
    return [...new Set(granted)].filter((a) => !used.has(a.toLowerCase())).sort();
  }

  /** The identity statements of a role: its inline and attached policies, and the managed ones known here. */
  statements(roleId: string): PolicyStatement[] {
    const known = this.identity.get(roleId);
    if (known) return known;
    const t = this.template;
    const role = t.resource(roleId).Properties ?? {};
    const attached = t
      .ofType('AWS::IAM::Policy')
      .filter((id) => (t.resource(id).Properties?.Roles as unknown[] | undefined)?.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
      .flatMap((id) => statementsOf(t.property<PolicyDocument>(id, 'PolicyDocument')));
    const inline = ((t.resolve(role.Policies) as { PolicyDocument: PolicyDocument }[] | undefined) ?? []).flatMap((p) => statementsOf(p.PolicyDocument));
    const managed = ((t.resolve(role.ManagedPolicyArns) as string[] | undefined) ?? []).flatMap((arn) => {
      const name = arn.split(':policy/')[1]!;
      const statements = MANAGED_POLICIES[name];
      if (!statements) throw new Error(`the rehearsal does not know the managed policy ${arn} attached to ${roleId}`);
      return statements;
    });
    const all = [...attached, ...inline, ...managed];
    this.identity.set(roleId, all);
    return all;
  }

  private resourcePolicy(resource: string): PolicyStatement[] {
    const parts = resource.split(':');
    const [service, rest] = [parts[2], parts.slice(5).join(':')];
    if (service === 's3') return this.resourcePolicies.get(`s3:${rest.split('/')[0]}`) ?? [];
    if (service === 'sqs') return this.resourcePolicies.get(`sqs:${rest}`) ?? [];
    return [];
  }
}
