/**
 * Why a visit is suspect, and how much each reason weighs. Strong reasons are evidence the visit
 * did not happen as billed (the caregiver elsewhere, the senior not there to serve, durations made
 * up); medium ones are implausible but have innocent explanations; weak ones (the phone's clock
 * and signal) are noise on their own.
 */
export const REASON_WEIGHTS = {
  geofence: 60,
  impossible_travel: 60,
  repeated_coordinates: 60,
  caregiver_overlap: 60,
  senior_deactivated: 60,
  senior_suspended: 60,
  duration_pattern: 60,
  long_caregiver_day: 40,
  callback_only_provider: 40,
  short_visit: 40,
  provider_flag_rate: 40,
  late_sync: 10,
  clock_drift: 10,
} as const;

export type ReasonCode = keyof typeof REASON_WEIGHTS;
export const REASON_CODES = Object.keys(REASON_WEIGHTS) as ReasonCode[];

/**
 * A visit is suspect from this score: one strong or one medium reason is enough, the weak ones are
 * not, even both together (10 + 10 = 20). A weak reason adds to the others.
 */
export const SUSPECT_THRESHOLD = 40;

/** The sum of the weights of the visit's distinct reasons, capped at 100. */
export function suspectScore(reasons: Iterable<ReasonCode>): number {
  let score = 0;
  for (const reason of new Set(reasons)) score += REASON_WEIGHTS[reason];
  return Math.min(100, score);
}

/** The reasons in the order of REASON_WEIGHTS: strongest first, always the same for the same set. */
export const orderedReasons = (reasons: Iterable<ReasonCode>): ReasonCode[] => {
  const set = new Set(reasons);
  return REASON_CODES.filter((code) => set.has(code));
};

/** The stored visit flags as reasons (geofence after the datum conversion, done at check-in/out). */
export const REASON_OF_FLAG: Readonly<Record<string, ReasonCode>> = {
  geofence_check_in: 'geofence',
  geofence_check_out: 'geofence',
  short_visit: 'short_visit',
  caregiver_overlap: 'caregiver_overlap',
  late_sync: 'late_sync',
  clock_drift: 'clock_drift',
};
