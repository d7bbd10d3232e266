#!/usr/bin/env node
// Launcher for the compiled CLI. It is tracked (not built) so that it exists when `npm ci`
// links the `veilnode` bin: npm skips bins whose file does not exist yet, and the compiled
// CLI only appears when `prepare` (tsc -b) runs after linking.
'use strict';
let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
  process.stderr.write('veilnode is not built yet: run `npm run build` in the repository\n');
  process.exit(1);
}
cli.run();
