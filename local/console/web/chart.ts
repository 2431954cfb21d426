/** A small SVG line chart of one series over time: enough to see a trend, no library. */
import { h, svg } from './dom';

export interface Point {
  label: string;
  value: number;
}

const W = 420;
const H = 150;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

export function lineChart(title: string, points: readonly Point[], format: (v: number) => string): HTMLElement {
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  if (points.length === 0) {
    figure.append(h('p', { class: 'muted' }, 'No runs yet.'));
    return figure;
  }
  const max = Math.max(...points.map((p) => p.value)) || 1;
  const x = (i: number) => PAD.left + (points.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const ticks = [0, max / 2, max];
  figure.append(
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title },
      ...ticks.map((t) => svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t), class: 'grid' })),
      ...ticks.map((t) => svg('text', { x: PAD.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, format(t))),
      svg('path', { d: path, class: 'line' }),
      ...points.map((p, i) => svg('circle', { cx: x(i), cy: y(p.value), r: 3, class: 'dot' }, svg('title', {}, `${p.label}: ${format(p.value)}`))),
      svg('text', { x: x(0), y: H - 8, 'text-anchor': points.length === 1 ? 'middle' : 'start' }, points[0]!.label),
      ...(points.length > 1 ? [svg('text', { x: x(points.length - 1), y: H - 8, 'text-anchor': 'end' }, points.at(-1)!.label)] : []),
    ),
  );
  return figure;
}
