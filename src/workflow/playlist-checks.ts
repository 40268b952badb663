import type { PlaylistFile } from '../domain/playlist.ts';
import { linkHostAllowed } from './item-service.ts';

/**
 * What a playlist file must also satisfy on this box, beyond its schema: signs that exist, links on the allowed
 * hosts, the organiser of an event being the item's organisation, and no crisis messages. One line per problem,
 * each naming the field.
 */
export function playlistFileProblems(
  file: PlaylistFile,
  opts: { signIds: readonly string[]; allowedLinkHosts: readonly string[] },
): string[] {
  const problems: string[] = [];
  file.items.forEach((item, i) => {
    const at = `items.${i}`;
    (item.signs ?? []).forEach((s, j) => {
      if (!opts.signIds.includes(s))
        problems.push(`${at}.signs.${j}: no sign "${s}"; the signs are ${opts.signIds.join(', ')}`);
    });
    if (!linkHostAllowed(item.infoLink, opts.allowedLinkHosts)) {
      problems.push(`${at}.infoLink: an https link on ${opts.allowedLinkHosts.join(' or ')}`);
    }
    if (item.content.kind === 'crisis') {
      problems.push(`${at}.content.kind: crisis messages are not playlist content; start them through /api/crisis`);
    }
    if (item.content.kind === 'event' && item.content.organiser !== item.organisation) {
      problems.push(`${at}.content.organiser: must be the item's organisation, "${item.organisation}"`);
    }
  });
  return problems;
}
