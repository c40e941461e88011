import { expect } from 'chai';
import { rankProviders, type RankCandidate, type RankQuestion } from '../../src/dispatch/ranking.ts';

const HOME = { lng: 117.2541, lat: 31.8457 };
// About 0.5 km, 3 km and 8 km east of the senior's home.
const NEAR = { lng: 117.2594, lat: 31.8457 };
const MID = { lng: 117.2858, lat: 31.8457 };
const FAR = { lng: 117.3387, lat: 31.8457 };

function candidate(providerId: string, overrides: Partial<RankCandidate> = {}): RankCandidate {
  return { providerId, kind: 'company', communityIds: ['c1'], location: MID, dailyCapacity: 10, unitPriceFen: 4000, acceptedToday: 0, ratingAverage: null, offersThisWeek: 0, ...overrides };
}
const question = (overrides: Partial<RankQuestion> = {}): RankQuestion => ({ seniorLocation: HOME, seniorCommunityId: 'c1', preferredProviderId: null, prefersStarlight: false, excluded: new Set(), ...overrides });

describe('dispatch ranking', () => {
  it('puts the senior\'s preferred provider first when eligible, whatever the scores', () => {
    const ranked = rankProviders([candidate('near', { location: NEAR }), candidate('preferred', { location: FAR })], question({ preferredProviderId: 'preferred' }));

    expect(ranked.map((r) => r.providerId)).to.deep.equal(['preferred', 'near']);
    expect(ranked[0]!.reasons[0]).to.equal('老人指定的服务商');
  });

  it('sends meals to the senior\'s community Starlight centre first, but not other services', () => {
    const candidates = [candidate('company', { location: NEAR }), candidate('starlight', { kind: 'starlight_center', location: MID })];

    expect(rankProviders(candidates, question({ prefersStarlight: true }))[0]!.providerId).to.equal('starlight');
    expect(rankProviders(candidates, question({ prefersStarlight: false }))[0]!.providerId).to.equal('company');
  });

  it('ignores a Starlight centre of another community', () => {
    const ranked = rankProviders([candidate('company', { location: NEAR }), candidate('other-starlight', { kind: 'starlight_center', communityIds: ['c2'], location: NEAR, acceptedToday: 5 })], question({ prefersStarlight: true }));

    expect(ranked[0]!.providerId).to.equal('company');
  });

  it('weighs distance most: a near provider with some load beats an idle one far away', () => {
    const ranked = rankProviders([candidate('far-idle', { location: FAR }), candidate('near-busy', { location: NEAR, acceptedToday: 6 })], question());

    expect(ranked.map((r) => r.providerId)).to.deep.equal(['near-busy', 'far-idle']);
    expect(ranked[0]!.reasons[0]).to.match(/^在15分钟服务圈内（0\.5\d? 公里）$/);
  });

  it('lets load decide between providers at the same distance', () => {
    const ranked = rankProviders([candidate('busy', { acceptedToday: 8 }), candidate('idle', { acceptedToday: 1 })], question());

    expect(ranked.map((r) => r.providerId)).to.deep.equal(['idle', 'busy']);
  });

  it('drops providers whose capacity for the day is full and those that declined or let the offer expire', () => {
    const ranked = rankProviders([candidate('full', { acceptedToday: 10 }), candidate('declined'), candidate('ok')], question({ excluded: new Set(['declined']) }));

    expect(ranked.map((r) => r.providerId)).to.deep.equal(['ok']);
  });

  it('answers nobody when nobody is eligible', () => {
    expect(rankProviders([candidate('full', { acceptedToday: 10 })], question())).to.deep.equal([]);
  });

  it('prefers the better rated and the less offered this week when all else is equal', () => {
    expect(rankProviders([candidate('a', { ratingAverage: 3 }), candidate('b', { ratingAverage: 4.8 })], question())[0]!.providerId).to.equal('b');
    expect(rankProviders([candidate('a', { offersThisWeek: 40 }), candidate('b', { offersThisWeek: 2 })], question())[0]!.providerId).to.equal('b');
  });
});

describe('dispatch ranking for emergencies', () => {
  it('sends an emergency to the nearest able provider, whatever preference, load or rating', () => {
    const ranked = rankProviders(
      [candidate('preferred-far', { location: FAR, ratingAverage: 5 }), candidate('near-busy', { location: NEAR, acceptedToday: 9 }), candidate('mid', { location: MID })],
      question({ preferredProviderId: 'preferred-far', isEmergency: true }),
    );

    expect(ranked.map((r) => r.providerId)).to.deep.equal(['near-busy', 'mid', 'preferred-far']);
  });
});
