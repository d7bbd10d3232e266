import type { IncomingMessage } from 'node:http';
import type { Logger, Clock, TimerHandle } from '@veilnode/plugin-api';
import type { ConnectionInfoSource } from '../monerod/sources';
import { publicNodeProblem, referenceHeight } from './public-node-check';
import { PublicNodeSelector, type PublicNodeSelectorOptions } from './public-node-selector';
import type { PublicRpcNode, PublicRpcNodeSource } from './public-rpc-node';
import type { Upstream } from './upstream';
import type { StreamBody, UpstreamDaemon } from './upstream-daemon';
import { UpstreamError, type UpstreamFailure } from './upstream-error';

export interface AutoUpstreamOptions {
  readonly nodes: PublicRpcNodeSource;
  /** Our peers' reported heights: a public node far behind them is not used. */
  readonly connections: ConnectionInfoSource;
  /** The zones candidates come from: the enabled anonymity zones, or the public zone when there is none. */
  readonly zones: readonly string[];
  /** The candidate zones are anonymity zones: no node address is ever logged. */
  readonly anonymous: boolean;
  /** monerod's nettype text of our network. */
  readonly nettype: string;
  /** A client for one node (dialled through its zone's transport, or the clearnet dialler). */
  readonly daemonFor: (node: PublicRpcNode) => UpstreamDaemon;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
  /** How often the peer lists are looked at while no node is in use. Default 2 s. */
  readonly tickMs?: number;
  /** How often the node in use is checked again. Default 30 s (monerod's). */
  readonly recheckMs?: number;
  /** Blocks a node may be behind our peers. Default 10. */
  readonly heightMargin?: number;
  /** The selector's bounds (tries per minute, back-off). */
  readonly selection?: Omit<PublicNodeSelectorOptions, 'now' | 'random'>;
}

interface InUse {
  readonly node: PublicRpcNode;
  readonly daemon: UpstreamDaemon;
  checkedAt: number;
}

/** The client's error while no public node is known (answered as a failed bootstrap daemon). */
export const NO_PUBLIC_NODE_MESSAGE = 'no public RPC node is known yet (--bootstrap-daemon-address auto): retry later';

/**
 * monerod's `--bootstrap-daemon-address auto`: chain requests go to a public RPC node picked from
 * the peers that advertise one (PublicRpcNodeSource), after its get_info showed it fit
 * (publicNodeProblem). A request that fails drops the node (it waits a back-off, see
 * PublicNodeSelector) and another is looked for at once; the node in use is checked again every
 * `recheckMs`. While none is known, every request fails with NO_PUBLIC_NODE_MESSAGE; a node
 * found later is used. With an anonymity zone enabled only that zone's peers are candidates,
 * reached through its transport (the caller picks `zones` and `daemonFor`).
 */
export class AutoUpstream implements Upstream {
  readonly resendsBody = false;
  private inUse: InUse | undefined;
  private readonly selector: PublicNodeSelector;
  private timer: TimerHandle | undefined;
  private running = false;
  private busy = false;
  /** "Waiting for a public node" was logged; a node in use re-arms it. */
  private toldWaiting = false;
  private readonly tickMs: number;
  private readonly recheckMs: number;

  constructor(private readonly options: AutoUpstreamOptions) {
    this.selector = new PublicNodeSelector({ ...options.selection, now: () => options.clock.now(), random: options.random ?? Math.random });
    this.tickMs = options.tickMs ?? 2_000;
    this.recheckMs = options.recheckMs ?? 30_000;
  }

