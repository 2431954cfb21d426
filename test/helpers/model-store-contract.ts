import { describe, expect, it } from 'vitest';
import { DEFAULT_NEIGHBOUR_PARAMS } from '../../lambdas/core/item-neighbours';
import { trainModel, type Model } from '../../lambdas/core/model';
import type { ModelStore } from '../../lambdas/core/ports';
import { generateDemoData } from '../../local/demo-data';

const demo = generateDemoData({ users: 50, movies: 40, seed: 11 });
const valid = demo.events.filter((e) => typeof e.rating === 'number' && (e.user_id as number) > 0 && typeof e.timestamp === 'string');

/** A model of `date` trained on the ratings of the first `users` demo users: 20 movies in the head, the others with lists. */
export function demoModel(date: string, users = 50): Model {
  const events = valid.filter((e) => (e.user_id as number) <= users);
  return trainModel({
    interactions: {
      userIds: Int32Array.from(events, (e) => e.user_id as number),
      movieIds: Int32Array.from(events, (e) => e.movie_id as number),
    },
    catalog: demo.movies,
    date,
    params: { ...DEFAULT_NEIGHBOUR_PARAMS, headItems: 20 },
  });
}

/** What every ModelStore must do, run against each adapter. `make` returns a fresh, empty store. */
export function describeModelStoreContract(name: string, make: () => Promise<ModelStore>): void {
  describe(`${name}: the ModelStore contract`, () => {
    it('loads exactly the model it wrote, and has no active version before an activation', async () => {
      const models = await make();
      const m = demoModel('2026-11-24');
      expect(m.head.movieIds).toHaveLength(20);
      expect(m.neighbours.size).toBeGreaterThan(10);
      await models.write(m);
      expect(await models.load(m.manifest.version)).toEqual(m);
      expect(await models.activeVersion()).toBeUndefined();
    });

    it('moves the pointer only when told, and only to a written version', async () => {
      const models = await make();
      const a = demoModel('2026-11-23');
      const b = demoModel('2026-11-24', 40);
      await models.write(a);
      await models.write(b);
      await models.activate(a.manifest.version);
      expect(await models.activeVersion()).toBe(a.manifest.version);
      await models.activate(b.manifest.version);
      expect(await models.activeVersion()).toBe(b.manifest.version);
      await expect(models.activate('2026-11-22-000000000000')).rejects.toThrow(/does not exist/);
    });

    it("finds a date's manifest by the date alone", async () => {
      const models = await make();
      const a = demoModel('2026-11-23');
      await models.write(a);
      expect(await models.manifestOfDate('2026-11-23')).toEqual(a.manifest);
      expect(await models.manifestOfDate('2026-11-22')).toBeUndefined();
    });

    it('follows with the pointer when the active date is rewritten with another model', async () => {
      const models = await make();
      const first = demoModel('2026-11-24');
      const second = demoModel('2026-11-24', 30);
      expect(second.manifest.version).not.toBe(first.manifest.version);
      await models.write(first);
      await models.activate(first.manifest.version);
      await models.write(second);
      expect(await models.activeVersion()).toBe(second.manifest.version);
      await expect(models.load(first.manifest.version)).rejects.toThrow(/does not exist/);
      expect(await models.load(second.manifest.version)).toEqual(second);
      // The same content again: the same version, and nothing changes.
      await models.write(second);
      expect(await models.load(second.manifest.version)).toEqual(second);
    });
  });
}
