/** @veilnode/kovri: a stub transport plugin, and the worked example of PLUGINS.md. */
import { kovriPlugin } from './kovri-plugin';

export { kovriPlugin, kovriPlugin as plugin };
export { KovriAddressCodec, ZONE_KOVRI } from './kovri-address-codec';
export { KovriTransport, KOVRI_TRANSPORT } from './kovri-transport';
export { parseKovriRouter } from './kovri-router';
export type { KovriRouter } from './kovri-router';
export default kovriPlugin;
