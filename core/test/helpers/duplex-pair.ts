import { Duplex } from 'node:stream';

/** Two connected in-memory duplex streams (what one writes, the other reads). */
export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        const peer = other();
        if (!peer.destroyed) peer.push(chunk);
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
      destroy(err, done) {
        const peer = other();
        if (!peer.destroyed) peer.destroy();
        done(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
