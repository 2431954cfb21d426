/**
 * The data lake: one S3 bucket (encrypted, private, TLS only, versioned, access-logged) holding
 * bronze, the catalog, silver, gold and Athena's query results, with lifecycle rules per area;
 * the Glue tables over it (lake-tables.ts); and the Athena workgroup the batch queries in.
 * Access is granted per key prefix and per action, never a wildcard action.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Grant, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { LakeTables } from './lake-tables';

export interface DataLakeProps {
  /** Prefix of the resources' names. */
  namePrefix: string;
  /** Days after which bronze and quarantine objects are deleted; 0 keeps them. */
  bronzeRetentionDays: number;
  /** Days silver and gold partitions are kept. */
  derivedRetentionDays: number;
  /** Athena cancels a query that would scan more than this (GB). */
  athenaScanLimitGb: number;
  /** The first date of the tables' partition projection. */
  startDate: string;
}

/** Where Athena writes query results (not the UNLOAD outputs, which go to silver/). */
export const ATHENA_RESULTS = 'athena-results/';

export class DataLake extends Construct {
  readonly bucket: Bucket;
  readonly databaseName: string;
  readonly workgroupName: string;
  /** The first date the lake's tables show. */
  readonly startDate: string;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the lake bucket\'s server access logs; logging it too would log the logs.',
    });

    const retention = props.bronzeRetentionDays > 0 ? { expiration: Duration.days(props.bronzeRetentionDays) } : {};
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'lake/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // No move to Infrequent Access: S3 moves no object under 128 KB, and a bronze object holds one Kafka batch.
        ...(props.bronzeRetentionDays > 0
          ? [{ id: 'bronze-events', prefix: 'bronze/events/', ...retention }, { id: 'bronze-quarantine', prefix: 'bronze/quarantine/', ...retention }]
          : []),
        { id: 'silver', prefix: 'silver/', expiration: Duration.days(props.derivedRetentionDays) },
        { id: 'gold', prefix: 'gold/', expiration: Duration.days(props.derivedRetentionDays) },
        { id: 'athena-results', prefix: ATHENA_RESULTS, expiration: Duration.days(7) },
        // A re-run replaces a date's outputs: old versions go after a week.
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.startDate = props.startDate;
    const tables = new LakeTables(this, 'Tables', {
      bucket: this.bucket,
      databaseName: `${props.namePrefix.replaceAll('-', '_')}_lake`,
      startDate: props.startDate,
    });
    this.databaseName = tables.databaseName;

    const workgroup = new CfnWorkGroup(this, 'Workgroup', {
      name: `${props.namePrefix}-batch`,
      description: 'The daily batch: bronze to silver',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.athenaScanLimitGb * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.bucket.s3UrlForObject(ATHENA_RESULTS),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workgroupName = workgroup.name;
  }

  /**
   * Grants the actions on the objects under each prefix, and, for readers, the listing of those
   * prefixes (without it, S3 answers a missing key with 403 instead of 404).
   */
  grantObjects(grantee: IGrantable & IConstruct, actions: readonly ObjectAction[], prefixes: readonly string[]): void {
    Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: prefixes.map((p) => this.bucket.arnForObjects(`${p}*`)),
    });
    if (actions.includes('s3:GetObject')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
        }),
      );
    }
    // The resource is every object under a prefix: a wildcard by nature, acknowledged per prefix.
    const bucketRef = `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>`;
    const principal = Construct.isConstruct(grantee.grantPrincipal) ? grantee.grantPrincipal : grantee;
    for (const p of prefixes) {
      Validations.of(principal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketRef}/${p}*]`,
        reason: `Objects under ${p} of the lake bucket, with named actions only: their keys are made at run time.`,
      });
    }
  }
}

export type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:AbortMultipartUpload' | 's3:ListMultipartUploadParts';
