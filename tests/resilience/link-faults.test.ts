/**
 * The whole Runtime playing a published schedule on two C sign emulators while their links fail: corruption and
 * dropped chunks, a network cut, a pulled serial cable, sign reboots, and a crisis started and ended across an
 * outage. Each time the sign shows what the schedule says within a few seconds of the link returning, and no panel
 * dump is ever a picture Skylt did not render. The larger run is bench/resilience.bench.ts.
 */
import { describe, expect, it } from 'vitest';
import { runLinkFaults } from './link-faults.ts';

describe('link faults under the whole runtime', () => {
  it('converges to the schedule within a few seconds of each fault and never shows an unverified frame', async () => {
    const seed = Number(process.env.SKYLT_RESILIENCE_SEED ?? 20261129);
    const r = await runLinkFaults({
      seed,
      rounds: 1,
      // 460800 baud on the pty keeps this test short; bench/resilience.bench.ts runs the real 115200.
      serialPace: 46_080,
      log: (l) => console.log(l),
    });
    const summary = `seed ${seed}: ${r.faultsInjected} faults, converged in ${r.convergeMs.map(Math.round).join(', ')} ms; ${r.chunksFlipped} chunks flipped, ${r.chunksDropped} dropped, ${r.signRxErrors} sign rx errors, ${r.retransmits} retransmits; ${r.panelDumps} panel dumps, ${r.pageChanges} page changes`;
    console.log(summary);
    expect(r.problems, summary).toEqual([]);
    expect(r.unknownFrames).toBe(0);
    expect(r.late).toBe(0);
    // The faults really happened and the schedule really moved.
    expect(r.chunksFlipped).toBeGreaterThan(0);
    expect(r.chunksDropped).toBeGreaterThan(0);
    expect(r.signRxErrors).toBeGreaterThan(0);
    expect(r.retransmits).toBeGreaterThan(0);
    expect(r.cablePulls).toBe(4);
    expect(r.signReboots).toBe(3);
    expect(r.crisisAcrossOutage).toBe(1);
    expect(r.pageChanges).toBeGreaterThan(4);
  }, 170_000);
});
