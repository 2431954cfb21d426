/**
 * npm run rehearse [-- --stage NAME] [-- -c key=value ...] [--json]
 *
 * Rehearses the deployment of a stage (cdk.json's by default) on this machine and prints what ran,
 * what was checked and any problem; exits 1 when there is one.
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report';
import { rehearse } from './rehearse';

const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    context: { type: 'string', short: 'c', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: npm run rehearse [-- --stage NAME] [-c key=value ...] [--json]\n');
  process.exit(0);
}
const context: Record<string, unknown> = {};
for (const pair of values.context ?? []) {
  const at = pair.indexOf('=');
  if (at < 1) {
    process.stderr.write(`rehearse: -c takes key=value, not "${pair}"\n`);
    process.exit(2);
  }
  context[pair.slice(0, at)] = pair.slice(at + 1);
}
if (values.stage) context.stage = values.stage;

const report = await rehearse({ context, progress: (line) => process.stderr.write(`rehearse: ${line}\n`) });
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
process.exit(report.ok ? 0 : 1);
