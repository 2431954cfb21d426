/**
 * The online store: DynamoDB tables on demand, with point-in-time recovery and deletion protection,
 * keyed as lambdas/core/lake/table-keys.ts says (the adapters and the tests use the same definitions).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS, type KeyAttribute, type TableRole } from '../lambdas/core/lake/table-keys';

export interface FeatureStoreProps {
  /** Prefix of the tables' names. */
  namePrefix: string;
}

const attribute = (k: KeyAttribute) => ({ name: k.name, type: k.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING });

export class FeatureStore extends Construct {
  readonly tables: Record<TableRole, TableV2>;

  constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    const table = (role: TableRole) => {
      const { partitionKey, sortKey } = TABLE_KEYS[role];
      return new TableV2(this, role[0]!.toUpperCase() + role.slice(1), {
        tableName: `${props.namePrefix}-${role}`,
        partitionKey: attribute(partitionKey),
        ...(sortKey ? { sortKey: attribute(sortKey) } : {}),
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.awsManagedKey(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    };
    this.tables = { users: table('users'), movies: table('movies'), models: table('models'), runs: table('runs') };
  }
}
