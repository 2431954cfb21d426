/** The movies: search by title and genre, and a movie's page with its similar movies. */
import { api, type Movie } from './api';
import { count, h, movieLink } from './dom';
import type { View } from './app';

export const moviesPage: View = async (main, signal) => {
  const input = h('input', { type: 'search', id: 'movie-search', placeholder: 'Search a title, e.g. "quiet lantern"', autocomplete: 'off', autofocus: true });
  const genre = h('select', { id: 'movie-genre', 'aria-label': 'Genre' }, h('option', { value: '' }, 'All genres'));
  const summary = h('p', { class: 'muted' });
  const results = h('tbody');
  const userId = h('input', { type: 'number', min: 1, id: 'open-user', placeholder: 'User id, e.g. 1' });
  main.append(
    h('h1', {}, 'Movies'),
    h('div', { class: 'toolbar' }, input, genre,
      h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); if (userId.value) location.hash = `#/users/${userId.value}`; } },
        userId, h('button', { type: 'submit' }, 'Open user'))),
    summary,
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Id'), h('th', {}, 'Title'), h('th', {}, 'Genres'), h('th', { class: 'num' }, 'Ratings'))), results),
  );

  let asked = 0;
  const search = async () => {
    const mine = ++asked;
    const found = await api.searchMovies(input.value, genre.value);
    if (mine !== asked || signal.aborted) return;
    if (genre.options.length === 1) genre.append(...found.genres.map((g) => h('option', { value: g }, g)));
    const q = input.value.trim();
    summary.textContent = `${count(found.total)} ${found.total === 1 ? 'movie' : 'movies'}${q ? ` match “${q}”` : ', most rated first'}${found.items.length < found.total ? ` (the first ${found.items.length} shown)` : ''}.`;
    results.replaceChildren(...found.items.map(row));
  };
  let timer: number | undefined;
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), 150);
  });
  genre.addEventListener('change', () => void search());
  await search();
};

const row = (m: Movie) =>
  h('tr', {}, h('td', { class: 'num muted' }, m.movieId), h('td', {}, movieLink(m.movieId, m.title)), h('td', {}, genres(m.genres)), h('td', { class: 'num' }, count(m.ratingCount)));

export const genres = (list: readonly string[]) => h('span', { class: 'genres' }, ...list.map((g) => h('span', { class: 'chip' }, g)));

export const moviePage = (movieId: number): View => async (main) => {
  const [movie, similar] = await Promise.all([api.movie(movieId), api.similar(movieId, 20)]);
  main.append(
    h('p', {}, h('a', { href: '#/' }, '← Movies')),
    h('h1', {}, movie.title),
    genres(movie.genres),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Ratings now'), h('dd', {}, count(movie.ratingCount)),
      h('dt', {}, 'Mean rating'), h('dd', {}, movie.meanRating?.toFixed(2) ?? '–'),
      h('dt', {}, 'Bayesian mean'), h('dd', {}, movie.bayesianMean?.toFixed(2) ?? '–'),
      h('dt', {}, 'Ratings in the model'), h('dd', {}, count(movie.modelRatingCount)),
    ),
    h('h2', {}, 'Similar movies'),
    similar.items.length === 0
      ? h('p', { class: 'muted' }, 'The model has no neighbours for this movie: too few users rated it with others.')
      : h('div', {},
        h('p', { class: 'muted' }, "The movies that rating this one raises most. Similarity: the model's weight towards each, relative to the closest one's (1)."),
        h('table', { id: 'similar' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Movie'), h('th', {}, 'Genres'), h('th', { class: 'num' }, 'Similarity'))),
          h('tbody', {}, ...similar.items.map((s) => h('tr', {}, h('td', {}, movieLink(s.movieId, s.title)), h('td', {}, genres(s.genres)), h('td', { class: 'num' }, s.score.toFixed(4))))),
        )),
  );
};
