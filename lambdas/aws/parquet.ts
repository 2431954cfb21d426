/**
 * Parquet files of the lake's silver and gold tables: typed columns, Snappy, row groups of 100,000
 * rows so that a reader can take one column or one row group at a time.
 */
import { parquetMetadata, parquetRead, parquetReadObjects, type ColumnData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';

export const ROW_GROUP_ROWS = 100_000;

export type ParquetColumn =
  | { name: string; type: 'INT32'; data: Int32Array | number[] }
  | { name: string; type: 'DOUBLE'; data: Float64Array | number[] }
  | { name: string; type: 'STRING'; data: string[] };

export function writeParquet(columns: ParquetColumn[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({ columnData: columns, codec: 'SNAPPY', rowGroupSize: ROW_GROUP_ROWS, createdBy: 'movierec' }),
  );
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
