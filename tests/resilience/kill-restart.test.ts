/**
 * Kill -9 at seeded random moments while clients submit, review, publish and run crises; after each restart on the
 * same data dir, nothing a client was told succeeded is lost, the audit log is whole, and a running crisis is back
 * on both signs (C emulators over TCP, which outlive Skylt). The larger run is bench/resilience.bench.ts.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { crisisRepository } from '../../src/store/crisis-repository.ts';
import { waitFor } from '../bridge/emulator.ts';
import { Http } from './http-client.ts';
import { runKillCycles } from './kill-workload.ts';
import { newDataDir, requireEmulator, startEmulatorTcp, writeSignFile } from './sign-rig.ts';
import { ADMIN_PASSWORD, SkyltProcess } from './skylt-process.ts';

describe('Skylt killed with SIGKILL during a workload', () => {
  it('loses nothing it acknowledged, keeps its audit log whole, and puts a running crisis back on both signs', async () => {
    const seed = Number(process.env.SKYLT_RESILIENCE_SEED ?? 20261129);
    const r = await runKillCycles({ seed, cycles: 8, killAfterMs: [150, 2200], signRebootChance: 0.35 });
    const summary = `seed ${seed}: ${r.kills} kills, ${r.signReboots} sign reboots, ${r.acknowledged} writes answered, ${r.inFlightAtKill} in flight at a kill (${r.inFlightApplied} applied), audit ${r.auditRows} rows, ${r.panelDumps} panel dumps`;
    console.log(summary);
    expect(r.problems, summary).toEqual([]);
    expect(r.dataLost).toBe(0);
    expect(r.survived).toBe(r.acknowledged);
    expect(r.unknownFrames).toBe(0);
    // The run did what it claims: real kills mid-workload, with writes answered and writes cut off.
    expect(r.kills).toBe(8);
    expect(r.signReboots).toBeGreaterThan(0);
    expect(r.acknowledged).toBeGreaterThan(40);
    expect(r.inFlightAtKill).toBeGreaterThan(0);
    expect(r.crisisRestoredMs.length).toBeGreaterThan(0);
    expect(r.signsConvergedMs).toHaveLength(8);
  }, 170_000);

  it('carries out an all-clear it recorded but could not tell the signs before it died', async () => {
    requireEmulator();
    const dir = newDataDir('skylt-kill-allclear-');
    const north = await startEmulatorTcp(300);
    const south = await startEmulatorTcp(400);
    let skylt: SkyltProcess | null = null;
    try {
      const configPath = writeSignFile(dir, {
        north: `tcp://127.0.0.1:${north.port}`,
        south: `tcp://127.0.0.1:${south.port}`,
      });
      skylt = await SkyltProcess.start({ dataDir: dir, configPath });
      const http = new Http(skylt.url);
      const login = await http.call('POST', '/api/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
      const admin = {
        cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
        csrf: login.body.csrfToken as string,
      };
      const crisis = await http.call('POST', '/api/crisis', admin, { template: 'gas' });
      expect(crisis.status).toBe(201);
      expect([north.status()?.showing_priority, south.status()?.showing_priority]).toEqual([4, 4]);
      await skylt.kill9();

      // What the kill can leave behind: the all-clear committed (with its audit row), the PLAY to end it never sent.
      const db = new Database(`${dir}/skylt.db`);
      const repo = crisisRepository(db);
      const record = repo.get(crisis.body.id);
      if (!record) throw new Error('the crisis was not stored');
      repo.save({ ...record, state: 'ended', endedAt: new Date().toISOString(), endedReason: 'all-clear' });
      db.close();
      expect([north.status()?.showing_priority, south.status()?.showing_priority]).toEqual([4, 4]);

      skylt = await SkyltProcess.start({ dataDir: dir, configPath });
      await waitFor(
        'both signs to leave the ended crisis',
        () => north.status()?.showing_priority !== 4 && south.status()?.showing_priority !== 4,
        15_000,
      );
      await skylt.stop();
    } finally {
      await skylt?.kill9();
      await north.stop();
      await south.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
