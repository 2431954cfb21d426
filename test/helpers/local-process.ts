import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalProcess {
  proc: ChildProcess;
  output: () => string;
  /** Resolves when the process and everything it started have closed their output. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `npm run local -- ...args` in its own process group, as a user's terminal would. */
function runLocal(args: string[], env: Record<string, string>): LocalProcess {
  const proc = spawn('npm', ['run', '--silent', 'local', '--', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out, exited };
}

/** Waits until the output matches, failing with the output so far if the process ends or time runs out. */
export async function waitForOutput(p: LocalProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void p.exited.then(() => (ended = true));
  for (;;) {
    const m = pattern.exec(p.output());
    if (m) return m;
    if (ended || Date.now() > deadline) throw new Error(`no ${pattern} in the output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ctrl-C: SIGINT to the whole process group, as a terminal sends it. */
export function interrupt(p: LocalProcess): void {
  if (p.proc.pid === undefined) return;
  try {
    process.kill(-p.proc.pid, 'SIGINT');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Gives a runLocal that stops, after each test, whatever it started that still runs. */
export function useLocalProcesses(): (args: string[], env?: Record<string, string>) => LocalProcess {
  const running: LocalProcess[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) {
      interrupt(p);
      await p.exited;
    }
  });
  return (args, env = {}) => {
    const p = runLocal(args, env);
    running.push(p);
    return p;
  };
}

/** Starts `npm run local` on a free port for a whole file's tests: `stop` interrupts it and waits for it to end. */
export async function startLocalServer(dataDir: string): Promise<{ p: LocalProcess; base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const p = runLocal(['--data-dir', dataDir, '--port', String(port)], {});
  const stop = async () => {
    interrupt(p);
    await p.exited;
  };
  try {
    const [, base] = await waitForOutput(p, /movierec is listening on (http:\/\/\S+)/, 120_000);
    return { p, base: base!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
