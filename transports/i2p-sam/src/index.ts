/** @veilnode/i2p-sam: the I2P zone over a SAM v3.1 bridge. */
export { i2pSamPlugin as default, i2pSamPlugin } from './plugin';
export { DEFAULT_SAM_CONFIG, i2cpOptions, parseSamConfig, samConfigSchema, type SamTransportConfig, type TunnelSettings } from './config';
export { DestinationKeys } from './destination-keys';
export { DivaSamClient, type SamBridgeAddress } from './diva-sam-client';
export { I2pSamTransport, type I2pSamTransportDeps } from './i2p-sam-transport';
export { loadOrCreateKeys, PRIVATE_KEY_FILE } from './key-store';
export { SAME_KEYS_COOLDOWN_MS, SameKeysCooldown, SESSION_STATE_FILE } from './same-keys-cooldown';
export type { SamCall, SamClient, SamSession, SessionRequest } from './sam-client';
export { SamBridgeError, SamPeerUnreachableError, samReplyError } from './sam-errors';
export { parseSamReply, type SamReply } from './sam-reply';
