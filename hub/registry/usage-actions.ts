// Usage (R23, quotas) as registry actions: the agreement's daily limit taken from leased blocks, and
// the usage report.
import type { Agreement } from './agreement.ts';
import type { Actor } from './officer-competence.ts';
import { QuotaLeases, type QuotaOutcome } from './quota-lease.ts';
import type { Act } from './registry-action.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryCollections } from './registry-store.ts';
import type { RequestActions } from './request-actions.ts';
import type { ServiceName } from './service-catalogue.ts';
import { daysBetween, MAX_REPORT_DAYS, reportUsage, type UsageReport } from './usage.ts';

export class UsageActions {
  private readonly leases: QuotaLeases;

  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
    private readonly getAgreement: RequestActions['getAgreement'],
  ) {
    this.leases = new QuotaLeases(this.store.quotaLeases, now);
  }

  /**
   * Takes `units` (one per citizen answered or change delivered) from the agreement's daily limit,
   * all or none, out of a block this instance leased (quota-lease.ts); past the limit, refuses and
   * counts them refused.
   */
  async takeDailyQuota(
    agreement: Pick<Agreement, 'id' | 'quota'>,
    service: ServiceName,
    at = this.now(),
    units = 1,
  ): Promise<QuotaOutcome> {
    return this.leases.take(agreement, service, at, units);
  }

  /** Writes what this instance's quota leases used so far (done every few seconds by itself). */
  async flushUsage(): Promise<void> {
    await this.leases.flush();
  }

  /** Releases this instance's quota leases, writing what they used; before the store closes. */
  async close(): Promise<void> {
    await this.leases.close();
  }

  /** Units per day and service from `from` to `to` (YYYY-MM-DD, Vietnam days, inclusive). */
  async usageReport(agreementId: string, from: string, to: string, by: Actor): Promise<UsageReport & { feeClass: Agreement['feeClass'] }> {
    return this.act(
      'usage-report',
      by,
      {},
      async ({ authorize }) => {
        const agreement = await this.getAgreement(agreementId);
        authorize(agreement.organisation);
        const span = daysBetween(from, to);
        if (span === null)
          throw new RegistryError(
            'INVALID',
            `a usage report spans 1 to ${MAX_REPORT_DAYS} days, from ≤ to, written YYYY-MM-DD: not ${from} … ${to}`,
          );
        const days = await reportUsage(this.store.quotaLeases, agreementId, span, this.now());
        const total = days.reduce((sum, day) => ({ allowed: sum.allowed + day.allowed, refused: sum.refused + day.refused }), {
          allowed: 0,
          refused: 0,
        });
        return { value: { agreementId, from, to, days, total, feeClass: agreement.feeClass } };
      },
      { agreement: agreementId },
    );
  }
}
