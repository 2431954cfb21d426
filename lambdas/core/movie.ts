/** A catalog entry. Genres use the MovieLens names ("Comedy", "Sci-Fi", ...). */
export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
}
