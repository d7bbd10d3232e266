import { CarrierClosedSignal, type AnonymityZone, type CarrierHandle, type CarrierOpener } from '../../src/relay/carrier-port';
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

  send(tx: RelayTx): boolean {
    if (this.closed) return false;
    this.sent.push(tx);
    return true;
  }

  /** The test sets it to model the connection's next noise slot. */
  slotAt: number | undefined;

  nextSendAt(): number | undefined {
    return this.slotAt;
  }

  retire(): void {
    this.retired = true;
    this.drop();
  }

  get closed(): boolean {
    return this.closedSignal.closed;
  }

  onClosed(listener: () => void): void {
    this.closedSignal.listen(listener);
  }

  /** The peer or the proxy closes the connection. */
  drop(): void {
    this.closedSignal.fire();
  }
}

/** Opens FakeCarriers (or fails, while `failing`), recording every open. */
export class FakeOpener implements CarrierOpener {
  readonly carriers: FakeCarrier[] = [];
  readonly zonesAsked: string[] = [];
  failing = false;
  /** Set to hand out carriers claiming another zone. */
  wrongZone: AnonymityZone | undefined;

  open(zone: AnonymityZone): Promise<CarrierHandle> {
    this.zonesAsked.push(zone);
    if (this.failing) return Promise.reject(new Error('proxy refused the circuit'));
    const carrier = new FakeCarrier(`${zone}-c${this.carriers.length + 1}`, this.wrongZone ?? zone);
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
