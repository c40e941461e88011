/*
 * The anomaly rules that judge a provider against the district: its flag rate, and how its visits
 * are confirmed. Pure functions over counts; the limits are the district's policy, kept here.
 */

/** A provider is judged on its flag rate only from this many checked-in visits in the month. */
export const FLAG_RATE_MIN_VISITS = 20;
/** ...and named when a rate at least as high would happen by chance less often than this. */
export const FLAG_RATE_MAX_P_VALUE = 0.01;
/** A provider is judged on how its visits are confirmed only from this many finished visits... */
export const CALLBACK_ONLY_MIN_VISITS = 20;
/** ...and named when at most this share of them was confirmed at the door (code or PIN)... */
export const CALLBACK_ONLY_MAX_DOOR_SHARE = 0.1;
/** ...while the district as a whole confirms at least this share at the door. */
export const CALLBACK_ONLY_MIN_DISTRICT_DOOR_SHARE = 0.4;

/** Confirmed at the door: the order's code or the senior's PIN at check-out. */
export const DOOR_METHODS: readonly string[] = ['visit_code', 'senior_pin'];

/** ln(n!) by summing logarithms: exact enough, and a month has at most a few hundred thousand visits. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 1; i <= n; i += 1) table[i] = (table[i - 1] as number) + Math.log(i);
  return table;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p), exactly:
 *   Σ_{i=k..n} C(n, i) · p^i · (1 − p)^(n − i),
 * each term computed in logarithms (ln C(n, i) = ln n! − ln i! − ln (n − i)!) so that large n
 * neither overflows nor underflows before the sum.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lnFact = logFactorials(n);
  const [lnP, lnQ] = [Math.log(p), Math.log1p(-p)];
  let tail = 0;
  for (let i = k; i <= n; i += 1) tail += Math.exp((lnFact[n] as number) - (lnFact[i] as number) - (lnFact[n - i] as number) + i * lnP + (n - i) * lnQ);
  return Math.min(1, tail);
}

/**
 * provider_flag_rate: a one-sided exact binomial test of the provider's flagged visits against the
 * district's flag rate p₀ (all providers, whoever asks). H₀: the provider's visits are flagged at
 * p₀; the p-value is P(X ≥ flagged) for X ~ Binomial(visits, p₀) (binomialUpperTail). Named when
 * visits ≥ FLAG_RATE_MIN_VISITS and p < FLAG_RATE_MAX_P_VALUE: "one flagged out of one" is not
 * evidence, and a large provider a little above the district is not either unless the excess
 * cannot be chance.
 */
export function flagRateTest(provider: { visitsCheckedIn: number; flaggedVisits: number }, districtFlagRate: number | null): { isOutlier: boolean; pValue: number | null } {
  if (districtFlagRate === null || provider.visitsCheckedIn === 0) return { isOutlier: false, pValue: null };
  const pValue = binomialUpperTail(provider.flaggedVisits, provider.visitsCheckedIn, districtFlagRate);
  return { isOutlier: provider.visitsCheckedIn >= FLAG_RATE_MIN_VISITS && pValue < FLAG_RATE_MAX_P_VALUE, pValue };
}

/**
 * callback_only_provider: a provider with at least CALLBACK_ONLY_MIN_VISITS finished visits of which
 * at most CALLBACK_ONLY_MAX_DOOR_SHARE were confirmed at the door, in a district that confirms at
 * least CALLBACK_ONLY_MIN_DISTRICT_DOOR_SHARE there. A phone call afterwards is the weakest proof
 * a visit happened; a provider whose seniors never give the code at the door is worth a look.
 */
export function isCallbackOnlyProvider(provider: { finishedVisits: number; doorConfirmed: number }, districtDoorShare: number | null): boolean {
  if (districtDoorShare === null || districtDoorShare < CALLBACK_ONLY_MIN_DISTRICT_DOOR_SHARE) return false;
  return provider.finishedVisits >= CALLBACK_ONLY_MIN_VISITS && provider.doorConfirmed <= CALLBACK_ONLY_MAX_DOOR_SHARE * provider.finishedVisits;
}
