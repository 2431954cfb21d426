/** Progress of long work: a live bar on a terminal, a line every tenth of the way otherwise. */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function progress(label: string, total: number, unit: string): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`, stream: process.stderr },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  let shown = -1;
  return {
    update: (done) => {
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (tenth > shown) {
        shown = tenth;
        process.stderr.write(`${label}: ${tenth * 10}% (${done}/${total} ${unit})\n`);
      }
    },
    stop: () => undefined,
  };
}
