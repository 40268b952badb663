import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, PASSWORD, type TestApp } from '../helper.ts';
import { skylt } from '../workflow/cli-helpers.ts';

describe('skylt user and skylt token, on the same SQLite file as the running server', () => {
  let dataDir: string;
  let t: TestApp;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'skylt-cli-'));
    t = await build({ env: { SKYLT_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds, lists and disables users', async () => {
    const added = await skylt(
      dataDir,
      ['user', 'add', 'anna', '--org', 'konserthus', '--role', 'submitter', '--name', 'Anna A', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toMatch(/created user "anna" \(konserthus submitter, id 2\)/);
    expect(added.stdout).not.toMatch(/password/);
    const anna = await t.login('anna');
    expect((await anna.get('/api/auth/me')).body).toMatchObject({
      username: 'anna',
      organisation: 'konserthus',
      role: 'submitter',
    });

    const generated = await skylt(dataDir, ['user', 'add', 'maria', '--org', 'kommun', '--role', 'communicator']);
    const password = /password \(shown only now\): (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect(password).toHaveLength(20);
    expect((await t.login('maria', password)).name).toBe('maria');

    const refused = await skylt(dataDir, ['user', 'add', 'bob', '--org', 'konserthus', '--role', 'communicator']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/role: the communicator role belongs to Vara kommun/);
    const usage = await skylt(dataDir, ['user', 'add', 'bob']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--org/);

    const list = await skylt(dataDir, ['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/1\s+admin\s+kommun\s+admin\s+active/);
    expect(list.stdout).toMatch(/2\s+anna\s+konserthus\s+submitter\s+active/);

    const disabled = await skylt(dataDir, ['user', 'disable', 'anna']);
    expect(disabled).toMatchObject({ code: 0 });
    expect((await anna.get('/api/items')).status).toBe(401);
    expect((await anna.get('/api/auth/me')).body).toBeNull();
    const audit = (await (await t.login('admin', 'admin-password-for-tests')).get('/api/audit?subject=user:anna')).body
      .items;
    expect(audit[0]).toMatchObject({
      action: 'user.disable',
      actor: expect.stringMatching(/^cli:/),
      after: { disabled: true },
    });
  });

  it('creates a token shown once, and revokes it', async () => {
    const created = await skylt(dataDir, [
      'token',
      'create',
      'konserthus-webb',
      '--org',
      'konserthus',
      '--role',
      'submitter',
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^skylt_[0-9a-f]{12}_[\w-]{43}$/);
    expect(created.stderr).toMatch(/shown only now/);
    const web = t.client({ bearer: token });
    expect((await web.get('/api/auth/me')).body).toMatchObject({
      kind: 'token',
      organisation: 'konserthus',
      role: 'submitter',
    });
    const revoked = await skylt(dataDir, ['token', 'revoke', token.slice(0, 18)]);
    expect(revoked).toMatchObject({ code: 0 });
    expect((await web.get('/api/auth/me')).status).toBe(401);
    const again = await skylt(dataDir, ['token', 'revoke', '1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/revoked already/);
  });
});
