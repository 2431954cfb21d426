/**
 * The synthesized CloudFormation template, read as CloudFormation would deploy it: each resource
 * gets a physical name (its own when the template names it, otherwise one made from the stack and
 * logical id, as CloudFormation makes them), and Refs, GetAtts, Joins and Subs resolve to those
 * names, so that environments, policies and the state machine definition read as they would in
 * the account. Anything the rehearsal cannot resolve fails loudly rather than being guessed.
 */
import { createHash } from 'node:crypto';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, TemplateResource>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Where the stack is deployed: its partition, region and account. */
export interface Place {
  partition: string;
  region: string;
  account: string;
}

export class RehearsalError extends Error {
  override name = 'RehearsalError';
}

export class DeployedTemplate {
  private readonly names = new Map<string, string>();

  constructor(
    readonly template: CfnTemplate,
    readonly stackName: string,
    readonly place: Place,
  ) {}

  resource(logicalId: string): TemplateResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new RehearsalError(`the template has no resource ${logicalId}`);
    return r;
  }

  /** The logical ids of the resources of a type, in template order. */
  ofType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** A property of a resource, resolved. */
  property<T = unknown>(logicalId: string, name: string): T {
    return this.resolve(this.resource(logicalId).Properties?.[name]) as T;
  }

  /** Resolves every intrinsic function in a value to plain JSON. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      switch (fn) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = typeof arg === 'string' ? (arg.split(/\.(.+)/) as [string, string]) : (arg as [string, string]);
          return this.attribute(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub':
          return this.sub(arg as string | [string, Record<string, unknown>]);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::FindInMap': {
          const [map, top, second] = this.resolve(arg) as [string, string, string];
          return this.template.Mappings?.[map]?.[top]?.[second];
        }
        default:
          if (fn.startsWith('Fn::') || fn === 'Condition') throw new RehearsalError(`the rehearsal cannot resolve ${fn}`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The physical name CloudFormation gives a resource. */
  physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known) return known;
    const r = this.resource(logicalId);
    const own = this.ownName(r);
    const made = own ?? this.madeName(logicalId, r.Type);
    this.names.set(logicalId, made);
    return made;
  }

  arn(service: string, resource: string, region = this.place.region, account = this.place.account): string {
    return `arn:${this.place.partition}:${service}:${region}:${account}:${resource}`;
  }

  private ref(name: string): unknown {
    switch (name) {
      case 'AWS::Partition':
        return this.place.partition;
      case 'AWS::Region':
        return this.place.region;
      case 'AWS::AccountId':
        return this.place.account;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return undefined;
    }
    const r = this.resource(name);
    const physical = this.physicalName(name);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.place.region}.amazonaws.com/${this.place.account}/${physical}`;
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
        return this.attribute(name, 'Arn');
      default:
        return physical;
    }
  }

  private attribute(id: string, attribute: string): string {
    const r = this.resource(id);
    const name = this.physicalName(id);
    const key = `${r.Type}.${attribute}`;
    switch (key) {
      case 'AWS::S3::Bucket.Arn':
        return `arn:${this.place.partition}:s3:::${name}`;
      case 'AWS::DynamoDB::GlobalTable.Arn':
      case 'AWS::DynamoDB::Table.Arn':
        return this.arn('dynamodb', `table/${name}`);
      case 'AWS::Lambda::Function.Arn':
        return this.arn('lambda', `function:${name}`);
      case 'AWS::IAM::Role.Arn':
        return `arn:${this.place.partition}:iam::${this.place.account}:role/${name}`;
      case 'AWS::SQS::Queue.Arn':
        return this.arn('sqs', name);
      case 'AWS::SQS::Queue.QueueName':
        return name;
      case 'AWS::SNS::Topic.TopicArn':
      case 'AWS::SNS::Topic.Arn':
        return this.arn('sns', name);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.arn('states', `stateMachine:${name}`);
      case 'AWS::StepFunctions::StateMachine.Name':
        return name;
      case 'AWS::Logs::LogGroup.Arn':
        return this.arn('logs', `log-group:${name}:*`);
      case 'AWS::KMS::Key.Arn':
        return this.arn('kms', `key/${name}`);
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://${name}.execute-api.${this.place.region}.amazonaws.com`;
      case 'AWS::Events::Rule.Arn':
        return this.arn('events', `rule/${name}`);
      default:
        throw new RehearsalError(`the rehearsal cannot resolve Fn::GetAtt ${id}.${attribute} (${r.Type})`);
    }
  }

  private sub(arg: string | [string, Record<string, unknown>]): string {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in vars) return String(this.resolve(vars[name]));
      const [id, attribute] = name.split(/\.(.+)/);
      return String(attribute ? this.attribute(id!, attribute) : this.ref(name));
    });
  }

  private ownName(r: TemplateResource): string | undefined {
    const p = r.Properties ?? {};
    const nameProperty: Record<string, unknown> = {
      'AWS::DynamoDB::GlobalTable': p.TableName,
      'AWS::DynamoDB::Table': p.TableName,
      'AWS::S3::Bucket': p.BucketName,
      'AWS::Lambda::Function': p.FunctionName,
      'AWS::IAM::Role': p.RoleName,
      'AWS::SQS::Queue': p.QueueName,
      'AWS::SNS::Topic': p.TopicName,
      'AWS::StepFunctions::StateMachine': p.StateMachineName,
      'AWS::Logs::LogGroup': p.LogGroupName,
      'AWS::Athena::WorkGroup': p.Name,
      'AWS::Glue::Database': (p.DatabaseInput as { Name?: unknown } | undefined)?.Name,
      'AWS::Glue::Table': (p.TableInput as { Name?: unknown } | undefined)?.Name,
      'AWS::Events::Rule': p.Name,
    };
    const own = nameProperty[r.Type];
    return own === undefined ? undefined : String(this.resolve(own));
  }

  /** `<stack>-<logical id>-<suffix>`, lower-case where the service wants it, within its length limit. */
  private madeName(logicalId: string, type: string): string {
    const suffix = createHash('sha256').update(`${this.stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
    if (type === 'AWS::S3::Bucket') return `${this.stackName}-${logicalId}`.toLowerCase().slice(0, 50) + `-${suffix.toLowerCase()}`;
    if (type === 'AWS::KMS::Key') return `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4000-8000-${suffix}`.toLowerCase();
    if (type === 'AWS::ApiGatewayV2::Api') return suffix.slice(0, 10).toLowerCase();
    return `${this.stackName}-${logicalId}`.slice(0, 50) + `-${suffix}`;
  }
}
