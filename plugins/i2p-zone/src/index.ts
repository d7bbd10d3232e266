/** @veilnode/i2p-zone: the I2P zone (b32 codec, policy, destinations) shared by the I2P transports. */
export { B32Codec, I2P_DEFAULT_PORT } from './b32-codec';
export { b32LabelOf, destinationLength, i2pBase64Decode, i2pBase64Encode, parseDestination } from './destination';
export { i2pZone, i2pZonePolicy } from './zone';
export { parseHostPort } from './host-port';
export { i2pDialTarget } from './dial-target';
