/**
 * The Glue database and tables over the lake, for the batch's Athena SQL and for anyone who queries
 * the lake. Date (and hour) partitions use partition projection: Athena computes them from the key
 * layout, so nothing has to add partitions as data arrives.
 */
import { Aws } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GOLD_LOCATIONS, SILVER_LOCATIONS } from '../lambdas/core/lake/lake-layout';
import { GOLD_COLUMNS, SILVER_COLUMNS, type GoldTable, type LakeColumn } from '../lambdas/core/lake/lake-tables';

export interface LakeTablesProps {
  bucket: IBucket;
  databaseName: string;
  /** The first date partitions are projected from (to NOW). */
  startDate: string;
}

const json = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'FALSE' } },
};
const parquet = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

const GOLD_DESCRIPTIONS: Record<GoldTable, string> = {
  gold_movies: "The model's movies; genres as a JSON array",
  gold_item_neighbours: 'Item-item neighbours of the model, by rank',
  gold_popularity: "Most popular movies overall (genre '') and per genre",
};

/** The lake's tables: where each lives, its format, columns and partitions. */
export const LAKE_TABLES: {
  name: string;
  location: string;
  format: 'json' | 'parquet';
  columns: readonly LakeColumn[] | readonly { name: string; type: string }[];
  partitions: readonly ('dt' | 'hour')[];
  description: string;
}[] = [
  {
    name: 'bronze_events',
    location: 'bronze/events',
    format: 'json',
    columns: [
      { name: 'kafka_offset', type: 'bigint' },
      { name: 'event_id', type: 'string' },
      { name: 'user_id', type: 'int' },
      { name: 'movie_id', type: 'int' },
      { name: 'rating', type: 'double' },
      { name: 'event_time', type: 'bigint' },
    ],
    partitions: ['dt', 'hour'],
    description: 'Valid rating events as consumed, one object per Kafka batch (gzip JSON Lines)',
  },
  {
    name: 'bronze_quarantine',
    location: 'bronze/quarantine',
    format: 'json',
    columns: [
      { name: 'kafka_offset', type: 'bigint' },
      { name: 'kafka_timestamp', type: 'bigint' },
      { name: 'reason', type: 'string' },
      { name: 'value', type: 'string' },
      { name: 'key', type: 'string' },
    ],
    partitions: ['dt', 'hour'],
    description: 'Rejected records with the reason and the raw value (base64)',
  },
  {
    name: 'catalog_movies',
    location: 'catalog/movies',
    format: 'json',
    columns: [
      { name: 'movie_id', type: 'int' },
      { name: 'title', type: 'string' },
      { name: 'genres', type: 'array<string>' },
    ],
    partitions: [],
    description: 'The movie catalog',
  },
  ...(Object.entries(SILVER_COLUMNS) as [keyof typeof SILVER_COLUMNS, readonly LakeColumn[]][]).map(([name, columns]) => ({
    name,
    location: SILVER_LOCATIONS[name],
    format: 'parquet' as const,
    columns,
    partitions: ['dt' as const],
    description: `Silver ${name.slice('silver_'.length).replace('_', ' ')} as of the end of each date`,
  })),
  ...(Object.entries(GOLD_COLUMNS) as [GoldTable, readonly LakeColumn[]][]).map(([name, columns]) => ({
    name,
    location: GOLD_LOCATIONS[name],
    format: 'parquet' as const,
    columns,
    partitions: ['dt' as const],
    description: GOLD_DESCRIPTIONS[name],
  })),
];

export class LakeTables extends Construct {
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: LakeTablesProps) {
    super(scope, id);
    this.databaseName = props.databaseName;
    const database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: props.databaseName, description: 'movierec data lake' },
    });
    for (const table of LAKE_TABLES) {
      const location = `s3://${props.bucket.bucketName}/${table.location}/`;
      const template = `${location}${table.partitions.map((p) => `${p}=\${${p}}/`).join('')}`;
      const projection: Record<string, string> =
        table.partitions.length === 0
          ? {}
          : {
              'projection.enabled': 'true',
              'projection.dt.type': 'date',
              'projection.dt.format': 'yyyy-MM-dd',
              'projection.dt.range': `${props.startDate},NOW`,
              'projection.dt.interval': '1',
              'projection.dt.interval.unit': 'DAYS',
              ...(table.partitions.includes('hour')
                ? { 'projection.hour.type': 'integer', 'projection.hour.range': '0,23', 'projection.hour.digits': '2' }
                : {}),
              'storage.location.template': template,
            };
      const cfn = new CfnTable(this, table.name, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: props.databaseName,
        tableInput: {
          name: table.name,
          description: table.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: table.format, ...(table.format === 'json' ? { compressionType: 'gzip' } : {}), ...projection },
          partitionKeys: table.partitions.map((name) => ({ name, type: 'string' })),
          storageDescriptor: {
            location,
            columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
            ...(table.format === 'json' ? json : parquet),
          },
        },
      });
      cfn.node.addDependency(database);
    }
  }
}
