/**
 * IAM policy evaluation for one account, as AWS evaluates a request: an explicit Deny in any
 * applicable policy wins, then an Allow in the principal's identity policies or in the resource's
 * policy, else the request is denied. Actions match case-insensitively, resources case-sensitively,
 * both with `*` and `?` wildcards; conditions support the operators this stack's policies use, and
 * an operator the rehearsal does not know fails the evaluation instead of being guessed.
 */
import { RehearsalError } from './template';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: '*' | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Statement: PolicyStatement | PolicyStatement[];
}

/** What a request asks: an action on a resource, with the condition keys AWS would set. */
export interface AccessRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export type Decision = 'allowed' | 'explicit deny' | 'implicit deny';

export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return ([] as PolicyStatement[]).concat(document.Statement);
}

/**
 * Evaluates a request of `principalArn` against its identity statements and the statements of the
 * resource's own policy (bucket or queue policy), which name their principals.
 */
export function evaluate(
  request: AccessRequest,
  identity: readonly PolicyStatement[],
  resourcePolicy: readonly PolicyStatement[] = [],
  principalArn?: string,
): Decision {
  const applies = (s: PolicyStatement) => matchesAction(s, request.action) && matchesResource(s, request.resource) && matchesConditions(s, request.context ?? {});
  const forPrincipal = resourcePolicy.filter((s) => principalArn !== undefined && namesPrincipal(s, principalArn));
  const all = [...identity, ...forPrincipal];
  if (all.some((s) => s.Effect === 'Deny' && applies(s))) return 'explicit deny';
  return all.some((s) => s.Effect === 'Allow' && applies(s)) ? 'allowed' : 'implicit deny';
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : ([] as string[]).concat(value);
}

function wildcard(pattern: string, flags = ''): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

function matchesAction(s: PolicyStatement, action: string): boolean {
  if (s.Action !== undefined) return list(s.Action).some((a) => wildcard(a, 'i').test(action));
  if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => wildcard(a, 'i').test(action));
  throw new RehearsalError(`a policy statement has neither Action nor NotAction: ${JSON.stringify(s)}`);
}

function matchesResource(s: PolicyStatement, resource: string): boolean {
  if (s.Resource !== undefined) return list(s.Resource).some((r) => wildcard(r).test(resource));
  if (s.NotResource !== undefined) return !list(s.NotResource).some((r) => wildcard(r).test(resource));
  throw new RehearsalError(`a policy statement has neither Resource nor NotResource: ${JSON.stringify(s)}`);
}

function namesPrincipal(s: PolicyStatement, principalArn: string): boolean {
  if (s.Principal === '*') return true;
  const account = principalArn.split(':')[4];
  return list(s.Principal?.AWS).some((p) => p === '*' || p === principalArn || p === account || p.endsWith(`:${account}:root`));
}

function matchesConditions(s: PolicyStatement, context: Record<string, string | string[]>): boolean {
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => condition(operator, context[key], list(expected as string | string[]).map(String))),
  );
}

const OPERATORS: Record<string, { test: (actual: string, expected: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (a, e) => a === e, negated: false },
  StringNotEquals: { test: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { test: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringLike: { test: (a, e) => wildcard(e).test(a), negated: false },
  StringNotLike: { test: (a, e) => wildcard(e).test(a), negated: true },
  ArnEquals: { test: (a, e) => a === e, negated: false },
  ArnLike: { test: (a, e) => wildcard(e).test(a), negated: false },
  ArnNotEquals: { test: (a, e) => a === e, negated: true },
  ArnNotLike: { test: (a, e) => wildcard(e).test(a), negated: true },
  Bool: { test: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
};

function condition(operator: string, actual: string | string[] | undefined, expected: string[]): boolean {
  const ifExists = operator.endsWith('IfExists');
  const name = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const op = OPERATORS[name];
  if (!op) throw new RehearsalError(`the rehearsal does not evaluate the condition operator ${operator}`);
  if (actual === undefined) return ifExists || op.negated;
  const matched = list(actual).some((a) => expected.some((e) => op.test(a, e)));
  return op.negated ? !matched : matched;
}
