import { promises as fs } from 'node:fs';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '@veilnode/plugin-api';

/** A ban list file larger than this is refused (monerod's published lists are a few KiB). */
export const MAX_BAN_LIST_BYTES = 4 * 1024 * 1024;

const ONION = /^[a-z2-7]{56}\.onion$/;
const I2P = /^[a-z2-7]{52}\.b32\.i2p$/;
const CIDR = /^([^/]+)\/(\d{1,3})$/;

/**
 * Peers we never dial, refuse inbound and drop from peer lists we learn (`--ban-list FILE`).
 * IPv4-mapped IPv6 addresses are judged as their IPv4 address.
 */
export class BanList {
  private readonly ips = new BlockList();
  private readonly hosts = new Set<string>();
  private entryCount = 0;

  /** Entries read (addresses, subnets and hidden-service hosts). */
  get size(): number {
    return this.entryCount;
  }

  isBanned(host: string): boolean {
    const lower = host.toLowerCase();
    if (this.hosts.has(lower)) return true;
    if (isIPv4(lower)) return this.ips.check(lower, 'ipv4');
    if (isIPv6(lower)) return this.ips.check(lower, 'ipv6');
    return false;
  }

  /** Adds one entry in the file's syntax; false when it is not one. */
  add(entry: string): boolean {
    const lower = entry.toLowerCase();
    const cidr = CIDR.exec(lower);
    if (cidr !== null) {
      const [, ip, bits] = cidr;
      const prefix = Number(bits);
      if (isIPv4(ip) && prefix <= 32) this.ips.addSubnet(ip, prefix, 'ipv4');
      else if (isIPv6(ip) && prefix <= 128) this.ips.addSubnet(ip, prefix, 'ipv6');
      else return false;
    } else if (isIPv4(lower)) this.ips.addAddress(lower, 'ipv4');
    else if (isIPv6(lower)) this.ips.addAddress(lower, 'ipv6');
    else if (ONION.test(lower) || I2P.test(lower)) this.hosts.add(lower);
    else return false;
    this.entryCount++;
    return true;
  }
}

/**
 * Parses monerod's ban list format: one IP address, CIDR subnet (IPv4 or IPv6) or hidden-service
 * host per line; everything after `#` is a comment; blank lines are skipped (monerod's
 * `--ban-list` loader in src/p2p/net_node.inl). monerod logs and skips a line it cannot read;
 * here such a line is a ConfigError naming the file and line, so a typo never silently leaves a
 * spy unbanned.
 */
export function parseBanList(text: string, source: string): BanList {
  const list = new BanList();
  text.split(/\r?\n/).forEach((raw, index) => {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') return;
    if (!list.add(line)) throw new ConfigError(`ban list ${source} line ${index + 1}: not an IP address, CIDR subnet or hidden-service host: ${JSON.stringify(line.slice(0, 80))}`, { path: 'ban-list', file: source, line: index + 1 });
  });
  return list;
}

/** Reads and parses a `--ban-list` file; a missing, unreadable or oversized file is a ConfigError. */
export async function loadBanList(file: string): Promise<BanList> {
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_BAN_LIST_BYTES) throw new ConfigError(`ban list ${file} is ${stat.size} bytes, more than ${MAX_BAN_LIST_BYTES}`, { path: 'ban-list', file });
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read ban list ${file}: ${(err as Error).message}`, { path: 'ban-list', file }, { cause: err });
  }
  return parseBanList(text, file);
}
