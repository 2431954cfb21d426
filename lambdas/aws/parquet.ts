/**
 * Parquet files of the lake's silver and gold tables: typed columns, Snappy, row groups of 100,000
 * rows so that a reader can take one column or one row group at a time.
 */
import { parquetMetadata, parquetRead, parquetReadObjects, type ColumnData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { LakeColumn } from '../core/lake/lake-tables';

export const ROW_GROUP_ROWS = 100_000;

type ParquetColumn =
  | { name: string; type: 'INT32'; data: number[] }
  | { name: string; type: 'DOUBLE'; data: number[] }
  | { name: string; type: 'STRING'; data: string[] };

/** A lake table's rows as Parquet, each column typed as the table declares it. */
export function writeLakeParquet(columns: readonly LakeColumn[], values: Readonly<Record<string, number[] | string[]>>): Uint8Array {
  const columnData = columns.map((c): ParquetColumn => {
    const data = values[c.name];
    if (data === undefined) throw new Error(`no values for column ${c.name}`);
    if (c.type === 'string') return { name: c.name, type: 'STRING', data: data as string[] };
    if (c.type === 'int') return { name: c.name, type: 'INT32', data: data as number[] };
    if (c.type === 'double') return { name: c.name, type: 'DOUBLE', data: data as number[] };
    throw new Error(`column ${c.name}: ${c.type} columns are not written here`);
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, codec: 'SNAPPY', rowGroupSize: ROW_GROUP_ROWS, createdBy: 'movierec' }));
}

export async function readParquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: arrayBufferOf(bytes) });
}

export function parquetRowCount(bytes: Uint8Array): number {
  return Number(parquetMetadata(arrayBufferOf(bytes)).num_rows);
}

/** Hands over the named columns chunk by chunk, as typed arrays where the type allows: no row objects. */
export async function readParquetChunks(bytes: Uint8Array, columns: string[], onChunk: (chunk: ColumnData) => void): Promise<void> {
  await parquetRead({ file: arrayBufferOf(bytes), columns, onChunk });
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
