export { privacyRouter } from './privacy.routes.ts';
export { piiRekeyJob } from './privacy.jobs.ts';
export { rekeyAllPii, PII_COLLECTIONS, type RekeyCounts } from './rekey.service.ts';
export { exportSeniorData } from './subject-export.service.ts';
export { registerPrivacyEraseHooks } from './retention-hooks.ts';
