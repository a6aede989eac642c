/** Council pack id → how many days ChannelCheck keeps its own decision records (`retention.decisionRecordDays`). */
import type { PolicyCatalogue } from './loadPolicies';

export function retentionDaysByCouncil(catalogue: PolicyCatalogue): Record<string, number> {
  const days: Record<string, number> = {};
  for (const [id, policy] of catalogue.councils) {
    const retention = policy.council.data.retention;
    if (retention !== undefined) days[id] = retention.decisionRecordDays;
  }
  return days;
}
