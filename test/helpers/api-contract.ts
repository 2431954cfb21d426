/**
 * The API description as tests use it: every operation's documented requests with the status
 * each must get, and a validator of bodies against the documented schemas (ajv, JSON Schema 2020-12).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { API, type ApiResponse, type Operation } from '../../lambdas/handlers/api-description';

export interface DocumentedRequest {
  name: string;
  method: string;
  path: string;
  body?: string;
  status: number;
  operation: Operation;
  response: ApiResponse;
}

export const OPERATIONS = Object.entries(API.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation: operation! })),
);

export const DOCUMENTED_REQUESTS: DocumentedRequest[] = OPERATIONS.flatMap(({ method, operation }) =>
  Object.entries(operation.responses).flatMap(([status, response]) =>
    (response['x-requests'] ?? []).map((r) => {
      const request: { path: string; body?: string } = typeof r === 'string' ? { path: r } : r;
      return { name: `${method} ${request.path}${request.body ? ` ${request.body.slice(0, 40)}` : ''} -> ${status}`, method, ...request, status: Number(status), operation, response };
    }),
  ),
);

const BASE = 'movierec-api';
/** The schemas' references point into the description; here they point into one registered schema. */
const rebased = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`));

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addSchema({ $id: BASE, $defs: rebased(API.components.schemas) as Record<string, object> });

/** The body's errors against the response's JSON schema, or [] when it fits. */
export function schemaErrors(response: ApiResponse, body: unknown): string[] {
  const validate = ajv.compile(rebased(response.content['application/json']!.schema) as object);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
