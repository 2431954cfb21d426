import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { TABLE_KEYS, type TableRole } from '../../lambdas/core/lake/table-keys';

export interface LocalDynamo {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  endpoint: string;
  createTable(input: Omit<CreateTableCommandInput, 'BillingMode'>): Promise<void>;
  stop(): Promise<void>;
}

/** dynalite (in memory) in this process on a free loopback port, and clients for it. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynaliteClient(endpoint);
  return {
    client,
    doc: DynamoDBDocumentClient.from(client),
    endpoint,
    createTable: async (input) => {
      await client.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' }));
      // dynalite answers ResourceNotFound until its timer marks the table ACTIVE, even with createTableMs 0.
      while ((await client.send(new DescribeTableCommand({ TableName: input.TableName }))).Table?.TableStatus !== 'ACTIVE') await sleep(1);
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A client for dynalite at `endpoint`. */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Tables with the project's key schemas, named per role. */
export async function createTables(dynamo: LocalDynamo, names: Partial<Record<TableRole, string>>): Promise<void> {
  for (const [role, name] of Object.entries(names) as [TableRole, string][]) {
    const keys = [TABLE_KEYS[role].partitionKey, TABLE_KEYS[role].sortKey].filter((k) => k !== undefined);
    await dynamo.createTable({
      TableName: name,
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    });
  }
}
