export { auditEntriesAbout, anchorAuditHead, latestAuditAnchor, recordAudit, recordAudits, useAuditKey, verifyAuditChain, summarise, type AuditInput, type AuditEntry, type VerifyResult } from './audit.service.ts';
export { auditRouter } from './audit.routes.ts';
export { auditVerifyJob } from './audit.jobs.ts';
