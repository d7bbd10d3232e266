import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { DialErrorCode } from '@veilnode/plugin-api';
import { VEILNODE_BIN, veilnode } from '../src/veilnode-cli';

/**
 * Keeps PLUGINS.md true: its file-marked code blocks are the real files, its tables list the
 * real interface members, the names it cites are exported, and its config example loads the
 * Kovri plugin through the real `veilnode` CLI exactly as a user would.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GUIDE = readFileSync(path.join(ROOT, 'PLUGINS.md'), 'utf8');

interface CodeBlock {
  readonly lang: string;
  /** `key=value` after the language, e.g. file=transports/kovri/src/kovri-plugin.ts. */
  readonly attrs: Readonly<Record<string, string>>;
  readonly body: string;
}

function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, lang, info, body]) => {
    const attr = /^\s*(\w+)=(.+)$/.exec(info);
    return { lang, attrs: attr ? { [attr[1]]: attr[2].trim() } : {}, body };
  });
}

function block(key: string): CodeBlock {
  const found = codeBlocks(GUIDE).filter((b) => b.attrs[key] !== undefined);
  expect(found, `PLUGINS.md blocks marked ${key}=`).to.have.length(1);
  return found[0];
}

/** First-column names of the tables whose header starts with `| <header> |`, table by table. */
function tableNames(header: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of GUIDE.split('\n')) {
    if (line.startsWith(`| ${header} |`)) {
      current = [];
      tables.push(current);
    } else if (current && /^\|[-| ]+\|$/.test(line)) {
      continue;
    } else if (current && line.startsWith('|')) {
      current.push(/^\| `([A-Za-z]+)/.exec(line)?.[1] ?? line);
    } else {
      current = undefined;
    }
  }
  return tables;
}

function sourceFile(relative: string): ts.SourceFile {
  return ts.createSourceFile(relative, readFileSync(path.join(ROOT, relative), 'utf8'), ts.ScriptTarget.ES2022, true);
}

function interfaceMembers(relative: string, name: string): string[] {
  const declaration = sourceFile(relative).statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!declaration) throw new Error(`interface ${name} not found in ${relative}`);
  return declaration.members.map((m) => (m.name as ts.Identifier).text);
}

/** Names a TypeScript module declares with `export` (declarations and `export { ... }` lists). */
function exportedNames(relative: string): string[] {
  const names: string[] = [];
  for (const statement of sourceFile(relative).statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      names.push(...statement.exportClause.elements.map((e) => e.name.text));
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(statement)) names.push(...statement.declarationList.declarations.map((d) => (d.name as ts.Identifier).text));
      else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) names.push((statement.name as ts.Identifier).text);
    }
  }
  return names;
}

/** What an index re-exports: its `export * from './x'` lines (a folder means its index), followed. */
function reExportedNames(relative: string): string[] {
  const names: string[] = [];
  for (const statement of sourceFile(relative).statements) {
    if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const target = path.join(path.dirname(relative), statement.moduleSpecifier.text);
      const file = existsSync(path.join(ROOT, `${target}.ts`)) ? `${target}.ts` : `${target}/index.ts`;
      names.push(...exportedNames(file), ...reExportedNames(file));
    }
  }
  return names;
}

function filesUnder(dir: string, suffix: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

describe('PLUGINS.md', function () {
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'veilnode-guide-'));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each file-marked code block exactly as the file is in the repository', function () {
    const marked = codeBlocks(GUIDE).filter((b) => b.attrs.file !== undefined);
    expect(marked.map((b) => b.attrs.file)).to.include.members(['transports/kovri/src/kovri-plugin.ts', 'transports/kovri/test/kovri-compliance.test.ts']);
    for (const { attrs, body } of marked) {
      expect(body.trimEnd(), attrs.file).to.equal(readFileSync(path.join(ROOT, attrs.file), 'utf8').trimEnd());
    }
  });

  it('lists exactly the members of Plugin, PluginOption, PluginContext, AddressCodec and TransportTestbed in its tables', function () {
    const [pluginTable, optionTable, testbedTable] = tableNames('field');
    expect([...optionTable].sort()).to.deep.equal(interfaceMembers('packages/plugin-api/src/plugin.ts', 'PluginOption').sort());
    const [contextTable, codecTable] = tableNames('member');
    expect([...pluginTable].sort()).to.deep.equal(interfaceMembers('packages/plugin-api/src/plugin.ts', 'Plugin').sort());
    expect([...contextTable].sort()).to.deep.equal(interfaceMembers('packages/plugin-api/src/plugin.ts', 'PluginContext').sort());
    expect([...codecTable].sort()).to.deep.equal(interfaceMembers('packages/plugin-api/src/address.ts', 'AddressCodec').sort());
    expect([...testbedTable].sort()).to.deep.equal(interfaceMembers('plugins/compliance/src/transport-testbed.ts', 'TransportTestbed').sort());
  });

  it('cites only names that @veilnode/plugin-api, @veilnode/compliance or @veilnode/socks-transport export, or members of the interfaces it documents', function () {
    const exported = new Set([
      ...reExportedNames('packages/plugin-api/src/index.ts'),
      ...reExportedNames('packages/plugin-api/src/testing/index.ts'),
      ...exportedNames('plugins/compliance/src/index.ts'),
      ...exportedNames('transports/socks-base/src/index.ts'),
    ]);
    const members = new Set([
      ...['Plugin', 'PluginContext'].flatMap((i) => interfaceMembers('packages/plugin-api/src/plugin.ts', i)),
      ...['Transport', 'Listener', 'TransportDefinition'].flatMap((i) => interfaceMembers('packages/plugin-api/src/transport.ts', i)),
      ...interfaceMembers('packages/plugin-api/src/address.ts', 'AddressCodec'),
      ...Object.values(DialErrorCode),
      ...interfaceMembers('plugins/compliance/src/transport-testbed.ts', 'TransportFixture'),
      ...interfaceMembers('plugins/compliance/src/transport-testbed.ts', 'TransportTestbed'),
    ]);
    const notOurs = new Set(['Duplex', 'JSON', 'write', 'addFormat']);
    const prose = GUIDE.replace(/^```[\s\S]*?^```$/gm, '');
    const cited = [...prose.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)(\??\(|[.<`])/g)]
      .filter(([, name, next]) => /^[A-Z]/.test(name) || next.endsWith('(') || next === '<')
      .map(([, name]) => name);
    expect(cited.length, 'names cited').to.be.above(20);
    const unknown = [...new Set(cited)].filter((name) => !exported.has(name) && !members.has(name) && !notOurs.has(name));
    expect(unknown, 'names in PLUGINS.md that nothing exports').to.deep.equal([]);
  });

  it('names only files that exist (paths from the repository root, bare names in the Kovri package)', function () {
    const prose = GUIDE.replace(/^```[\s\S]*?^```$/gm, '');
    const files = [...new Set([...prose.matchAll(/`([\w./-]+\.(?:ts|md|json5?))`/g)].map(([, file]) => file))];
    expect(files.length, 'files named').to.be.above(5);
    const missing = files.filter((file) => {
      const candidates = file.includes('/') ? [path.join(ROOT, file)] : ['src', '.'].map((dir) => path.join(ROOT, 'transports/kovri', dir, file));
      return !candidates.some((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile());
    });
    expect(missing).to.deep.equal([]);
  });

  it('loads its config example through the veilnode CLI and prints what the guide shows', async function () {
    this.timeout(30_000);
    writeFileSync(path.join(dir, block('config').attrs.config), block('config').body);
    const result = await veilnode(['plugins', '--config', block('config').attrs.config], dir);
    expect(result.code, result.stderr).to.equal(0);
    const modules = [...result.stdout.matchAll(/^ {2}loaded from {2}(\S+) -> (.+)$/gm)];
    expect(modules.map(([, specifier]) => specifier)).to.deep.equal(['@veilnode/clearnet', '@veilnode/kovri']);
    for (const [, specifier, file] of modules) expect(file, specifier).to.equal(require.resolve(specifier));
    const shown = result.stdout.replace(/ -> .+$/gm, ' -> <path of the module>');
    expect(shown.trimEnd()).to.equal(block('output').body.trimEnd());
  });

  it('loads the plugin the same way from a path relative to the config file', async function () {
    this.timeout(30_000);
    const relative = path.relative(dir, path.dirname(require.resolve('@veilnode/kovri/package.json')));
    const config = block('config').body.replace("'@veilnode/kovri'", JSON.stringify(`./${relative.split(path.sep).join('/')}`));
    expect(config).to.not.equal(block('config').body);
    writeFileSync(path.join(dir, 'by-path.json5'), config);
    const result = await veilnode(['plugins', '--config', 'by-path.json5'], dir);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^kovri 0\.1\.0 \(core API \^2\.0\.0\)$/m).and.match(/^ {2}zones {8}kovri$/m);
  });

  it('stops start-up on a bad setting with the message the guide quotes', async function () {
    this.timeout(30_000);
    const quoted = 'kovri.router: expected HOST:PORT, got "nonsense"';
    expect(GUIDE.replace(/\s+/g, ' ')).to.include(quoted);
    writeFileSync(path.join(dir, 'bad.json5'), block('config').body.replace("'127.0.0.1:7070'", "'nonsense'"));
    const result = await veilnode(['plugins', '--config', 'bad.json5'], dir);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include(quoted);
  });

  it('runs a node on its config example: the Kovri zone starts and says it is a stub', async function () {
    this.timeout(30_000);
    writeFileSync(path.join(dir, 'veilnode.json5'), block('config').body);
    const args = ['--config', 'veilnode.json5', '--data-dir', path.join(dir, 'data'), '--p2p-bind-port', '0', '--rpc-bind-port', '0'];
    const node = spawn(process.execPath, [VEILNODE_BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 20_000);
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('"msg":"node started"')) {
            clearTimeout(timer);
            resolve();
          }
        };
        node.stdout.on('data', onData);
        node.stderr.on('data', onData);
        node.once('exit', (code) => reject(new Error(`node exited with ${code}:\n${output}`)));
      });
    } finally {
      const exited = new Promise((resolve) => (node.exitCode !== null ? resolve(null) : node.once('exit', resolve)));
      node.kill('SIGTERM');
      await exited;
    }
    const stub = output.split('\n').find((line) => line.includes('Kovri is a stub'));
    expect(stub, output).to.be.a('string');
    expect(JSON.parse(stub as string)).to.include({ zone: 'kovri', level: 40 });
  });

  it('holds first-party plugins to its import rule: @veilnode/plugin-api only, as a peer dependency (in code and in package.json), never a deep path or another plugin', function () {
    const packages = ['transports', 'plugins'].flatMap((group) =>
      readdirSync(path.join(ROOT, group)).map((name) => ({ name, dir: path.join(ROOT, group, name, 'src') })),
    );
    const PLUGIN_API = ['@veilnode/plugin-api', '@veilnode/plugin-api/testing'];
    const sharedLibraries: Record<string, string[]> = {
      'i2p-sam': ['@veilnode/i2p-zone'],
      'i2p-socks': ['@veilnode/i2p-zone', '@veilnode/socks-transport'],
      tor: ['@veilnode/socks-transport'],
    };
    const violations: string[] = [];
    let checked = 0;
    for (const { name, dir: src } of packages) {
      for (const file of filesUnder(src, '.ts')) {
        checked++;
        const text = readFileSync(file, 'utf8');
        for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) {
          if (!specifier.startsWith('@veilnode/') || PLUGIN_API.includes(specifier)) continue;
          if (sharedLibraries[name]?.includes(specifier)) continue;
          violations.push(`${path.relative(ROOT, file)} imports ${specifier}`);
        }
      }
    }
    for (const { name, dir: src } of packages) {
      const manifest = JSON.parse(readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        if (dependency.startsWith('@veilnode/') && !sharedLibraries[name]?.includes(dependency)) {
          violations.push(`${name}/package.json depends on ${dependency}`);
        }
      }
      if (manifest.peerDependencies?.['@veilnode/plugin-api'] === undefined) violations.push(`${name}/package.json lacks the peer dependency @veilnode/plugin-api`);
    }
    expect(checked, 'source files checked').to.be.above(10);
    expect(violations).to.deep.equal([]);
  });
});
