/**
 * Roles a user holds on a device (issue 12): a viewer watches live and playback; an operator also talks,
 * runs commands and downloads; an owner also shares the device with other users of its app.
 */
export const ROLES = ['viewer', 'operator', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** True when `held` allows everything `wanted` does. */
export const roleCovers = (held: Role, wanted: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(wanted);
