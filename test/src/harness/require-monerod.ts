import { monerodAvailable } from './monerod';

/** In a mocha `before`: skips the suite with a clear message when the monero binaries are missing (CI installs them). */
export function skipWithoutMonerod(context: Mocha.Context): void {
  if (monerodAvailable()) return;
  console.warn('    skipped: monerod / monero-wallet-rpc not installed (CI installs the Debian monero package)');
  context.skip();
}
