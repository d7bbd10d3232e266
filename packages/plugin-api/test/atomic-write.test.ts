import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeFileAtomic } from '../src';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veilnode-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates the file with mode 0600 and replaces it whole, leaving no temp file', async () => {
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, 'first');
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    await writeFileAtomic(file, 'second, longer');
    expect(await readFile(file, 'utf8')).to.equal('second, longer');
    expect(await readdir(dir)).to.deep.equal(['state.json']);
  });

  it('removes its temp file and leaves the target alone when the rename fails', async () => {
    // a folder where the file should go: the temp file is written, then the rename is refused
    const target = join(dir, 'taken');
    await mkdir(target);
    const failure = await writeFileAtomic(target, 'data').then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err,
    );
    expect(failure?.code).to.equal('EISDIR');
    expect((await stat(target)).isDirectory()).to.equal(true);
    expect(await readdir(dir)).to.deep.equal(['taken']);
  });
});
