import { Command } from '@veilnode/plugin-api';
import { arrayOf, blob, bool, epeeObject, field, optional, text, uint32, uint64, type ObjectCodec } from '../epee';
import { basicNodeData, type BasicNodeData } from './node-data';
import { peerlist, type PeerlistItem } from './peerlist';
import { coreSyncData, type CoreSyncData } from './sync-data';

/** An invoke command: request and response schemas. */
export interface InvokeDefinition<Req extends object, Res extends object> {
  readonly command: number;
  readonly name: string;
  readonly request: ObjectCodec<Req>;
  readonly response: ObjectCodec<Res>;
}

/** A notification command: one body schema. */
export interface NotifyDefinition<T extends object> {
  readonly command: number;
  readonly name: string;
  readonly body: ObjectCodec<T>;
}

// Empty object: PING and REQUEST_SUPPORT_FLAGS requests.
export type EmptyRequest = Record<string, never>;
const emptyObject = epeeObject<EmptyRequest>({});

/** COMMAND_HANDSHAKE request (docs/commands.md). */
export interface HandshakeRequest {
  node_data: BasicNodeData;
  payload_data: CoreSyncData;
}

/** COMMAND_HANDSHAKE response; `local_peerlist_new` is omitted on the wire when empty. */
export interface HandshakeResponse extends HandshakeRequest {
  local_peerlist_new: PeerlistItem[];
}

export const Handshake: InvokeDefinition<HandshakeRequest, HandshakeResponse> = {
  command: Command.Handshake,
  name: 'COMMAND_HANDSHAKE',
  request: epeeObject<HandshakeRequest>({ node_data: field(basicNodeData), payload_data: field(coreSyncData) }),
  response: epeeObject<HandshakeResponse>({
    node_data: field(basicNodeData),
    payload_data: field(coreSyncData),
    local_peerlist_new: field(peerlist),
  }),
};

/** COMMAND_TIMED_SYNC request (docs/commands.md). */
export interface TimedSyncRequest {
  payload_data: CoreSyncData;
}

export interface TimedSyncResponse extends TimedSyncRequest {
  local_peerlist_new: PeerlistItem[];
}

export const TimedSync: InvokeDefinition<TimedSyncRequest, TimedSyncResponse> = {
  command: Command.TimedSync,
  name: 'COMMAND_TIMED_SYNC',
  request: epeeObject<TimedSyncRequest>({ payload_data: field(coreSyncData) }),
  response: epeeObject<TimedSyncResponse>({ payload_data: field(coreSyncData), local_peerlist_new: field(peerlist) }),
};

/** COMMAND_PING response (docs/commands.md): status "OK" and the responder's peer id. */
export interface PingResponse {
  status: string;
  peer_id: bigint;
}

export const PING_OK = 'OK';

export const Ping: InvokeDefinition<EmptyRequest, PingResponse> = {
  command: Command.Ping,
  name: 'COMMAND_PING',
  request: emptyObject,
  response: epeeObject<PingResponse>({ status: field(text), peer_id: field(uint64) }),
};

/** COMMAND_REQUEST_SUPPORT_FLAGS response (docs/commands.md). */
export interface SupportFlagsResponse {
  support_flags: number;
}

export const SupportFlags: InvokeDefinition<EmptyRequest, SupportFlagsResponse> = {
  command: Command.RequestSupportFlags,
  name: 'COMMAND_REQUEST_SUPPORT_FLAGS',
  request: emptyObject,
  response: epeeObject<SupportFlagsResponse>({ support_flags: field(uint32) }),
};

/** NOTIFY_NEW_TRANSACTIONS (docs/tx-relay.md). */
export interface NewTransactionsNotify {
  /** Raw serialized transactions (views into the message when decoded). */
  txs: Buffer[];
  /** Padding; always written, usually empty. */
  _: Buffer;
  /** false = Dandelion++ stem (written explicitly); true = fluff (omitted, the default). */
  dandelionpp_fluff: boolean;
}

export const NewTransactions: NotifyDefinition<NewTransactionsNotify> = {
  command: Command.NewTransactions,
  name: 'NOTIFY_NEW_TRANSACTIONS',
  body: epeeObject<NewTransactionsNotify>({
    txs: field(arrayOf(blob)),
    _: field(blob),
    dandelionpp_fluff: optional(bool, true),
  }),
};
