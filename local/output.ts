/** The commands' messages: a line each, on stdout, for the person at the terminal. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
