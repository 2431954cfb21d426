/**
 * `npm run loadtest [-- --requests N]`: a bounded load test of the local HTTP API on loopback.
 * Serves the small benchmark preset from `npm run local` in its own process, sends N requests
 * (default 200,000) over 32 keep-alive connections, a mix of recommendations, similar movies,
 * health checks and bad requests, and reports errors (anything but the expected status) and the
 * server's resident memory after each tenth of the load: after warm-up it must not grow.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../lambdas/core/random';
import { openDatabase } from '../local/sqlite/database';
import { DATABASE_FILE } from '../local/system';
import { fillOnlineRatings, loadLake, runBatchInChild } from './measures/full-scale';
import { CONNECTIONS, sendLoad, startServer } from './measures/http-load';
import { percentile } from './stats';
import { generateWorkload, PRESETS } from './workload';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } } });
const total = Number(values.requests);
if (!Number.isInteger(total) || total < 1000) {
  process.stderr.write(`--requests must be an integer of at least 1000 (got ${JSON.stringify(values.requests)})\n`);
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'movierec-loadtest-'));

/** The requests, with the status each must get. */
function nextRequest(rnd: ReturnType<typeof seededRandom>, users: number, movies: number): { path: string; status: number } {
  const kind = rnd.float();
  if (kind < 0.7) return { path: `/users/${rnd.int(1, users + 500)}/recommendations?limit=${rnd.int(1, 20)}`, status: 200 };
  if (kind < 0.85) return { path: `/movies/${rnd.int(1, movies)}/similar?limit=10`, status: 200 };
  if (kind < 0.9) return { path: '/health', status: 200 };
  if (kind < 0.95) return { path: `/users/${rnd.int(1, users)}/recommendations?limit=0`, status: 400 };
  return { path: `/nowhere/${rnd.int(1, 1000)}`, status: 404 };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

try {
  const preset = PRESETS.small;
  const w = generateWorkload(preset);
  await loadLake(w, dataDir, () => {});
  const date = new Date(w.times[w.count - 1]!).toISOString().slice(0, 10);
  await runBatchInChild(dataDir, date);
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  fillOnlineRatings(db, date);
  db.close();

  const server = await startServer(dataDir);
  say(`serving the small preset (${preset.users} users, ${preset.movies} movies) on port ${server.port} (pid ${server.pid}); ${total} requests over ${CONNECTIONS} connections`);
  const rnd = seededRandom(7);
  const memory: number[] = [];
  const { seconds, latencies, errors } = await sendLoad(
    server.port,
    total,
    () => nextRequest(rnd, preset.users, preset.movies),
    (done, errorCount) => {
      if (done % (total / 10) !== 0) return;
      memory.push(rssMb(server.pid));
      say(`  ${done} requests, server RSS ${memory.at(-1)} MB, ${errorCount} errors`);
    },
  );
  await server.stop();

  // Growth after warm-up: the last tenth against the second.
  const growth = memory.length >= 2 ? memory.at(-1)! - memory[1]! : 0;
  const report = {
    requests: total,
    seconds: Math.round(seconds * 10) / 10,
    rps: Math.round(total / seconds),
    p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
    errors: errors.length,
    first_errors: errors.slice(0, 5),
    server_rss_mb: memory,
    rss_growth_mb: growth,
  };
  process.stdout.write(`${JSON.stringify(report, null, values.json ? undefined : 2)}\n`);
  if (errors.length > 0 || growth > 50) process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
