import { CarrierClosedSignal, CLOSED_BY_US, type AnonymityZone, type CarrierClose, type CarrierHandle, type CarrierOpener } from '../../src/relay/carrier-port';
import type { RelayTx } from '../../src/routing/types';

/** A carrier whose connection the test controls: it records what it was given and can be dropped. */
export class FakeCarrier implements CarrierHandle {
  readonly sent: RelayTx[] = [];
  retired = false;
  private readonly closedSignal = new CarrierClosedSignal();

  constructor(
    readonly id: string,
    readonly zone: AnonymityZone,
  ) {}

  /** Clock ms the test says the tx went out at (the fake writes at once; the test owns the clock). */
  sentAt: number | undefined;

  send(tx: RelayTx): boolean {
    if (this.closed) return false;
    this.sent.push(tx);
    this.sentAt = this.now?.();
    return true;
  }

  /** The fake's peer, as the rejection rule sees it, and how many peers it was drawn among. */
  peer: string | undefined;
  knownPeers = 10;
  /** Set by the opener: stamps `sentAt`. */
  now: (() => number) | undefined;

  /** The test sets it to model the connection's next noise slot. */
  slotAt: number | undefined;

  nextSendAt(): number | undefined {
    return this.slotAt;
  }

  retire(): void {
    this.retired = true;
    this.closedSignal.fire(CLOSED_BY_US);
  }

  get closed(): boolean {
    return this.closedSignal.closed;
  }

  onClosed(listener: (close: CarrierClose) => void): void {
    this.closedSignal.listen(listener);
  }

  /** The connection ends: by the peer (`byPeer`, the default) or by the proxy or us. */
  drop(byPeer = true): void {
    const close: CarrierClose = { byPeer, peer: this.peer, txSentAt: this.sentAt, knownPeers: this.knownPeers };
    this.closedSignal.fire(close);
  }
}

/** Opens FakeCarriers (or fails, while `failing`), recording every open. */
export class FakeOpener implements CarrierOpener {
  readonly carriers: FakeCarrier[] = [];
  readonly zonesAsked: string[] = [];
  failing = false;
  /** Set to hand out carriers claiming another zone. */
  wrongZone: AnonymityZone | undefined;
  /** Each new carrier's peer key (drawn by the test) and the clock that stamps its send. */
  peerOf: ((n: number) => string) | undefined;
  now: (() => number) | undefined;

  open(zone: AnonymityZone): Promise<CarrierHandle> {
    this.zonesAsked.push(zone);
    if (this.failing) return Promise.reject(new Error('proxy refused the circuit'));
    const carrier = new FakeCarrier(`${zone}-c${this.carriers.length + 1}`, this.wrongZone ?? zone);
    carrier.peer = this.peerOf?.(this.carriers.length);
    carrier.now = this.now;
    this.carriers.push(carrier);
    return Promise.resolve(carrier);
  }

  /** Every tx any carrier was given, with the carrier. */
  sends(): { carrier: string; tx: string }[] {
    return this.carriers.flatMap((c) => c.sent.map((tx) => ({ carrier: c.id, tx: tx.id })));
  }
}

/** Lets promise callbacks (carrier opens) run. */
export const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
