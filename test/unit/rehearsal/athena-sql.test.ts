import { describe, expect, it } from 'vitest';
import { SILVER_MOVIE_FEATURES, SILVER_RATINGS, SILVER_USER_FEATURES } from '../../../lambdas/core/lake/batch-queries';
import { checkStatement, projectedPartitions } from '../../../rehearsal/athena-sql';

const unload = (select: string, options = "format = 'PARQUET', compression = 'SNAPPY'") =>
  `UNLOAD (${select}) TO 's3://lake/silver/ratings/dt=2026-11-24/' WITH (${options})`;

describe("the rehearsal's Athena statement checks", () => {
  it.each([SILVER_RATINGS, SILVER_USER_FEATURES, SILVER_MOVIE_FEATURES])("accepts the batch's $target statement in UNLOAD's documented form", (query) => {
    const checked = checkStatement(unload(query.athena.replaceAll('{dt}', '2026-11-24').replaceAll('{from}', '2026-11-01')));
    expect(checked).toMatchObject({ kind: 'unload', destination: 's3://lake/silver/ratings/dt=2026-11-24/', properties: { format: 'PARQUET', compression: 'SNAPPY' }, errors: [] });
  });

  it('reports a syntax error of the SELECT with its line and column, as Trino does', () => {
    const [error] = checkStatement(unload('SELECT user_id FROM bronze_events WHERE dt <= ')).errors;
    expect(error).toMatch(/^line 1:\d+: /);
    expect(checkStatement('SELECT count(*) FROM silver_ratings WHERE dt = \'2026-11-24\'').errors).toEqual([]);
    expect(checkStatement('SELEC count(*) FROM x').errors[0]).toContain("'SELEC' is not valid at this position");
  });

  it('refuses an UNLOAD Athena would refuse: no format, an unknown property, a compression its format cannot write', () => {
    expect(checkStatement(unload('SELECT 1', "compression = 'SNAPPY'")).errors).toEqual(['UNLOAD needs WITH (format = ...)']);
    expect(checkStatement(unload('SELECT 1', "format = 'PARQUET', overwrite = 'true'")).errors).toEqual(['UNLOAD has no property overwrite']);
    expect(checkStatement(unload('SELECT 1', "format = 'CSV'")).errors[0]).toContain("UNLOAD format = 'CSV' is not one of");
    expect(checkStatement(unload('SELECT 1', "format = 'ORC', compression = 'GZIP'")).errors).toEqual(['UNLOAD cannot write ORC with GZIP compression']);
    expect(checkStatement("UNLOAD SELECT 1 TO 's3://lake/x/'").errors[0]).toContain("UNLOAD must read UNLOAD (SELECT ...) TO 's3://bucket/folder/'");
  });

  it('counts the partitions a date projection leaves for Athena to list, from the statement\'s dt bounds', () => {
    const hourly = { range: '2020-01-01,NOW', perDay: 24 };
    expect(projectedPartitions(hourly, "WHERE dt <= '2026-11-24'", '2026-12-01')).toBe(2520 * 24);
    expect(projectedPartitions(hourly, "WHERE dt >= '2026-11-23' AND dt <= '2026-11-24'", '2026-12-01')).toBe(48);
    expect(projectedPartitions({ range: '2020-01-01,NOW', perDay: 1 }, "WHERE dt = '2026-11-24'", '2026-12-01')).toBe(1);
    expect(projectedPartitions(hourly, "WHERE dt > '2026-11-30'", '2026-12-01')).toBe(24);
    expect(projectedPartitions(hourly, "WHERE dt < '2019-12-31'", '2026-12-01')).toBe(0);
  });
});
