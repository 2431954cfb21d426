import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyStatement } from '../../../rehearsal/iam-policy';

const BUCKET = 'arn:aws:s3:::lake';
const ROLE = 'arn:aws:iam::123456789012:role/movierec-Publish';

describe('IAM policy evaluation of the rehearsal', () => {
  const identity: PolicyStatement[] = [
    { Effect: 'Allow', Action: ['s3:GetObject', 'dynamodb:Update*'], Resource: [`${BUCKET}/gold/*`, 'arn:aws:dynamodb:us-east-1:123456789012:table/users'] },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET, Condition: { StringLike: { 's3:prefix': ['gold/*'] } } },
  ];

  it('allows what a statement grants, with wildcards in actions (any case) and resources', () => {
    expect(evaluate({ action: 's3:GetObject', resource: `${BUCKET}/gold/model/dt=2026-11-24/manifest.json` }, identity)).toBe('allowed');
    expect(evaluate({ action: 'DynamoDB:UpdateItem', resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/users' }, identity)).toBe('allowed');
  });

  it('denies by default what no statement grants: another action, another resource', () => {
    expect(evaluate({ action: 's3:PutObject', resource: `${BUCKET}/gold/x` }, identity)).toBe('implicit deny');
    expect(evaluate({ action: 's3:GetObject', resource: `${BUCKET}/silver/x` }, identity)).toBe('implicit deny');
    expect(evaluate({ action: 'dynamodb:UpdateItem', resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/movies' }, identity)).toBe('implicit deny');
  });

  it("evaluates conditions on the request's keys: a listing outside the granted prefixes is denied", () => {
    expect(evaluate({ action: 's3:ListBucket', resource: BUCKET, context: { 's3:prefix': 'gold/model/' } }, identity)).toBe('allowed');
    expect(evaluate({ action: 's3:ListBucket', resource: BUCKET, context: { 's3:prefix': 'bronze/' } }, identity)).toBe('implicit deny');
    expect(evaluate({ action: 's3:ListBucket', resource: BUCKET }, identity)).toBe('implicit deny');
  });

  it("lets an explicit Deny in the resource's own policy win, for the principals it names", () => {
    const bucketPolicy: PolicyStatement[] = [
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ];
    const request = { action: 's3:GetObject', resource: `${BUCKET}/gold/a` };
    expect(evaluate({ ...request, context: { 'aws:SecureTransport': 'true' } }, identity, bucketPolicy, ROLE)).toBe('allowed');
    expect(evaluate({ ...request, context: { 'aws:SecureTransport': 'false' } }, identity, bucketPolicy, ROLE)).toBe('explicit deny');
  });

  it('grants through a resource policy that names the principal, and not through one naming another', () => {
    const queuePolicy = (principal: string): PolicyStatement[] => [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:q' }];
    const request = { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:q' };
    expect(evaluate(request, [], queuePolicy(ROLE), ROLE)).toBe('allowed');
    expect(evaluate(request, [], queuePolicy('arn:aws:iam::123456789012:role/other'), ROLE)).toBe('implicit deny');
  });

  it('refuses to guess a condition operator it does not know', () => {
    const odd: PolicyStatement[] = [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01' } } }];
    expect(() => evaluate({ action: 's3:GetObject', resource: `${BUCKET}/a` }, odd)).toThrow('the rehearsal does not evaluate the condition operator DateGreaterThan');
  });
});
