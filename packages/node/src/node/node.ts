import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { DependencyContainer } from 'tsyringe';
import { DialError, DialErrorCode, TimeoutError, VeilnodeError, type DialOptions, type Logger, type PeerAddress, type TransportConnection, type ZoneConfig } from '@veilnode/plugin-api';
import type { NodeConfig } from '../config/core-schema';
import { createZoneContainer } from '../di/zone-container';
import type { StopHook } from '../plugins/plugin-context';
import type { PluginRegistry } from '../plugins/plugin-registry';
import type { PluginNodeServices, PluginRuntime } from '../plugins/plugin-runtime';
import type { RpcServer } from '../rpc/rpc-server';
import type { ConnectionHandler } from '../peer/connection-handler';
import { DataDirLock } from './data-dir-lock';
import type { JournalRecovery } from '../relay/durable-tx-queue';
import type { RelayQueue } from './relay-queue';
import { ZoneRuntime } from './zone-runtime';
import type { ZoneStatus, ZoneStatusSource } from '../rpc/zone-status';
import { opensCarriers } from './carrier-zones';

/** Everything the Node is built from (the composition root resolves these from the root container). */
export interface NodeParts {
  readonly root: DependencyContainer;
  readonly config: NodeConfig;
  /** Absolute data directory. */
  readonly dataDir: string;
  /** Resolved settings of the enabled zones, in config order. */
  readonly zones: readonly ZoneConfig[];
  readonly registry: PluginRegistry;
  /** The RPC listeners (clearnet and hidden-service ones). */
  readonly rpc: Pick<RpcServer, 'start' | 'stop' | 'address'>;
  readonly handler: ConnectionHandler;
  /**
   * Core services with a lifecycle (the relay engine and its journal): started once the node
   * holds the data-dir lock, before zones and RPC; stopped after them, in reverse order.
   */
  readonly services?: readonly NodeService[];
  readonly relayQueue: RelayQueue;
  readonly stopHooks: readonly StopHook[];
  readonly logger: Logger;
  /** Plugins' run-time access (PluginContext.dial); attached while the node runs. */
  readonly pluginRuntime?: PluginRuntime;
  /** Deadline for one zone's transport start and listen (a dead SAM bridge must not hang start-up). */
  readonly zoneStartTimeoutMs?: number;
}

export const ZONE_START_TIMEOUT_MS = 30_000;

export interface NodeService {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Stopped right after the RPC, while the zones' connections are still open (the peer layer
   * records its live outbound peers as anchors), instead of after the zones.
   */
  readonly stopBeforeZones?: boolean;
}

/** What the node reports once started (the CLI prints it). */
export interface NodeSummary {
  readonly network: string;
  readonly dataDir: string;
  readonly rpc: string;
  readonly zones: readonly {
    readonly name: string;
    readonly transport: string;
    readonly listening: readonly string[];
    /** Why the zone's transport is down at start (e.g. its Tor daemon unreachable): its addresses cannot be reached then. */
    readonly problem?: string;
  }[];
}

/**
 * The running node: builds each enabled zone in its own child container, starts transports
 * and listeners, hands every connection to the ConnectionHandler, serves RPC, and stops all
 * of it in order.
 */
