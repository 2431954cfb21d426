/** Quarantine: how many records each reason kept out, and the latest records as they came. */
import { api } from './api';
import { count, h, when } from './dom';
import type { View } from './app';

export const quarantinePage: View = async (main) => {
  const q = await api.quarantine(100);
  const max = Math.max(1, ...q.byReason.map((r) => r.count));
  main.append(
    h('h1', {}, 'Quarantine'),
    h('p', { class: 'muted' }, `${count(q.total)} records kept out of the features, each with its reason. Nothing is lost: the value is kept as it came.`),
    h('h2', {}, 'By reason'),
    q.byReason.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : h('table', { id: 'reasons' }, h('tbody', {}, ...q.byReason.map((r) =>
          h('tr', {}, h('td', { class: 'num' }, count(r.count)), h('td', { class: 'barcell' }, h('span', { class: 'hbar', style: `width: ${(100 * r.count) / max}%` })), h('td', {}, r.reason))))),
    h('h2', {}, 'Latest records'),
    h('table', { id: 'quarantined' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Kafka time (UTC)'), h('th', {}, 'Reason'), h('th', {}, 'Value'), h('th', {}, 'Object'))),
      h('tbody', {}, ...q.items.map((r) =>
        h('tr', {}, h('td', { class: 'muted' }, when(r.time)), h('td', {}, r.reason), h('td', {}, h('code', {}, r.value ?? '(no value)')), h('td', { class: 'muted small' }, `${r.objectKey} @${r.offset}`))))),
  );
};
