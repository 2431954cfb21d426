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
