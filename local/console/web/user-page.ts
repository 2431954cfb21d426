/**
 * A user: their features, their recommendations with the reason and the score's parts, their
 * ratings latest first, and a form that rates a movie as the user through POST /events, after
 * which the list is drawn again with the movies that came in marked.
 */
import { ApiError, api, type Recommendation, type User } from './api';
import { count, h, movieLink, when } from './dom';
import { genres } from './movies-page';
import type { View } from './app';

export const usersPage: View = async (main) => {
  const input = h('input', { type: 'number', min: 1, id: 'open-user', placeholder: 'User id', autofocus: true, required: true });
  main.append(
    h('h1', {}, 'Users'),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); location.hash = `#/users/${input.value}`; } }, input, h('button', { type: 'submit' }, 'Open')),
    h('p', { class: 'muted' }, 'The demo data has users 1 to 600. A new id is a new user: rate a movie on their page and watch their list leave the cold start.'),
  );
};

const RATINGS = [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5];

export const userPage = (userId: number): View => async (main, signal) => {
  const profile = h('section', { id: 'profile' });
  const recs = h('tbody');
  const recsNote = h('p', { class: 'muted', id: 'recs-note' });
  const genre = h('select', { id: 'rec-genre', 'aria-label': 'Genre' }, h('option', { value: '' }, 'All genres'));
  const ratings = h('section', { id: 'ratings' });
  const movie = h('input', { id: 'rate-movie', list: 'rate-movies', placeholder: 'Search a movie to rate', autocomplete: 'off', required: true });
  const options = h('datalist', { id: 'rate-movies' });
  const stars = h('select', { id: 'rate-value', 'aria-label': 'Rating' }, ...RATINGS.map((r) => h('option', { value: r, selected: r === 4 }, `${r} ★`)));
  const outcome = h('p', { id: 'rate-outcome', role: 'status' });

  main.append(
    h('h1', {}, `User ${userId}`),
    profile,
    h('div', { class: 'columns' },
      h('section', {},
        h('h2', {}, 'Recommendations'),
        h('div', { class: 'toolbar' }, genre, h('span', { class: 'legend' }, h('i', { class: 'cf' }), 'collaborative', h('i', { class: 'genre' }), 'genre', h('i', { class: 'pop' }), 'popularity')),
        recsNote,
        h('table', { id: 'recommendations' },
          h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Movie'), h('th', {}, 'Score'), h('th', {}, 'Why'))),
          recs),
      ),
      h('section', {},
        h('h2', {}, 'Rate a movie'),
        h('form', { id: 'rate', onsubmit: (e: Event) => { e.preventDefault(); void rate(); } }, movie, options, stars, h('button', { type: 'submit' }, 'Rate')),
        outcome,
        ratings,
      ),
    ),
  );

  let shown = new Set<number>();
  const drawRecommendations = async (markNew: boolean) => {
    const list = await api.recommendations(userId, genre.value);
    if (signal.aborted) return;
    if (genre.options.length === 1) {
      const all = await api.searchMovies('', '', 1);
      genre.append(...all.genres.map((g) => h('option', { value: g }, g)));
    }
    recsNote.textContent = list.coldStart
      ? 'No ratings yet (cold start): the popular movies. Rate one and the list turns to what you like.'
      : `Model ${list.modelVersion ?? '–'}. The bar shows the score's parts; the reason names the largest.`;
    const before = shown;
    shown = new Set(list.items.map((i) => i.movieId));
    recs.replaceChildren(...list.items.map((item, i) => recommendationRow(item, i, markNew && !before.has(item.movieId))));
  };
  const drawUser = async () => {
    let user: User | undefined;
    try {
      user = await api.user(userId);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    if (signal.aborted) return;
    profile.replaceChildren(user ? facts(user) : h('p', { class: 'muted' }, `User ${userId} has no ratings yet.`));
    ratings.replaceChildren();
    if (!user) return;
    const latest = await api.ratings(userId, 20);
    ratings.append(
      h('h3', {}, `Ratings, latest first (${count(latest.ratingCount)} in all)`),
      h('table', { id: 'user-ratings' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Movie'), h('th', { class: 'num' }, 'Rating'), h('th', {}, 'When (UTC)'))),
        h('tbody', {}, ...latest.items.map((r) => h('tr', {}, h('td', {}, movieLink(r.movieId, r.title)), h('td', { class: 'num' }, r.rating.toFixed(1)), h('td', { class: 'muted' }, when(r.time)))))),
    );
  };

  let asked = 0;
  movie.addEventListener('input', async () => {
    const mine = ++asked;
    if (/\[\d+\]$/.test(movie.value)) return;
    const found = await api.searchMovies(movie.value, '', 10);
    if (mine === asked) options.replaceChildren(...found.items.map((m) => h('option', { value: `${m.title} [${m.movieId}]` })));
  });
  const rate = async () => {
    const movieId = Number(/\[(\d+)\]$/.exec(movie.value)?.[1] ?? movie.value);
    if (!Number.isInteger(movieId) || movieId < 1) {
      outcome.className = 'error';
      outcome.textContent = 'Choose a movie from the list, or type its id.';
      return;
    }
    const result = await api.rate(userId, movieId, Number(stars.value));
    outcome.className = result.quarantined > 0 ? 'error' : 'ok';
    outcome.textContent =
      result.quarantined > 0
        ? `Quarantined: ${result.quarantine[0]?.reason ?? 'see the quarantine page'}.`
        : result.applied > 0
          ? `Rated ${stars.value} ★. The recommendations below are drawn again; the movies that came in are marked new.`
          : 'Nothing changed: the rating held is the same or newer.';
    movie.value = '';
    await Promise.all([drawRecommendations(true), drawUser()]);
  };

  genre.addEventListener('change', () => void drawRecommendations(false));
  await Promise.all([drawRecommendations(false), drawUser()]);
};

function facts(user: User): HTMLElement {
  return h('div', {},
    h('dl', { class: 'facts' },
      h('dt', {}, 'Ratings'), h('dd', {}, count(user.ratingCount)),
      h('dt', {}, 'Mean rating'), h('dd', {}, user.meanRating?.toFixed(2) ?? '–'),
      h('dt', {}, 'Last active'), h('dd', {}, user.lastActive ? when(user.lastActive) : '–'),
    ),
    h('p', { class: 'genres' }, 'Likes: ', ...user.genres.slice(0, 6).map((g) => h('span', { class: 'chip', title: `${g.count} ratings, mean ${g.meanRating.toFixed(2)}` }, `${g.genre} ${Math.round(g.affinity * 100)}%`))),
  );
}

function recommendationRow(item: Recommendation, i: number, isNew: boolean): HTMLElement {
  const e = item.explain;
  const part = (cls: string, value: number, label: string) => h('span', { class: cls, style: `width: ${Math.max(0, value) * 100}%`, title: `${label} ${value.toFixed(4)}` });
  return h('tr', { class: isNew ? 'new' : undefined },
    h('td', { class: 'num muted' }, i + 1),
    h('td', {}, movieLink(item.movieId, item.title), isNew && h('span', { class: 'badge' }, 'new'), h('div', {}, genres(item.genres))),
    h('td', {},
      h('div', { class: 'bar', title: `score ${item.score}` }, e && part('cf', e.collaborative, 'collaborative'), e && part('genre', e.genre, 'genre'), e && part('pop', e.popularity, 'popularity')),
      h('span', { class: 'muted small' }, item.score.toFixed(3))),
    h('td', {}, item.reason,
      e && e.because.length > 0 && h('div', { class: 'muted small' }, 'from ', ...e.because.flatMap((b, k) => [k > 0 ? ', ' : '', movieLink(b.movieId, b.title), ` (${b.rating} ★)`]))),
  );
}
