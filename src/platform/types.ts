// Enums of the Chime data model, exactly as they travel on the wire.
export const accountTypes = ['Team', 'EnterpriseDirectory', 'EnterpriseLWA', 'EnterpriseOIDC'] as const;
export type AccountType = (typeof accountTypes)[number];

export const licenses = ['Basic', 'Plus', 'Pro', 'ProTrial'] as const;
export type License = (typeof licenses)[number];
/** The licenses an administrator may assign; Plus and ProTrial are legacy values Chime only reported. */
export const assignableLicenses = ['Basic', 'Pro'] as const;

export const userTypes = ['PrivateUser', 'SharedDevice'] as const;
export type UserType = (typeof userTypes)[number];

/** `Released`: Carillon's, beyond Chime's model: the member's domain was released (they may register again). */
export type RegistrationStatus = 'Unregistered' | 'Registered' | 'Suspended' | 'Released';
export type InviteStatus = 'Pending' | 'Accepted' | 'Failed';
export type EmailStatus = 'NotSent' | 'Sent' | 'Failed';
export type AccountStatus = 'Active' | 'Suspended';

/** Who performs a change, for authorization and for the audit log. */
export type Actor = {
  type: 'access_key' | 'admin' | 'cli' | 'system' | 'identity';
  id: string;
  requestId?: string | undefined;
  sourceIp?: string | undefined;
};
