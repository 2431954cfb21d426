/**
 * The local HTTP API under load: `npm run local` serving the full-scale data in a process of its
 * own, and 32 keep-alive connections each sending its next request when the previous answer is in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { seededRandom } from '../../lambdas/core/random';
import { percentile } from '../stats';
import { localNodeOptions } from './local-node';

export const CONNECTIONS = 32;
const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface HttpServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `npm run local` on the data folder (no demo, a free port) and waits until it listens. */
export async function startServer(dataDir: string): Promise<HttpServer> {
  const child: ChildProcess = spawn(process.execPath, [...localNodeOptions(), 'local/cli.ts', '--data-dir', dataDir, '--no-demo', '--port', '0'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

export interface LoadResult {
  seconds: number;
  /** Per request, ms. */
  latencies: number[];
  /** Each answer whose status was not the expected one, or whose body was not JSON. */
  errors: string[];
}

/**
 * Sends `total` requests over CONNECTIONS keep-alive connections, each sending its next request
 * when the previous answer is in; `next` says what to ask and which status to expect. The first
 * request goes alone, untimed: the model loads on it.
 */
export async function sendLoad(
  port: number,
  total: number,
  next: () => { path: string; status: number },
  onProgress?: (done: number, errors: number) => void,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const get = (path: string) =>
    new Promise<{ status: number; json: boolean }>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let json = true;
          try {
            JSON.parse(body);
          } catch {
            json = false;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', () => resolve({ status: 0, json: false }));
      req.end();
    });
  const latencies: number[] = [];
  const errors: string[] = [];
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const ask = next();
      const started = performance.now();
      const answer = await get(ask.path);
      latencies.push(performance.now() - started);
      if (answer.status !== ask.status || !answer.json) errors.push(`${ask.path}: ${answer.status}${answer.json ? '' : ' (not JSON)'}`);
      onProgress?.(latencies.length, errors.length);
    }
  };
  await get('/users/1/recommendations');
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies, errors };
}

/**
 * The server's CPU seconds so far, as its own /metrics gives them (prom-client's
 * process_cpu_seconds_total): what a request costs the event loop, apart from the load generator's.
 */
async function serverCpuSeconds(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^movierec_process_cpu_seconds_total (\S+)$/m.exec(text);
  if (!m) throw new Error('the server\'s /metrics has no movierec_process_cpu_seconds_total');
  return Number(m[1]);
}

/**
 * Recommendations for random users: requests per second, p99, errors, and the server's CPU per
 * request (ms), counted after `warmup` requests of the same load, untimed: the first load the
 * model, and the server's code runs up to three times slower for its first thousands of requests,
 * until V8 has optimized it (about 1.5 s at 10M ratings).
 */
export async function measureHttp(
  port: number,
  users: number,
  total: number,
  warmup: number,
  seed: number,
): Promise<{ rps: number; p99: number; errors: number; serverCpuMs: number }> {
  const rnd = seededRandom(seed);
  const ask = () => ({ path: `/users/${rnd.int(1, users)}/recommendations?limit=10`, status: 200 });
  await (await fetch(`http://127.0.0.1:${port}/users/1/recommendations`)).text();
  await sendLoad(port, warmup, ask);
  const cpuBefore = await serverCpuSeconds(port);
  const { seconds, latencies, errors } = await sendLoad(port, total, ask);
  const serverCpuMs = ((await serverCpuSeconds(port)) - cpuBefore) * 1000 / total;
  return { rps: total / seconds, p99: percentile(latencies, 99), errors: errors.length, serverCpuMs };
}
