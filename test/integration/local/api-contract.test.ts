/**
 * The API against its description, on the local server over the demo data: every request the
 * description documents gets the status it is listed under, with a body of the documented shape.
 * Then what no single request shows: a batch started over HTTP, and the metrics of all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../lambdas/handlers/api-description';
import { loadDemoIfEmpty } from '../../../local/commands/load-demo';
import type { LocalServer } from '../../../local/local-server';
import type { LocalSystem } from '../../../local/system';
import { DOCUMENTED_REQUESTS, OPERATIONS, schemaErrors } from '../../helpers/api-contract';
import { startInProcessServer, type InProcessServer } from '../../helpers/in-process-server';

/** Answers no request can be made to give on demand: covered by the limits and fault tests. */
const UNSCRIPTED = new Set(['408', '413', '429', '503']);

describe('the API as described (local server, demo data)', () => {
  let server: InProcessServer;
  let system: LocalSystem;
  let local: LocalServer;
  let base: string;

  beforeAll(async () => {
    server = await startInProcessServer(async (s, l) => {
      await loadDemoIfEmpty(s, new AbortController().signal);
      expect(await l.runBatch()).toBe(true);
    });
    ({ system, local, base } = server);
  }, 120_000);

  afterAll(() => server.close());

  it('documents a request for every answer but those that need a fault or a load', () => {
    for (const { method, path, operation } of OPERATIONS) {
      for (const status of Object.keys(operation.responses)) {
        if (UNSCRIPTED.has(status) || operation.operationId === 'startRun') continue;
        expect(DOCUMENTED_REQUESTS.some((r) => r.operation === operation && r.status === Number(status)), `${method} ${path} ${status}`).toBe(true);
      }
    }
  });

  it.each(DOCUMENTED_REQUESTS)('$name', async (r) => {
    const res = await fetch(`${base}${r.path}`, {
      method: r.method,
      ...(r.body === undefined ? {} : { body: r.body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(r.status);
    const [type] = Object.keys(r.response.content);
    if (type === 'application/json') {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(schemaErrors(r.response, JSON.parse(text))).toEqual([]);
    } else {
      // A text answer: the documented family (JavaScript and CSS assets alike are text).
      expect(res.headers.get('content-type')).toMatch(/^text\//);
      expect(text.length).toBeGreaterThan(0);
    }
  });

  it('serves its own description', async () => {
    expect(await (await fetch(`${base}/openapi.json`)).json()).toEqual(JSON.parse(JSON.stringify(API)));
  });

  it('runs a daily batch started over HTTP, one at a time, and keeps its steps', async () => {
    const before = (await (await fetch(`${base}/runs`)).json()) as { items: unknown[] };
    const started = await fetch(`${base}/runs`, { method: 'POST' });
    expect(started.status).toBe(202);
    const again = await fetch(`${base}/runs`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(schemaErrors(API.paths['/runs']!.post!.responses['409']!, await again.json())).toEqual([]);
    await local.idle();
    const after = (await (await fetch(`${base}/runs?limit=1`)).json()) as { running: boolean; items: { status: string; steps: { state: string }[] }[] };
    expect(after.running).toBe(false);
    expect(after.items[0]!.status).toBe('succeeded');
    expect(after.items[0]!.steps.map((s) => s.state)).toEqual(['ResolveDate', 'BronzeToSilver', 'SilverFeatures', 'GoldModel', 'Publish']);
    expect(((await (await fetch(`${base}/runs`)).json()) as { items: unknown[] }).items).toHaveLength(before.items.length + 1);
  });

  it('counts requests, events and batches in Prometheus text', async () => {
    await fetch(`${base}/users/1/recommendations`);
    await fetch(`${base}/users/abc/recommendations`);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}()|.*+?^$[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('movierec_http_requests_total{route="/users/{userId}/recommendations",method="GET",status="400"}')).toBeGreaterThanOrEqual(1);
    expect(value('movierec_http_request_duration_seconds_count{route="/users/{userId}/recommendations"}')).toBeGreaterThanOrEqual(2);
    // The demo's events and the documented POSTs all went through the pipeline.
    expect(value('movierec_events_total{outcome="received"}')).toBe(system.pipeline.totals.received);
    expect(value('movierec_events_total{outcome="quarantined"}')).toBe(system.pipeline.totals.quarantined);
    expect(system.pipeline.totals.quarantined).toBeGreaterThanOrEqual(5);
    expect(value(`movierec_model_info{version="${await system.models.activeVersion()}"}`)).toBe(1);
    expect(value('movierec_batch_duration_seconds_count{status="succeeded"}')).toBe(2);
    expect(value('movierec_batch_step_duration_seconds_count{state="GoldModel"}')).toBe(2);
    expect(text).toMatch(/^movierec_process_resident_memory_bytes \d+/m);
  });
});
