import { describe, expect, it } from 'vitest';
import { freePort, interrupt, useLocalProcesses, waitForOutput, type LocalProcess } from '../helpers/local-process';
import { useTempDir } from '../helpers/temp-dir';

interface Recommendations {
  userId: number;
  coldStart: boolean;
  modelVersion: string | null;
  items: { movieId: number; title: string; score: number; reason: string }[];
}

const NEW_USER = 900_001;
const newUserEvents = [
  { event_id: 'e2e-1', type: 'rating', user_id: NEW_USER, movie_id: 3, rating: 5, timestamp: '2026-11-24T13:45:00Z' },
  { event_id: 'e2e-2', type: 'rating', user_id: NEW_USER, movie_id: 17, rating: 4.5, timestamp: '2026-11-24T13:46:00Z' },
  { type: 'rating', user_id: NEW_USER, movie_id: 25, rating: 4, timestamp: 1795528020000 },
];

describe('npm run local (e2e)', () => {
  const tempDir = useTempDir();
  const runLocal = useLocalProcesses();

  async function start(dataDir: string): Promise<{ p: LocalProcess; base: string }> {
    const port = await freePort();
    const p = runLocal(['--data-dir', dataDir, '--port', String(port)]);
    const [, base] = await waitForOutput(p, /movierec is listening on (http:\/\/\S+)/, 120_000);
    return { p, base: base! };
  }

  it('serves recommendations that change after a new user rates, and a re-POST changes nothing', async () => {
    const dataDir = tempDir();
    const { p, base } = await start(dataDir);
    expect(p.output()).toMatch(/Demo data loaded: \d+ events received, \d+ applied, 0 duplicate, 0 superseded, 5 quarantined/);
    expect(p.output()).toContain(`curl -s '${base}/users/1/recommendations?limit=5'`);

    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; modelVersion: string };
    expect(health.status).toBe('ok');
    expect(health.modelVersion).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{12}$/);

    const recs = async () => (await (await fetch(`${base}/users/${NEW_USER}/recommendations?limit=10`)).json()) as Recommendations;
    const cold = await recs();
    expect(cold.coldStart).toBe(true);
    expect(cold.items).toHaveLength(10);

    const post = () =>
      fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(newUserEvents) });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 3, applied: 3, duplicate: 0, superseded: 0, quarantined: 0, quarantine: [] });

    const warm = await recs();
    expect(warm.coldStart).toBe(false);
    expect(warm.items).not.toEqual(cold.items);
    const rated = new Set(newUserEvents.map((e) => e.movie_id));
    expect(warm.items.some((i) => rated.has(i.movieId))).toBe(false);
    expect(warm.items.some((i) => i.reason.startsWith('similar to '))).toBe(true);

    const again = await post();
    expect(await again.json()).toEqual({ received: 3, applied: 0, duplicate: 3, superseded: 0, quarantined: 0, quarantine: [] });
    expect(await recs()).toEqual(warm);

    const bad = await fetch(`${base}/events`, { method: 'POST', body: '{"type":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON' });
    const quarantined = await fetch(`${base}/events`, { method: 'POST', body: JSON.stringify({ type: 'rating', user_id: 'x' }) });
    expect(await quarantined.json()).toMatchObject({
      received: 1,
      quarantined: 1,
      quarantine: [{ index: 0, reason: expect.stringMatching(/user_id/) as string }],
    });

    // Ctrl-C: npm itself ends on the signal, as in a terminal; movierec finishes its work first.
    interrupt(p);
    const { code, signal } = await p.exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    expect(p.output()).toMatch(/Stopping: finishing the requests and batches under way\.\.\.\nStopped\.\n$/);

    // The data survives a restart, and the demo is not loaded twice.
    const restarted = await start(dataDir);
    expect(restarted.p.output()).not.toContain('Demo data loaded');
    const after = (await (await fetch(`${restarted.base}/users/${NEW_USER}/recommendations?limit=10`)).json()) as Recommendations;
    expect(after.items).toEqual(warm.items);
  });

  it('loses nothing when stopped while loading the demo: the next start finishes the load', async () => {
    const dataDir = tempDir();
    const first = runLocal(['--data-dir', dataDir, '--port', String(await freePort())]);
    await waitForOutput(first, /Loading the demo events: [1-9]0%/);
    interrupt(first);
    await first.exited;
    expect(first.output()).toMatch(/Demo load interrupted after \d+ events: the next start finishes it\.\nStopped\.\n$/);
    expect(first.output()).not.toContain('Demo data loaded');

    const { p } = await start(dataDir);
    const [, received, applied, duplicate, superseded, quarantined] = (
      await waitForOutput(p, /Demo data loaded: (\d+) events received, (\d+) applied, (\d+) duplicate, (\d+) superseded, (\d+) quarantined/)
    ).map(Number);
    expect(duplicate).toBeGreaterThan(0);
    expect(applied! + duplicate! + superseded! + quarantined!).toBe(received);
    expect(quarantined).toBe(5);
  });

  it('answers bad requests with 4xx JSON errors, never 5xx', async () => {
    const { base } = await start(tempDir());
    for (const [path, status] of [
      ['/users/abc/recommendations', 400],
      ['/users/1/recommendations?limit=1000', 400],
      ['/users/1/recommendations?genre=NoSuchGenre', 400],
      ['/movies/123456/similar', 404],
      ['/nope', 404],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    const wrongMethod = await fetch(`${base}/events`, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    const tooBig = await fetch(`${base}/events`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
  });

  it('refuses a bad port or an unknown option with a usage message', async () => {
    const p = runLocal(['--port', 'eighty', '--data-dir', tempDir()]);
    expect((await p.exited).code).toBe(2);
    expect(p.output()).toContain('error: port must be an integer from 0 to 65535');
    expect(p.output()).toContain('Usage:');
    const typo = runLocal(['--prot', '3000']);
    expect((await typo.exited).code).toBe(2);
    expect(typo.output()).toContain("error: Unknown option '--prot'");
  });
});
