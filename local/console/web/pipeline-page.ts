/** The pipeline's live counters: events by outcome since the server started, with their rates, every second. */
import type { ConsumeCounts } from '../../../lambdas/handlers/consume';
import { api, type Status } from './api';
import { count, h } from './dom';
import type { View } from './app';

const POLL_MS = 1000;
const OUTCOMES: (keyof ConsumeCounts)[] = ['received', 'applied', 'duplicate', 'superseded', 'quarantined'];

export const pipelinePage: View = async (main, signal) => {
  const counters = h('div', { class: 'counters', id: 'counters' });
  const totals = h('dl', { class: 'facts' });
  main.append(
    h('h1', {}, 'Pipeline'),
    h('p', { class: 'muted' }, 'Events through this server since it started (POST /events, the demo, Kafka), updated every second.'),
    counters,
    h('h2', {}, 'In the data folder'),
    totals,
  );
  let last: { at: number; counts: ConsumeCounts } | undefined;
  const draw = (s: Status) => {
    const now = performance.now();
    const since = s.sinceStart;
    counters.replaceChildren(...OUTCOMES.map((k) => {
      const rate = since && last ? ((since[k] - last.counts[k]) * 1000) / (now - last.at) : 0;
      return h('div', { class: `counter ${k}` }, h('strong', {}, count(since?.[k] ?? 0)), h('span', {}, k), h('small', { class: 'muted' }, `${rate.toFixed(0)}/s`));
    }));
    if (since) last = { at: now, counts: { ...since } };
    totals.replaceChildren(
      h('dt', {}, 'Model'), h('dd', {}, s.modelVersion ?? 'none yet'),
      h('dt', {}, 'Movies'), h('dd', {}, count(s.catalog.movies)),
      h('dt', {}, 'Users'), h('dd', {}, count(s.catalog.users)),
      h('dt', {}, 'Ratings'), h('dd', {}, count(s.catalog.ratings)),
      h('dt', {}, 'Events in bronze'), h('dd', {}, count(s.lake.bronzeEvents)),
      h('dt', {}, 'Quarantined'), h('dd', {}, h('a', { href: '#/quarantine' }, count(s.lake.quarantined))),
      h('dt', {}, 'Latest run'), h('dd', {}, s.lastRuns[0] ? h('a', { href: '#/runs' }, `${s.lastRuns[0].date} ${s.lastRuns[0].status}`) : 'none yet'),
    );
  };
  draw(await api.status());
  void (async () => {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!signal.aborted) draw(await api.status());
    }
  })().catch(() => counters.append(h('p', { class: 'error', role: 'alert' }, 'The server stopped answering: reload the page when it is back.')));
};
