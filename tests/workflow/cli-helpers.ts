import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `skylt ...` as an operator on the box would, against SKYLT_DATA_DIR. */
export function skylt(dataDir: string, args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/skylt.js', ...args],
      {
        env: {
          ...process.env,
          SKYLT_DATA_DIR: dataDir,
          SKYLT_VMA_URL: 'off',
          SKYLT_SCRYPT_LOG2N: '10',
          SKYLT_LOG_LEVEL: 'silent',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}
