/**
 * What Athena would say of a statement before running it: the SELECT parsed with a Trino grammar
 * (dt-sql-parser's TrinoSQL), and an UNLOAD checked against the form Athena documents:
 *
 *   UNLOAD (SELECT ...) TO 's3://bucket/folder/' WITH ( property_name = 'expression' [, ...] )
 *
 * with the properties and values Athena accepts. It also tells which partitions of a projected
 * table the statement's `dt` predicates leave for Athena to list.
 */
import { TrinoSQL } from 'dt-sql-parser';

export interface CheckedStatement {
  kind: 'unload' | 'select';
  /** The SELECT that runs (inside the UNLOAD, for one). */
  select: string;
  /** For an UNLOAD: where it writes, and its WITH properties (upper-cased values). */
  destination?: string;
  properties?: Record<string, string>;
  /** Syntax and form errors, Athena's way: `line L:C: message`. None means Athena would accept it. */
  errors: string[];
}

const UNLOAD = /^\s*UNLOAD\s*\(([\s\S]*)\)\s*TO\s*'(s3:\/\/[^']+\/)'\s*WITH\s*\(([\s\S]*)\)\s*$/i;
/** UNLOAD's properties and, where Athena restricts them, their values. */
const UNLOAD_PROPERTIES: Record<string, readonly string[] | undefined> = {
  format: ['PARQUET', 'ORC', 'AVRO', 'JSON', 'TEXTFILE'],
  compression: ['GZIP', 'SNAPPY', 'ZSTD', 'LZ4', 'LZO', 'ZLIB', 'DEFLATE', 'BZIP2', 'NONE'],
  compression_level: undefined,
  field_delimiter: undefined,
  partitioned_by: undefined,
};
/** The compressions each format can write. */
const FORMAT_COMPRESSIONS: Record<string, readonly string[]> = {
  PARQUET: ['GZIP', 'SNAPPY', 'ZSTD', 'LZ4', 'NONE'],
  ORC: ['ZLIB', 'SNAPPY', 'ZSTD', 'LZ4', 'NONE'],
  AVRO: ['DEFLATE', 'SNAPPY', 'ZSTD', 'BZIP2', 'NONE'],
  JSON: ['GZIP', 'BZIP2', 'DEFLATE', 'LZ4', 'ZSTD', 'NONE'],
  TEXTFILE: ['GZIP', 'BZIP2', 'DEFLATE', 'LZ4', 'ZSTD', 'NONE'],
};

const trino = new TrinoSQL();

export function checkStatement(sql: string): CheckedStatement {
  const unload = UNLOAD.exec(sql);
  if (!unload) {
    if (/^\s*UNLOAD\b/i.test(sql)) return { kind: 'unload', select: '', errors: ["UNLOAD must read UNLOAD (SELECT ...) TO 's3://bucket/folder/' WITH (property = 'value', ...)"] };
    return { kind: 'select', select: sql, errors: syntaxErrors(sql) };
  }
  const [, select, destination, withClause] = unload as unknown as [string, string, string, string];
  const errors = syntaxErrors(select);
  const properties: Record<string, string> = {};
  for (const part of splitProperties(withClause)) {
    const m = /^\s*([a-z_]+)\s*=\s*(?:'([^']*)'|(ARRAY\s*\[[^\]]*\]))\s*$/i.exec(part);
    if (!m) {
      errors.push(`WITH property "${part.trim()}" is not of the form name = 'value'`);
      continue;
    }
    const name = m[1]!.toLowerCase();
    const value = (m[2] ?? m[3]!).toUpperCase();
    if (!(name in UNLOAD_PROPERTIES)) errors.push(`UNLOAD has no property ${name}`);
    else if (UNLOAD_PROPERTIES[name] && !UNLOAD_PROPERTIES[name]!.includes(value)) errors.push(`UNLOAD ${name} = '${value}' is not one of ${UNLOAD_PROPERTIES[name]!.join(', ')}`);
    properties[name] = value;
  }
  if (!properties.format) errors.push('UNLOAD needs WITH (format = ...)');
  else if (properties.compression && !FORMAT_COMPRESSIONS[properties.format]?.includes(properties.compression)) {
    errors.push(`UNLOAD cannot write ${properties.format} with ${properties.compression} compression`);
  }
  return { kind: 'unload', select, destination, properties, errors };
}

function syntaxErrors(sql: string): string[] {
  return trino.validate(sql).map((e) => `line ${e.startLine}:${e.startColumn}: ${e.message}`);
}

/** The WITH clause's parts, split on commas outside brackets and quotes. */
function splitProperties(clause: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of clause) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '[') depth++;
    else if (!quoted && ch === ']') depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

/** A date projection's range, as the table declares it: `2020-01-01,NOW`. */
export interface DateProjection {
  range: string;
  /** Partitions per day under each date (24 for an hour projection). */
  perDay: number;
}

/**
 * How many partitions Athena enumerates, and lists in S3, for a table under a date projection,
 * given the statement's comparisons of `dt` with date literals. `now` is the run's current date.
 */
export function projectedPartitions(projection: DateProjection, sql: string, now: string): number {
  const [start, end] = projection.range.split(',').map((d) => (d.trim().toUpperCase() === 'NOW' ? now : d.trim())) as [string, string];
  let low = start;
  let high = end;
  for (const m of sql.matchAll(/\bdt\s*(<=|>=|=|<|>)\s*'(\d{4}-\d{2}-\d{2})'/g)) {
    const [op, day] = [m[1]!, m[2]!];
    if (op === '=' || op === '>=' || op === '>') low = maxDate(low, op === '>' ? nextDay(day) : day);
    if (op === '=' || op === '<=' || op === '<') high = minDate(high, op === '<' ? previousDay(day) : day);
  }
  if (low > high) return 0;
  const days = (Date.parse(`${high}T00:00:00Z`) - Date.parse(`${low}T00:00:00Z`)) / 86_400_000 + 1;
  return days * projection.perDay;
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const previousDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
