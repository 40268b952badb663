#!/usr/bin/env node
// End-to-end check of build/skylt-sign as a process: TCP (and a socat pty pair when socat is installed),
// the ready line, the unsolicited HELLO_REPLY, an upload + PLAY, the PPM dump and JSON status, lease
// expiry on the timer with no bytes arriving, SIGUSR1, SIGHUP (reboot keeps slot 0) and SIGTERM.
// Usage: node tests/emulator-smoke.mjs [path/to/skylt-sign]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadStream, WriteStream } from 'node:tty';

const BIN = process.argv[2] ?? new URL('../build/skylt-sign', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'skylt-sign-smoke-'));
let failures = 0;
const check = (cond, what) => {
  if (!cond) {
    failures++;
    console.error(`emulator-smoke: FAILED: ${what}`);
  }
};

// --- a minimal controller codec (independent of the C code and of src/) ---
function crc16(b) {
  let c = 0xffff;
  for (const x of b) {
    c ^= x << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}
function cobs(b) {
  const out = [0];
  let at = 0;
  let code = 1;
  for (const x of b) {
    if (x === 0) {
      out[at] = code;
      at = out.length;
      out.push(0);
      code = 1;
      continue;
    }
    out.push(x);
    if (++code === 0xff) {
      out[at] = code;
      at = out.length;
      out.push(0);
      code = 1;
    }
  }
  out[at] = code;
  return out;
}
function uncobs(b) {
  const out = [];
  for (let i = 0; i < b.length; ) {
    const code = b[i];
    for (let k = 1; k < code; k++) out.push(b[i + k]);
    i += code;
    if (code !== 0xff && i < b.length) out.push(0);
  }
  return Buffer.from(out);
}
function frame(type, seq, payload = []) {
  const body = [1, type, seq, 0, payload.length & 0xff, payload.length >> 8, ...payload];
  const c = crc16(body);
  return Buffer.from([...cobs([...body, c & 0xff, c >> 8]), 0]);
}
const u16 = (v) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

class Link {
  constructor(write) {
    this.write = write;
    this.buf = [];
    this.frames = [];
    this.waiters = [];
  }
  push(chunk) {
    for (const x of chunk) {
      if (x !== 0) {
        this.buf.push(x);
        continue;
      }
      const body = uncobs(this.buf);
      this.buf = [];
      const len = body.readUInt16LE(4);
      this.frames.push({ type: body[1], ack: body[3], payload: body.subarray(6, 6 + len), crcOk: crc16(body.subarray(0, 6 + len)) === body.readUInt16LE(6 + len) });
      for (const w of this.waiters.splice(0)) w();
    }
  }
  async next(ms = 3000) {
    const deadline = Date.now() + ms;
    while (this.frames.length === 0) {
      if (Date.now() > deadline) throw new Error('no reply from skylt-sign');
      await new Promise((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.frames.shift();
  }
}

function startSign(args) {
  const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const ready = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /skylt-sign ready (\S+) (\S+)/.exec(stderr);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`skylt-sign exited with ${code}: ${stderr}`)));
  });
  return { child, ready, stderr: () => stderr };
}

function readPpm(path) {
  const b = readFileSync(path);
  const head = b.subarray(0, 20).toString('latin1');
  const m = /^P6\n(\d+) (\d+)\n255\n/.exec(head);
  if (!m) throw new Error(`not a P6 PPM: ${path}`);
  return { width: Number(m[1]), height: Number(m[2]), rgb: b.subarray(m[0].length) };
}

async function waitFor(cond, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) {
      check(false, `timed out waiting for ${what}`);
      return;
    }
    await sleep(20);
  }
}

async function exercise(link, name, dump, status, bootId) {
  const W = 16;
  const H = 8;
  let reply = await link.next();
  check(reply.type === 0x81 && reply.crcOk, `${name}: unsolicited HELLO_REPLY first`);
  check(reply.payload.readUInt32LE(14) === bootId, `${name}: boot_id ${bootId} in HELLO_REPLY`);
  link.write(frame(0x01, 0, [1]));
  reply = await link.next();
  check(reply.type === 0x81 && reply.ack === 0, `${name}: HELLO answered`);
  check(reply.payload.readUInt16LE(1) === W && reply.payload.readUInt16LE(3) === H, `${name}: panel size`);

  // raw upload of a gradient into slot 2, in chunks, then PLAY with a 600 ms lease
  const fb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < fb.length; i++) fb[i] = (i * 5 + 1) & 0xff;
  const crc = zlibCrc32(fb) >>> 0;
  let seq = 1;
  const send = async (type, payload) => {
    const s = seq++;
    link.write(frame(type, s, payload));
    const r = await link.next();
    check(r.type === 0x82 && r.ack === s, `${name}: ACK for seq ${s}`);
    return r.payload[0];
  };
  check((await send(0x02, [2, 1, 0, ...u16(W), ...u16(H), ...u32(fb.length), ...u32(crc)])) === 0, `${name}: SLOT_BEGIN OK`);
  for (let o = 0; o < fb.length; o += 100) check((await send(0x03, [2, ...u32(o), ...fb.subarray(o, o + 100)])) === 0, `${name}: SLOT_DATA OK`);
  check((await send(0x04, [2])) === 0, `${name}: SLOT_COMMIT OK`);
  check((await send(0x05, [2, ...u32(crc ^ 1), 2, ...u32(600)])) === 6, `${name}: PLAY with a wrong CRC refused`);
  check((await send(0x05, [2, ...u32(crc), 2, ...u32(600)])) === 0, `${name}: PLAY OK`);
  // the files are rewritten before the ACK goes out: no waiting needed
  check(readPpm(dump).rgb.equals(fb), `${name}: dump shows the frame when the ACK arrives`);
  const st = JSON.parse(readFileSync(status, 'utf8'));
  check(st.showing_slot === 2 && st.showing_crc32 === crc && st.showing_priority === 2, `${name}: status file ${JSON.stringify(st)}`);
  // no bytes from now on: the lease must still expire, on the emulator's timer
  await waitFor(() => readPpm(dump).rgb.every((x) => x === 0), `${name}: black after the lease expired`, 3000);
  await waitFor(() => JSON.parse(readFileSync(status, 'utf8')).showing_slot === 255, `${name}: status blank after expiry`);
  return send;
}

