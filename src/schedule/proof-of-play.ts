import type { Organisation } from '../domain/item-content.ts';
import type { PriorityName } from '../signs/bridge/messages.ts';
import type { SignController } from '../signs/sign-controller.ts';
import type { PlayLogRepository } from '../store/play-log-repository.ts';

/**
 * Proof of play: a row for each page a sign confirmed on top, with the organisation it belongs to, from the sign's
 * own ACKs (the controller's 'played' events). A lease refreshed underneath a higher one is not a play; the same
 * page shown again at the same priority is the same row.
 */
export function recordProofOfPlay(o: {
  controller: SignController;
  playLog: PlayLogRepository;
  organisationOf: (priority: PriorityName, itemId: string | null) => Organisation | null;
  /** Bookkeeping after the fact: the page is on the sign even when the disk cannot record it. */
  guard: (write: () => void) => void;
}): void {
  const { controller, playLog } = o;
  controller.on('played', (e) => {
    if (controller.showing()?.priority !== e.priority) return;
    o.guard(() => {
      const previous = playLog.current(e.signId);
      const same = previous && previous.itemId === e.itemId && previous.crc32 === e.crc32;
      if (same && previous.priority === e.priority) return;
      playLog.started({
        signId: e.signId,
        priority: e.priority,
        itemId: e.itemId,
        organisation: o.organisationOf(e.priority, e.itemId),
        slot: e.slot,
        crc32: e.crc32,
        startedAt: new Date(e.at).toISOString(),
      });
    });
  });
}
