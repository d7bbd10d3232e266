import { Duplex } from 'node:stream';

/** Two connected in-memory duplex streams (what one writes, the other reads). */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
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
  ends.push(make(() => ends[1]), make(() => ends[0]));
  return [ends[0], ends[1]];
}
