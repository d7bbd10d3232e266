#!/usr/bin/env node
// prepack/postpack of the package that ships the `veilnode` bin: copies the repository's
// config/default.json5 into the package's own config/ folder (so the packed bin has its embedded
// default without the repository), and removes the copy after packing. npm runs it in the
// package's folder and sets npm_config_local_prefix to the workspace root.
'use strict';
const { copyFileSync, mkdirSync, readdirSync, rmSync, rmdirSync } = require('node:fs');
const path = require('node:path');

const root = process.env.npm_config_local_prefix;
if (!root) {
  process.stderr.write('embed-default-config: run it through npm (npm_config_local_prefix is not set)\n');
  process.exit(1);
}
const dir = path.join(process.cwd(), 'config');
const copy = path.join(dir, 'default.json5');
if (process.argv[2] === '--remove') {
  rmSync(copy, { force: true });
  if (readdirSync(dir).length === 0) rmdirSync(dir);
} else {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(root, 'config', 'default.json5'), copy);
}
