import { addressCodecCompliance, transportCompliance } from '@veilnode/compliance';
import { IpAddressCodec } from '../src/ip-address-codec';
import { ipAddressVectors } from './ip-address-vectors';
import { canBind, loopbackFixture } from './loopback-fixture';

transportCompliance('clearnet over 127.0.0.1', loopbackFixture('127.0.0.1', false));

describe('clearnet over IPv6', function () {
  before(async function () {
    if (!(await canBind('::1'))) this.skip();
  });
  transportCompliance('clearnet over [::1], two transport instances', loopbackFixture('::1', true));
});

addressCodecCompliance('IpAddressCodec', new IpAddressCodec(), ipAddressVectors);
