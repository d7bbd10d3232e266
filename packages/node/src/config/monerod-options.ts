/**
 * monerod options veilnode has no use for, and how it answers them. Names and value-taking come
 * from monerod's own option lists (src/daemon/command_line_args.h, src/cryptonote_core/
 * cryptonote_core.cpp, src/p2p/net_node.cpp, src/rpc/core_rpc_server.cpp), so a monerod command
 * line or config file parses the same way here.
 */

/** A monerod option accepted and ignored: `why` is logged once at info. */
export interface IgnoredOption {
  /** Whether monerod's option takes a value (it is then consumed and ignored). */
  readonly takesValue: boolean;
  readonly why: string;
}

const NO_CHAIN = 'veilnode keeps no blockchain';

export const IGNORED_OPTIONS: Readonly<Record<string, IgnoredOption>> = {
  '--no-igd': { takesValue: false, why: 'veilnode never maps ports with UPnP/IGD' },
  '--igd': { takesValue: true, why: 'veilnode never maps ports with UPnP/IGD' },
  '--non-interactive': { takesValue: false, why: 'veilnode has no interactive console (commands such as `veilnode status` query the RPC)' },
  '--disable-dns-checkpoints': { takesValue: false, why: `${NO_CHAIN}, so it reads no DNS checkpoints` },
  '--enforce-dns-checkpoints': { takesValue: false, why: `${NO_CHAIN}, so it reads no DNS checkpoints` },
  '--enable-dns-blocklist': { takesValue: false, why: 'veilnode resolves no DNS names (a lookup could leak on anonymity zones)' },
  '--check-updates': { takesValue: true, why: 'veilnode makes no update checks (they would be traffic nobody asked for)' },
  '--no-zmq': { takesValue: false, why: 'veilnode serves no ZMQ interface' },
  '--zmq-rpc-bind-ip': { takesValue: true, why: 'veilnode serves no ZMQ interface' },
  '--zmq-rpc-bind-port': { takesValue: true, why: 'veilnode serves no ZMQ interface' },
  '--zmq-pub': { takesValue: true, why: 'veilnode serves no ZMQ interface' },
  '--db-sync-mode': { takesValue: true, why: `${NO_CHAIN} database` },
  '--db-salvage': { takesValue: false, why: `${NO_CHAIN} database` },
  '--prune-blockchain': { takesValue: false, why: NO_CHAIN },
  '--sync-pruned-blocks': { takesValue: false, why: NO_CHAIN },
  '--fast-block-sync': { takesValue: true, why: NO_CHAIN },
  '--block-sync-size': { takesValue: true, why: NO_CHAIN },
  '--block-download-max-size': { takesValue: true, why: NO_CHAIN },
  '--prep-blocks-threads': { takesValue: true, why: NO_CHAIN },
  '--keep-alt-blocks': { takesValue: false, why: NO_CHAIN },
  '--fluffy-blocks': { takesValue: false, why: `${NO_CHAIN}; it relays no blocks` },
  '--no-fluffy-blocks': { takesValue: false, why: `${NO_CHAIN}; it relays no blocks` },
  '--block-notify': { takesValue: true, why: `${NO_CHAIN}; it sees no blocks` },
  '--reorg-notify': { takesValue: true, why: `${NO_CHAIN}; it sees no blocks` },
  '--block-rate-notify': { takesValue: true, why: `${NO_CHAIN}; it sees no blocks` },
  '--max-txpool-weight': { takesValue: true, why: 'veilnode keeps no txpool beyond its own relay queue (bounded on its own)' },
  '--no-sync': { takesValue: false, why: `${NO_CHAIN}, so it never syncs` },
  '--show-time-stats': { takesValue: true, why: NO_CHAIN },
  '--public-node': { takesValue: false, why: 'veilnode does not advertise its RPC port in peer lists' },
  '--log-file': { takesValue: true, why: 'veilnode writes JSON log lines to stdout (journald or a redirect keeps them)' },
  '--max-log-file-size': { takesValue: true, why: 'veilnode writes JSON log lines to stdout (journald or a redirect keeps them)' },
  '--max-log-files': { takesValue: true, why: 'veilnode writes JSON log lines to stdout (journald or a redirect keeps them)' },
  '--max-concurrency': { takesValue: true, why: 'veilnode runs one event loop' },
};

const SYSTEMD_WAY =
  'veilnode does not daemonize itself: run it as a systemd service (Type=simple, ExecStart=/usr/bin/veilnode --config-file /etc/veilnode.conf); systemd tracks its PID and restarts it';

/** monerod options refused with a reason (no veilnode equivalent that would be honest). */
export const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  '--detach': SYSTEMD_WAY,
  '--pidfile': SYSTEMD_WAY,
  '--offline': 'a veilnode without peers could not broadcast anything',
};

/** Options veilnode spells differently: the hint an unknown-option error gives. */
export const EQUIVALENTS: Readonly<Record<string, string>> = {
  '--p2p-bind-ipv6-address': '--p2p-bind-ip (it takes an IPv6 address)',
  '--p2p-bind-port-ipv6': '--p2p-bind-port',
  '--p2p-use-ipv6': '--p2p-bind-ip :: (it takes an IPv6 address)',
  '--rpc-bind-ipv6-address': '--rpc-bind-ip (it takes an IPv6 address)',
  '--rpc-use-ipv6': '--rpc-bind-ip ::1 (it takes an IPv6 address)',
  '--rpc-restricted-bind-ipv6-address': '--rpc-restricted-bind-ip (it takes an IPv6 address)',
  '--log-levels': '--log-level',
};

/** The message of an unknown option: its name once, and the veilnode equivalent when there is one. */
export function unknownOptionMessage(flag: string): string {
  const equivalent = EQUIVALENTS[flag];
  return equivalent === undefined ? `unknown option ${flag}` : `unknown option ${flag}: veilnode's equivalent is ${equivalent}`;
}
