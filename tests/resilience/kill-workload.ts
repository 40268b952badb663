/**
 * Kill -9 during a scripted workload. Skylt runs as a child process whose two signs are C emulators over TCP (they
 * outlive it, as real signs outlive the edge box). A few clients submit, review, publish and run crises over HTTP
 * while a seeded timer SIGKILLs Skylt; then Skylt starts again on the same data dir and everything a client was
 * told succeeded (a 2xx) is checked through the API: the data, its audit row, and what the signs show.
 *
 * The ledger is client-side: an answered write moves an entity to exactly one state; a write whose answer was
 * lost in the kill leaves two states possible (before or after), and the restart tells which.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameCrc32 } from '../../src/render/frame.ts';
import { renderCrisisPage, signSurface } from '../../src/render/sign-page.ts';
import { mulberry32 } from '../bridge/emulator.ts';
import { type Auth, ConnectionLostError, Http, type Json } from './http-client.ts';
import {
  allowedPanels,
  type Emulator,
  fallbackPages,
  type Page,
  PanelWatcher,
  priorityCode,
  requireEmulator,
  signFile,
  startEmulatorTcp,
  writeSignFile,
} from './sign-rig.ts';
import { ADMIN_PASSWORD, SkyltProcess } from './skylt-process.ts';

export interface KillRunOptions {
  seed: number;
  /** SIGKILLs; Skylt is started cycles + 1 times (the last start only verifies, then stops cleanly). */
  cycles: number;
  /** The kill comes this long after the workload starts, uniformly at random (ms). */
  killAfterMs: [number, number];
  /** Clients writing at once. */
  lanes?: number;
  /** Chance that both signs also reboot while Skylt is down (a power cut at the roadside). */
  signRebootChance?: number;
  /** How long a sign may take, after Skylt listens again, to show what it should (ms). */
  signBoundMs?: number;
  log?: (line: string) => void;
}

export interface KillRunResult {
  kills: number;
  signReboots: number;
  faultsInjected: number;
  /** Writes answered 2xx. */
  acknowledged: number;
  /** Answered writes found intact (data and audit row) after the restart that followed them. */
  survived: number;
  /** Writes whose answer was lost in a kill, and how many of them the restart showed applied. */
  inFlightAtKill: number;
  inFlightApplied: number;
  dataLost: number;
  problems: string[];
  auditRows: number;
  /** Spawn to "running at" (ms). */
  restartMs: number[];
  /** Spawn to the running crisis confirmed back on both signs, on restarts with a crisis running (ms). */
  crisisRestoredMs: number[];
  /** The same, from Skylt listening again (the process start, mostly Node and tsx loading, left out). */
  crisisRestoredAfterListenMs: number[];
  /** Spawn to both signs showing what Skylt holds (ms). */
  signsConvergedMs: number[];
  /** Panel dumps read, and dumps that were no frame Skylt rendered (must be 0). */
  panelDumps: number;
  unknownFrames: number;
}

type ItemState = 'absent' | 'draft' | 'pending' | 'approved' | 'rejected' | 'expired' | 'archived';

interface ItemFact {
  id: string;
  owner: 'submitter' | 'communicator';
  /** States the item may be in at the next check; one unless a write's answer was lost. */
  allowed: Set<ItemState>;
  /** Lowest revision it may have (edits bump it). */
  minRevision: number;
  maxRevision: number;
  busy: boolean;
  lines: string[];
}

interface CrisisFact {
  id: string;
  allowed: Set<'active' | 'ended'>;
  headlines: Set<string>;
  instruction: string;
}

interface Pending {
  subject: string;
  action: string;
  /** After the restart: did it happen? (then it must have its audit row too) */
  applied: () => boolean;
}

const STATES_AFTER: Record<string, ItemState> = {
  approve: 'approved',
  reject: 'rejected',
  submit: 'pending',
  archive: 'archived',
};

