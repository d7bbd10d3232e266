import type { DependencyContainer } from 'tsyringe';
import type { PeerService } from '../peer/peer-service';
import type { Node, NodeSummary } from './node';
import type { RelayService } from './relay-service';

/**
 * The running product: the kernel Node (zones, transports, RPC, the relay engine with its
 * durable journal) with the Levin peer layer as its ConnectionHandler. Start order (Node.start):
 * data-dir lock, relay engine (journal replayed), peer stores loaded, zones, RPC; then outbound
 * maintenance (it dials through Node.dial, so the zones must run). Stop (Node.stop): RPC, then
 * outbound maintenance and peer connections (stores saved, the live outbound peers kept as
 * anchors), zones, relay engine and journal, plugins' hooks.
 */
export class Veilnode {
  constructor(
    readonly node: Node,
    readonly peers: PeerService,
    readonly relay: RelayService,
    /** The root container it was resolved from (tests resolve parts such as the RPC listeners). */
    readonly container: DependencyContainer,
  ) {}

  async start(): Promise<NodeSummary> {
    const summary = await this.node.start();
    this.peers.startDialling();
    return summary;
  }

  /** Graceful stop (idempotent). */
  stop(): Promise<void> {
    return this.node.stop();
  }
}
