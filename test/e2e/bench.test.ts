import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/local-process';

const KEYS = [
  'import_events_per_s',
  'movielens_import_events_per_s',
  'consume_events_per_s',
  'consume_running_events_per_s',
  'naive_consume_events_per_s',
  'batch_seconds',
  'batch_one_more_day_seconds',
  'batch_training_day_seconds',
  'batch_peak_rss_mb',
  'recommend_p50_ms',
  'recommend_p99_ms',
  'recommend_cpu_ms',
  'http_rps',
  'http_p99_ms',
  'http_server_cpu_ms',
  'model_load_ms',
];

describe('npm run bench -- --preset small (smoke test: the measures run, whatever their speed)', () => {
  it('prints one JSON object with every measure, the preset and the machine', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--preset', 'small', '--runs', '1', '--movielens-ratings', '20000', '--json'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of KEYS) expect(report[key], key).toBeGreaterThan(0);
    expect(report).toMatchObject({ preset: 'small', http_errors: 0, machine: { cores: expect.any(Number), node: process.version } });
    expect(Object.keys(report.batch_step_seconds as object)).toEqual(['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']);
    expect(run.stderr).toContain('batch run 1:');
    // Two more days merge their events onto the day before's silver: a training day of the model, and a
    // day between trainings, which refreshes it.
    expect(Object.keys(report.batch_one_more_day_step_seconds as object)).toEqual(['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']);
    expect(Object.keys(report.batch_training_day_step_seconds as object)).toEqual(['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']);
    expect(run.stderr).toMatch(/one more day, a training day \(1000 events on 2026-11-01\) run 1/);
    expect(run.stderr).toMatch(/one more day, a day between trainings \(1000 events on 2026-11-02\) run 1/);
    expect(report.one_more_day_events).toBe(1000);
    expect(report.movielens_import_ratings).toBeGreaterThan(19_000);
    expect(run.stderr).toMatch(/bulk import run 1: \d+ events in/);
  }, 200_000);

  it('refuses an unknown preset', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--preset', 'huge'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--preset must be small or full (got "huge")');
  });
});
