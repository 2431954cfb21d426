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

/** dynalite's item size, by DynamoDB's rules (attribute names and values, in the wire format). */
declare module 'dynalite/db/index.js' {
  import type { AttributeValue } from '@aws-sdk/client-dynamodb';

  export function itemSize(item: Record<string, AttributeValue>): number;
}
