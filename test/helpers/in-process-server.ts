/** The local server in the test's own process, over a LocalSystem in a new temporary folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalServer, type LocalServer } from '../../local/local-server';
import { openLocalSystem, type LocalSystem } from '../../local/system';
import { recordingLogger } from './local-stores';

export interface InProcessServer {
  system: LocalSystem;
  local: LocalServer;
  port: number;
  base: string;
  /** Stops the server, closes the system and removes its folder. */
  close(): Promise<void>;
}

/** Fills the system with `load` (which may run batches through the server), then listens on a free port. */
export async function startInProcessServer(load: (system: LocalSystem, local: LocalServer) => Promise<void>): Promise<InProcessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'movierec-server-'));
  const system = openLocalSystem(dir, recordingLogger(), { create: true });
  const local = createLocalServer(system, recordingLogger());
  await load(system, local);
  await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
  const { port } = local.server.address() as AddressInfo;
  return {
    system,
    local,
    port,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise((resolve) => local.server.close(resolve));
      await system.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
