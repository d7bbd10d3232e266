/** The config of a clearnet-only veilnode CLI on loopback (regtest) whose only peers are `exclusivePeers`. */
export function clearnetNodeConfig(options: { dataDir: string; p2pPort: number; rpcPort: number; exclusivePeers: readonly string[]; restricted?: boolean }): Record<string, unknown> {
  return {
    plugins: ['@veilnode/clearnet'],
    network: 'regtest',
    dataDir: options.dataDir,
    log: { level: 'info' },
    p2p: { bindIp: '127.0.0.1', bindPort: options.p2pPort },
    rpc: { bindIp: '127.0.0.1', bindPort: options.rpcPort, ...(options.restricted === undefined ? {} : { restricted: options.restricted }) },
    zones: { clearnet: { enabled: true, transport: 'clearnet', exclusivePeers: [...options.exclusivePeers] } },
  };
}
