import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Frames captured from monerod 0.18.0.0 (see test/fixtures/monerod-0.18/README.md in this package). */
export const VECTOR_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'monerod-0.18');

export interface VectorIndexEntry {
  readonly file: string;
  readonly bytes: number;
  readonly command: number;
  readonly flags: number;
  readonly rc: number;
  readonly expectResponse: boolean;
}

export const vectorIndex: readonly VectorIndexEntry[] = JSON.parse(readFileSync(join(VECTOR_DIR, 'index.json'), 'utf8'));

export function loadVector(file: string): Buffer {
  return Buffer.from(readFileSync(join(VECTOR_DIR, file), 'utf8').trim(), 'hex');
}
