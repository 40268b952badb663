/**
 * Skylt as a real child process (`node --import tsx src/main.ts`), as systemd or Docker runs it: started on a
 * data dir, killed with SIGKILL (no shutdown code runs), restarted on the same data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const ADMIN_PASSWORD = 'resilience-admin-password';

export interface SkyltProcessOptions {
  dataDir: string;
  /** SKYLT_CONFIG: the sign file. */
  configPath?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export class SkyltProcess {
  /** Recent stdout and stderr (pino logs, the start banner), for failure messages. */
  output = '';
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** performance.now() when the process was spawned. */
    readonly spawnedAt: number,
  ) {
    const keep = (chunk: Buffer | string) => {
      this.output = (this.output + String(chunk)).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((r) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        r();
      }),
    );
  }

  url = '';
  /** ms from spawn to the "running at URL" line. */
  startMs = 0;

  static async start(options: SkyltProcessOptions): Promise<SkyltProcess> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SKYLT_DATA_DIR: options.dataDir,
      SKYLT_PORT: '0',
      SKYLT_HOST: '127.0.0.1',
      SKYLT_VMA_URL: 'off',
      SKYLT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SKYLT_SCRYPT_LOG2N: '10',
      SKYLT_LOGIN_RATE_LIMIT: '10000',
      SKYLT_LOG_LEVEL: 'warn',
      ...(options.configPath ? { SKYLT_CONFIG: options.configPath } : {}),
      ...options.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new SkyltProcess(child, performance.now());
    const timeout = options.startTimeoutMs ?? 30_000;
    p.url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`Skylt printed no URL within ${timeout} ms:\n${p.output}`));
      }, timeout);
      const look = () => {
        const m = /running at (http:\/\/\S+)/.exec(p.output);
        if (m?.[1]) {
          clearTimeout(timer);
          child.stdout?.off('data', look);
          resolveUrl(m[1]);
        }
      };
      child.stdout?.on('data', look);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Skylt exited (${code ?? signal}) before it listened:\n${p.output}`));
      });
    });
    p.startMs = performance.now() - p.spawnedAt;
    return p;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  /** SIGKILL: no shutdown handler, no checkpoint, sockets reset by the kernel. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, the graceful stop; SIGKILL if it takes longer than the bound. */
  async stop(boundMs = 8000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), boundMs);
    await this.exited;
    clearTimeout(timer);
  }
}
