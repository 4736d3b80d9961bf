import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { parseConfig, type XP2PConfig } from './schema.js';

/** Reads and validates a config file; every failure is a ConfigError naming the file. */
export async function loadConfig(path: string): Promise<XP2PConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config (${(err as Error).message})`, path, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config is not valid JSON (${(err as Error).message})`, path, { cause: err });
  }
  const result = parseConfig(json);
  if (!result.ok) throw new ConfigError(`invalid config: ${result.error}`, path);
  return result.config;
}