async function tcpCase() {
  const dump = join(dir, 'tcp.ppm');
  const status = join(dir, 'tcp.json');
  const sign = startSign(['--tcp', '0', '--width', '16', '--height', '8', '--slots', '4', '--boot-id', '1000', '--dump', dump, '--status', status]);
  const m = await sign.ready;
  check(m[1] === 'tcp', 'ready line names tcp');
  const port = Number(m[2].split(':')[1]);
  check(existsSync(dump) && readPpm(dump).width === 16, 'dump exists at ready, 16 wide');
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const link = new Link((b) => sock.write(b));
  sock.on('data', (d) => link.push(d));
  const send = await exercise(link, 'tcp', dump, status, 1000);

  // default slot 0, then SIGHUP: new boot id, HELLO_REPLY, slot 0 still shown, slot 2 gone
  const fb0 = Buffer.alloc(16 * 8 * 3, 0x40);
  const crc0 = zlibCrc32(fb0) >>> 0;
  check((await send(0x02, [0, 1, 0, ...u16(16), ...u16(8), ...u32(fb0.length), ...u32(crc0)])) === 0, 'slot 0 begin');
  check((await send(0x03, [0, ...u32(0), ...fb0])) === 0, 'slot 0 data');
  check((await send(0x04, [0])) === 0, 'slot 0 commit');
  await waitFor(() => readPpm(dump).rgb.equals(fb0), 'default slot shown');
  sign.child.kill('SIGHUP');
  const hello = await link.next();
  check(hello.type === 0x81 && hello.payload.readUInt32LE(14) === 1001, 'SIGHUP: HELLO_REPLY with boot_id 1001');
  await waitFor(() => JSON.parse(readFileSync(status, 'utf8')).boot_id === 1001, 'status boot_id after reboot');
  check(readPpm(dump).rgb.equals(fb0), 'slot 0 survives the reboot');
  rmSync(dump);
  sign.child.kill('SIGUSR1');
  await waitFor(() => existsSync(dump), 'SIGUSR1 writes the dump');

  // a second client after the first disconnects gets its own HELLO_REPLY
  sock.destroy();
  await sleep(100);
  const sock2 = connect(port, '127.0.0.1');
  const link2 = new Link((b) => sock2.write(b));
  sock2.on('data', (d) => link2.push(d));
  const again = await link2.next();
  check(again.type === 0x81, 'reconnect: HELLO_REPLY');
  sock2.destroy();

  const exit = new Promise((r) => sign.child.once('exit', (code, sig) => r({ code, sig })));
  sign.child.kill('SIGTERM');
  const { code } = await exit;
  check(code === 0, `SIGTERM: clean exit (code ${code})`);
}

async function ptyCase() {
  if (spawnSync('socat', ['-V']).error) {
    console.log('emulator-smoke: socat not installed, pty case skipped');
    return;
  }
  const a = join(dir, 'sign-pty');
  const b = join(dir, 'ctl-pty');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  await waitFor(() => existsSync(a) && existsSync(b), 'socat ptys');
  const dump = join(dir, 'pty.ppm');
  const status = join(dir, 'pty.json');
  // open the controller side first so the boot HELLO_REPLY is not lost
  const fd = openSync(b, 'r+');
  spawnSync('stty', ['-F', b, 'raw', '-echo']);
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  const link = new Link((buf) => output.write(buf));
  input.on('data', (d) => link.push(d));
  const sign = startSign(['--tty', a, '--width', '16', '--height', '8', '--slots', '4', '--boot-id', '77', '--dump', dump, '--status', status]);
  const m = await sign.ready;
  check(m[1] === 'tty' && m[2] === a, 'ready line names the tty');
  await exercise(link, 'pty', dump, status, 77);
  const exit = new Promise((r) => sign.child.once('exit', (code) => r(code)));
  sign.child.kill('SIGINT');
  check((await exit) === 0, 'SIGINT: clean exit');
  input.destroy();
  output.destroy();
  socat.kill('SIGTERM');
}

try {
  await tcpCase();
  await ptyCase();
} catch (e) {
  failures++;
  console.error(`emulator-smoke: ${e instanceof Error ? e.stack : e}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`emulator-smoke: ${failures === 0 ? 'ok' : `${failures} failure(s)`}`);
process.exit(failures === 0 ? 0 : 1);
