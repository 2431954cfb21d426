/** The part of dynalite's API the tests use (the package ships no types). */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A leveldb folder; in memory without one. */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
