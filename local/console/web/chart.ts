/** A small SVG line chart of series over the same points in time: enough to see a trend, no library. */
import { h, svg } from './dom';

export interface Series {
  name: string;
  /** One value per label, in the labels' order. */
  values: readonly number[];
}

const W = 420;
const H = 150;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

export function lineChart(title: string, labels: readonly string[], series: readonly Series[], format: (v: number) => string): HTMLElement {
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title, ...series.map((s, i) => series.length > 1 && h('span', { class: `key s${i}` }, s.name))));
  if (labels.length === 0) {
    figure.append(h('p', { class: 'muted' }, 'No runs yet.'));
    return figure;
  }
  const max = Math.max(...series.flatMap((s) => s.values)) || 1;
  const x = (i: number) => PAD.left + (labels.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (labels.length - 1));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const ticks = [0, max / 2, max];
  figure.append(
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title },
      ...ticks.map((t) => svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t), class: 'grid' })),
      ...ticks.map((t) => svg('text', { x: PAD.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, format(t))),
      ...series.flatMap((s, k) => [
        svg('path', { d: s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' '), class: `line s${k}` }),
        ...s.values.map((v, i) => svg('circle', { cx: x(i), cy: y(v), r: 3, class: `dot s${k}` }, svg('title', {}, `${labels[i]}: ${s.name} ${format(v)}`))),
      ]),
      svg('text', { x: x(0), y: H - 8, 'text-anchor': labels.length === 1 ? 'middle' : 'start' }, labels[0]!),
      ...(labels.length > 1 ? [svg('text', { x: x(labels.length - 1), y: H - 8, 'text-anchor': 'end' }, labels.at(-1)!)] : []),
    ),
  );
  return figure;
}
