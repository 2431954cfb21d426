/** The rehearsal's report as a person reads it: what ran, what was checked, and any problem. */
import type { RehearsalReport } from './rehearse';

export function formatReport(r: RehearsalReport): string {
  const lines: string[] = [];
  lines.push(`Rehearsal of ${r.stackName} in ${r.place.region} (account ${r.place.account}), ${r.seconds.toFixed(1)} s`);
  lines.push('');
  lines.push('Functions run (their deployed bundles, with the environment and role of the template):');
  for (const f of r.functions) {
    lines.push(
      `  ${f.name.padEnd(16)} ${String(f.invocations).padStart(4)} invocations  ${String(f.errors).padStart(2)} errors  ${String(f.metrics).padStart(4)} metric documents  ${String(f.logBytes).padStart(7)} log bytes${f.traced ? '  traced' : ''}`,
    );
  }
  const unused = r.functions.filter((f) => f.unusedActions.length > 0);
  if (unused.length > 0) {
    lines.push('');
    lines.push('Granted but not needed by any call here (paths not taken, or grants to remove):');
    for (const f of unused) lines.push(`  ${f.name.padEnd(16)} ${f.unusedActions.join(', ')}`);
  }
  const checked = Object.entries(r.checks);
  const total = checked.reduce((n, [, c]) => n + c, 0);
  lines.push('');
  lines.push(`Calls checked against the caller's role: ${total} (${checked.map(([s, c]) => `${s} ${c}`).join(', ')}), ${r.denials.length} denied`);
  const parsed = r.statements.filter((s) => s.errors.length === 0).length;
  const unloads = r.statements.filter((s) => s.kind === 'unload').length;
  const partitions = Math.max(0, ...r.statements.map((s) => s.partitions));
  lines.push(
    `Athena statements: ${r.statements.length} parsed with the Trino grammar (${unloads} UNLOAD, ${r.statements.length - unloads} SELECT), ${parsed} valid; at most ${partitions} partition prefixes listed by one`,
  );
  for (const line of r.network) lines.push(`Event source: ${line}`);
  lines.push(`Events: ${r.events.records} records in ${r.events.batches} MSK batches, ${r.events.applied} applied, ${r.events.quarantined} quarantined; a redelivered batch changed nothing`);
  lines.push('Daily batch runs on the deployed state machine:');
  for (const run of r.runs) lines.push(`  ${run.start}: ${run.status} (${run.states.join(' > ')})`);
  lines.push(`HTTP API: ${r.api.map((a) => `${a.request} ${a.status}`).join(', ')}`);
  lines.push(`Trace segments sent to X-Ray: ${r.traceSegments}`);
  lines.push('');
  if (r.ok) lines.push('No problem found: every call was allowed, every step and request answered as it should.');
  else {
    lines.push(`${r.problems.length} problem(s):`);
    for (const p of r.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}
