/**
 * The resilience suite at full size (tests/resilience runs a smaller version of the same code):
 * - Skylt as a child process, SIGKILLed at seeded random moments during a workload of submissions, reviews,
 *   publishes and crises, restarted on the same data dir and checked through the API (nothing answered is lost,
 *   the audit log is whole, a running crisis is back on both signs); the signs are C emulators over TCP, and in
 *   about a third of the kills they reboot too (a power cut);
 * - the whole Runtime on two C emulators, E20-N on TCP through a corrupting proxy, E20-S on a pty paced to the
 *   real 115200 baud: corruption, dropped chunks, network cuts, pulled cables, reboots, a crisis across an outage.
 * Needs the emulator (make -C firmware-bridge) and socat. SKYLT_RESILIENCE_SEED picks another seed.
 */
import { runKillCycles } from '../tests/resilience/kill-workload.ts';
import { runLinkFaults } from '../tests/resilience/link-faults.ts';
import { type Benchmark, median, percentile } from './lib.ts';

const SEED = Number(process.env.SKYLT_RESILIENCE_SEED ?? 2026);
const log = (line: string) => console.log(`  ${line}`);

export default {
  name: 'resilience',
  async run() {
    console.log(`seed ${SEED}: kill -9 cycles`);
    const kill = await runKillCycles({ seed: SEED, cycles: 30, killAfterMs: [150, 3000], signRebootChance: 0.35, log });
    console.log(`seed ${SEED}: link faults at 115200 baud`);
    const link = await runLinkFaults({ seed: SEED, rounds: 3, serialPace: 11_520, log });
    const problems = [...kill.problems, ...link.problems];
    for (const p of problems) console.error(`PROBLEM: ${p}`);
    return {
      operations_survived: kill.survived,
      faults_injected: kill.faultsInjected + link.faultsInjected,
      data_lost: kill.dataLost,
      crisis_restored_ms_p50: median(kill.crisisRestoredMs),
      link_converge_ms_p50: median(link.convergeMs),
      problems: problems.length,
      kills: kill.kills,
      sign_power_cuts_with_kill: kill.signReboots,
      writes_answered: kill.acknowledged,
      writes_in_flight_at_kill: kill.inFlightAtKill,
      writes_in_flight_applied: kill.inFlightApplied,
      audit_rows_checked: kill.auditRows,
      restart_to_listening_ms_p50: median(kill.restartMs),
      crisis_restored_ms_p99: percentile(kill.crisisRestoredMs, 99),
      crisis_restored_after_listening_ms_p50: median(kill.crisisRestoredAfterListenMs),
      crisis_restores: kill.crisisRestoredMs.length,
      signs_converged_after_restart_ms_p50: median(kill.signsConvergedMs),
      link_faults: link.faultsInjected,
      link_converge_ms_p99: percentile(link.convergeMs, 99),
      link_converge_ms_max: Math.max(...link.convergeMs),
      link_converge_late: link.late,
      crisis_text_serial_115200_ms_max: Math.max(...link.crisisTextSerialMs),
      chunks_corrupted_or_dropped: link.chunksFlipped + link.chunksDropped,
      sign_rx_errors: link.signRxErrors,
      retransmits: link.retransmits,
      page_changes_during_faults: link.pageChanges,
      panel_dumps_checked: kill.panelDumps + link.panelDumps,
      unverified_frames_shown: kill.unknownFrames + link.unknownFrames,
    };
  },
} satisfies Benchmark;
