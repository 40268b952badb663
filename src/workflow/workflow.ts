import { EventEmitter } from 'node:events';
import { Accounts, SYSTEM_ACTOR } from '../auth/accounts.ts';
import type { Clock } from '../domain/clock.ts';
import type { SignConfig } from '../signs/sign-config.ts';
import { type AuditRepository, auditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { ItemService } from './item-service.ts';
import { type LivePlaylist, PlaylistService } from './playlist-service.ts';
import type { WorkflowSettings } from './workflow-settings.ts';

export interface WorkflowOptions {
  db: Db;
  clock: Clock;
  signs: readonly SignConfig[];
  settings: WorkflowSettings;
  audit?: AuditRepository;
}

interface WorkflowEvents {
  /** A revision went live (publish, rollback, import --publish). */
  published: [LivePlaylist | null];
  /** Something that may change what plays: an item's state or a new revision. */
  changed: [];
}

/**
 * The content workflow on one SQLite file: accounts, items, the shared playlist. The server's Runtime owns one,
 * and so does each `skylt user|token|playlist` command.
 */
export class Workflow extends EventEmitter<WorkflowEvents> {
  readonly accounts: Accounts;
  readonly items: ItemService;
  readonly playlist: PlaylistService;
  readonly audit: AuditRepository;
  private lastExpiry = Number.NEGATIVE_INFINITY;

  constructor(readonly options: WorkflowOptions) {
    super();
    const { db, clock, signs, settings } = options;
    this.audit = options.audit ?? auditRepository(db);
    this.accounts = new Accounts(db, clock, this.audit, settings);
    this.items = new ItemService(db, clock, this.audit, signs, settings, () => {
      this.playlist.invalidate();
      this.emit('changed');
    });
    this.playlist = new PlaylistService(db, clock, this.audit, this.items, (live) => {
      this.emit('published', live);
      this.emit('changed');
    });
  }

  get settings(): WorkflowSettings {
    return this.options.settings;
  }

  /** Pending and approved items whose window has ended become expired (Skylt does it, as "system"). */
  expireDue(): number {
    this.lastExpiry = this.options.clock.now();
    return this.items.expireDue(SYSTEM_ACTOR);
  }

  /** expireDue() at most once a minute (the runtime's tick asks four times a second). Returns how many, or 0. */
  expireDueNow(): number {
    if (this.options.clock.now() - this.lastExpiry < 60_000) return 0;
    return this.expireDue();
  }
}
