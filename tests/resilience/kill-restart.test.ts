/**
 * Kill -9 at seeded random moments while clients submit, review, publish and run crises; after each restart on the
 * same data dir, nothing a client was told succeeded is lost, the audit log is whole, and a running crisis is back
 * on both signs (C emulators over TCP, which outlive Skylt). The larger run is bench/resilience.bench.ts.
 */
import { describe, expect, it } from 'vitest';
import { runKillCycles } from './kill-workload.ts';

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
    expect(r.acknowledged).toBeGreaterThan(40);
    expect(r.inFlightAtKill).toBeGreaterThan(0);
    expect(r.crisisRestoredMs.length).toBeGreaterThan(0);
    expect(r.signsConvergedMs).toHaveLength(8);
  }, 170_000);
});
