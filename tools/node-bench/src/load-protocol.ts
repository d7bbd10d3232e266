/** Messages between the benchmark driver and its load-generator child process (Node IPC). */

/** The chain top every load peer claims (hex top id, decimal big integers). */
export interface ClaimedChain {
  readonly height: string;
  readonly cumulativeDifficulty: string;
  readonly topId: string;
  readonly topVersion: number;
}

export type LoadCommand =
  | { readonly op: 'connect'; readonly host: string; readonly port: number; readonly count: number; readonly chain: ClaimedChain; readonly timeoutMs: number }
  | { readonly op: 'sync'; readonly timeoutMs: number }
  | { readonly op: 'tx'; readonly blobHex: string; readonly timeoutMs: number }
  | { readonly op: 'close' }
  /** Warms the generator itself: `rounds` untimed bursts of `count` handshakes against its own in-process responder. */
  | { readonly op: 'warm-up'; readonly count: number; readonly rounds: number; readonly chain: ClaimedChain };

export interface ConnectResult {
  readonly op: 'connect';
  /** Dial start → handshake response decoded, per successful connection. */
  readonly handshakeMs: number[];
  /** First dial → last handshake done. */
  readonly wallMs: number;
  /** First dial → last dial issued (the generator's synchronous dial loop). */
  readonly dialMs: number;
  /** One line per failed connection (error code or reason). */
  readonly failures: string[];
  /** The load generator's own CPU (user + system) over the burst. */
  readonly loadCpuMs: number;
}

export interface SyncResult {
  readonly op: 'sync';
  readonly answered: number;
  readonly failures: string[];
}

export interface TxResult {
  readonly op: 'tx';
  /** Send → arrival at each other open connection that received it. */
  readonly arrivalsMs: number[];
  /** Open connections other than the sender. */
  readonly expected: number;
}

export interface CloseResult {
  readonly op: 'close';
}

export interface WarmUpResult {
  readonly op: 'warm-up';
}

export type LoadResult = ConnectResult | SyncResult | TxResult | CloseResult | WarmUpResult | { readonly op: 'error'; readonly message: string };
