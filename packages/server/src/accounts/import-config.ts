/**
 * Moves the apps and devices of a config file written before the accounts database (issue 12) into the
 * database, once: rows that exist are left alone, so a restart (or two nodes starting together) changes
 * nothing. A device without `appid` belongs to the config's first app: before tenancy any app could reach
 * any device, and the first app is the one `npm start` created.
 */
import type { AppConfig, DeviceConfig } from '../config/schema.js';
import type { Database } from '../db/database.js';

export async function importConfigAccounts(
  db: Database,
  apps: readonly AppConfig[],
  devices: readonly (DeviceConfig & { appid?: string })[],
): Promise<{ apps: number; devices: number }> {
  const owner = apps[0]?.appid;
  return db.transaction(async (tx) => {
    let appCount = 0;
    let deviceCount = 0;
    for (const a of apps) {
      const rows = await tx.query(
        `insert into apps (appid, app_oauth_id, app_key, app_secret_key, app_package, name) values ($1,$2,$3,$4,$5,$1)
         on conflict do nothing returning appid`,
        [a.appid, a.appOauthId, a.appKey, a.appSecretKey, a.appPackage],
      );
      appCount += rows.length;
    }
    for (const d of devices) {
      const appid = d.appid ?? owner;
      if (appid === undefined) continue;
      const rows = await tx.query(
        `insert into devices (product_id, device_name, appid, secret) values ($1,$2,$3,$4)
         on conflict do nothing returning product_id`,
        [d.productId, d.deviceName, appid, d.secret],
      );
      deviceCount += rows.length;
    }
    return { apps: appCount, devices: deviceCount };
  });
}
