import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

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
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    client,
    doc: DynamoDBDocumentClient.from(client),
    endpoint,
    createTable: async (input) => {
      await client.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' }));
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The feature store's two tables, keyed as DynamoFeatureStore expects. */
export async function createFeatureTables(dynamo: LocalDynamo, tables: { users: string; movies: string }): Promise<void> {
  await dynamo.createTable({
    TableName: tables.users,
    AttributeDefinitions: [
      { AttributeName: 'userId', AttributeType: 'N' },
      { AttributeName: 'movieId', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'userId', KeyType: 'HASH' },
      { AttributeName: 'movieId', KeyType: 'RANGE' },
    ],
  });
  await dynamo.createTable({
    TableName: tables.movies,
    AttributeDefinitions: [{ AttributeName: 'movieId', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'movieId', KeyType: 'HASH' }],
  });
}

/** The model store's pointer table, keyed as S3DynamoModelStore expects. */
export async function createModelTable(dynamo: LocalDynamo, name: string): Promise<void> {
  await dynamo.createTable({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  });
}
