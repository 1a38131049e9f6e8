// Invitations: InviteUsers and its emails, the invitation lifecycle (accepted, revoked, superseded, ended with the
// invitee's removal or the account's deletion, expired), acceptance from the emailed link, and
// `carillon invitations list|revoke`.
import { cliActor, limitFlag, noArgs, oneArg, requiredFlag, table } from '../cli/flags.js';
import { defineModule } from '../platform/module.js';
import * as invitationsMigration from './invitations-migration.js';
import { AcceptanceService } from './acceptance-service.js';
import { invitationOperations } from './invitations-operations.js';
import { InvitationsService } from './invitations-service.js';

declare module '../platform/module.js' {
  interface Services {
    invitations: InvitationsService;
    acceptance: AcceptanceService;
  }
}

export const invitationsModule = defineModule({
  name: 'invitations',
  migrations: { '009-invitation-lifecycle': invitationsMigration },
  provide: (s) => {
    const invitations = new InvitationsService({
      db: s.db,
      clock: s.clock,
      audit: s.audit,
      accounts: s.accounts,
      users: s.users,
      mailer: s.mailer,
      publicUrl: s.config.publicUrl,
      ttlDays: s.config.invitationTtlDays,
    });
    s.mailer.onOutcome((ex, references, outcome) => invitations.recordEmailOutcome(ex, references, outcome));
    s.users.onMembersRemoved(async (ex, removed) => void (await invitations.end(ex, { userIds: removed.map((u) => u.id) }, 'invitee_removed')));
    s.accounts.onAccountDeleted(async (ex, account) => void (await invitations.end(ex, { accountId: account.id }, 'account_deleted')));
    const acceptance = new AcceptanceService({ db: s.db, clock: s.clock, audit: s.audit, accounts: s.accounts, users: s.users, signin: s.signin });
    return { invitations, acceptance };
  },
  operations: invitationOperations,
  cli: [
    {
      name: 'invitations list',
      usage: 'invitations list --account ACCOUNT_ID [--limit N]',
      run: async (s, args, flags, io) => {
        noArgs(args);
        const rows = await s.invitations.listInvitations(requiredFlag(flags, 'account', 'ACCOUNT_ID'), limitFlag(flags, 100));
        io.out(table([['INVITATION ID', 'EMAIL', 'STATE', 'EMAIL STATUS', 'SENT', 'EXPIRES'], ...rows.map((r) => [r.id, r.email, r.state, r.emailStatus, r.createdAt, r.expiresAt])]));
      },
    },
    {
      name: 'invitations revoke',
      usage: 'invitations revoke INVITATION_ID             (resend: InviteUsers again, which also retires the old link)',
      run: async (s, args, _flags, io) => {
        const id = oneArg(args, 'invitation id');
        await s.invitations.revokeInvitation(cliActor(), id);
        io.out(`Revoked invitation ${id}; its link no longer works.`);
      },
    },
  ],
});
