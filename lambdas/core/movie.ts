/** A catalog entry. Genres use the MovieLens names ("Comedy", "Sci-Fi", ...). */
export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
}

/** Whether two catalog entries read the same: title and genres, in order. */
export function sameCatalogEntry(a: Movie, b: Movie | undefined): boolean {
  return b !== undefined && a.title === b.title && a.genres.length === b.genres.length && a.genres.every((g, i) => b.genres[i] === g);
}
