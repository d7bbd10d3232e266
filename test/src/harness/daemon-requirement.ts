import { accessSync, constants } from 'node:fs';

/** A suite needs a daemon that is not installed, under CI: the install step is broken. */
export class DaemonMissingError extends Error {
  constructor(readonly missing: string) {
    super(`${missing}; CI=true, so this suite fails instead of skipping (fix the install step: scripts/install-daemons.sh)`);
    this.name = 'DaemonMissingError';
  }
}

/**
 * In a mocha `before`: when `missing` names what is absent (a daemon binary, the I2P network
 * namespace), skips the suite with that message so a developer without tor or monerod still runs
 * the rest. Under CI (`CI=true`, as CI services and `.ci/run` set it) it throws
 * DaemonMissingError instead: a broken install step must fail the run, not turn it green with
 * the suites that prove the real-daemon paths skipped.
 */
export function skipOrFailWithout(context: Mocha.Context, missing: string | null | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (!missing) return;
  if (env.CI === 'true') throw new DaemonMissingError(missing);
  console.warn(`      skipped: ${missing}`);
  context.skip();
}

/** Null when `path` is an executable, else what to install (`apt-get install <aptPackage>`). */
export function executableMissingReason(path: string, aptPackage: string): string | null {
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return `${path} is not installed (apt-get install ${aptPackage})`;
  }
}
