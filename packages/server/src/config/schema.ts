/**
 * The server's config file (`config.json`): where to listen and the server's own keys. Apps, devices and
 * users live in the accounts database (db/, accounts/); `apps` and `devices` here are read only to move a
 * data directory written before it into the database on first start (accounts/import-config.ts), and by
 * in-process servers (tests) as their initial accounts. Names follow the signalling schema's rules.
 */
import { streamNameSchema } from '@xp2p/protocol';
import { z } from 'zod';

const deviceNamePart = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only');
const secret = z.string().min(16, 'at least 16 characters').max(256);
const port = z.number().int().min(0).max(65535);
/** stun:host[:port] or stuns:host[:port] (RFC 7064) */
export const stunUrlSchema = z
  .string()
  .max(300)
  .regex(
    /^stuns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
    'a stun:host[:port] URL (TURN goes in turn.urls, with per-client credentials)',
  );

export const appConfigSchema = z.object({
  /** names the app inside viewer tokens */
  appid: z.string().min(1).max(128),
  appOauthId: z.string().min(1).max(128),
  /** public half of the app's credentials, sent with every signed request */
  appKey: z.string().min(1).max(128),
  /** the HMAC key of the app's request signatures; never sent */
  appSecretKey: secret,
  appPackage: z.string().min(1).max(256),
});
/** One app's credentials (appid, appKey, appSecretKey ...), as in the config's `apps`. */
export type AppConfig = z.infer<typeof appConfigSchema>;

export const deviceConfigSchema = z.object({
  productId: deviceNamePart,
  deviceName: deviceNamePart,
  /** signs the device's login proof and the viewer tokens for this device */
  secret,
  /** the app (tenant) owning the device; default: the config's first app */
  appid: z.string().min(1).max(128).optional(),
});
/** One camera (productId, deviceName, secret), as in the config's `devices`. */
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;

/** The server config file's schema (apps, devices, server settings, TURN, publish key); {@link parseConfig} applies it. */
export const xp2pConfigSchema = z
  .object({
    version: z.literal(1),
    server: z.object({
      host: z.string().min(1).max(255),
      port,
      stunPort: port,
      /** optional operator settings; environment (XP2P_*) and CLI flags override them (server-settings.ts) */
      publicUrl: z.url({ protocol: /^https?$/ }).optional(),
      /**
       * STUN URLs to hand to cameras and viewers instead of the default stun:<publicUrl's host or listen
       * address>:<stunPort> (stun/advertised-stun.ts). TURN goes in `turn`: its credentials are made per client.
       */
      iceServers: z.array(stunUrlSchema).min(1).max(8).optional(),
      trustProxy: z.boolean().optional(),
      redis: z.url({ protocol: /^rediss?$/ }).optional(),
      clusterUrl: z.url({ protocol: /^https?$/ }).optional(),
      tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
      webRoot: z.string().min(1).optional(),
      logFormat: z.enum(['json', 'text']).optional(),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    }),
    apps: z.array(appConfigSchema).max(1000).default([]),
    devices: z.array(deviceConfigSchema).max(100_000).default([]),
    /** key for 1vN live publishing */
    publishKey: secret,
    /**
     * 1vN streams the origin pulls itself when the first viewer or peer arrives (stream name → source URL:
     * HTTP-FLV read directly; RTMP, RTSP, HLS through ffmpeg), stopped when the last one has left.
     */
    pulls: z.record(streamNameSchema, z.url({ protocol: /^(https?|rtmps?|rtsps?|srt)$/ })).optional(),
    /**
     * Optional TURN relay (coturn with use-auth-secret): authenticated viewers and cameras get
     * short-lived HMAC credentials for it with their ICE servers. Relay is used only when no direct path works.
     */
    turn: z
      .object({
        urls: z
          .array(z.string().regex(/^turns?:/, 'a turn: or turns: URL'))
          .min(1)
          .max(8),
        /** coturn's static-auth-secret */
        secret,
        /** at most an hour: a credential that leaks is useless soon (issue 12) */
        ttlSeconds: z.number().int().min(60).max(3600).default(600),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    const seen = (values: string[], what: string, path: string): void => {
      const dup = values.find((v, i) => values.indexOf(v) !== i);
      if (dup !== undefined) ctx.addIssue({ code: 'custom', path: [path], message: `duplicate ${what} "${dup}"` });
    };
    seen(
      config.apps.map((a) => a.appKey),
      'appKey',
      'apps',
    );
    seen(
      config.apps.map((a) => a.appid),
      'appid',
      'apps',
    );
    seen(
      config.devices.map((d) => `${d.productId}/${d.deviceName}`),
      'device',
      'devices',
    );
  });
/** A parsed server config. */
export type XP2PConfig = z.infer<typeof xp2pConfigSchema>;

/** Validates a config object; the error names the first problem and where it is. */
export function parseConfig(value: unknown): { ok: true; config: XP2PConfig } | { ok: false; error: string } {
  const parsed = xp2pConfigSchema.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid config' };
}
