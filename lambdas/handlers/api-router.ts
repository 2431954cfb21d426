/**
 * Routes a request by the API description: the operation, its path and query parameters checked
 * against their schemas and typed, defaults filled in. Anything that does not fit is an HttpError
 * whose message names the parameter and what it must be.
 */
import type { ApiDescription, Method, Operation, Parameter } from './api-description';
import { HttpError } from './http-response';

export interface Params {
  /** An integer parameter: given, or its default. */
  int(name: string): number;
  text(name: string): string | undefined;
  flag(name: string): boolean;
}

export interface Match {
  operation: Operation;
  /** The path template, as in the description: a label with bounded values (metrics, logs). */
  template: string;
  params: Params;
}

interface Route {
  template: string;
  pattern: RegExp;
  /** The names of the path's parameters, in the order of the pattern's groups. */
  names: string[];
  operations: Partial<Record<Method, Operation>>;
}

export interface Router {
  /** Throws HttpError 404, 405 or 400. */
  match(method: string, path: string, rawQuery: string | undefined): Match;
  /** The template of the route a path falls on, without checking anything else. */
  templateOf(path: string): string | undefined;
}

/** A router over the operations `include` keeps. */
export function createRouter(api: ApiDescription, include: (operation: Operation) => boolean): Router {
  const routes: Route[] = [];
  for (const [template, methods] of Object.entries(api.paths)) {
    const operations = Object.fromEntries(Object.entries(methods).filter(([, op]) => include(op))) as Route['operations'];
    if (Object.keys(operations).length === 0) continue;
    const names: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    routes.push({ template, pattern: new RegExp(`^${source === '/' ? '/' : `${source}/?`}$`), names, operations });
  }
  const find = (path: string) => routes.find((r) => r.pattern.test(path));

  return {
    templateOf: (path) => find(path)?.template,
    match(method, path, rawQuery) {
      const route = find(path);
      if (!route) throw new HttpError(404, `no route for ${truncate(path)}`);
      const upper = method.toUpperCase();
      const operation = route.operations[upper === 'HEAD' ? 'get' : (upper.toLowerCase() as Method)];
      if (!operation) {
        const allowed = Object.keys(route.operations).map((m) => m.toUpperCase());
        const allow = allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
        throw new HttpError(405, `method ${truncate(method)} is not allowed`, { allowed }, { allow });
      }
      const declared = operation.parameters ?? [];
      const values = new Map<string, number | string | boolean>();
      const query = parseQuery(rawQuery, declared.filter((p) => p.in === 'query').map((p) => p.name));
      const segments = route.pattern.exec(path)!.slice(1);
      for (const p of declared) {
        const raw = p.in === 'path' ? decodeSegment(segments[route.names.indexOf(p.name)]) : query.get(p.name);
        const value = raw === undefined ? p.schema.default : parseValue(p, raw);
        if (value !== undefined) values.set(p.name, value);
      }
      return { operation, template: route.template, params: typedParams(values) };
    },
  };
}

function typedParams(values: ReadonlyMap<string, number | string | boolean>): Params {
  const get = <T>(name: string, type: string): T => {
    const v = values.get(name);
    if (v !== undefined && typeof v !== type) throw new TypeError(`parameter ${name} is not a ${type}`);
    return v as T;
  };
  return {
    int: (name) => {
      const v = get<number | undefined>(name, 'number');
      if (v === undefined) throw new TypeError(`parameter ${name} has no value and no default`);
      return v;
    },
    text: (name) => get<string | undefined>(name, 'string'),
    flag: (name) => get<boolean | undefined>(name, 'boolean') ?? false,
  };
}

function parseValue(p: Parameter, raw: string): number | string | boolean {
  const s = p.schema;
  if (s.type === 'integer') {
    const n = /^(0|-?[1-9]\d{0,9})$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= s.minimum && n <= s.maximum)) throw new HttpError(400, `${p.name} must be an integer from ${s.minimum} to ${s.maximum}`);
    return n;
  }
  if (s.type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new HttpError(400, `${p.name} must be true or false`);
    return raw === 'true';
  }
  if (raw.length < s.minLength || raw.length > s.maxLength) {
    throw new HttpError(400, `${p.name} must be from ${s.minLength} to ${s.maxLength} characters long`);
  }
  return raw;
}

function parseQuery(raw: string | undefined, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw ?? '');
  } catch {
    throw new HttpError(400, 'query string is malformed');
  }
  for (const [name, value] of params) {
    if (!allowed.includes(name)) {
      throw new HttpError(400, `unknown query parameter ${truncate(JSON.stringify(name))}`, { allowed: [...allowed] });
    }
    if (out.has(name)) throw new HttpError(400, `query parameter ${name} is given more than once`);
    out.set(name, value);
  }
  return out;
}

function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new HttpError(400, 'path is not valid percent-encoding');
  }
}

export function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
