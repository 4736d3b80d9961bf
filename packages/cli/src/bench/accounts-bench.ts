/**
 * Accounts at scale (issue 12): with 100,000 users and 10,000 devices in the database, how long issuing
 * an xp2pInfo takes (a signed `POST /api/xp2pinfo` for a user bound to the device, through the real HTTP
 * server: app lookup, device lookup, user and binding lookups, token signing, audit row) and how long the
 * password check of a sign-in takes (user lookup + scrypt N=2^14 r=8 p=1). Sequential requests: latency,
 * not throughput. The users share one precomputed hash (hashing 100,000 passwords would take over an hour
 * and measures nothing the sign-in does not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appSignatureHeaders, deviceLoginProof, SIGNAL_PROTOCOL_VERSION, signAppRequest } from '@xp2p/protocol';
import { AccountStore, hashPassword, openDatabase, startServer, type Database } from '@xp2p/server';
import WebSocket from 'ws';
import { percentile, round } from './stats.js';

export interface AccountsBenchOptions {
  users: number;
  devices: number;
  /** xp2pInfo requests measured */
  issues: number;
  /** sign-in password checks measured */
  signIns: number;
  /** a postgres:// URL; default the embedded database in a temp dir */
  db?: string;
  log?: (line: string) => void;
}

export interface AccountsBenchResult {
  xp2pinfoP50: number;
  xp2pinfoP95: number;
  signInP50: number;
  signInP95: number;
  populateSeconds: number;
}

const PASSWORD = 'bench-password-1';

async function populate(db: Database, appid: string, o: AccountsBenchOptions): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  // One statement per table: generate_series runs inside the database on both engines.
  await db.query(
    `insert into devices (product_id, device_name, appid, secret)
     select 'bench', 'cam' || g, $1, md5(g::text) || md5((g + 1)::text) from generate_series(0, $2 - 1) g`,
    [appid, o.devices],
  );
  await db.query(
    `insert into users (name, appid, password_hash) select 'user' || g, $1, $2 from generate_series(0, $3 - 1) g`,
    [appid, hash, o.users],
  );
  // every user holds one role on one device; device i has the users i, i + devices, i + 2·devices …
  await db.query(
    `insert into bindings (user_name, product_id, device_name, role)
     select 'user' || g, 'bench', 'cam' || (g % $1), 'viewer' from generate_series(0, $2 - 1) g`,
    [o.devices, o.users],
  );
}

/** Logs cam0 in over a raw signalling socket (no media needed to be "online"). */
async function bringOnline(url: string, secret: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/signal/device`);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; challenge?: string };
      if (m.type === 'challenge') {
        void deviceLoginProof(secret, 'bench', 'cam0', m.challenge!).then((proof) =>
          ws.send(
            JSON.stringify({
              type: 'auth',
              v: SIGNAL_PROTOCOL_VERSION,
              productId: 'bench',
              deviceName: 'cam0',
              version: '2.4.50',
              proof,
            }),
          ),
        );
      } else if (m.type === 'welcome') resolve();
      else reject(new Error(`device login: ${String(data)}`));
    });
  });
  return ws;
}

export async function runAccountsBench(o: AccountsBenchOptions): Promise<AccountsBenchResult> {
  const log = o.log ?? (() => {});
  const dataDir = o.db ? undefined : mkdtempSync(join(tmpdir(), 'xp2p-bench-accounts-'));
  const db = await openDatabase({ ...(o.db ? { url: o.db } : {}), ...(dataDir ? { dataDir } : {}) });
  try {
    const store = new AccountStore(db);
    // a PostgreSQL used before by this bench: its rows go (devices, users, bindings follow their app)
    await db.query(`delete from apps where name = 'bench'`);
    const app = await store.addApp('bench');
    const started = performance.now();
    await populate(db, app.appid, o);
    const populateSeconds = (performance.now() - started) / 1000;
    log(`populated ${o.users} users, ${o.devices} devices in ${round(populateSeconds)} s`);
    const server = await startServer({
      config: {
        version: 1,
        server: { host: '127.0.0.1', port: 0, stunPort: 0 },
        apps: [],
        devices: [],
        publishKey: 'b'.repeat(32),
      },
      database: db,
    });
    const device = await store.device('bench', 'cam0');
    const ws = await bringOnline(server.url, device!.secret);
    try {
      const issue: number[] = [];
      for (let i = 0; i < o.issues; i++) {
        const user = `user${(i % Math.floor(o.users / o.devices)) * o.devices}`; // bound to cam0
        const body = JSON.stringify({ productId: 'bench', deviceName: 'cam0', user, role: 'viewer' });
        const t0 = performance.now();
        const sig = await signAppRequest(app, 'POST', `${server.url}/api/xp2pinfo`, body);
        const res = await fetch(`${server.url}/api/xp2pinfo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...appSignatureHeaders(sig) },
          body,
        });
        const text = await res.text();
        issue.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`xp2pinfo answered ${res.status}: ${text}`);
      }
      const signIn: number[] = [];
      for (let i = 0; i < o.signIns; i++) {
        const name = `user${Math.floor(Math.random() * o.users)}`;
        const t0 = performance.now();
        const user = await store.checkPassword(name, PASSWORD);
        signIn.push(performance.now() - t0);
        if (!user) throw new Error(`sign-in of ${name} failed`);
      }
      return {
        xp2pinfoP50: round(percentile(issue, 50), 2),
        xp2pinfoP95: round(percentile(issue, 95), 2),
        signInP50: round(percentile(signIn, 50), 1),
        signInP95: round(percentile(signIn, 95), 1),
        populateSeconds: round(populateSeconds),
      };
    } finally {
      ws.close();
      await server.close();
    }
  } finally {
    await db.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
