/** Configuration of the Lambda entry files, from their environment. */

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the environment variable ${name} is required`);
  return value;
}

/** The lake's key prefix: '' or ending with '/'. */
export function lakePrefix(): string {
  const prefix = process.env.LAKE_PREFIX ?? '';
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function optionalPositiveInteger(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`the environment variable ${name} must be a positive integer, not "${value}"`);
  return Number(value);
}
