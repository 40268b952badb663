/** Workflow test content (a concert, an info item), the draft save the UI does, and waiting for a sign. */
import type { Client, Reply, TestApp } from '../helper.ts';

/** A concert two weeks ahead of T0, as Vara Konserthus would submit it. */
export function concert(overrides: Record<string, unknown> = {}) {
  return {
    content: {
      kind: 'event',
      title: 'Julkonsert',
      startsAt: '2026-12-12T19:00:00+01:00',
      venue: 'Vara Konserthus',
      organiser: 'konserthus',
    },
    infoLink: 'https://varakonserthus.se/julkonsert',
    ...overrides,
  };
}

/**
 * Saves the playlist draft as the UI does: on the version just read, named in If-Match (a PUT without it is 428).
 */
export async function saveDraft(client: Client, body: unknown): Promise<Reply> {
  const etag = (await client.get('/api/playlist/draft')).headers.get('etag') ?? '';
  return client.request('PUT', '/api/playlist/draft', body, { headers: { 'if-match': etag } });
}

export function info(lines: string[], overrides: Record<string, unknown> = {}) {
  return { content: { kind: 'info', lines }, infoLink: 'https://vara.se/evenemang', ...overrides };
}

/**
 * Ticks the runtime until the sign confirms (ACK) it shows one of `itemIds`, as /api/health reports it; returns
 * what it shows. Which page comes when is the rotation engine's business (shares, windows): tests ask only this.
 */
export async function signShows(
  t: TestApp,
  signId: string,
  itemIds: string | string[],
  timeoutMs = 5000,
): Promise<{ itemId: string; priority: string }> {
  const wanted = Array.isArray(itemIds) ? itemIds : [itemIds];
  const started = Date.now();
  for (;;) {
    await t.runtime.tick();
    const health = (await t.anonymous().get('/api/health')).body as {
      signs: { id: string; showing: { itemId: string | null; priority: string } | null }[];
    };
    const showing = health.signs.find((s) => s.id === signId)?.showing ?? null;
    if (showing?.itemId && wanted.includes(showing.itemId))
      return { itemId: showing.itemId, priority: showing.priority };
    if (Date.now() - started > timeoutMs)
      throw new Error(`sign ${signId} shows ${JSON.stringify(showing)}, not ${wanted.join(' or ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
