import { expect } from 'chai';
import { distanceM, gcj02ToWgs84, toWgs84, wgs84ToGcj02 } from '../../src/shared/geo.ts';

// Known WGS-84 / GCJ-02 pairs: the test cases of the eviltransform project (googollee/eviltransform,
// the same values in its Python, PHP and JS suites), computed by the published algorithm.
const PAIRS = [
  { place: 'Shanghai', wgs: { lat: 31.1774276, lng: 121.5272106 }, gcj: { lat: 31.17530398364597, lng: 121.531541859215 } },
  { place: 'Shenzhen', wgs: { lat: 22.543847, lng: 113.912316 }, gcj: { lat: 22.540796131694766, lng: 113.9171764808363 } },
  { place: 'Beijing', wgs: { lat: 39.911954, lng: 116.377817 }, gcj: { lat: 39.91334545536069, lng: 116.38404722455657 } },
];

describe('coordinates: WGS-84 and GCJ-02', () => {
  for (const { place, wgs, gcj } of PAIRS) {
    it(`shifts ${place} from WGS-84 to GCJ-02 as the published algorithm does, and back within a centimetre`, () => {
      const shifted = wgs84ToGcj02(wgs);
      expect(shifted.lat).to.be.closeTo(gcj.lat, 1e-6);
      expect(shifted.lng).to.be.closeTo(gcj.lng, 1e-6);
      // The shift is a few hundred metres: the size of the geofence, hence the conversion.
      expect(distanceM(wgs, gcj)).to.be.within(100, 1_000);
      const back = gcj02ToWgs84(gcj);
      expect(distanceM(back, wgs)).to.be.at.most(0);
      expect(back.lat).to.be.closeTo(wgs.lat, 1e-7);
      expect(back.lng).to.be.closeTo(wgs.lng, 1e-7);
    });
  }

  it('leaves WGS-84 as it is, and points outside China in either datum', () => {
    expect(toWgs84({ lng: 117.25, lat: 31.85 })).to.deep.equal({ lng: 117.25, lat: 31.85 });
    expect(toWgs84({ lng: 117.25, lat: 31.85 }, 'wgs84')).to.deep.equal({ lng: 117.25, lat: 31.85 });
    expect(toWgs84({ lng: 2.35, lat: 48.85 }, 'gcj02')).to.deep.equal({ lng: 2.35, lat: 48.85 });
    expect(wgs84ToGcj02({ lng: 139.69, lat: 35.68 })).to.deep.equal({ lng: 139.69, lat: 35.68 });
  });
});