  get label(): string {
    return this.inUse?.daemon.label ?? '';
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  close(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.inUse?.daemon.close();
    this.inUse = undefined;
  }

  request(method: string, path: string, contentType: string | undefined, body: Buffer | StreamBody): Promise<IncomingMessage> {
    // A streamed body comes from the client as it sends it: silence may be the client's (one
    // that stalls its upload on purpose must not make us drop good nodes); the 30 s recheck
    // finds a node that really went silent.
    const blame = (failure: UpstreamFailure): boolean => Buffer.isBuffer(body) || failure !== 'idle-timeout';
    return this.through((daemon) => daemon.request(method, path, contentType, body), blame);
  }

  json(path: string, body: unknown): Promise<unknown> {
    return this.through((daemon) => daemon.json(path, body));
  }

  jsonRpc(method: string, params?: unknown): Promise<Record<string, unknown>> {
    return this.through((daemon) => daemon.jsonRpc(method, params));
  }

  /** Runs `call` on the node in use; an upstream failure `blame` puts on the node drops it. */
  private async through<T>(call: (daemon: UpstreamDaemon) => Promise<T>, blame: (failure: UpstreamFailure) => boolean = () => true): Promise<T> {
    const used = this.inUse;
    if (used === undefined) throw new UpstreamError('no-public-node', NO_PUBLIC_NODE_MESSAGE);
    try {
      return await call(used.daemon);
    } catch (error) {
      // other errors are the client's (its body broke off, or was too large), not the node's
      if (error instanceof UpstreamError && blame(error.failure)) this.drop(used, error.failure);
      throw error;
    }
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.running ? this.options.clock.setTimer(delayMs, () => void this.tick()) : undefined;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const used = this.inUse;
      if (used === undefined) await this.findOne();
      else if (this.options.clock.now() - used.checkedAt >= this.recheckMs) await this.recheck(used);
    } finally {
      this.busy = false;
      this.schedule(this.tickMs);
    }
  }

  /** Tries one candidate, if the selector allows one now. */
  private async findOne(): Promise<void> {
    const candidates = this.options.nodes.publicRpcNodes(this.options.zones);
    if (candidates.length === 0 && !this.toldWaiting) {
      this.toldWaiting = true;
      this.options.logger.info({ zones: this.options.zones, event: 'upstream_waiting' }, 'no peer advertises a public RPC node yet; chain requests fail until one does');
    }
    const node = this.selector.next(candidates);
    if (node === undefined) return;
    const daemon = this.options.daemonFor(node);
    const problem = await this.problemOf(daemon);
    if (!this.running || problem !== undefined) {
      daemon.close();
      if (problem !== undefined) this.refuse(node, daemon, problem);
      return;
    }
    this.inUse = { node, daemon, checkedAt: this.options.clock.now() };
    this.toldWaiting = false;
    this.options.logger.info({ zone: node.zone, ...this.where(daemon), event: 'upstream_changed' }, `the upstream daemon is now a public RPC node of zone ${node.zone}`);
  }

  private async recheck(used: InUse): Promise<void> {
    const problem = await this.problemOf(used.daemon);
    if (problem !== undefined) return this.drop(used, problem);
    used.checkedAt = this.options.clock.now();
    // only a node that served a while is forgiven: one that passes get_info and then fails every request waits longer each time
    this.selector.succeeded(used.node);
  }

  /** Why the node cannot serve now (it does not answer get_info, or its answer rules it out). */
  private async problemOf(daemon: UpstreamDaemon): Promise<string | undefined> {
    let info: unknown;
    try {
      info = await daemon.json('/get_info', {});
    } catch (error) {
      // the failure code only: a transport's message may quote the address
      return error instanceof UpstreamError ? `its get_info failed (${error.failure})` : 'its get_info failed';
    }
    return publicNodeProblem(info, { nettype: this.options.nettype, referenceHeight: referenceHeight(this.options.connections.connections()), heightMargin: this.options.heightMargin ?? 10 });
  }

  /** The node in use failed: it waits its back-off, and another is looked for at once. */
  private drop(used: InUse, reason: string): void {
    if (this.inUse !== used) return;
    this.inUse = undefined;
    used.daemon.close();
    this.selector.failed(used.node);
    this.options.logger.info({ zone: used.node.zone, ...this.where(used.daemon), reason, event: 'upstream_dropped' }, 'the public RPC node in use failed; looking for another');
    if (!this.busy) this.schedule(0);
  }

  private refuse(node: PublicRpcNode, daemon: UpstreamDaemon, reason: string): void {
    this.selector.failed(node);
    this.options.logger.info({ zone: node.zone, ...this.where(daemon), reason, event: 'public_node_refused' }, 'a public RPC node was tried and not used');
  }

  /** The node's address for a log line: never on an anonymity zone. */
  private where(daemon: UpstreamDaemon): { upstream?: string } {
    return this.options.anonymous ? {} : { upstream: daemon.label };
  }
}
