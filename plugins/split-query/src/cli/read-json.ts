import { readFileSync } from 'node:fs';
import { ConfigError } from '@veilnode/plugin-api';

/** A JSON file's content, or a ConfigError naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not valid JSON`, { file });
  }
}
