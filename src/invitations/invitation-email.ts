// The invitation email: names the account and carries the acceptance link.
export type InvitationEmail = { subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function composeInvitationEmail(p: { accountName: string; link: string; expiresAt: string }): InvitationEmail {
  const expires = p.expiresAt.slice(0, 10);
  // Header injection is impossible through nodemailer, but keep the subject on one line anyway.
  const name = p.accountName.replace(/[\r\n]+/g, ' ');
  return {
    subject: `You're invited to join ${name} on Carillon`,
    text: [
      `You have been invited to join the account "${name}".`,
      '',
      `Accept the invitation: ${p.link}`,
      '',
      `The link works once and expires on ${expires}. If you did not expect this invitation, ignore this email.`,
    ].join('\n'),
    html: [
      `<p>You have been invited to join the account <strong>${escapeHtml(name)}</strong>.</p>`,
      `<p><a href="${escapeHtml(p.link)}">Accept the invitation</a></p>`,
      `<p>The link works once and expires on ${expires}. If you did not expect this invitation, ignore this email.</p>`,
    ].join('\n'),
  };
}
