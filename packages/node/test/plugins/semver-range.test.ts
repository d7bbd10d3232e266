import { expect } from 'chai';
import { parseRange, satisfies } from '../../src/plugins/semver-range';

describe('coreApi semver ranges', () => {
  const table: [string, string, boolean][] = [
    ['1.0.0', '^1.0.0', true],
    ['1.9.3', '^1.2.0', true],
    ['1.1.0', '^1.2.0', false],
    ['2.0.0', '^1.0.0', false],
    ['0.2.5', '^0.2.1', true],
    ['0.3.0', '^0.2.1', false],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.2', '~1.2.3', false],
    ['3.0.0', '>=1.0.0', true],
    ['0.9.9', '>=1.0.0', false],
    ['1.0.0', '1.0.0', true],
    ['1.0.1', '1.0.0', false],
    ['1.5.0', '>=1.2.0 ~1.5.0', true],
    ['2.1.0', '^1.0.0 || ^2.0.0', true],
    ['3.0.0', '^1.0.0 || ^2.0.0', false],
  ];
  for (const [version, range, expected] of table) {
    it(`${version} ${expected ? 'satisfies' : 'does not satisfy'} ${range}`, () => {
      expect(satisfies(version, range)).to.equal(expected);
    });
  }

  it('rejects what it does not understand instead of guessing', () => {
    for (const bad of ['', 'banana', '1.0', '^1', '1.x', '<2.0.0', '^1.0.0-beta', '||']) expect(parseRange(bad), bad).to.equal(undefined);
    expect(satisfies('1.0', '^1.0.0')).to.equal(false);
  });
});
