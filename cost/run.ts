/**
 * npm run cost [-- --preset seed|small] [--users N] [--movies N] [--ratings N] [--events N]
 *              [--api-calls N] [--api-users N] [--seed N] [--stage NAME] [-c key=value ...] [--json]
 *
 * Meters a simulated day of the deployed stack (see simulated-day.ts) and prints its monthly bill,
 * item by item, at the prices of prices.ts; --json prints the day's usage and the bill as one object.
 * Progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { monthlyBill } from './bill';
import { formatBill } from './format-bill';
import { SEED_SCALE, simulateDay, type DaySpec } from './simulated-day';

/** A quick look: the seed's shape at a fiftieth of its size. */
const SMALL: DaySpec = { users: 2_000, movies: 1_000, ratings: 200_000, eventsPerMonth: 20_000, apiCallsPerMonth: 20_000, apiUsers: 200, seed: 42 };

const USAGE = 'Usage: npm run cost [-- --preset seed|small] [--users N] [--movies N] [--ratings N] [--events N] [--api-calls N] [--api-users N] [--seed N] [--stage NAME] [-c key=value ...] [--json]';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'seed' },
    users: { type: 'string' },
    movies: { type: 'string' },
    ratings: { type: 'string' },
    events: { type: 'string' },
    'api-calls': { type: 'string' },
    'api-users': { type: 'string' },
    seed: { type: 'string' },
    stage: { type: 'string' },
    context: { type: 'string', short: 'c', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const fail = (message: string): never => {
  process.stderr.write(`cost: ${message}\n${USAGE}\n`);
  process.exit(2);
};
const presets: Record<string, DaySpec> = { seed: SEED_SCALE, small: SMALL };
const base = presets[values.preset] ?? fail(`--preset must be seed or small, not ${JSON.stringify(values.preset)}`);
const number = (name: keyof typeof values, fallback: number, min: number, max: number): number => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fail(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
};
const spec: DaySpec = {
  users: number('users', base.users, 10, 10_000_000),
  movies: number('movies', base.movies, 10, 1_000_000),
  ratings: number('ratings', base.ratings, 100, 100_000_000),
  eventsPerMonth: number('events', base.eventsPerMonth, 31, 1_000_000_000),
  apiCallsPerMonth: number('api-calls', base.apiCallsPerMonth, 31, 1_000_000_000),
  apiUsers: number('api-users', base.apiUsers, 1, 1_000_000),
  seed: number('seed', base.seed, 0, 2 ** 31),
};
const context: Record<string, unknown> = {};
for (const pair of values.context ?? []) {
  const at = pair.indexOf('=');
  if (at < 1) fail(`-c takes key=value, not "${pair}"`);
  context[pair.slice(0, at)] = pair.slice(at + 1);
}
if (values.stage) context.stage = values.stage;

try {
  const usage = await simulateDay(spec, { context, progress: (line) => process.stderr.write(`cost: ${line}\n`) });
  const bill = monthlyBill(usage);
  process.stdout.write(values.json ? `${JSON.stringify({ usage, bill }, null, 2)}\n` : formatBill(usage, bill));
  process.exit(usage.problems.length > 0 ? 1 : 0);
} catch (err) {
  process.stderr.write(`cost: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
