/** @veilnode/tor: the Tor zone and transport plugin. */
export { torPlugin as default, torPlugin, torZoneDefinition } from './plugin';
export { OnionV3Codec, onionHostFromPublicKey, validateOnionHost } from './onion-v3-codec';
export { TorTransport, DEFAULT_TOR_PROXY, ONION_KEY_FILE } from './tor-transport';
export { TorControlClient, type TorReply, type TorReplyLine, type TorControlAuth } from './tor-control-client';
export { TorControlError, TorControlErrorCode } from './tor-control-errors';
export { OnionServiceKey } from './onion-service-key';
export { readTorConfig, torConfigSchema, DEFAULT_TOR_CONFIG, type TorPluginConfig } from './tor-config';
