/**
 * Names of the convict formats core registers, for plugins' `configSchema` fragments
 * (e.g. `{ sam: { format: CONFIG_FORMATS.hostPort, default: '127.0.0.1:7656' } }`).
 */
export const CONFIG_FORMATS = {
  /** Literal IP address. */
  ip: 'veilnode-ip',
  /** `IP:PORT` we connect to (port > 0); IPv6 as `[IPV6]:PORT`. */
  hostPort: 'veilnode-host-port',
  /** `IP:PORT` we bind (port 0 = ephemeral). */
  bindAddress: 'veilnode-bind-address',
  /** `[socks4a|socks5://][user[:pass]@]IP:PORT`, or null. */
  proxy: 'veilnode-proxy',
  /** `USER:PASSWORD`, or null. */
  login: 'veilnode-login',
  /** Array of strings (env/args: comma-separated). */
  stringList: 'veilnode-string-list',
  /** A port 0..65535 written as a number (env: decimal digits only; convict's `port` would take '42400x' as 42400). */
  port: 'veilnode-port',
  /** true or false (env: true/false/1/0; convict's `Boolean` would take 'no' as true). */
  boolean: 'veilnode-boolean',
} as const;