export class Node implements ZoneStatusSource, PluginNodeServices {
  private runtimes: ZoneRuntime[] = [];
  /** Streams plugins opened with PluginContext.dial: theirs to use, ours to destroy on stop. */
  private readonly pluginStreams = new Set<Duplex>();
  private readonly abort = new AbortController();
  private readonly lock: DataDirLock;
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: NodeParts) {
    this.lock = new DataDirLock(parts.dataDir);
  }

  async start(): Promise<NodeSummary> {
    this.lock.acquire();
    try {
      for (const service of this.parts.services ?? []) await service.start();
      for (const zone of this.parts.zones) await this.startZone(zone);
      await this.parts.rpc.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.parts.pluginRuntime?.attach(this);
    const summary = this.summary();
    this.parts.logger.info({ ...summary }, 'node started');
    return summary;
  }

  /** Graceful stop (idempotent): RPC, listeners and connections, transports, then plugins' hooks. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  journalRecovery(): JournalRecovery {
    return this.parts.relayQueue.journalRecovery();
  }

  zoneStatuses(): ZoneStatus[] {
    const { registry, config, relayQueue } = this.parts;
    return [...registry.zones().keys()].map((name) => {
      const runtime = this.runtimes.find((r) => r.name === name);
      const configured = this.parts.zones.find((z) => z.name === name);
      const serving = [...registry.transports().values()].filter((t) => t.definition.zone === name);
      const transport = configured?.transport ?? config.zones[name]?.transport ?? (serving.length === 1 ? serving[0].definition.name : null);
      const health = runtime?.health() ?? { healthy: true };
      return {
        name,
        transport,
        enabled: runtime !== undefined,
        inbound: runtime?.addresses ?? [],
        connections: runtime?.connectionCounts ?? { in: 0, out: 0 },
        queued: relayQueue.queued(name),
        noise: configured?.noise ?? false,
        healthy: health.healthy,
        ...(health.healthy ? {} : { problem: health.reason ?? 'unknown' }),
      };
    });
  }

  /** The running zones' transport health (get_info's `veilnode.zones`). */
  zoneHealth(): { zone: string; healthy: boolean; problem?: string }[] {
    return this.runtimes.map((runtime) => {
      const health = runtime.health();
      return health.healthy ? { zone: runtime.name, healthy: true } : { zone: runtime.name, healthy: false, problem: health.reason ?? 'unknown' };
    });
  }

  /**
   * Dial a peer in a running zone (the peer layer's entry point for outbound connections; its
   * OutboundMaintainer decides whom and when). `signal` aborts this dial; node stop aborts all.
   */
  async dial(zone: string, address: PeerAddress, signal?: AbortSignal): Promise<TransportConnection> {
    const runtime = this.runtimes.find((r) => r.name === zone);
    if (runtime === undefined) throw new VeilnodeError('ZONE_NOT_RUNNING', `zone ${zone} is not running`, { zone });
    return runtime.dial(address, signal === undefined ? this.abort.signal : AbortSignal.any([this.abort.signal, signal]));
  }

  /** Dial a private-broadcast carrier in a running zone (fresh identity; see ZoneRuntime.dialCarrier). */
  async dialCarrier(zone: string, address: PeerAddress, signal?: AbortSignal): Promise<TransportConnection> {
    const runtime = this.runtimes.find((r) => r.name === zone);
    if (runtime === undefined) throw new VeilnodeError('ZONE_NOT_RUNNING', `zone ${zone} is not running`, { zone });
    return runtime.dialCarrier(address, opensCarriers(this.parts.registry, runtime.config), signal === undefined ? this.abort.signal : AbortSignal.any([this.abort.signal, signal]));
  }

  /** A plugin's address text, parsed by the codec of the registered zone that claims it. */
  parseAddress(text: string): PeerAddress {
    const zone = [...this.parts.registry.zones().values()].find((z) => z.definition.codec.claims(text))?.definition;
    if (zone === undefined) throw new DialError(DialErrorCode.AddressInvalid, `cannot parse ${JSON.stringify(text)}: no zone claims this address`);
    try {
      return zone.codec.parse(text);
    } catch (error) {
      throw new DialError(DialErrorCode.AddressInvalid, `cannot parse ${JSON.stringify(text)}: ${(error as Error).message}`, { zone: zone.name }, { cause: error });
    }
  }

  /**
   * A raw connection for a plugin, dialled by the transport of the running zone the address
   * belongs to. The p2p layer never sees it.
   */
  async openConnection(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
    const runtime = this.runtimes.find((r) => r.name === address.zone);
    if (runtime === undefined) {
      const reason = this.parts.registry.zone(address.zone) === undefined ? `no zone ${address.zone} is registered` : `its zone ${address.zone} is not running`;
      throw new DialError(DialErrorCode.AddressInvalid, `cannot dial an address of zone ${address.zone}: ${reason}`, { zone: address.zone });
    }
    const connection = await runtime.transport.dial(address, {
      signal: options.signal === undefined ? this.abort.signal : AbortSignal.any([options.signal, this.abort.signal]),
      timeoutMs: options.timeoutMs,
    });
    const stream = connection.stream;
    this.pluginStreams.add(stream);
    stream.once('close', () => this.pluginStreams.delete(stream));
    return connection;
  }

  queuedTransactions(): { zone: string; queued: number }[] {
    return this.runtimes.map((r) => ({ zone: r.name, queued: this.parts.relayQueue.queued(r.name) }));
  }

  private async startZone(zone: ZoneConfig): Promise<void> {
    const { registry, root, logger, config } = this.parts;
    const definition = registry.zone(zone.name)?.definition;
    const transportEntry = registry.transport(zone.transport);
    if (definition === undefined || transportEntry === undefined) {
      // bindZones() guarantees both; reaching this means the caller skipped it.
      throw new VeilnodeError('ZONE_UNBOUND', `zone ${zone.name} has no registered definition or transport ${zone.transport}`, { zone: zone.name });
    }
    const zoneLogger = logger.child({ zone: zone.name, transport: zone.transport });
    const transportDir = path.join(this.parts.dataDir, 'transports', zone.transport);
    mkdirSync(transportDir, { recursive: true });
    let runtime: ZoneRuntime;
    try {
      const transport = transportEntry.definition.create({
        zone,
        pluginConfig: config[transportEntry.plugin] ?? {},
        network: config.network,
        dataDir: transportDir,
        logger: zoneLogger,
      });
      if (transport.zone !== zone.name) {
        throw new VeilnodeError('TRANSPORT_ZONE_MISMATCH', `transport ${zone.transport} was created for zone ${transport.zone}, not ${zone.name}`, { zone: zone.name });
      }
      const container = createZoneContainer(root, { definition, config: zone, transport, logger: zoneLogger });
      runtime = new ZoneRuntime(container, this.parts.handler);
      this.runtimes.push(runtime);
      await this.withStartDeadline(zone.name, (signal) => runtime.start(signal));
    } catch (error) {
      throw new VeilnodeError(
        'ZONE_START_FAILED',
        `zone ${zone.name} (transport ${zone.transport}, plugin ${transportEntry.plugin}) failed to start: ${(error as Error).message}`,
        { zone: zone.name, transport: zone.transport, plugin: transportEntry.plugin },
        { cause: error },
      );
    }
    zoneLogger.info({ listening: runtime.addresses }, 'zone started');
  }

  /** Runs a zone's start with an AbortSignal that fires on node stop or at the deadline; rejects at the deadline even if the transport ignores the signal. */
  private async withStartDeadline(zone: string, start: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const ms = this.parts.zoneStartTimeoutMs ?? ZONE_START_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ms);
    const signal = AbortSignal.any([this.abort.signal, deadline.signal]);
    try {
      await Promise.race([
        start(signal),
        new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(new TimeoutError(`zone ${zone} start`, ms, { zone })))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async stopAll(): Promise<void> {
    const { logger, rpc, stopHooks } = this.parts;
    this.abort.abort();
    this.parts.pluginRuntime?.detach();
    for (const stream of this.pluginStreams) stream.destroy();
    this.pluginStreams.clear();
    const attempt = async (what: string, action: () => unknown): Promise<void> => {
      try {
        await action();
      } catch (error) {
        logger.error({ what, err: (error as Error).message }, 'error while stopping');
      }
    };
    await attempt('rpc', () => rpc.stop());
    const services = [...(this.parts.services ?? [])].reverse();
    for (const service of services.filter((s) => s.stopBeforeZones === true)) await attempt(service.name, () => service.stop());
    for (const runtime of [...this.runtimes].reverse()) await attempt(`zone ${runtime.name}`, () => runtime.stop());
    this.runtimes = [];
    for (const service of services.filter((s) => s.stopBeforeZones !== true)) await attempt(service.name, () => service.stop());
    for (const { plugin, hook } of [...stopHooks].reverse()) await attempt(`plugin ${plugin}`, hook);
    this.lock.release();
    logger.info({}, 'node stopped');
  }

  private summary(): NodeSummary {
    return {
      network: this.parts.config.network,
      dataDir: this.parts.dataDir,
      rpc: this.parts.rpc.address ?? '',
      zones: this.runtimes.map((r) => {
        const health = r.health();
        return { name: r.name, transport: r.config.transport, listening: r.addresses, ...(health.healthy ? {} : { problem: health.reason ?? 'transport down' }) };
      }),
    };
  }
}