export async function runKillCycles(options: KillRunOptions): Promise<KillRunResult> {
  requireEmulator();
  const log = options.log ?? (() => undefined);
  const rng = mulberry32(options.seed);
  // Its own stream, so when the kills come and which restarts reboot the signs do not depend on how many
  // operations the workload happened to get through: the same seed, the same faults.
  const faultRng = mulberry32(options.seed ^ 0x5eed_f417);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rng() * xs.length)];
  const lanes = options.lanes ?? 3;
  const boundMs = options.signBoundMs ?? 15_000;
  const result: KillRunResult = {
    kills: 0,
    signReboots: 0,
    faultsInjected: 0,
    acknowledged: 0,
    survived: 0,
    inFlightAtKill: 0,
    inFlightApplied: 0,
    dataLost: 0,
    problems: [],
    auditRows: 0,
    restartMs: [],
    crisisRestoredMs: [],
    crisisRestoredAfterListenMs: [],
    signsConvergedMs: [],
    panelDumps: 0,
    unknownFrames: 0,
  };
  const lost = (what: string) => {
    result.dataLost++;
    result.problems.push(what);
    log(`LOST: ${what}`);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-kill-'));
  const emulators: Emulator[] = [];
  let skylt: SkyltProcess | null = null;
  const watchers: PanelWatcher[] = [];
  try {
    const north = await startEmulatorTcp(7000);
    emulators.push(north);
    const south = await startEmulatorTcp(8000);
    emulators.push(south);
    const links = { north: `tcp://127.0.0.1:${north.port}`, south: `tcp://127.0.0.1:${south.port}` };
    const configPath = writeSignFile(dataDir, links);
    const signs = signFile(links).signs;
    const signEmu = new Map([
      ['E20-N', north],
      ['E20-S', south],
    ]);
    // Every picture on a panel must be a frame Skylt rendered: a page of the fallback loop, an item's content as
    // some client sent it, a crisis text some client sent; never half an upload cut by the kill.
    const pagesSent: Page[] = [...fallbackPages()];
    const crisisTextsSent: Array<{ headline: string; instruction: string }> = [];
    for (const emu of signEmu.values()) {
      const w = new PanelWatcher(emu);
      w.start();
      watchers.push(w);
    }

    // --- the ledger
    const items = new Map<string, ItemFact>();
    const crises = new Map<string, CrisisFact>();
    /** A crisis start whose answer was lost: its id is unknown until the restart shows it (or not). */
    let crisisStartInFlight: { headline: string } | null = null;
    let draftAllowed: string[][] = [[]];
    const revisions = new Map<number, string[]>();
    let liveAllowed = new Set<number>([0]);
    const verifiedRevisions = new Set<number>();
    /** (subject, action) -> answered writes that must each have an audit row. */
    const expectedAudit = new Map<string, number>();
    let answeredSinceCheck = 0;
    let pending: Pending[] = [];
    let auditSnapshot: string[] = [];
    let counter = 0;
    const expectAudit = (subject: string, action: string) => {
      const key = `${subject} ${action}`;
      expectedAudit.set(key, (expectedAudit.get(key) ?? 0) + 1);
    };
    const answered = (subject: string, action: string) => {
      result.acknowledged++;
      answeredSinceCheck++;
      expectAudit(subject, action);
    };

    // --- first start: the people and their tokens (before any kill: the set-up itself is not under test)
    skylt = await SkyltProcess.start({ dataDir, configPath });
    result.restartMs.push(skylt.startMs);
    const http = new Http(skylt.url);
    const login = await http.call('POST', '/api/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
    if (login.status !== 200) throw new Error(`admin login: ${login.status} ${JSON.stringify(login.body)}`);
    const session: Auth = {
      cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      csrf: login.body.csrfToken as string,
    };
    answered('user:admin', 'session.login');
    const tokens: Record<string, { bearer: string }> = {};
    for (const [name, organisation, role] of [
      ['admin', 'kommun', 'admin'],
      ['communicator', 'kommun', 'communicator'],
      ['submitter', 'konserthus', 'submitter'],
    ] as const) {
      const res = await http.call('POST', '/api/tokens', session, { name: `kill-${name}`, organisation, role });
      if (res.status !== 201) throw new Error(`token ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      tokens[name] = { bearer: res.body.token };
      answered(`token:${res.body.id}`, 'token.create');
    }
    const admin = tokens.admin as Auth;
    const communicator = tokens.communicator as Auth;
    const submitter = tokens.submitter as Auth;

    // --- the workload's operations: each one write over HTTP
    let playlistBusy = false;
    let crisisBusy = false;
    const itemsIn = (states: ItemState[]) =>
      [...items.values()].filter(
        (i) => !i.busy && i.allowed.size === 1 && states.includes([...i.allowed][0] as ItemState),
      );

    const createItem = async () => {
      const n = ++counter;
      const owner = rng() < 0.7 ? 'submitter' : 'communicator';
      const lines = [`Övning ${n}`, owner === 'submitter' ? 'Konserthuset' : 'Vara torg'];
      const id = `ovning-${options.seed}-${n}`;
      const fact: ItemFact = {
        id,
        owner,
        allowed: new Set(['absent']),
        minRevision: 0,
        maxRevision: 0,
        busy: true,
        lines,
      };
      items.set(id, fact);
      pagesSent.push(page(lines, owner));
      const body = { id, content: { kind: 'info', lines }, infoLink: 'https://vara.se/evenemang', submit: true };
      await write(
        () => http.call('POST', '/api/items', owner === 'submitter' ? submitter : communicator, body),
        201,
        () => {
          fact.allowed = new Set(['pending']);
          fact.minRevision = fact.maxRevision = 1;
          answered(`item:${id}`, 'item.create+submit');
        },
        () => {
          fact.allowed = new Set(['absent', 'pending']);
          fact.maxRevision = 1;
          pending.push({
            subject: `item:${id}`,
            action: 'item.create+submit',
            applied: () => !fact.allowed.has('absent'),
          });
        },
      );
      fact.busy = false;
    };

    const stepItem = async (action: 'approve' | 'reject' | 'submit' | 'archive', from: ItemState[]) => {
      const fact = pick(itemsIn(from));
      if (!fact) return;
      fact.busy = true;
      const before = [...fact.allowed][0] as ItemState;
      const to = STATES_AFTER[action] as ItemState;
      const reviewer = action === 'approve' || action === 'reject';
      const who = reviewer ? communicator : fact.owner === 'submitter' ? submitter : communicator;
      // A reviewer decides on the revision they saw; it is certain here unless an edit was cut off by a kill.
      const revision = fact.minRevision;
      const body =
        action === 'reject'
          ? { reason: 'Skriv vad som händer', revision }
          : action === 'approve'
            ? { revision }
            : undefined;
      await write(
        () => http.call('POST', `/api/items/${fact.id}/${action}`, who, body),
        200,
        () => {
          fact.allowed = new Set([to]);
          answered(`item:${fact.id}`, `item.${action}`);
        },
        () => {
          fact.allowed = new Set([before, to]);
          pending.push({
            subject: `item:${fact.id}`,
            action: `item.${action}`,
            applied: () => fact.allowed.has(to) && !fact.allowed.has(before),
          });
        },
      );
      fact.busy = false;
    };

    const editItem = async () => {
      const fact = pick(itemsIn(['pending', 'approved', 'rejected']));
      if (!fact) return;
      fact.busy = true;
      const before = [...fact.allowed][0] as ItemState;
      const to: ItemState = before === 'approved' ? 'pending' : before;
      const lines = [`Övning ${++counter}`, fact.lines[1] ?? 'Vara'];
      const revision = fact.minRevision;
      pagesSent.push(page(lines, fact.owner));
      await write(
        () =>
          http.call('PATCH', `/api/items/${fact.id}`, fact.owner === 'submitter' ? submitter : communicator, {
            content: { kind: 'info', lines },
            expectedRevision: revision,
          }),
        200,
        () => {
          fact.allowed = new Set([to]);
          fact.minRevision = fact.maxRevision = revision + 1;
          fact.lines = lines;
          answered(`item:${fact.id}`, 'item.edit');
        },
        () => {
          fact.allowed = new Set([before, to]);
          fact.maxRevision = revision + 1;
          pending.push({ subject: `item:${fact.id}`, action: 'item.edit', applied: () => fact.minRevision > revision });
        },
      );
      fact.busy = false;
    };

    const publish = async () => {
      if (playlistBusy) return;
      const approved = itemsIn(['approved']).slice(-6);
      if (approved.length === 0) return;
      playlistBusy = true;
      // Held for the draft and the publish: a review in between would change what is published.
      for (const i of approved) i.busy = true;
      try {
        const entries = approved.map((i) => i.id);
        const saved = await write(
          () =>
            // Saved on the version just read (If-Match), as the UI does; the workload is the only draft writer.
            http
              .call('GET', '/api/playlist/draft', communicator)
              .then((current) =>
                http.call(
                  'PUT',
                  '/api/playlist/draft',
                  communicator,
                  { entries: entries.map((itemId) => ({ itemId })) },
                  20_000,
                  { 'if-match': current.headers.get('etag') ?? '' },
                ),
              ),
          200,
          () => {
            draftAllowed = [entries];
            answered('playlist:draft', 'playlist.draft');
          },
          () => {
            // The same entries as the draft already holds: the restart cannot tell whether it was written.
            const indistinct = draftAllowed.some((d) => same(d, entries));
            draftAllowed = [...draftAllowed, entries];
            pending.push({
              subject: 'playlist:draft',
              action: 'playlist.draft',
              applied: () => !indistinct && draftAllowed.length === 1 && same(draftAllowed[0] ?? [], entries),
            });
          },
        );
        if (!saved) return;
        const live = Math.max(...liveAllowed);
        await write(
          () => http.call('POST', '/api/playlist/publish', communicator, { note: `övning ${counter}` }),
          201,
          (body) => {
            const revision = body.revision.revision as number;
            revisions.set(revision, entries);
            liveAllowed = new Set([revision]);
            answered(`playlist:${revision}`, 'playlist.publish');
          },
          () => {
            liveAllowed = new Set([live, live + 1]);
            revisions.set(-(live + 1), entries);
            pending.push({
              subject: `playlist:${live + 1}`,
              action: 'playlist.publish',
              applied: () => liveAllowed.has(live + 1) && liveAllowed.size === 1,
            });
          },
        );
      } finally {
        for (const i of approved) i.busy = false;
        playlistBusy = false;
      }
    };

    const crisisStep = async () => {
      if (crisisBusy || crisisStartInFlight) return;
      crisisBusy = true;
      try {
        const running = [...crises.values()].find((c) => c.allowed.size === 1 && c.allowed.has('active'));
        const uncertain = [...crises.values()].some((c) => c.allowed.size > 1 || c.headlines.size > 1);
        if (uncertain) return;
        if (!running) {
          const headline = `Övning ${++counter}`;
          crisisTextsSent.push({ headline, instruction: 'Lyssna på P4' });
          await write(
            () => http.call('POST', '/api/crisis', communicator, { headline, instruction: 'Lyssna på P4' }),
            201,
            (body) => {
              crises.set(body.id, {
                id: body.id,
                allowed: new Set(['active']),
                headlines: new Set([headline]),
                instruction: 'Lyssna på P4',
              });
              answered(body.id, 'crisis.start');
            },
            () => {
              crisisStartInFlight = { headline };
            },
          );
        } else if (rng() < 0.5) {
          const headline = `Övning ${++counter}`;
          const before = [...running.headlines][0] as string;
          crisisTextsSent.push({ headline, instruction: running.instruction });
          await write(
            () =>
              http.call('PUT', `/api/crisis/${running.id}/text`, communicator, {
                headline,
                instruction: running.instruction,
              }),
            200,
            () => {
              running.headlines = new Set([headline]);
              answered(running.id, 'crisis.update');
            },
            () => {
              running.headlines = new Set([before, headline]);
              pending.push({
                subject: running.id,
                action: 'crisis.update',
                applied: () => running.headlines.size === 1 && running.headlines.has(headline),
              });
            },
          );
        } else {
          await write(
            () => http.call('POST', `/api/crisis/${running.id}/end`, communicator, { reason: 'övningen är slut' }),
            200,
            () => {
              running.allowed = new Set(['ended']);
              answered(running.id, 'crisis.end');
            },
            () => {
              running.allowed = new Set(['active', 'ended']);
              pending.push({
                subject: running.id,
                action: 'crisis.end',
                applied: () => running.allowed.size === 1 && running.allowed.has('ended'),
              });
            },
          );
        }
      } finally {
        crisisBusy = false;
      }
    };

    let killed = false;
    /** Runs one write: answered -> onOk; connection lost -> onLost (it may or may not have happened). */
    async function write(
      call: () => Promise<{ status: number; body: Json }>,
      okStatus: number,
      onOk: (body: Json) => void,
      onLost: () => void,
    ): Promise<boolean> {
      try {
        const res = await call();
        if (res.status === okStatus) {
          onOk(res.body);
          return true;
        }
        // A refusal (a 409 when a reviewer and a submitter cross) changes nothing; a 5xx is a finding.
        if (res.status >= 500)
          result.problems.push(`workload write answered ${res.status}: ${JSON.stringify(res.body)}`);
        return false;
      } catch (error: unknown) {
        if (!(error instanceof ConnectionLostError)) throw error;
        if (!killed) result.problems.push(`connection lost while Skylt should be running: ${error.message}`);
        result.inFlightAtKill++;
        onLost();
        return false;
      }
    }

    const ops: Array<[number, () => Promise<unknown>]> = [
      [30, createItem],
      [22, () => stepItem('approve', ['pending'])],
      [5, () => stepItem('reject', ['pending'])],
      [5, () => stepItem('submit', ['rejected'])],
      [3, () => stepItem('archive', ['pending', 'approved', 'rejected'])],
      [8, editItem],
      [12, publish],
      [8, crisisStep],
    ];
    const total = ops.reduce((n, [w]) => n + w, 0);
    const chooseOp = () => {
      let r = rng() * total;
      for (const [w, op] of ops) {
        r -= w;
        if (r < 0) return op;
      }
      return createItem;
    };

    // --- verification after a restart
    const verify = async (current: SkyltProcess, cycle: number) => {
      // Items: one listing (no renders), every fact checked.
      const seen = new Map<string, { state: ItemState; revision: number }>();
      for (let offset = 0; ; offset += 200) {
        const page = await http.get(`/api/items?limit=200&offset=${offset}`, admin);
        if (page.status !== 200) throw new Error(`GET /api/items: ${page.status} ${JSON.stringify(page.body)}`);
        for (const i of page.body.items) seen.set(i.id, { state: i.state, revision: i.revision });
        if (page.body.items.length < 200) break;
      }
      for (const fact of items.values()) {
        const got = seen.get(fact.id) ?? { state: 'absent' as const, revision: 0 };
        if (!fact.allowed.has(got.state))
          lost(`cycle ${cycle}: item ${fact.id} is ${got.state}, expected ${[...fact.allowed].join(' or ')}`);
        else if (got.state !== 'absent' && (got.revision < fact.minRevision || got.revision > fact.maxRevision))
          lost(
            `cycle ${cycle}: item ${fact.id} has revision ${got.revision}, expected ${fact.minRevision}..${fact.maxRevision}`,
          );
        fact.allowed = new Set([got.state]);
        fact.minRevision = fact.maxRevision = got.revision;
      }

      // The shared playlist: every answered revision with exactly its items, the live one, the draft.
      const newest = await http.get('/api/playlist/revisions?limit=1', admin);
      const liveNow = newest.status === 200 ? ((newest.body.items[0]?.revision as number | undefined) ?? 0) : -1;
      if (!liveAllowed.has(liveNow))
        lost(`cycle ${cycle}: newest revision is ${liveNow}, expected ${[...liveAllowed].join(' or ')}`);
      for (const [rev, entries] of revisions) {
        if (rev < 0) {
          // A publish whose answer was lost: if its revision exists, it must hold what was sent.
          revisions.delete(rev);
          if (liveNow === -rev) revisions.set(-rev, entries);
        }
      }
      liveAllowed = new Set([liveNow]);
      for (const [rev, entries] of revisions) {
        if (verifiedRevisions.has(rev)) continue;
        const r = await http.get(`/api/playlist/revisions/${rev}`, admin);
        const ids = r.status === 200 ? (r.body.playlist.items as { id: string }[]).map((i) => i.id) : null;
        if (!ids || !same(ids, entries))
          lost(`cycle ${cycle}: revision ${rev} holds ${JSON.stringify(ids)}, published ${JSON.stringify(entries)}`);
        verifiedRevisions.add(rev);
      }
      const draft = await http.get('/api/playlist/draft', admin);
      const draftIds = (draft.body.entries as { itemId: string }[]).map((e) => e.itemId);
      if (!draftAllowed.some((d) => same(d, draftIds)))
        lost(
          `cycle ${cycle}: the draft holds ${JSON.stringify(draftIds)}, expected one of ${JSON.stringify(draftAllowed)}`,
        );
      draftAllowed = [draftIds];

      // Crises: each answered one in its state, with its text; a start whose answer was lost may have happened.
      const state = await http.get('/api/crisis', admin);
      const active = state.body.crisis as { id: string; headline: string; instruction: string } | null;
      if (crisisStartInFlight) {
        if (active && !crises.has(active.id) && active.headline === crisisStartInFlight.headline) {
          crises.set(active.id, {
            id: active.id,
            allowed: new Set(['active']),
            headlines: new Set([active.headline]),
            instruction: active.instruction,
          });
          expectAudit(active.id, 'crisis.start');
          result.inFlightApplied++;
        }
        crisisStartInFlight = null;
      }
      for (const c of crises.values()) {
        const r = await http.get(`/api/crisis/${c.id}`, admin);
        const s = r.body.state as 'active' | 'ended';
        if (r.status !== 200 || !c.allowed.has(s) || !c.headlines.has(r.body.headline))
          lost(
            `cycle ${cycle}: crisis ${c.id} is ${s} "${r.body.headline}", expected ${[...c.allowed].join(' or ')} "${[...c.headlines].join('" or "')}"`,
          );
        c.allowed = new Set([s]);
        c.headlines = new Set([r.body.headline]);
      }
      if (active && !crises.has(active.id)) lost(`cycle ${cycle}: crisis ${active.id} runs, but no client started it`);

      // Writes whose answer was lost: those that happened must have their audit row like any other.
      for (const p of pending) {
        if (p.applied()) {
          result.inFlightApplied++;
          expectAudit(p.subject, p.action);
        }
      }
      pending = [];

      // The sign-in and the tokens answered before the kill still work.
      for (const auth of [session, admin, communicator, submitter]) {
        const me = await http.get('/api/auth/me', auth);
        if (me.status !== 200) lost(`cycle ${cycle}: an answered sign-in or token no longer works (${me.status})`);
      }

      // The audit log: ids 1..n without a gap, what was there before the kill unchanged, a row per answered write.
      const rows: Json[] = [];
      for (let cursor: number | null = null; ; ) {
        const page = await http.get(`/api/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}`, admin);
        if (page.status !== 200) throw new Error(`GET /api/audit: ${page.status}`);
        rows.push(...page.body.items);
        cursor = page.body.nextCursor;
        if (!cursor) break;
      }
      rows.reverse();
      rows.forEach((r, i) => {
        if (r.id !== i + 1) lost(`cycle ${cycle}: audit row ${i + 1} has id ${r.id} (a gap or a reordering)`);
      });
      const texts = rows.map((r) => JSON.stringify(r));
      auditSnapshot.forEach((t, i) => {
        if (texts[i] !== t) lost(`cycle ${cycle}: audit row ${i + 1} changed or vanished after the restart`);
      });
      auditSnapshot = texts;
      result.auditRows = rows.length;
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(`${r.subject} ${r.action}`, (counts.get(`${r.subject} ${r.action}`) ?? 0) + 1);
      for (const [key, n] of expectedAudit) {
        if ((counts.get(key) ?? 0) < n)
          lost(`cycle ${cycle}: ${n} answered write(s) "${key}" but ${counts.get(key) ?? 0} audit row(s)`);
      }
      // Nothing half-written: every item an audit row speaks of exists.
      for (const r of rows) {
        if (typeof r.subject === 'string' && r.subject.startsWith('item:') && !seen.has(r.subject.slice(5)))
          lost(`cycle ${cycle}: audit row ${r.id} is about ${r.subject}, which does not exist`);
      }
      result.survived += answeredSinceCheck;
      answeredSinceCheck = 0;

      // The signs: a running crisis is back on both (its current text, confirmed by Skylt and on the panel);
      // without one, no crisis is left on a sign, and each shows what Skylt holds.
      const running = [...crises.values()].find((c) => c.allowed.has('active'));
      const want = new Map<string, number | null>();
      for (const s of signs) {
        if (!running) want.set(s.id, null);
        else {
          const frame = renderCrisisPage(
            { headline: [...running.headlines][0] as string, instruction: running.instruction },
            signSurface(s),
          );
          want.set(s.id, frameCrc32(frame));
        }
      }
      const deadline = performance.now() + boundMs;
      for (;;) {
        const health = await http.get('/api/health', null);
        const ok = signs.every((s) => {
          const h = (health.body.signs as Json[]).find((x) => x.id === s.id);
          const st = signEmu.get(s.id)?.status();
          const showing = h?.showing as { priority: string; crc32: number } | null;
          if (!h?.link.up || !showing || !st) return false;
          const crisisCrc = want.get(s.id);
          if (crisisCrc != null)
            return (
              showing.priority === 'crisis' &&
              showing.crc32 === crisisCrc &&
              st.showing_priority === 4 &&
              st.showing_crc32 === crisisCrc
            );
          return (
            st.showing_priority !== 4 &&
            st.showing_priority === priorityCode(showing.priority as never) &&
            st.showing_crc32 === showing.crc32
          );
        });
        if (ok) {
          const ms = performance.now() - current.spawnedAt;
          result.signsConvergedMs.push(ms);
          if (running) {
            result.crisisRestoredMs.push(ms);
            result.crisisRestoredAfterListenMs.push(ms - current.startMs);
          }
          break;
        }
        if (performance.now() > deadline) {
          const st = signs.map((s) => `${s.id}: emulator ${JSON.stringify(signEmu.get(s.id)?.status())}`).join('; ');
          lost(
            `cycle ${cycle}: the signs did not show ${running ? `the running crisis "${[...running.headlines][0]}"` : 'the schedule (and no crisis)'} within ${boundMs} ms of the restart: health ${JSON.stringify(
              (health.body.signs as Json[]).map((x) => x.showing),
            )}; ${st}`,
          );
          break;
        }
        await sleep(50);
      }
    };

    // --- the cycles
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const killAt = options.killAfterMs[0] + faultRng() * (options.killAfterMs[1] - options.killAfterMs[0]);
      killed = false;
      const current = skylt as SkyltProcess;
      const lanesDone = Array.from({ length: lanes }, async () => {
        while (!killed) await chooseOp()();
      });
      await sleep(killAt);
      killed = true;
      await current.kill9();
      result.kills++;
      await Promise.all(lanesDone);
      if (current.exitSignal !== 'SIGKILL')
        throw new Error(`Skylt exited by itself before the kill (${current.exitCode}):\n${current.output}`);
      if (faultRng() < (options.signRebootChance ?? 0.3)) {
        // The power cut took the signs too: volatile slots and leases gone, slot 0 kept.
        for (const emu of emulators) emu.reboot();
        result.signReboots++;
        await sleep(100);
      }
      skylt = await SkyltProcess.start({ dataDir, configPath });
      result.restartMs.push(skylt.startMs);
      http.base = skylt.url;
      await verify(skylt, cycle);
      log(
        `cycle ${cycle}: killed after ${Math.round(killAt)} ms; ${result.acknowledged} answered so far, ${result.inFlightAtKill} in flight at kills, audit ${result.auditRows} rows`,
      );
    }
    await (skylt as SkyltProcess).stop();
    if ((skylt as SkyltProcess).exitCode !== 0)
      result.problems.push(`graceful stop exited ${(skylt as SkyltProcess).exitCode}`);

    // Every panel dump was a frame Skylt rendered.
    result.faultsInjected = result.kills + result.signReboots;
    for (const [i, w] of watchers.entries()) {
      w.stop();
      const sign = signs[i] as (typeof signs)[number];
      const unknown = w.unknown(allowedPanels(sign, pagesSent, crisisTextsSent));
      result.panelDumps += w.dumps;
      result.unknownFrames += unknown.length;
      for (const crc of unknown)
        result.problems.push(`${sign.id} showed a picture Skylt never rendered (CRC ${crc.toString(16)})`);
    }
    return result;
  } finally {
    await skylt?.kill9();
    for (const w of watchers) w.stop();
    for (const emu of emulators) await emu.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function page(lines: string[], owner: 'submitter' | 'communicator'): Page {
  return {
    content: { kind: 'info', lines },
    organisation: owner === 'submitter' ? 'konserthus' : 'kommun',
    infoLink: 'https://vara.se/evenemang',
    showLink: false,
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
