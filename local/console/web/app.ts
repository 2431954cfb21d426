/**
 * The movierec console: one page, its views chosen by the address's hash (#/movies/1, #/users/1,
 * #/runs, ...), each drawn from the local API. A view gets an AbortSignal that fires when the
 * reader moves on, so that polling and late answers stop.
 */
import { ApiError, api } from './api';
import { h } from './dom';
import { moviePage, moviesPage } from './movies-page';
import { pipelinePage } from './pipeline-page';
import { quarantinePage } from './quarantine-page';
import { runsPage } from './runs-page';
import { userPage, usersPage } from './user-page';

export type View = (main: HTMLElement, signal: AbortSignal) => Promise<void>;

const ROUTES: [RegExp, (m: RegExpExecArray) => View][] = [
  [/^#?\/?$/, () => moviesPage],
  [/^#\/movies\/(\d+)$/, (m) => moviePage(Number(m[1]))],
  [/^#\/users\/?$/, () => usersPage],
  [/^#\/users\/(\d+)$/, (m) => userPage(Number(m[1]))],
  [/^#\/runs$/, () => runsPage],
  [/^#\/quarantine$/, () => quarantinePage],
  [/^#\/pipeline$/, () => pipelinePage],
];

let current: AbortController | undefined;

async function show(): Promise<void> {
  current?.abort();
  const controller = (current = new AbortController());
  const main = document.getElementById('main')!;
  const hash = location.hash;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const target = a.getAttribute('href') ?? '';
    a.classList.toggle('active', target === '#/' ? hash === '' || hash === '#/' || hash.startsWith('#/movies') : hash.startsWith(target));
  }
  const route = ROUTES.map(([pattern, view]) => [pattern.exec(hash), view] as const).find(([m]) => m);
  main.replaceChildren();
  if (!route) {
    main.append(h('p', { class: 'error' }, `No page at ${hash}.`), h('a', { href: '#/' }, 'Back to the movies'));
    return;
  }
  try {
    await route[1](route[0]!)(main, controller.signal);
  } catch (err) {
    if (controller.signal.aborted) return;
    main.append(h('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? err.message : `Could not load the page: ${String(err)}`));
  }
}

async function showModel(): Promise<void> {
  const el = document.getElementById('model')!;
  try {
    const { modelVersion } = await api.health();
    el.textContent = modelVersion ? `model ${modelVersion}` : 'no model yet';
  } catch {
    el.textContent = 'the server does not answer';
  }
}

/** How often the header asks which model serves: a batch started from the console moves it. */
const MODEL_POLL_MS = 5000;

window.addEventListener('hashchange', () => void show().then(showModel));
void show().then(showModel);
window.setInterval(() => void showModel(), MODEL_POLL_MS);
