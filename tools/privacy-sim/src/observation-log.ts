/** Growable typed columns of what the adversary's nodes saw: (tx, spy, neighbour, time, stem). */
export class ObservationLog {
  length = 0;
  tx = new Int32Array(1024);
  spy = new Int32Array(1024);
  from = new Int32Array(1024);
  at = new Float64Array(1024);
  /** 1 when the message was a Dandelion++ stem (dandelionpp_fluff = false). */
  stem = new Uint8Array(1024);

  add(tx: number, spy: number, from: number, at: number, stem: boolean): void {
    if (this.length === this.tx.length) this.grow();
    const i = this.length++;
    this.tx[i] = tx;
    this.spy[i] = spy;
    this.from[i] = from;
    this.at[i] = at;
    this.stem[i] = stem ? 1 : 0;
  }

  /** Columns trimmed to `length` (to send them to the main thread). */
  columns(): ObservationColumns {
    const n = this.length;
    return { tx: this.tx.slice(0, n), spy: this.spy.slice(0, n), from: this.from.slice(0, n), at: this.at.slice(0, n), stem: this.stem.slice(0, n) };
  }

  private grow(): void {
    const size = this.tx.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.tx = grown(this.tx, (k) => new Int32Array(k));
    this.spy = grown(this.spy, (k) => new Int32Array(k));
    this.from = grown(this.from, (k) => new Int32Array(k));
    this.at = grown(this.at, (k) => new Float64Array(k));
    this.stem = grown(this.stem, (k) => new Uint8Array(k));
  }
}

export interface ObservationColumns {
  readonly tx: Int32Array;
  readonly spy: Int32Array;
  readonly from: Int32Array;
  readonly at: Float64Array;
  readonly stem: Uint8Array;
}
