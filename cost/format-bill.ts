/** The bill as a person reads it: what was metered, then a Markdown table, item by item (the README's is this output). */
import { count, dollars, type Bill, type BillLine } from './bill';
import type { DayUsage } from './simulated-day';

export function formatBill(u: DayUsage, bill: Bill): string {
  const s = u.spec;
  const p = u.day.publish;
  const lines = [
    `movierec's monthly AWS bill for ${u.stackName}, at ${bill.region} on-demand prices of ${bill.pricesAsOf} (no free tier counted)`,
    '',
    `Metered: ${u.date}, a day of ${count(s.eventsPerMonth)} rating events and ${count(s.apiCallsPerMonth)} API requests a month, over ${count(s.users)} users, ${count(s.movies)} movies and ${count(s.ratings)} ratings.`,
    `The day: ${count(u.day.events)} events in ${count(u.day.batches)} consumer invocations (${count(u.day.applied)} applied); ${count(u.day.apiCalls)} API requests; the daily batch merged onto the day before's silver (${count(u.day.silverRatings)} ratings), ${u.day.trainedOn === u.date ? 'trained the model' : `refreshed the model trained on ${u.day.trainedOn} (a day between trainings)`} and published ${p ? `${count(p.replaced)} features that differed (${count(p.unchanged)} equal left alone), its model ${p.activated ? 'activated' : `held back (${p.reason})`}` : 'nothing'}.`,
    `Metered in ${(u.seconds / 60).toFixed(1)} minutes. A month is 730 hours: ${(730 / 24).toFixed(2)} such days.`,
    '',
    table(bill.lines, 'total without MSK', bill.total, bill.total - bill.afterFree),
    '',
    `Always free: what AWS's allowances for every account and month (not the first year's free tier) cover, in an account that uses them for nothing else; there the bill is ${dollars(bill.afterFree)} a month.`,
    '',
    'Listed apart: Kafka and the network of its event source.',
    '',
    table(bill.apart, 'MSK and its network', bill.apartTotal),
    '',
  ];
  if (u.problems.length > 0) lines.push(`${u.problems.length} problem(s) on the way:`, ...u.problems.map((p) => `  - ${p}`), '');
  return lines.join('\n');
}

function table(rows: readonly BillLine[], totalLabel: string, total: number, free?: number): string {
  const withFree = free !== undefined;
  return [
    `| service | item | usage a month | $ a month |${withFree ? ' always free |' : ''}`,
    `| --- | --- | --- | ---: |${withFree ? ' ---: |' : ''}`,
    ...rows.map((r) => `| ${r.service} | ${r.item} | ${r.usage} | ${dollars(r.monthly)} |${withFree ? ` ${r.free > 0 ? dollars(r.free) : ''} |` : ''}`),
    `| **${totalLabel}** | | | **${dollars(total)}** |${withFree ? ` **${dollars(free)}** |` : ''}`,
  ].join('\n');
}
