/**
 * The daily batch runs: a button that starts one, charts of the models' offline metrics and
 * figures over the runs, and each run with its steps and their durations.
 */
import type { RunSummary } from '../../sqlite/sqlite-operations-reads';
import { ApiError, api } from './api';
import { lineChart } from './chart';
import { count, h, when } from './dom';
import type { View } from './app';

const POLL_MS = 1000;

export const runsPage: View = async (main, signal) => {
  const button = h('button', { id: 'start-run', type: 'button' }, 'Run the daily batch now');
  const note = h('span', { class: 'muted', role: 'status', id: 'run-note' });
  const charts = h('div', { class: 'charts' });
  const table = h('tbody');
  main.append(
    h('h1', {}, 'Batch runs'),
    h('div', { class: 'toolbar' }, button, note),
    charts,
    h('table', { id: 'runs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Date'), h('th', {}, 'Status'), h('th', {}, 'Model'), h('th', {}, 'Steps'), h('th', { class: 'num' }, 'Ratings'), h('th', { class: 'num' }, 'nDCG@10'), h('th', {}, 'Recorded (UTC)'))),
      table),
  );

  const draw = async (): Promise<boolean> => {
    const runs = await api.runs(30);
    if (signal.aborted) return false;
    button.disabled = runs.running;
    note.textContent = runs.running ? 'A batch is running…' : `Serving ${runs.modelVersion ?? 'no model yet'}.`;
    const oldestFirst = [...runs.items].reverse().filter((r) => r.model);
    const label = (r: RunSummary) => `${r.date} #${r.runId}`;
    // A refreshed model carries its training's measure: each measure is charted once, at its training.
    const measured = oldestFirst.filter((r) => r.evaluation && r.model!.trainedOn === r.date);
    const all = [...runs.items].reverse();
    charts.replaceChildren(
      lineChart('nDCG@10 on the holdout', measured.map(label), [
        { name: 'served blend', values: measured.map((r) => r.evaluation!.hybrid.ndcg) },
        { name: 'model alone', values: measured.map((r) => r.evaluation!.model.ndcg) },
        { name: 'most rated', values: measured.map((r) => r.evaluation!.popularity.ndcg) },
      ], (v) => v.toFixed(3)),
      lineChart("Ratings in the model's silver", oldestFirst.map(label), [{ name: 'ratings', values: oldestFirst.map((r) => r.model!.ratings) }], (v) => count(Math.round(v))),
      lineChart('Batch duration (s)', all.map(label), [{ name: 'seconds', values: all.map((r) => r.steps.reduce((s, x) => s + x.seconds, 0)) }], (v) => v.toFixed(1)),
    );
    table.replaceChildren(...runs.items.map(row));
    return runs.running;
  };

  button.addEventListener('click', async () => {
    try {
      const started = await api.startRun();
      note.textContent = `Started the batch for ${started.date}.`;
    } catch (err) {
      note.textContent = err instanceof ApiError ? err.message : String(err);
    }
    while (!signal.aborted && (await draw())) await new Promise((r) => setTimeout(r, POLL_MS));
  });
  await draw();
};

function row(run: RunSummary): HTMLElement {
  const total = run.steps.reduce((s, x) => s + x.seconds, 0) || 1;
  return h('tr', { class: run.status },
    h('td', { class: 'nowrap' }, run.date),
    h('td', {}, h('span', { class: `status ${run.status}` }, run.status), run.error && h('div', { class: 'small error', title: run.cause ?? '' }, run.error)),
    h('td', {},
      run.modelVersion ?? '–',
      run.activated && h('span', { class: 'badge' }, 'published'),
      run.model && h('div', { class: 'muted small' }, run.model.trainedOn === run.date ? 'trained' : `refreshed: weights of ${run.model.trainedOn}`),
      run.gate && !run.gate.passed && h('div', { class: 'small error gate' }, 'held back: ', run.gate.reason.replace(/^quality gate: /, ''),
        run.modelWritten ? '' : ' (not written: it would replace the serving model of its date)')),
    h('td', {},
      h('div', { class: 'steps' },
        ...run.steps.map((s) => h('span', { class: `step ${s.status}`, style: `flex-grow: ${Math.max(s.seconds / total, 0.04)}`, title: `${s.state}: ${s.status} in ${s.seconds.toFixed(2)} s${s.error ? ` (${s.error})` : ''}` }, s.state))),
      h('div', { class: 'muted small' }, run.steps.filter((s) => s.status === 'succeeded').map((s) => `${s.state} ${s.seconds.toFixed(2)} s`).join(' · '))),
    h('td', { class: 'num' }, run.model ? count(run.model.ratings) : '–'),
    h('td', { class: 'num', title: run.evaluation ? measureText(run.evaluation) : '' }, run.evaluation?.hybrid.ndcg.toFixed(4) ?? '–'),
    h('td', { class: 'muted' }, when(run.recordedAt)),
  );
}

function measureText(m: NonNullable<RunSummary['evaluation']>): string {
  return `held out: ${m.protocol}; ${m.users} users. Served blend: recall ${m.hybrid.recall}, precision ${m.hybrid.precision}, coverage ${m.hybrid.coverage}. ` +
    `nDCG of the model alone ${m.model.ndcg}, of the most rated ${m.popularity.ndcg}`;
}
